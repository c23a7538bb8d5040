"""The pipeline worker: files what the Standard API received. Run as `peel worker`, or as a
thread of `peel serve` on a single host. Several may run against one PostgreSQL: filing one
submission is a single transaction that locks it, so none is filed twice."""

from __future__ import annotations

import logging
import threading

from django.db import connection

from peel.intake.pipeline import file_pending

logger = logging.getLogger(__name__)


def run(stop: threading.Event, interval: float = 0.5, batch: int = 100) -> None:
    """File received submissions until `stop` is set; sleep `interval` when there are none."""
    while not stop.is_set():
        try:
            filed = file_pending(limit=batch)
        except Exception:  # keep working: a failure is logged and retried on the next pass
            logger.exception("Intake worker: filing failed; retrying")
            connection.close()
            filed = 0
        if not filed:
            stop.wait(interval)
    connection.close()


def start_in_thread(interval: float = 0.5) -> threading.Event:
    stop = threading.Event()
    threading.Thread(
        target=run, args=(stop, interval), name="peel-intake-worker", daemon=True
    ).start()
    return stop
