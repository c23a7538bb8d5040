"""The pipeline worker: files what the Standard API received, and keeps the queue's clocks.
Run as `peel worker`, or as a thread of `peel serve` on a single host. Several may run against
one PostgreSQL: filing one submission is a single transaction that locks it, so none is filed
twice, and each housekeeping change re-checks its row under a lock."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.db import connection

from peel.intake.pipeline import file_pending

logger = logging.getLogger(__name__)

# Housekeeping every this many seconds: expired leases, follow-ups, breaches, near-breach
# rises, and re-scoring after a rule-set switch.
HOUSEKEEPING_SECONDS = 15.0


def housekeeping(budget_seconds: float | None = 5.0) -> None:
    """One pass of the queue's clocks. Re-scoring after a rule-set switch runs in batches until
    done or the time budget is spent (the next pass carries on); None means until done."""
    from peel.triage.actions import do_rescore_stale
    from peel.workqueue.actions import do_sweep_queue

    swept = do_sweep_queue()
    started, rescored, batch = time.monotonic(), 0, 200
    while True:
        looked_at = do_rescore_stale(limit=batch)
        rescored += looked_at
        out_of_time = budget_seconds is not None and time.monotonic() - started > budget_seconds
        if looked_at < batch or out_of_time:
            break
    if any(swept.values()) or rescored:
        logger.info("Queue housekeeping: %s, re-scored %d", swept, rescored)


def _guarded(duty: Callable[[], object], name: str) -> object:
    try:
        return duty()
    except Exception:  # keep working: a failure is logged and retried on the next pass
        logger.exception("Worker: %s failed; retrying", name)
        connection.close()
        return 0


def run(stop: threading.Event, interval: float = 0.5, batch: int = 100) -> None:
    """File received submissions until `stop` is set; sleep `interval` when there are none."""
    last_housekeeping = 0.0
    while not stop.is_set():
        if time.monotonic() - last_housekeeping >= HOUSEKEEPING_SECONDS:
            _guarded(housekeeping, "queue housekeeping")
            last_housekeeping = time.monotonic()
        filed = _guarded(lambda: file_pending(limit=batch), "filing")
        if not filed:
            stop.wait(interval)
    connection.close()


def start_in_thread(interval: float = 0.5) -> threading.Event:
    stop = threading.Event()
    threading.Thread(
        target=run, args=(stop, interval), name="peel-intake-worker", daemon=True
    ).start()
    return stop
