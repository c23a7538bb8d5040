"""A robot worker thread that dies is started again by its supervisor, the failure is recorded,
and the robots page shows a restarted or a dead worker."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import OperationalError

from peel.audit.models import AuditEvent
from peel.robots.actions import do_register_worker, do_worker_died
from peel.robots.models import RobotWorker
from peel.robots.worker import Robot, Supervisor


class DiesOnceLikeTheDemo(Robot):
    """A robot whose first run meets what killed the demo's worker in its first minute: SQLite's
    "database is locked" raised where nothing catches it (here, before its first claim)."""

    runs = 0

    def loop(self) -> None:
        type(self).runs += 1
        do_register_worker(self.name)
        if type(self).runs == 1:
            raise OperationalError("database is locked")
        super().loop()


def _wait_for(condition: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_dies_is_restarted_and_its_failure_recorded() -> None:
    DiesOnceLikeTheDemo.runs = 0
    stop = threading.Event()
    supervisor = Supervisor(
        1, stop, interval=0.05, check_seconds=0.05, robot_class=DiesOnceLikeTheDemo
    )
    supervisor.start()
    try:
        _wait_for(lambda: RobotWorker.objects.filter(restarts=1).exists())
        _wait_for(lambda: DiesOnceLikeTheDemo.runs == 2)
        (robot, thread, _) = supervisor.robots[1]
        assert thread.is_alive() and not robot.failure  # running again
    finally:
        stop.set()
        supervisor.join(timeout=30)
    worker = RobotWorker.objects.get()
    assert worker.restarts == 1 and supervisor.restarts == 1
    assert "OperationalError: database is locked" in worker.last_failure
    assert (
        worker.last_failure_at is not None and worker.stopped_at is not None
    )  # stopped cleanly at the end
    died = AuditEvent.objects.get(action="robot.worker_died")
    assert "database is locked" in died.after["failure"]
    assert AuditEvent.objects.filter(action="robot.worker_restarted").count() == 1


@pytest.mark.django_db
def test_the_robots_page_shows_a_restarted_and_a_dead_worker(staff_client, supervisor: Any) -> None:
    from peel.robots.actions import do_restart_worker

    do_register_worker("host:1:1")
    do_worker_died(
        "host:1:1", "Traceback...\ndjango.db.utils.OperationalError: database is locked\n"
    )
    do_restart_worker("host:1:1")
    do_register_worker("host:1:2")
    do_worker_died("host:1:2", "Traceback...\nRuntimeError: the browser crashed\n")
    do_register_worker("host:1:3")
    page = staff_client(supervisor).get("/staff/robots/").content.decode()
    restarted = page[page.index('data-testid="worker-host:1:1"') :].split("</tr>")[0]
    assert "Running again</strong> after dying; restarted 1 time" in restarted
    assert "django.db.utils.OperationalError: database is locked" in restarted
    dead = page[page.index('data-testid="worker-host:1:2"') :].split("</tr>")[0]
    assert '<strong class="breach">Dead</strong>: died' in dead
    assert "RuntimeError: the browser crashed" in dead
    running = page[page.index('data-testid="worker-host:1:3"') :].split("</tr>")[0]
    assert "<td>Running</td>" in running.replace("\n", "")
