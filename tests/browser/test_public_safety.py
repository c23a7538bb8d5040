"""In Chromium: the quick exit leaves the history, danger answers stop the form, and after a
failed submit the error summary is on screen and focused (public form and the operator's
decision). axe-core checks every new page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from peel.process.testing import file_report
from peel.workqueue.actions import do_get_work
from tests.browser.conftest import assert_accessible, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def neutral(live_server, settings) -> str:
    """The neutral site the quick exit goes to: a page of its own here (no internet)."""
    url = f"{live_server.url}/cookies/?neutral"
    settings.PEEL = {**settings.PEEL, "QUICK_EXIT_URL": url}
    return url


def start_the_form(page: Page, base: str) -> None:
    page.goto(f"{base}/")
    page.get_by_role("link", name="Report a crime").click()
    expect(page.get_by_role("heading", name="Is anyone at risk?")).to_be_visible()


def test_the_quick_exit_replaces_the_form_in_the_history(live_server, new_page, neutral) -> None:
    page = new_page()
    start_the_form(page, live_server.url)
    page.locator("input[name=immediateDanger][value=no]").check()
    exit_link = page.get_by_role("link", name="Exit this page")
    exit_link.focus()  # reachable by keyboard, and visible at the top
    expect(exit_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    page.wait_for_url(neutral)
    page.go_back()
    assert page.url == f"{live_server.url}/"  # the page before the form, not the form
    page.go_forward()
    assert page.url == neutral
    # The report in progress was forgotten on the way out.
    page.goto(f"{live_server.url}/report/safety/")
    expect(page.locator("input[name=immediateDanger][value=no]")).not_to_be_checked()


def test_pressing_escape_three_times_leaves_too(live_server, new_page, neutral) -> None:
    page = new_page()
    start_the_form(page, live_server.url)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    assert "/report/" in page.url  # twice is not enough: Esc also closes things
    page.keyboard.press("Escape")
    page.wait_for_url(neutral)
    page.go_back()
    assert page.url == f"{live_server.url}/"


def test_the_quick_exit_works_as_a_plain_link_without_javascript(
    live_server, browser, neutral
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        start_the_form(page, live_server.url)
        page.get_by_role("link", name="Exit this page").click()
        page.wait_for_url(neutral)
    finally:
        context.close()


def test_danger_answers_stop_the_form_until_the_person_chooses_to_continue(
    live_server, new_page
) -> None:
    page = new_page()
    start_the_form(page, live_server.url)
    page.locator("input[name=immediateDanger][value=yes]").check()
    page.locator("input[name=incidentStillHappening][value=yes]").check()
    page.locator("input[name=hadWeapon][value=no]").check()
    page.locator("input[name=childPresent][value=no]").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Call 999 now", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Call 999", exact=True)).to_have_attribute(
        "href", "tel:999"
    )
    expect(page.get_by_role("main").get_by_text("On a mobile: if you are asked")).to_contain_text(
        "55"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Continue my report").click()  # nothing chosen
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    assert_accessible(page)
    page.get_by_label("I cannot call now - continue my report").check()
    page.get_by_role("button", name="Continue my report").click()
    expect(page.get_by_role("heading", name="How are you involved?")).to_be_visible()


def test_the_public_form_error_summary_is_focused_after_a_failed_submit(
    live_server, new_page
) -> None:
    page = new_page()
    start_the_form(page, live_server.url)
    page.get_by_role("button", name="Continue").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Select yes if anyone is in immediate danger")
    expect(page.locator("#id_immediateDanger_error")).to_contain_text(
        "Select yes if anyone is in immediate danger"
    )


def test_the_operators_decision_errors_are_in_view_and_focused(
    live_server, new_page, make_user
) -> None:
    operator = make_user("olivia", "operator")
    file_report()
    item = do_get_work(operator)
    assert item is not None
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    browser_login(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/staff/work/{item.pk}/")
    page.get_by_label("Not a crime").check()
    page.get_by_role("button", name="Record decision").click()  # no rationale: refused
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("There is a problem")
    summary.get_by_role("link").first.click()  # each problem links to its field
    assert page.evaluate("document.activeElement.name") == "rationale"
    assert_accessible(page)


@pytest.mark.parametrize("url", ["/privacy/", "/accessibility/", "/cookies/", "/no-such-page/"])
def test_the_footer_pages_and_the_error_page_are_accessible(live_server, new_page, url) -> None:
    page = new_page()
    page.goto(f"{live_server.url}{url}")
    expect(page.get_by_role("contentinfo")).to_contain_text("Accessibility statement")
    assert_accessible(page)


def test_the_forbidden_page_is_accessible(live_server, new_page, make_user) -> None:
    make_user("olivia", "operator")
    page = new_page()
    browser_login(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/staff/queue/")  # a supervisor's page
    expect(page.get_by_role("heading", name="You cannot see this page")).to_be_visible()
    assert_accessible(page)


def test_the_status_page_question_with_an_empty_answer(live_server, new_page, make_user) -> None:
    from peel.review.actions import do_record_decision
    from peel.review.choices import NextAction, Outcome
    from peel.review.testing import decision_input

    operator = make_user("olivia", "operator")
    report = file_report()
    item = do_get_work(operator)
    assert item is not None
    do_record_decision(
        operator,
        item,
        decision_input(
            Outcome.NOT_A_CRIME,
            actions=[NextAction.REQUEST_INFO],
            info_request="Was the shed door locked?",
        ),
    )
    page = new_page()
    page.goto(f"{live_server.url}/report/status/")
    page.get_by_label("Your reference").fill(report.reference)
    page.get_by_label("The email address you gave us").fill("amira.khan@example.org")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_test_id("state")).to_have_text("We need more information from you")
    expect(page.get_by_text("Closed")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Send your answer").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter your answer")
    assert_accessible(page)
