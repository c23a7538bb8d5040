"""axe-core on the public pages in their other states, and proof that the check can fail."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_form_with_errors_links_each_error_to_its_field(live_server, new_page) -> None:
    page = new_page()
    page.goto(f"{live_server.url}/report/")
    page.get_by_role("button", name="Continue").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    assert_accessible(page)
    summary.get_by_role("link").first.click()  # the summary's links move focus to the field
    assert page.evaluate("document.activeElement.name") == "immediateDanger"


def test_the_status_page_not_found_state(live_server, new_page) -> None:
    page = new_page()
    page.goto(f"{live_server.url}/report/status/")
    page.get_by_label("Your reference").fill("PEEL-000000-AAAAAA")
    page.get_by_label("The email address you gave us").fill("nobody@example.org")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_text("We could not find a report")).to_be_visible()
    assert_accessible(page)


def test_the_accessibility_check_catches_a_violation(new_page) -> None:
    page = new_page()
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><img src="x.png"></main></body></html>'
    )
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)


def test_a_page_of_the_form_can_be_answered_with_the_keyboard_alone(live_server, new_page) -> None:
    page = new_page()
    page.goto(f"{live_server.url}/report/")
    focused: list[str] = []
    for _ in range(30):  # from the top: skip link, header links, then the first question
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement.name || ''")
        focused.append(name)
        if name == "immediateDanger":
            break
    assert "website" not in focused  # the hidden bot trap is never reached by keyboard
    page.keyboard.press("Space")  # Yes
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # still happening: the next option, No
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # weapon: No
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # a child there: No
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Continue"
    page.keyboard.press("Enter")
    # Yes to immediate danger: the form stops on the call-999 page.
    expect(page.get_by_role("heading", name="Call 999 now", exact=True)).to_be_visible()
    page.go_back()
    expect(page.locator("input[name=immediateDanger][value=yes]")).to_be_checked()
    expect(page.locator("input[name=incidentStillHappening][value=no]")).to_be_checked()


def test_the_review_page_keeps_its_lease_while_the_operator_is_active(
    live_server, new_page, make_user, settings
) -> None:
    import datetime as dt

    from django.utils import timezone

    from peel.process.testing import file_report
    from peel.workqueue.actions import do_get_work
    from peel.workqueue.models import WorkItem

    settings.PEEL = {**settings.PEEL, "HEARTBEAT_SECONDS": 1}
    operator = make_user("olivia", "operator")
    file_report()
    item = do_get_work(operator)
    assert item is not None
    soon = timezone.now() + dt.timedelta(seconds=30)
    WorkItem.objects.filter(pk=item.pk).update(lease_expires_at=soon)
    page = new_page()
    browser_login(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/staff/work/{item.pk}/")
    page.keyboard.press("Tab")  # the operator is active
    page.wait_for_timeout(2500)
    item.refresh_from_db()
    assert item.lease_expires_at is not None and item.lease_expires_at > soon + dt.timedelta(
        minutes=5
    )


def test_the_csp_check_catches_a_violation(new_page, csp_violations: list[str]) -> None:
    """A page under a strict policy with an inline script and style: Chromium refuses both and
    says so in the console, which the browser conftest turns into a failure."""
    page = new_page()
    body = "<html><head><style>p{color:red}</style></head><body><script>1</script><p>x</p>"
    page.route(
        "http://csp.test/",
        lambda route: route.fulfill(
            body=body,
            headers={"Content-Type": "text/html", "Content-Security-Policy": "default-src 'self'"},
        ),
    )
    page.goto("http://csp.test/")
    page.wait_for_timeout(200)  # console messages arrive asynchronously
    caught = list(csp_violations)
    csp_violations.clear()  # this test's violations are the point; do not fail it for them
    assert any("inline script" in v for v in caught), caught
    assert any("inline style" in v for v in caught), caught
