"""The footer's pages, the error pages, and the footer itself on every kind of page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.test import Client
from django.urls import include, path

pytestmark = pytest.mark.django_db
FOOTER = ('href="/privacy/"', 'href="/accessibility/"', 'href="/cookies/"')


def broken(request: HttpRequest) -> Any:
    raise RuntimeError("a defect")


def forbidden(request: HttpRequest) -> Any:
    raise PermissionDenied


urlpatterns = [
    path("broken/", broken),
    path("forbidden/", forbidden),
    path("", include("peel.urls")),
]
handler500 = "peel.core.views.server_error"
handler403 = "peel.core.views.forbidden"


@pytest.fixture
def force(settings: Any) -> str:
    settings.PEEL = {**settings.PEEL, "FORCE_NAME": "West Riding Police"}
    return "West Riding Police"


@pytest.mark.parametrize(
    "url", ["/", "/report/safety/", "/report/status/", "/staff/login/", "/privacy/", "/no-such/"]
)
def test_every_public_page_has_the_footer_and_the_quick_exit(client: Client, url: str) -> None:
    client.get("/report/")
    body = client.get(url).content.decode()
    assert all(link in body for link in FOOTER)
    assert 'class="quick-exit-button"' in body and 'href="/exit/"' in body
    assert 'data-quick-exit="https://www.bbc.co.uk/weather"' in body
    assert "<script>" not in body and "style=" not in body  # strict CSP: files only


def test_staff_pages_have_the_footer_but_no_quick_exit(staff_client, operator) -> None:
    client = staff_client(operator)
    body = client.get("/staff/").content.decode()
    assert all(link in body for link in FOOTER) and "quick-exit-button" not in body


def test_the_privacy_notice_names_the_force_the_law_and_the_rights(
    client: Client, force: str
) -> None:
    body = client.get("/privacy/").content.decode()
    for words in (
        force, "Part 3 of the Data Protection Act 2018", "section 35(2)(b)", "Schedule 8",
        "Management of Police Information", "at least 6 years", "subject access request",
        "data.protection@peel.invalid", "ico.org.uk/make-a-complaint", "8 hours",
        "no decision about you is made by a computer alone",
    ):  # fmt: skip
        assert words in body, words


def test_the_accessibility_statement_follows_the_regulations(client: Client, force: str) -> None:
    body = client.get("/accessibility/").content.decode()
    for words in (
        "Accessibility statement for reporting a crime online", force,
        "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018",
        "partially compliant", "WCAG 2.2", "2.1.4 (Character Key Shortcuts)",
        "2.2.1 (Timing Adjustable)", "Equality and Human Rights Commission", "axe-core",
        "Preparation of this accessibility statement",
    ):  # fmt: skip
        assert words in body, words


def test_the_cookies_page_lists_exactly_the_cookies_peel_sets(client: Client) -> None:
    response = client.get("/report/")  # starting a report is what sets the session cookie
    set_by_the_form = set(response.cookies)
    client.get("/report/safety/")
    set_by_the_form |= set(client.cookies)
    body = client.get("/cookies/").content.decode()
    assert set_by_the_form == {"sessionid", "csrftoken"}
    assert all(f"<code>{name}</code>" in body for name in set_by_the_form)
    assert "No analytics, no tracking" in body


def test_not_found_is_a_styled_page_that_says_what_to_do(client: Client) -> None:
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404 and "<h1>Page not found</h1>" in body
    assert 'href="/report/"' in body and 'href="/report/status/"' in body


def test_forbidden_is_a_styled_page_that_says_what_to_do(staff_client, operator) -> None:
    client = staff_client(operator)
    response = client.get("/staff/queue/")  # a supervisor's page
    body = response.content.decode()
    assert response.status_code == 403 and "<h1>You cannot see this page</h1>" in body
    assert "ask your supervisor" in body and all(link in body for link in FOOTER)


@pytest.mark.urls("peel.core.tests.test_public_pages")
def test_a_server_error_page_renders_without_touching_the_database(
    django_assert_num_queries: Any,
) -> None:
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):  # it must work while the database is down
        response = client.get("/broken/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in body
    assert "call 999" in body and 'href="/privacy/"' in body and "Exit this page" in body


@pytest.mark.urls("peel.core.tests.test_public_pages")
def test_a_permission_refused_by_a_view_gets_the_styled_page(client: Client) -> None:
    response = client.get("/forbidden/")
    assert response.status_code == 403 and "You cannot see this page" in response.content.decode()


def test_a_form_sent_without_its_csrf_token_gets_a_page_that_says_what_to_do() -> None:
    client = Client(enforce_csrf_checks=True)
    client.get("/report/")
    response = client.post("/report/safety/", {"immediateDanger": "no"})
    body = response.content.decode()
    assert response.status_code == 403 and "<h1>This page has expired</h1>" in body
    assert "reload the page, and send it again" in body and all(link in body for link in FOOTER)
