"""The operator's review in a real browser, by keyboard: a theft recorded as a crime, and a
report closed as no crime; the victim sees each on the status page.

The crime test counts what the operator does from Get Work to a recorded decision: the figures
in docs/review.md come from here (keystrokes and page loads)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from peel.process.testing import file_report
from peel.review.models import CrimeRecord, Decision
from peel.workqueue.models import WorkItem, WorkKind
from tests.browser.conftest import assert_accessible, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Operator:
    """Drives the page with the keyboard only, counting every key and every page load."""

    def __init__(self, page: Page):
        self.page, self.keys, self.loads = page, 0, 0
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame: object) -> None:
        if frame == self.page.main_frame:
            self.loads += 1

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.keys += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.keys += len(text)


def check_status(page: Page, base: str, reference: str) -> None:
    page.goto(f"{base}/report/status/")
    page.get_by_label("Your reference").fill(reference)
    page.get_by_label("The email address you gave us").fill("amira.khan@example.org")
    page.get_by_role("button", name="Check").click()


def test_a_theft_recorded_as_a_crime_by_keyboard(live_server, new_page, make_user) -> None:
    base = live_server.url
    make_user("sam", "operator")
    report = file_report(description="My <b>bike</b> was taken from the rack at the library.")
    desk = new_page()
    browser_login(desk, base, "sam")
    op = Operator(desk)
    # Get Work is the first button on the home page: Tab to it, Enter.
    desk.get_by_role("button", name="Get Work").focus()
    op.press("Enter")
    expect(desk.get_by_role("heading", level=1)).to_contain_text(report.reference)
    desk.wait_for_load_state()
    expect(desk.get_by_test_id("recording-clock")).to_contain_text(
        re.compile(r"2[34] h \d+ min left")
    )
    expect(desk.get_by_test_id("public-text")).to_contain_text("My <b>bike</b> was taken")
    assert_accessible(desk)
    # The offence and incident category are suggested from "Bicycle theft"; the operator
    # confirms: c (crime), a (first action: deploy), Tab to "Send the crime to the investigation
    # unit", Space, then Ctrl+Enter to record.
    op.press("c")
    expect(desk.get_by_label("Home Office offence")).to_have_value("44")
    op.press("a")
    op.press("Tab")
    op.press("Space")
    op.press("Control+Enter")
    expect(
        desk.get_by_text(
            re.compile(rf"Decision recorded for {report.reference}\. Crime number CR-")
        )
    ).to_be_visible()
    decision = Decision.objects.get()
    assert (decision.outcome, decision.offence_code, decision.opening_code) == (
        "crime",
        "44",
        "108",
    )
    assert decision.actions == ["investigate"]
    assert WorkItem.objects.filter(kind=WorkKind.CRIME_INVESTIGATION, report=report).exists()
    # What it took: written to docs/review.md by hand when it changes.
    assert (op.keys, op.loads) == (6, 2), (op.keys, op.loads)
    crime = CrimeRecord.objects.get()
    public = new_page()
    check_status(public, base, report.reference)
    expect(public.get_by_test_id("crime-number")).to_have_text(crime.crime_number or "")


def test_a_report_closed_as_no_crime_with_the_reason_for_the_victim(
    live_server, new_page, make_user
) -> None:
    base = live_server.url
    make_user("sam", "operator")
    report = file_report(offence_hint="Theft", description="My brother kept the money I lent him.")
    desk = new_page()
    browser_login(desk, base, "sam")
    desk.get_by_role("button", name="Get Work").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text(report.reference)
    errors: list[str] = []
    desk.on("pageerror", lambda e: errors.append(str(e)))
    desk.wait_for_load_state()  # review.js is deferred: keys work once the page has loaded
    desk.keyboard.press("n")
    expect(desk.get_by_label("Not a crime")).to_be_checked()
    expect(desk.get_by_label("Home Office offence")).to_be_hidden()  # only for a crime
    # Recording without the reasons is refused, naming each one.
    desk.keyboard.press("Control+Enter")
    # Each problem is in the summary at the top and beside its field.
    expect(desk.get_by_text("Give the rationale for 'Not a crime'.")).to_have_count(2)
    expect(desk.get_by_text("Tell the victim why no crime was recorded.")).to_have_count(2)
    expect(desk.get_by_label("Not a crime")).to_be_checked()  # nothing typed is lost
    desk.get_by_label("Rationale").fill("A loan between family members: a civil matter.")
    desk.get_by_label("Incident opening category").select_option("108")
    desk.get_by_label("Incident closing category").select_option("304")
    desk.get_by_role("checkbox", name="No further action").check()
    desk.get_by_label("Why no further action").fill("No offence disclosed.")
    desk.get_by_label("Update for the victim").fill(
        "Lending money that is not repaid is a civil matter, not a crime."
    )
    desk.keyboard.press("Control+Enter")
    expect(desk.get_by_text(f"Decision recorded for {report.reference}.")).to_be_visible()
    assert not CrimeRecord.objects.exists()
    public = new_page()
    check_status(public, base, report.reference)
    expect(public.get_by_test_id("status")).to_contain_text("Closed: no crime recorded")
    expect(public.get_by_test_id("victim-message")).to_contain_text("a civil matter, not a crime")
    expect(public.get_by_test_id("status")).not_to_contain_text("crime number")
    assert errors == []
