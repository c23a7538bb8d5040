"""The declaring decorators enforce what they declare: sign-in, permissions and methods."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from peel.core.access_rules import Rule, public, rule_of, staff

pytestmark = pytest.mark.django_db


@staff("workqueue.supervise_queue", methods=("GET", "POST"))
def supervisors_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the queue")


@public()
def open_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("for everyone")


def ask(method: str, user: Any, view: Any = supervisors_page) -> HttpResponse:
    request = getattr(RequestFactory(), method.lower())("/staff/queue/")
    request.user = user
    response: HttpResponse = view(request)
    return response


def test_the_rule_is_kept_on_the_view_for_the_permission_matrix() -> None:
    assert rule_of(supervisors_page) == Rule(
        "staff", ("GET", "POST", "HEAD"), ("workqueue.supervise_queue",)
    )
    assert rule_of(open_page) == Rule("public", ("GET", "HEAD"))
    assert rule_of(ask) is None


def test_a_visitor_is_sent_to_sign_in_and_comes_back_after(operator: Any) -> None:
    response = ask("GET", AnonymousUser())
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?next=/staff/queue/"


def test_a_user_without_the_permission_is_refused(operator: Any, supervisor: Any) -> None:
    with pytest.raises(PermissionDenied):
        ask("GET", operator)
    assert ask("GET", supervisor).content == b"the queue"
    assert ask("HEAD", supervisor).status_code == 200  # HEAD goes with GET


def test_a_method_the_view_did_not_declare_is_refused_even_for_the_right_user(
    supervisor: Any,
) -> None:
    response = ask("DELETE", supervisor)
    assert response.status_code == 405 and response["Allow"] == "GET, POST, HEAD"
    assert ask("POST", AnonymousUser(), open_page).status_code == 405


def test_a_form_address_opened_directly_gets_the_sites_own_page(staff_client: Any) -> None:
    """Found by a new user: a GET of a POST-only address gave a blank browser error."""
    response = staff_client("auditor").get("/staff/audit/verify/")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "This page cannot be used that way" in response.content.decode()


def test_a_rule_that_cannot_mean_anything_is_refused_when_declared() -> None:
    with pytest.raises(ValueError, match="holder=True"):
        staff(or_permission="reports.view_any_report")
    with pytest.raises(ValueError, match=r"app_label\.codename"):
        staff("view_any_report")
    with pytest.raises(ValueError, match="at least one method"):
        public(methods=())
