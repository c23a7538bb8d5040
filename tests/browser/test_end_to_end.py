"""Steps 1-4 of the walking skeleton through the real pages in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from peel.intake.tests.walker import ANSWERS
from peel.intake.wizard import load_definition
from peel.process.testing import file_report
from peel.workqueue.actions import do_get_work
from peel.workqueue.models import WorkItem, WorkStatus
from tests.browser.conftest import assert_accessible, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_every_page(page: Page, answers: dict[str, object]) -> list[str]:
    """Fill each page of the public form as a person would, checking each one with axe."""
    definition = load_definition()
    seen = []
    while "/report/check/" not in page.url:
        if "/report/call-999/" in page.url:  # told to call 999 first; carrying on as a record
            seen.append("call-999")
            assert_accessible(page)
            page.get_by_label("I have called 999 - continue my report").check()
            page.get_by_role("button", name="Continue my report").click()
            continue
        form_page = definition.page(page.url.rstrip("/").rsplit("/", 1)[-1])
        assert form_page is not None, page.url
        seen.append(form_page.id)
        assert_accessible(page)
        for question in form_page.questions:
            value = answers.get(question.name, "")
            field = page.locator(f"[name={question.name}]")
            kind = field.first.get_attribute("type") or field.first.evaluate(
                "e => e.tagName.toLowerCase()"
            )
            if kind in ("radio", "checkbox"):
                for choice in value if isinstance(value, list) else [value]:
                    if choice:
                        page.locator(f"[name={question.name}][value='{choice}']").check()
            elif kind == "select":
                field.select_option(str(value))
            else:
                field.fill(str(value))
        page.get_by_role("button", name="Continue").click()
    return seen


def test_public_report_to_operator_decision_and_supervisor_return(
    live_server, new_page, make_user, settings
) -> None:
    base = live_server.url
    settings.PEEL = {
        **settings.PEEL,
        "FORM_MIN_SECONDS": 0,
    }  # a robot fills the form faster than people
    operator = make_user("olivia", "operator")
    colleague = make_user("sam", "operator")
    make_user("grace", "supervisor")
    older = file_report()  # already waiting, lower priority than what the public is about to send

    # 1. A member of the public reports a crime and gets a receipt.
    public = new_page()
    public.goto(f"{base}/")
    assert_accessible(public)
    public.get_by_role("link", name="Report a crime").click()
    answers = {
        **ANSWERS, "immediateDanger": "yes", "hadWeapon": "no", "howInvolvedInCrime": "IVLD_0001",
        "reporterGivenName": "Dawn", "reporterSurname": "Whitaker", "reporterEmail": "dawn.whitaker@example.org",
        "reporterPhone": "", "crimeType": "Harassment", "under18": "no",
        "incidentDescription": "My neighbour says he will come round and hurt me tonight.",
        "street": "4 Beck Lane", "cityOrTown": "Bradford", "postcode": "bd1 2ab",
        "suspectKnown": "SKWN_0003", "suspectGivenName": "Kevin", "stolenItemType": [],
        "anythingDamaged": "no", "incidentAnyWitnesses": "no",
    }  # fmt: skip
    pages_seen = answer_every_page(public, answers)
    assert "victim" not in pages_seen and "suspect-known" in pages_seen  # only pages that apply
    assert pages_seen[:2] == ["safety", "call-999"]  # immediate danger: call 999 first
    expect(
        public.get_by_role("heading", name="Check your answers before sending your report")
    ).to_be_visible()
    assert_accessible(public)
    public.get_by_role("button", name="Send report").click()
    expect(public.get_by_role("heading", name="Report received")).to_be_visible()
    assert_accessible(public)
    reference = public.get_by_test_id("reference").inner_text().strip()
    assert re.fullmatch(r"PEEL-\d{6}-[A-Z0-9]{6}", reference)
    expect(public.get_by_text("call 999 now")).to_be_visible()  # on every receipt, said or not
    assert "You told us" not in public.content()  # nothing of the answers (danger said here)
    public.reload()  # the receipt is shown once: reloaded, it points to the status page
    expect(public.get_by_test_id("receipt-gone")).to_be_visible()
    assert reference not in public.content() and public.url[len(base) :] == "/report/receipt/"

    # 2-3. The operator presses Get Work and is handed the most urgent report, never a list.
    desk = new_page()
    browser_login(desk, base, operator.username)
    desk.get_by_role("button", name="Get Work").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(desk.get_by_text("Someone may be in immediate danger: +50")).to_be_visible()
    desk.get_by_text("Cannot finish it now?").click()  # the hand-back and park forms, opened
    assert_accessible(desk)
    expect(desk.get_by_text("My neighbour says he will come round")).to_be_visible()
    desk.get_by_label("Crime-related incident").check()
    desk.get_by_role("button", name="Record decision").click()
    expect(desk.get_by_text("Give the rationale for 'Crime-related incident'")).to_have_count(2)
    desk.get_by_label("Crime-related incident").check()
    desk.get_by_label("Rationale").fill("Threat reported by victim; officer to attend and confirm.")
    desk.get_by_label("Incident opening category").select_option("101")
    desk.get_by_label("Incident closing category").select_option("101")
    desk.get_by_label("Deploy an officer").check()
    desk.get_by_label("Deployment grade").select_option("P1")
    desk.get_by_label("Update for the victim").fill("An officer is on the way to you.")
    desk.get_by_role("button", name="Record decision").click()
    expect(desk.get_by_text(f"Decision recorded for {reference}.")).to_be_visible()
    review = WorkItem.objects.get(report__reference=reference, kind="review_report")
    assert review.status == WorkStatus.DONE
    deployment = WorkItem.objects.get(report__reference=reference, kind="deployment")
    assert (deployment.grade, deployment.team.slug) == ("P1", "despatch")

    # The reporter checks where the report stands, with the keyboard only.
    public.get_by_role("link", name="check where your report is").click()
    assert_accessible(public)
    public.get_by_label("Your reference").focus()
    public.keyboard.type(reference)
    public.keyboard.press("Tab")
    public.keyboard.type("dawn.whitaker@example.org")
    public.keyboard.press("Enter")
    expect(public.get_by_test_id("status")).to_contain_text("Closed: recorded as an incident")
    assert_accessible(public)

    # 4. A supervisor sees who holds what and returns an item to the queue.
    held = do_get_work(colleague)
    assert held is not None and held.report == older
    boss = new_page()
    browser_login(boss, base, "grace")
    boss.get_by_role("link", name="See the whole queue").click()
    row = boss.locator(f"tr[data-item='{held.pk}']")
    expect(row).to_contain_text(older.reference)
    expect(row).to_contain_text("sam")
    row.get_by_label(f"Select item {held.pk}").check()
    boss.get_by_label("Action").select_option("return")
    boss.get_by_label("Reason (kept in the audit log)").fill("Sam is on a break")
    boss.get_by_role("button", name="Apply").click()
    expect(boss.get_by_text("Return to the queue: 1 item(s) done.")).to_be_visible()
    expect(boss.locator(f"tr[data-item='{held.pk}']")).to_contain_text("waiting")
    assert_accessible(boss)
    held.refresh_from_db()
    assert held.status == WorkStatus.QUEUED and held.holder is None
