"""The audit chain's verification state, kept so pages need not re-check millions of events.

A verification is asked for (`request_verification`), then run by whoever gets to it first:
`peel audit verify` runs one at once, the worker's verifier thread runs waiting ones and one a
day (`VERIFY_EVERY`). Pages read `latest_finished()`.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from peel.audit.log import ChainReport, verify_chain
from peel.audit.models import ChainVerification

logger = logging.getLogger(__name__)

VERIFY_EVERY = timedelta(days=1)
SCHEDULED = "daily check (peel worker)"


def request_verification(requested_by: str) -> ChainVerification:
    """Ask for a check; an already waiting request is reused (asking twice runs it once)."""
    waiting = ChainVerification.objects.filter(started_at__isnull=True).first()
    if waiting is not None:
        return waiting
    return ChainVerification.objects.create(requested_at=timezone.now(), requested_by=requested_by)


def run(verification: ChainVerification) -> ChainReport:
    """Check the chain now and keep the result on `verification`."""
    if verification.started_at is None:
        verification.started_at = timezone.now()
        verification.save(update_fields=["started_at"])
    result = verify_chain()
    verification.finished_at = timezone.now()
    verification.checked = result.checked
    verification.first_bad_id = result.first_bad_id
    verification.problem = result.problem or ""
    verification.save(update_fields=["finished_at", "checked", "first_bad_id", "problem"])
    if not result.ok:
        logger.error("Audit chain broken at event %s: %s", result.first_bad_id, result.problem)
    return result


def verify_now(requested_by: str) -> ChainReport:
    verification = ChainVerification.objects.create(
        requested_at=timezone.now(), requested_by=requested_by
    )
    return run(verification)


def run_waiting() -> int:
    """Run every waiting request, and the daily check when it is due. Several workers may run
    this: each request is claimed under a lock, so it is run once."""
    ran = 0
    last = latest_finished()
    due = last is None or timezone.now() - last.requested_at >= VERIFY_EVERY
    if due and not ChainVerification.objects.filter(finished_at__isnull=True).exists():
        request_verification(SCHEDULED)
    while True:
        with transaction.atomic():
            claimed = (
                ChainVerification.objects.select_for_update(skip_locked=True)
                .filter(started_at__isnull=True)
                .order_by("id")
                .first()
            )
            if claimed is None:
                return ran
            claimed.started_at = timezone.now()
            claimed.save(update_fields=["started_at"])
        run(claimed)
        ran += 1


def latest_finished() -> ChainVerification | None:
    return ChainVerification.objects.filter(finished_at__isnull=False).first()


def pending() -> ChainVerification | None:
    return ChainVerification.objects.filter(finished_at__isnull=True).last()


def start_in_thread(stop: threading.Event, interval: float = 60.0) -> threading.Thread:
    """The worker's verifier: its own thread, so a long check never holds up filing."""

    def loop() -> None:
        while not stop.is_set():
            try:
                run_waiting()
            except Exception:  # logged and tried again next time, like the worker's duties
                logger.exception("Audit chain verification failed; retrying")
            finally:
                connection.close()
            stop.wait(interval)

    thread = threading.Thread(target=loop, name="peel-audit-verifier", daemon=True)
    thread.start()
    return thread
