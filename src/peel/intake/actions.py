from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from peel.audit import log as audit
from peel.core.db import write_transaction
from peel.intake.evidence import store_bytes
from peel.intake.models import EvidenceBlob, Submission
from peel.reports.actions import do_create_report
from peel.reports.choices import Channel
from peel.reports.drafts import ReportDraft
from peel.triage.actions import do_assess_report
from peel.triage.rules import load_ruleset
from peel.workqueue.actions import do_enqueue_report


def content_digest(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def do_accept_submission(
    actor: Any,
    *,
    submission_id: uuid.UUID,
    channel: str,
    blob: EvidenceBlob,
    payload: dict[str, Any],
    draft: ReportDraft,
) -> tuple[Submission, bool]:
    """Create submission, report, assessment and work item in one transaction.

    The raw bytes (`blob`) are already durable. Returns (submission, created): the same
    submission id twice is stored once, and the caller compares content to spot a conflict.
    """
    existing = Submission.objects.select_related("report").filter(pk=submission_id).first()
    if existing is not None:
        return existing, False
    received_at = timezone.now()
    try:
        with write_transaction():
            report = do_create_report(actor, draft, channel, received_at)
            submission = Submission.objects.create(
                id=submission_id,
                channel=channel,
                received_at=received_at,
                raw=blob,
                payload=payload,
                content_sha256=content_digest(payload),
                report=report,
            )
            audit.record(
                actor, "intake.accepted", submission,
                after={"channel": channel, "sha256": blob.sha256, "report": report.reference},
            )  # fmt: skip
            assessment = do_assess_report(actor, report)
            grade = load_ruleset(assessment.ruleset_name).grade_by_code(assessment.grade)
            # The 24-hour crime-recording clock caps every grade's review target.
            minutes = min(
                grade.review_within_minutes, int(settings.PEEL["DECISION_DEADLINE_HOURS"]) * 60
            )
            do_enqueue_report(
                actor, report, assessment.grade, received_at + timedelta(minutes=minutes)
            )
    except IntegrityError:
        # The same submission arrived twice at once and the other copy won: acknowledge it.
        return Submission.objects.select_related("report").get(pk=submission_id), False
    return submission, True


def do_accept_draft(actor: Any, draft: ReportDraft, channel: str = Channel.WEB) -> Submission:
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
