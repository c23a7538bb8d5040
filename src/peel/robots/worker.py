"""Robot workers: threads that claim robot tasks and carry them out, each with its own browser.

`peel worker --robots N` runs N of them beside the intake worker; run it on as many hosts as
you like against one PostgreSQL. While a worker holds a task, a heartbeat thread renews its
lease every third of the lease; it stops renewing once the task's timeout has passed, so a
worker stuck past its timeout loses the task to another worker, which finds (by the
idempotency key) anything the stuck one wrote.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.db import connection

from peel.robots.actions import (
    do_claim_task,
    do_fail_try,
    do_finish_task,
    do_register_worker,
    do_renew_lease,
    do_stop_worker,
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

    def run(self) -> None:
        last_presence = 0.0
        try:
            while not self.stop.is_set():
                if time.monotonic() - last_presence > PRESENCE_SECONDS:
                    self._guarded(lambda: do_register_worker(self.name))
                    last_presence = time.monotonic()
                task = self._guarded(lambda: do_claim_task(self.name))
                if task is None:
                    self.stop.wait(self.interval)
                    continue
                self.work(task)
        finally:
            for connector in self.connectors.values():
                connector.close()
            self._guarded(lambda: do_stop_worker(self.name))
            connection.close()

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


def start_pool(count: int, stop: threading.Event, interval: float = 1.0) -> list[threading.Thread]:
    threads = []
    for index in range(1, count + 1):
        worker = Robot(worker_name(index), stop, interval)
        thread = threading.Thread(target=worker.run, name=f"peel-robot-{index}", daemon=True)
        thread.start()
        threads.append(thread)
    return threads
