from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from peel.audit import log as audit
from peel.audit.actors import Actor
from peel.core.db import write_transaction
from peel.evidence.actions import record_blob
from peel.evidence.models import EvidenceBlob
from peel.evidence.store import store_bytes
from peel.intake.models import (
    ApiClient,
    QuarantineArrival,
    QuarantineItem,
    QuarantineStatus,
    Submission,
)
from peel.reports.actions import do_create_report
from peel.reports.choices import Channel
from peel.reports.drafts import ReportDraft
from peel.triage.actions import do_triage_new_report


def content_digest(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def do_receive_submission(
    actor: Actor,
    *,
    submission_id: uuid.UUID,
    channel: str,
    blob: EvidenceBlob,
    payload: dict[str, Any],
    notes: dict[str, Any] | None = None,
    priority: int = 0,
) -> tuple[Submission, bool]:
    """Record a checked submission whose raw bytes are already durable; file it later.

    Returns (submission, created): the same submission id twice is stored once, and the caller
    compares content to spot a conflict.
    """
    # Insert first and let the primary key refuse a second copy: the common case costs no read.
    record_blob(blob)
    try:
        with write_transaction():
            submission = Submission.objects.create(
                id=submission_id, channel=channel, received_at=timezone.now(), raw=blob,
                payload=payload, content_sha256=content_digest(payload), notes=notes or {},
                priority=priority,
            )  # fmt: skip
            audit.record(
                actor,
                "intake.received",
                submission,
                after={"channel": channel, "sha256": blob.sha256},
            )
    except IntegrityError:
        # This submission id was received before (or a moment ago by another worker).
        return Submission.objects.select_related("report").get(pk=submission_id), False
    return submission, True


def do_file_submission(actor: Actor, submission: Submission, draft: ReportDraft) -> Submission:
    """Create the report, its assessment and its work item for a received submission, once."""
    with write_transaction():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.report_id is not None:
            return locked  # another worker filed it first
        report = do_create_report(actor, draft, locked.channel, locked.received_at)
        locked.report, locked.filing_error = report, ""
        locked.save(update_fields=["report", "filing_error"])
        audit.record(actor, "intake.filed", locked, after={"report": report.reference})
        do_triage_new_report(actor, report)
    return locked


def do_accept_submission(
    actor: Actor,
    *,
    submission_id: uuid.UUID,
    channel: str,
    blob: EvidenceBlob,
    payload: dict[str, Any],
    draft: ReportDraft,
) -> tuple[Submission, bool]:
    """Receive and file in one transaction: the report exists when this returns."""
    with write_transaction(), audit.deferred():
        submission, created = do_receive_submission(
            actor, submission_id=submission_id, channel=channel, blob=blob, payload=payload
        )
        if created:
            submission = do_file_submission(actor, submission, draft)
    return submission, created


def do_accept_draft(actor: Actor, draft: ReportDraft, channel: str = Channel.WEB) -> Submission:
    """File a report already in draft form (demo generator, tests), keeping it as the evidence."""
    payload = json.loads(json.dumps(draft.as_dict(), default=str))
    submission, _ = do_accept_submission(
        actor,
        submission_id=uuid.uuid4(),
        channel=channel,
        blob=store_bytes(json.dumps(payload, sort_keys=True).encode(), "application/json"),
        payload=payload,
        draft=draft,
    )
    return submission


# ---- Input that could not be filed ---------------------------------------------------------------


def do_record_filing_error(actor: Actor, submission: Submission, detail: str) -> None:
    """Mark a received submission as not fileable, so workers pass it by (its raw input goes to
    quarantine with the reason, in the same transaction)."""
    detail = detail[:500]
    with transaction.atomic():
        Submission.objects.filter(pk=submission.pk).update(filing_error=detail)
        submission.filing_error = detail
        audit.record(actor, "intake.filing_failed", submission, after={"error": detail})


def do_quarantine(
    actor: Actor,
    *,
    channel: str,
    blob: EvidenceBlob,
    reason: str,
    problems: list[dict[str, Any]],
    source: str,
    arrival: bool = True,
) -> tuple[QuarantineItem, bool]:
    """Hold input with its exact reason; returns (item, created). The same bytes again update
    the one item they have: another arrival (unless this is a supervisor's retry, which is
    another attempt, not another arrival) and, while it is held, the latest reason."""
    now = timezone.now()
    with write_transaction():
        record_blob(blob)
        item = QuarantineItem.objects.select_for_update().filter(raw=blob).first()
        created = False
        if item is None:
            try:
                with transaction.atomic():
                    item = QuarantineItem.objects.create(
                        channel=channel, raw=blob, source=source[:300], received_at=now,
                        reason=reason, problems=problems, last_attempt_at=now,
                    )  # fmt: skip
                    created = True
            except IntegrityError:  # the same bytes quarantined at the same moment elsewhere
                item = QuarantineItem.objects.select_for_update().get(raw=blob)
        if arrival:
            QuarantineArrival.objects.create(
                item=item, channel=channel, source=source[:300], arrived_at=now
            )
        if created:
            audit.record(
                actor, "intake.quarantined", item, after={"reason": reason, "problems": problems}
            )
            return item, True
        if item.status == QuarantineStatus.HELD:
            item.attempts += 1
            item.last_attempt_at = now
            item.reason, item.problems = reason, problems
            item.save(update_fields=["attempts", "last_attempt_at", "reason", "problems"])
        audit.record(
            actor, "intake.quarantine_repeated", item,
            after={"status": item.status, "attempts": item.attempts, "reason": reason,
                   "arrival": channel if arrival else None},
        )  # fmt: skip
    return item, False


def do_release_quarantine(
    actor: Actor, item: QuarantineItem, submission: Submission
) -> QuarantineItem:
    """Held input that has now been received as `submission`: no longer held."""
    with transaction.atomic():
        item.refresh_from_db()
        item.status = QuarantineStatus.RELEASED
        item.submission = submission
        item.last_attempt_at = timezone.now()
        item.save(update_fields=["status", "submission", "last_attempt_at"])
        audit.record(
            actor, "intake.released", item, before={"status": QuarantineStatus.HELD},
            after={"status": item.status, "submission": str(submission.pk)},
        )  # fmt: skip
    return item


# ---- Standard API callers ------------------------------------------------------------------------


def do_add_api_client(actor: Actor, name: str, secret_sha256: str) -> ApiClient:
    """Onboard a Standard API caller. Only the secret's hash is given (and kept)."""
    with transaction.atomic():
        client = ApiClient.objects.create(
            client_id=secrets.token_hex(16), secret_sha256=secret_sha256, name=name
        )
        audit.record(actor, "intake.api_client_added", client, after={"name": name})
    return client


def do_revoke_api_client(actor: Actor, client_id: str) -> ApiClient | None:
    """Stop accepting a caller's requests; None when no active client has that id."""
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().filter(client_id=client_id).first()
        if client is None or not client.active:
            return None
        client.active = False
        client.save(update_fields=["active"])
        audit.record(actor, "intake.api_client_revoked", client, after={"active": False})
    return client
