"""`peel worker` processes killed mid-record (SIGKILL: no clean-up), and another taking over."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest

from peel.process.testing import decided_report, peel_process
from peel.robots.choices import AttemptOutcome, TaskStatus
from peel.robots.models import RobotTask

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
LEASE = {"PEEL_ROBOT_LEASE_SECONDS": "2"}


def robot_worker(settings: Any, targets: Any) -> subprocess.Popen[bytes]:
    env = {**LEASE, "PEEL_ROBOT_TARGETS": str(targets)}
    return peel_process(["worker", "--robots", "1", "--interval", "0.2"], settings, env)


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}.")
        time.sleep(0.05)


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def finish_with_a_second_worker(settings: Any, targets: Any) -> RobotTask:
    second = robot_worker(settings, targets)
    try:
        wait_for(lambda: RobotTask.objects.get().status == TaskStatus.DONE, "the second worker", 90)
    finally:
        second.terminate()
        second.communicate(timeout=30)
    return RobotTask.objects.get()


def test_a_worker_killed_halfway_through_the_screens_is_replaced_and_one_record_written(
    operator, robot_env, targets_file, settings
) -> None:
    targets = targets_file(only=("chs",))
    decided_report(operator)
    robot_env.control(slow_ms=300)
    first = robot_worker(settings, targets)
    wait_for(
        lambda: any(h["path"] == "/chs/contact/new/2" for h in robot_env.state()["hits"]),
        "the robot to reach the second page",
    )
    kill(first)
    task = RobotTask.objects.get()
    assert task.status == TaskStatus.RUNNING and robot_env.state()["contacts"] == []
    robot_env.control(slow_ms=0)

    task = finish_with_a_second_worker(settings, targets)
    assert len(robot_env.state()["contacts"]) == 1
    assert [t.outcome for t in task.tries.all()] == [AttemptOutcome.LOST, AttemptOutcome.DONE]
    assert task.tries.first().worker != task.tries.last().worker


def test_a_worker_killed_after_saving_is_replaced_and_the_record_not_written_twice(
    operator, robot_env, targets_file, settings
) -> None:
    targets = targets_file(only=("chs",))
    decided_report(operator)
    robot_env.control(pause_after_save_ms=30_000)  # saved, and the answer never comes
    first = robot_worker(settings, targets)
    wait_for(lambda: len(robot_env.state()["contacts"]) == 1, "the record to be saved")
    kill(first)
    robot_env.control(pause_after_save_ms=0)

    task = finish_with_a_second_worker(settings, targets)
    assert len(robot_env.state()["contacts"]) == 1
    assert [t.outcome for t in task.tries.all()] == [
        AttemptOutcome.LOST, AttemptOutcome.ALREADY_THERE,
    ]  # fmt: skip
    assert task.downstream_ref == robot_env.state()["contacts"][0]["chs_number"]
