"""Robot workers: threads that claim robot tasks and carry them out, each with its own browser.

`peel worker --robots N` runs N of them beside the intake worker; run it on as many hosts as
you like against one PostgreSQL. While a worker holds a task, a heartbeat thread renews its
lease every third of the lease; it stops renewing once the task's timeout has passed, so a
worker stuck past its timeout loses the task to another worker, which finds (by the
idempotency key) anything the stuck one wrote.

The threads run under a `Supervisor`: a thread that dies (an exception nobody foresaw, such
as SQLite's "database is locked" outside a guarded call) is recorded with its traceback and
started again under the same name, sooner the first time and backing off if it keeps dying.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback

from django.db import connection

from peel.robots.actions import (
    do_claim_task,
    do_fail_try,
    do_finish_task,
    do_register_worker,
    do_renew_lease,
    do_restart_worker,
    do_stop_worker,
    do_worker_died,
    holds,
    lease_length,
)
from peel.robots.connectors import (
    Connector,
    Deadline,
    PermanentFailure,
    RobotFailure,
    TransientFailure,
    connector_for,
)
from peel.robots.delivery import deliver
from peel.robots.models import RobotTask
from peel.robots.targets import TargetError, robot_targets

logger = logging.getLogger(__name__)

# Idle workers say they are alive this often (the robots page shows who is running).
PRESENCE_SECONDS = 15.0


def worker_name(index: int) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{index}"


class Robot:
    """One worker thread: claims a task, makes one try, repeats. Its connectors (a browser,
    an HTTP client) are kept between tasks and dropped after a transient failure."""

    def __init__(self, name: str, stop: threading.Event, interval: float = 1.0):
        self.name = name
        self.stop = stop
        self.interval = interval
        self.connectors: dict[str, Connector] = {}
        self.failure = ""  # the traceback that ended the thread, if one did

    def run(self) -> None:
        try:
            self.loop()
        except Exception:
            self.failure = traceback.format_exc()
            logger.exception("Robot %s died; its supervisor will start it again", self.name)
        finally:
            for connector in self.connectors.values():
                try:
                    connector.close()
                except Exception:
                    logger.exception("Robot %s: closing a connector failed", self.name)
            if self.failure:
                self._guarded(lambda: do_worker_died(self.name, self.failure))
            else:
                self._guarded(lambda: do_stop_worker(self.name))
            connection.close()

    def loop(self) -> None:
        last_presence = 0.0
        while not self.stop.is_set():
            if time.monotonic() - last_presence > PRESENCE_SECONDS:
                self._guarded(lambda: do_register_worker(self.name))
                last_presence = time.monotonic()
            task = self._guarded(lambda: do_claim_task(self.name))
            if task is None:
                self.stop.wait(self.interval)
                continue
            self.work(task)

    def work(self, task: RobotTask) -> None:
        """One try at the task, ending in finish or fail (never an exception)."""
        try:
            target = robot_targets().get(task.target)
        except TargetError as exc:
            do_fail_try(task.pk, self.name, PermanentFailure(str(exc)))
            return
        deadline = Deadline(target.policy.timeout_seconds)
        keeper = _LeaseKeeper(task.pk, self.name, deadline)
        keeper.start()
        try:
            connector = self.connectors.get(target.name)
            if connector is None:
                connector = self.connectors[target.name] = connector_for(target)
            delivered = deliver(
                connector, task.idempotency_key, task.fields, deadline,
                still_ours=lambda: holds(task.pk, self.name),
            )  # fmt: skip
        except RobotFailure as failure:
            logger.info("Robot %s: task %s failed: %s", self.name, task.pk, failure.reason)
            self._reset(task.target, failure)
            do_fail_try(task.pk, self.name, failure)
        except Exception as exc:  # a bug or an unforeseen answer: retried, never lost
            logger.exception("Robot %s: task %s raised", self.name, task.pk)
            self._reset(task.target, None)
            do_fail_try(task.pk, self.name, TransientFailure(f"Unexpected error: {exc}"))
        else:
            do_finish_task(task.pk, self.name, delivered)
        finally:
            keeper.finish()

    def _reset(self, target: str, failure: RobotFailure | None) -> None:
        """After anything but a clean screen mismatch, start the next try with a fresh session."""
        if isinstance(failure, PermanentFailure):
            return
        if connector := self.connectors.pop(target, None):
            connector.close()

    def _guarded(self, call):  # type: ignore[no-untyped-def]
        try:
            return call()
        except Exception:  # the database went away: log, wait, carry on
            logger.exception("Robot %s: database call failed; retrying", self.name)
            connection.close()
            self.stop.wait(self.interval)
            return None


class _LeaseKeeper(threading.Thread):
    """Renews the lease while the task runs and its deadline has not passed."""

    def __init__(self, task_id: int, worker: str, deadline: Deadline):
        super().__init__(name=f"lease-{worker}", daemon=True)
        self.task_id, self.worker, self.deadline = task_id, worker, deadline
        self.done = threading.Event()

    def run(self) -> None:
        every = max(0.2, lease_length().total_seconds() / 3)
        try:
            while not self.done.wait(every):
                if self.deadline.remaining() <= 0:
                    return  # past its timeout: let the lease run out
                if not do_renew_lease(self.task_id, self.worker):
                    return
        except Exception:
            logger.exception("Lease renewal for task %s failed", self.task_id)
        finally:
            connection.close()

    def finish(self) -> None:
        self.done.set()
        self.join(timeout=5)


class Supervisor(threading.Thread):
    """Runs `count` robot threads and starts again any that dies, recording each restart.

    A thread that dies within `STEADY_SECONDS` of starting waits twice as long as last time
    before its restart (from 1 s up to `MAX_BACKOFF_SECONDS`), so a fault that kills every
    start (the database gone) neither spins nor floods the log; one that ran steadily is
    restarted at once.
    """

    STEADY_SECONDS = 60.0
    MAX_BACKOFF_SECONDS = 60.0

    def __init__(
        self,
        count: int,
        stop: threading.Event,
        interval: float = 1.0,
        check_seconds: float = 0.5,
        robot_class: type[Robot] = Robot,
    ):
        super().__init__(name="peel-robot-supervisor", daemon=True)
        self.count, self.stop, self.interval = count, stop, interval
        self.check_seconds, self.robot_class = check_seconds, robot_class
        self.robots: dict[int, tuple[Robot, threading.Thread, float]] = {}
        self.backoff: dict[int, float] = {}
        self.restarts = 0  # in this process (the database keeps the count per name)

    def start_robot(self, index: int) -> None:
        robot = self.robot_class(worker_name(index), self.stop, self.interval)
        thread = threading.Thread(target=robot.run, name=f"peel-robot-{index}", daemon=True)
        thread.start()
        self.robots[index] = (robot, thread, time.monotonic())

    def run(self) -> None:
        for index in range(1, self.count + 1):
            self.start_robot(index)
        due: dict[int, float] = {}
        while not self.stop.wait(self.check_seconds):
            for index, (robot, thread, started) in list(self.robots.items()):
                if thread.is_alive():
                    continue
                if index not in due:
                    lived = time.monotonic() - started
                    wait = 0.0 if lived > self.STEADY_SECONDS else self.backoff.get(index, 0.5) * 2
                    self.backoff[index] = min(max(wait, 0.5), self.MAX_BACKOFF_SECONDS)
                    due[index] = time.monotonic() + wait
                    logger.error(
                        "Robot %s died after %.0f s: %s; restarting in %.0f s", robot.name,
                        lived, (robot.failure or "no error").strip().splitlines()[-1], wait,
                    )  # fmt: skip
                if time.monotonic() >= due[index] and not self.stop.is_set():
                    del due[index]
                    self.start_robot(index)
                    self.restarts += 1
                    self._record_restart(robot.name)
        for _robot, thread, _started in self.robots.values():
            thread.join(timeout=30)
        connection.close()

    @staticmethod
    def _record_restart(name: str) -> None:
        try:
            do_restart_worker(name)
        except Exception:  # the robots page misses one restart; the thread is running again
            logger.exception("Robot supervisor: could not record the restart of %s", name)
            connection.close()


def start_pool(count: int, stop: threading.Event, interval: float = 1.0) -> list[threading.Thread]:
    """Start `count` robot threads under a supervisor; joining the supervisor (after `stop` is
    set) waits for them all."""
    supervisor = Supervisor(count, stop, interval)
    supervisor.start()
    return [supervisor]
