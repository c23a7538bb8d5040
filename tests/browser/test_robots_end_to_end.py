"""From the operator's decision in the browser to the record in the sandbox CHS, and the way
back to a person when the CHS changes its screens."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from peel.process.testing import file_report
from peel.review.models import Decision
from peel.robots.choices import TaskStatus
from peel.robots.models import RobotTask
from peel.robots.testing import run_robot_until_idle
from tests.browser.conftest import assert_accessible, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def decide_as_crime(page, base: str) -> str:
    page.goto(f"{base}/staff/")
    page.get_by_role("button", name="Get Work").click()
    page.get_by_label("Crime", exact=True).check()
    page.get_by_label("Home Office offence").select_option("44")
    page.get_by_label("Send the crime to the investigation unit").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded for")).to_be_visible()
    return Decision.objects.latest("decided_at").report.reference


def test_a_decision_reaches_the_chs_and_a_changed_screen_comes_back_to_a_person(
    live_server, new_page, make_user, robot_env, targets_file
) -> None:
    base = live_server.url
    targets_file()  # all three shipped targets, pointed at the sandbox
    make_user("sam", "operator")
    make_user("grace", "supervisor")
    file_report(description="My bike was taken from the rack at the library.")
    desk = new_page()
    browser_login(desk, base, "sam")
    first = decide_as_crime(desk, base)

    # The robots carry the decision into all three systems, every field read back.
    run_robot_until_idle()
    assert set(RobotTask.objects.values_list("status", flat=True)) == {TaskStatus.DONE}
    [contact] = robot_env.state()["contacts"]
    assert contact["fields"]["ext_ref"].startswith(first)
    assert contact["fields"]["summary"] == "My bike was taken from the rack at the library."
    assert contact["fields"]["outcome"] == "Crime recorded"
    assert contact["fields"]["offence_code"] == "44"
    assert len(robot_env.state()["crimes"]) == 1

    # Overnight the CHS changes its screens. The next decision stops before anything is saved.
    robot_env.control(layout="refresh")
    file_report(description="Someone took my phone from my bag on the bus.")
    second = decide_as_crime(desk, base)
    run_robot_until_idle()
    assert len(robot_env.state()["contacts"]) == 1
    assert len(robot_env.state()["crimes"]) == 2  # the API was not affected

    boss = new_page()
    browser_login(boss, base, "grace")
    boss.get_by_role("link", name="Robots").click()
    expect(boss.get_by_test_id("success-rate")).to_have_text("83.3%")  # 5 of 6 written
    expect(boss.get_by_test_id("wrong-records")).to_have_text("0")
    expect(boss.get_by_test_id("target-chs")).to_contain_text("50.0%")
    assert_accessible(boss)
    boss.get_by_role("link", name="1 failed task").click()
    expect(boss.get_by_test_id("failed-task")).to_contain_text(second)
    expect(boss.get_by_test_id("failed-task")).to_contain_text("'Contact type'")
    assert_accessible(boss)

    # An operator is handed the record to key by hand, with the reason and every value.
    desk.goto(f"{base}/staff/")
    desk.get_by_role("button", name="Get Work").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Key by hand")
    expect(desk.get_by_test_id("robot-reason")).to_contain_text("does not match screen map")
    expect(desk.get_by_test_id("keying-guide")).to_contain_text("Someone took my phone")
    expect(desk.get_by_role("img", name="The screen when the robot stopped")).to_be_visible()
    assert_accessible(desk)
    desk.get_by_label("The record's reference in that system").fill("CHS-26-000002")
    desk.get_by_role("button", name="Mark as keyed").click()
    expect(desk.get_by_text("is done")).to_be_visible()
    task = RobotTask.objects.get(status=TaskStatus.FAILED)
    assert task.downstream_ref == "CHS-26-000002" and task.manual_item.status == "done"
