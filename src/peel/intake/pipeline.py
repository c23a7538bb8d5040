"""The one path every report takes, whatever road it came by.

    raw bytes --store (fsync)--> SDM document --check--> draft --one transaction--> report
                                      \\--------------- problems ---------------> quarantine

Raw bytes are durable before anything else, and every later step is idempotent (the submission
id for reports, the raw bytes' sha256 for quarantine), so a batch killed at any point and run
again ends in the same state with nothing twice.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from peel.audit import log as audit
from peel.core.db import write_transaction
from peel.core.text import db_safe
from peel.intake.actions import content_digest, do_file_submission, do_receive_submission
from peel.intake.evidence import read_bytes, record_blob, store_bytes
from peel.intake.models import (
    EvidenceBlob,
    QuarantineItem,
    QuarantineReason,
    QuarantineStatus,
    Submission,
)
from peel.reports.choices import Channel
from peel.reports.drafts import ReportDraft
from peel.sdm.document import InvalidDocument, Problem, SdmDocument, parse_document
from peel.sdm.mapping import to_draft
from peel.sdm.schemas import national_schemas

logger = logging.getLogger(__name__)

# Submission ids that are not UUIDs are mapped into this namespace, stably.
SUBMISSION_NAMESPACE = uuid.UUID("6f1c2d0e-6a59-4a63-9a0c-2f3c7c1e5b10")


@dataclass
class Outcome:
    status: str  # "accepted", "duplicate" or "quarantined"
    submission: Submission | None = None
    quarantine: QuarantineItem | None = None
    problems: list[Problem] = field(default_factory=list)
    submission_id: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("accepted", "duplicate")


def submission_uuid(submission_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(submission_id)
    except ValueError:
        return uuid.uuid5(SUBMISSION_NAMESPACE, submission_id)


def accept_document(
    actor: Any,
    channel: str,
    blob: EvidenceBlob,
    body: Any,
    *,
    source: str = "",
    flags: list[str] | None = None,
    extra_facts: dict[str, Any] | None = None,
    file_now: bool = True,
) -> Outcome:
    """Check an SDM document whose raw bytes are already stored; receive it or quarantine it.

    With `file_now` the report is created before this returns (web form, email); without it
    the submission is durably received and `file_pending` (the worker) files it (Standard API).
    `extra_facts` carries answers the SDM has no field for (the web form's "is anyone in
    immediate danger?"), straight onto the draft.
    """
    flags = db_safe(list(flags or []))  # cross-check flags quote what the email said
    safe = db_safe(body)
    if safe != body:
        flags.append(
            "Some characters could not be stored (NUL or broken Unicode) and are shown as \ufffd;"
            " the raw submission keeps them."
        )
        body = safe
    try:
        document = parse_document(body, national_schemas())
    except InvalidDocument as exc:
        return quarantine(
            actor,
            channel,
            blob,
            QuarantineReason.INVALID_DOCUMENT,
            exc.problems,
            source,
            exc.submission_id,
        )
    sid = document.submission_id
    notes = {"flags": flags, "facts": dict(extra_facts or {}), "source": db_safe(source)}
    with write_transaction():
        submission, created = do_receive_submission(
            actor,
            submission_id=submission_uuid(sid),
            channel=channel,
            blob=blob,
            payload=body,
            notes=notes,
        )
        if not created and submission.content_sha256 != content_digest(body):
            conflict = True
        else:
            conflict = False
            if file_now and submission.report_id is None:
                submission = do_file_submission(actor, submission, _draft(document, submission))
    if conflict:
        problem = Problem(
            "Conflicting submission",
            f"Submission {sid} was already received with different content"
            f" (report {submission.report.reference if submission.report else 'not yet filed'}); this copy is held in quarantine.",
            document.submission.id,
            "submission.submissionId",
        )
        return quarantine(actor, channel, blob, QuarantineReason.CONFLICT, [problem], source, sid)
    return Outcome("accepted" if created else "duplicate", submission=submission, submission_id=sid)


def _draft(document: SdmDocument, submission: Submission) -> ReportDraft:
    draft = to_draft(document)
    notes = submission.notes or {}
    draft.flags.extend(notes.get("flags", []))
    for name, value in notes.get("facts", {}).items():
        if name == "other_information":  # the form's answers with no SDM field, in words
            draft.other_information = [*value, *draft.other_information]
        else:
            setattr(draft, name, value)
    return draft


def file_submission(actor: Any, submission: Submission) -> Outcome:
    """File one received submission (the worker's step). Re-checks it against today's schemas."""
    try:
        document = parse_document(submission.payload, national_schemas())
    except InvalidDocument as exc:
        detail = "; ".join(p.detail for p in exc.problems)[:500]
        Submission.objects.filter(pk=submission.pk).update(filing_error=detail)
        source = (submission.notes or {}).get("source", "")
        return quarantine(
            actor,
            submission.channel,
            submission.raw,
            QuarantineReason.INVALID_DOCUMENT,
            exc.problems,
            source,
            str(submission.pk),
        )
    filed = do_file_submission(actor, submission, _draft(document, submission))
    return Outcome("accepted", submission=filed, submission_id=document.submission_id)


def file_pending(actor: Any = "intake worker", limit: int = 100) -> int:
    """File up to `limit` received submissions, oldest first; return how many were filed."""
    waiting = (
        Submission.objects.filter(report__isnull=True, filing_error="")
        .select_related("raw")
        .order_by("received_at")[:limit]
    )
    filed = 0
    for submission in waiting:
        filed += file_submission(actor, submission).ok
    return filed


def accept_json(
    actor: Any, channel: str, raw: bytes, *, source: str = "", file_now: bool = True
) -> Outcome:
    """Bytes that should be one SDM request document (the Standard API, `peel ingest sdm`)."""
    blob = store_bytes(raw, "application/json")
    return accept_json_blob(actor, channel, blob, raw, source=source, file_now=file_now)


def accept_json_blob(
    actor: Any,
    channel: str,
    blob: EvidenceBlob,
    raw: bytes,
    *,
    source: str = "",
    file_now: bool = True,
) -> Outcome:
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        problem = Problem("Invalid JSON", f"The body is not valid JSON: {exc}.")
        return quarantine(actor, channel, blob, QuarantineReason.INVALID_JSON, [problem], source)
    return accept_document(actor, channel, blob, body, source=source, file_now=file_now)


def quarantine(
    actor: Any,
    channel: str,
    blob: EvidenceBlob,
    reason: str,
    problems: list[Problem],
    source: str = "",
    submission_id: str = "",
) -> Outcome:
    """Hold input with its exact reason. The same bytes again update the one item they have."""
    now = timezone.now()
    details = db_safe([p.as_dict() for p in problems])  # they quote the input, which may hold NULs
    source = db_safe(source)
    with write_transaction():
        record_blob(blob)
        item = QuarantineItem.objects.select_for_update().filter(raw=blob).first()
        if item is None:
            try:
                with transaction.atomic():
                    item = QuarantineItem.objects.create(
                        channel=channel, raw=blob, source=source[:300], received_at=now,
                        reason=reason, problems=details, last_attempt_at=now,
                    )  # fmt: skip
            except IntegrityError:  # the same bytes quarantined at the same moment elsewhere
                item = QuarantineItem.objects.select_for_update().get(raw=blob)
            else:
                audit.record(
                    actor, "intake.quarantined", item, after={"reason": reason, "problems": details}
                )
                logger.warning(
                    "Quarantined %s input %s: %s",
                    channel,
                    item.pk,
                    problems[0].detail if problems else reason,
                )
                return Outcome(
                    "quarantined", quarantine=item, problems=problems, submission_id=submission_id
                )
        if item.status == QuarantineStatus.HELD:
            item.attempts += 1
            item.last_attempt_at = now
            item.reason, item.problems = reason, details
            item.save(update_fields=["attempts", "last_attempt_at", "reason", "problems"])
    return Outcome("quarantined", quarantine=item, problems=problems, submission_id=submission_id)


# Each channel knows how to run its own raw bytes through the path again.
Reprocessor = Callable[[Any, EvidenceBlob, bytes, str], Outcome]
REPROCESSORS: dict[str, Reprocessor] = {}


def reprocessor(channel: str) -> Callable[[Reprocessor], Reprocessor]:
    def register(function: Reprocessor) -> Reprocessor:
        REPROCESSORS[channel] = function
        return function

    return register


@reprocessor(Channel.API)
def _reprocess_api(actor: Any, blob: EvidenceBlob, raw: bytes, source: str) -> Outcome:
    return accept_json_blob(actor, Channel.API, blob, raw, source=source)


@reprocessor(Channel.WEB)
def _reprocess_web(actor: Any, blob: EvidenceBlob, raw: bytes, source: str) -> Outcome:
    # The web form's evidence is {"form": what the public typed, "sdm": the document built}.
    envelope = json.loads(raw)
    return accept_document(
        actor, Channel.WEB, blob, envelope["sdm"], source=source, extra_facts=envelope.get("facts")
    )


def retry(actor: Any, item: QuarantineItem) -> Outcome:
    """Run held input through the path again (after a mapping or schema update)."""
    if item.status != QuarantineStatus.HELD:
        raise ValueError(
            f"Quarantine item {item.pk} is {item.get_status_display().lower()}, not held."
        )
    from peel.intake import email as _email  # noqa: F401  (registers the email reprocessor)

    raw = read_bytes(item.raw)
    outcome = REPROCESSORS[item.channel](actor, item.raw, raw, item.source)
    if outcome.ok and outcome.submission is not None:
        with transaction.atomic():
            item.refresh_from_db()
            item.status = QuarantineStatus.RELEASED
            item.submission = outcome.submission
            item.last_attempt_at = timezone.now()
            item.save(update_fields=["status", "submission", "last_attempt_at"])
            audit.record(
                actor, "intake.released", item, before={"status": QuarantineStatus.HELD},
                after={"status": item.status, "submission": str(outcome.submission.pk)},
            )  # fmt: skip
    return outcome
