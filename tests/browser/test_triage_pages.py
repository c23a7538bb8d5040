"""Supervisors steer triage in a real browser: the live queue, DASH, and a new rule set."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from peel.accounts.testing import totp_device, unused_totp_code
from peel.process.testing import file_report
from peel.triage.store import active_ruleset
from peel.workqueue.actions import do_get_work
from tests.browser.conftest import assert_accessible, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_queue_page_updates_itself_when_new_work_arrives(
    live_server, new_page, make_user, settings
) -> None:
    settings.PEEL = {**settings.PEEL, "QUEUE_REFRESH_SECONDS": 1}
    make_user("grace", "supervisor")
    file_report()
    page = new_page()
    browser_login(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/staff/queue/")
    expect(page.get_by_test_id("count-queued")).to_have_text("1")
    assert_accessible(page)
    file_report(people=[])
    expect(page.get_by_test_id("count-queued")).to_have_text("2", timeout=10_000)


def test_an_operator_completes_dash_and_the_grade_rises(live_server, new_page, make_user) -> None:
    operator = make_user("olivia", "operator")
    report = file_report()
    item = do_get_work(operator)
    assert item is not None
    page = new_page()
    browser_login(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/staff/work/{item.pk}/")
    expect(page.get_by_test_id("assessment-grade")).to_contain_text("P4")
    page.get_by_role("link", name="Complete a DASH risk assessment").click()
    assert_accessible(page)
    for number in range(1, 25):
        answer = "Yes" if number <= 14 else "No"
        question = page.get_by_role("group", name=re.compile(rf"^{number}\. "))
        question.get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Save and re-score").click()
    expect(
        page.get_by_text("DASH recorded: 14 yes, high risk. The report is now P1.")
    ).to_be_visible()
    assert report.assessments.first().grade == "P1"


def test_a_supervisor_previews_and_switches_on_a_new_rule_set(
    live_server, new_page, make_user
) -> None:
    device = totp_device(make_user("grace", "supervisor"))  # her authenticator app
    file_report(hate_crime=True)
    page = new_page()
    browser_login(page, live_server.url, "grace")
    page.get_by_role("link", name="Triage rules").click()
    assert_accessible(page)
    source = page.get_by_label("Rule set (TOML)").input_value()
    changed = source.replace('version = "2026.11-3"', 'version = "2026.12-1"').replace(
        'fact = "hate_crime"\nequals = true\npoints = 15',
        'fact = "hate_crime"\nequals = true\npoints = 35',
    )
    assert changed != source
    page.get_by_label("Rule set (TOML)").fill(changed)
    page.get_by_role("button", name="Save as draft and preview").click()
    expect(page.get_by_test_id("examples-result")).to_contain_text(
        "examples get their expected grade"
    )
    expect(page.get_by_test_id("changed-count")).to_contain_text(
        "1 of 1 reports would change grade"
    )
    expect(page.get_by_test_id("changed-reports")).to_contain_text("P3 (15)P2 (35)")
    assert_accessible(page)
    preview_url = page.url
    page.get_by_role("button", name="Switch this version on").click()
    # Switching a rule set on needs the second factor again; nothing was switched on yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    assert active_ruleset().version != "2026.12-1"
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        unused_totp_code(device)
    )
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("press it again: it was not sent before")).to_be_visible()
    assert page.url == preview_url
    page.get_by_role("button", name="Switch this version on").click()
    expect(page.get_by_text("default 2026.12-1 is now in use.")).to_be_visible()
    assert active_ruleset().version == "2026.12-1"
