from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from django.db import IntegrityError
from django.utils import timezone

from peel.audit import log as audit
from peel.audit.actors import Actor
from peel.core.db import write_transaction
from peel.intake.evidence import record_blob, store_bytes
from peel.intake.models import EvidenceBlob, Submission
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
