"""The one path every report takes, whatever road it came by.

    raw bytes --store (fsync)--> SDM document --check--> draft --one transaction--> report
                                      \\--------------- problems ---------------> quarantine

Raw bytes are durable before anything else, and every later step is idempotent (the submission
id for reports, the raw bytes' sha256 for quarantine), so a batch killed at any point and run
again ends in the same state with nothing twice.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils import timezone

from peel.audit import log as audit
from peel.audit.actors import PIPELINE, Actor
from peel.core.db import DATABASE_UNAVAILABLE, write_transaction
from peel.core.text import db_safe
from peel.evidence.models import EvidenceBlob
from peel.evidence.store import read_bytes, store_bytes
from peel.intake.actions import (
    content_digest,
    do_file_submission,
    do_quarantine,
    do_receive_submission,
    do_record_filing_error,
    do_release_quarantine,
)
from peel.intake.models import (
    QuarantineItem,
    QuarantineReason,
    QuarantineStatus,
    Submission,
)
from peel.intake.priority import filing_priority
from peel.intake.untrusted import BadJson, load_json
from peel.reports.choices import Channel
from peel.reports.drafts import ReportDraft
from peel.sdm.document import InvalidDocument, Problem, SdmDocument, parse_document
from peel.sdm.mapping import to_draft
from peel.sdm.schemas import national_schemas

logger = logging.getLogger(__name__)

# Submission ids that are not UUIDs are mapped into this namespace, stably.
SUBMISSION_NAMESPACE = uuid.UUID("6f1c2d0e-6a59-4a63-9a0c-2f3c7c1e5b10")
# Set while a supervisor retries held input: a retry is another attempt, not another arrival.
_retrying: ContextVar[bool] = ContextVar("peel_quarantine_retrying", default=False)
# Failures that say nothing about the input: the same input succeeds once they pass.
NOT_THE_INPUTS_FAULT: tuple[type[Exception], ...] = (*DATABASE_UNAVAILABLE, OSError)


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


def held_on_failure(function: Callable[..., Outcome]) -> Callable[..., Outcome]:
    """Wrap an accept function (actor, channel, blob, ..., source=...) so that input which makes
    Peel fail is held in quarantine with the failure named, instead of raising.

    The database being unreachable or busy, or the disk failing, is not the input's fault and
    propagates (the API answers 503, a batch stops and is run again); anything else (a mapping
    bug, a value the database refuses, a library's recursion limit) is this input's problem.
    """

    @functools.wraps(function)
    def accept(
        actor: Actor, channel: str, blob: EvidenceBlob, *args: Any, **kwargs: Any
    ) -> Outcome:
        try:
            return function(actor, channel, blob, *args, **kwargs)
        except NOT_THE_INPUTS_FAULT:
            raise
        except Exception as exc:
            source = kwargs.get("source", "")
            logger.exception("Intake: %s input from %r made Peel fail", channel, source)
            problem = Problem(
                "Peel could not process this input",
                f"Processing failed with {type(exc).__name__}: {str(exc)[:300]}. The input is"
                " kept; retry it once Peel is fixed.",
            )
            reason = QuarantineReason.INTERNAL_ERROR
            return quarantine(actor, channel, blob, reason, [problem], source)

    return accept


@held_on_failure
def accept_document(
    actor: Actor,
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
    priority = 0
    if not file_now:  # the worker files it later: riskiest first
        draft = to_draft(document)
        for name, value in (extra_facts or {}).items():
            setattr(draft, name, value)
        priority = filing_priority(draft)
    with write_transaction(), audit.deferred():  # the chain's lock only at the end
        submission, created = do_receive_submission(
            actor,
            submission_id=submission_uuid(sid),
            channel=channel,
            blob=blob,
            payload=body,
            notes=notes,
            priority=priority,
        )
        if not created and submission.content_sha256 != content_digest(body):
            conflict = True
        else:
            conflict = False
            if file_now and submission.report_id is None:
                submission = do_file_submission(
                    actor, submission, _storable(_draft(document, submission))
                )
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


# Incident times outside these years are mistakes, and some cannot be stored at all: year 1 at
# +14:00 is 1 BC in UTC, which PostgreSQL stores and no client can read back, and SQLite's
# conversion to UTC overflows.
USABLE_YEARS = range(1900, 2201)


def _storable(draft: ReportDraft) -> ReportDraft:
    """Leave out incident times no report could use, naming each in the flags (the raw
    submission keeps them), so the report is filed and stays readable."""
    for name, label in (("occurred_from", "start"), ("occurred_to", "end")):
        value = getattr(draft, name)
        if value is None:
            continue
        try:
            usable = value.astimezone(UTC).year in USABLE_YEARS
        except (OverflowError, ValueError):
            usable = False
        if not usable:
            setattr(draft, name, None)
            draft.flags.append(
                f"The incident's {label} time ({value.isoformat()}) is not a date Peel can use;"
                " it was left out (the raw submission keeps it)."
            )
    return draft


def file_submission(actor: Actor, submission: Submission) -> Outcome:
    """File one received submission (the worker's step). Re-checks it against today's schemas."""
    try:
        document = parse_document(submission.payload, national_schemas())
    except InvalidDocument as exc:
        return _not_filed(
            actor, submission, QuarantineReason.INVALID_DOCUMENT, exc.problems, str(submission.pk)
        )
    filed = do_file_submission(actor, submission, _storable(_draft(document, submission)))
    return Outcome("accepted", submission=filed, submission_id=document.submission_id)


def _not_filed(
    actor: Actor, submission: Submission, reason: str, problems: list[Problem], sid: str
) -> Outcome:
    """Mark the submission so workers pass it by, and hold its raw input with the reason."""
    do_record_filing_error(actor, submission, "; ".join(p.detail for p in problems))
    source = (submission.notes or {}).get("source", "")
    return quarantine(actor, submission.channel, submission.raw, reason, problems, source, sid)


def file_next(actor: Actor = PIPELINE) -> Outcome | None:
    """Claim the riskiest, then oldest, unfiled submission and file it; None when none waits.

    The claim and the filing are one transaction holding the submission's row lock; on
    PostgreSQL other workers skip locked rows (SKIP LOCKED) and take the next, so N workers
    check, map and write N submissions at once and none is filed twice. Their audit events are
    appended at the end (`audit.deferred`), so they take turns on the audit chain's lock only
    from that append to the commit; filings sharing a person, place or vehicle take turns on
    triage's locks. On SQLite the IMMEDIATE transaction serialises them. A
    submission that makes filing fail (not the database or disk being unavailable) is
    quarantined with the failure, so it cannot block the queue or be retried forever.
    """
    with write_transaction(), audit.deferred():
        submission = (
            Submission.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(report__isnull=True, filing_error="")
            .select_related("raw")
            .order_by("-priority", "received_at")
            .first()
        )
        if submission is None:
            return None
        try:
            with transaction.atomic():  # a savepoint: a failure keeps the claim and the lock
                return file_submission(actor, submission)
        except NOT_THE_INPUTS_FAULT:
            raise
        except Exception as exc:
            logger.exception("Intake: submission %s could not be filed", submission.pk)
            problem = Problem(
                "Could not be filed",
                f"Filing failed with {type(exc).__name__}: {str(exc)[:300]}.",
            )
            return _not_filed(
                actor, submission, QuarantineReason.INTERNAL_ERROR, [problem], str(submission.pk)
            )


def file_pending(actor: Actor = PIPELINE, limit: int = 100) -> int:
    """File up to `limit` received submissions, riskiest first; return how many were filed."""
    filed = 0
    for _ in range(limit):
        outcome = file_next(actor)
        if outcome is None:
            break
        filed += outcome.ok
    return filed


@dataclass
class Backlog:
    """Received reports not yet filed: on no one's queue until a worker files them."""

    waiting: int
    oldest_seconds: float  # how long the oldest has waited (0 when none)
    alert_after_seconds: int

    @property
    def alert(self) -> bool:
        return self.waiting > 0 and self.oldest_seconds >= self.alert_after_seconds

    @property
    def oldest_text(self) -> str:
        seconds = int(self.oldest_seconds)
        if seconds < 120:
            return f"{seconds} s"
        if seconds < 2 * 3600:
            return f"{seconds // 60} min"
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def intake_backlog(now: Any = None) -> Backlog:
    """For the supervisor's queue page: the filing backlog and its oldest age."""
    from django.conf import settings
    from django.db.models import Count, Min

    now = now or timezone.now()
    waiting = Submission.objects.filter(report__isnull=True, filing_error="").aggregate(
        count=Count("pk"), oldest=Min("received_at")
    )
    oldest = waiting["oldest"]
    return Backlog(
        waiting=waiting["count"],
        oldest_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
        alert_after_seconds=int(settings.PEEL["INTAKE_BACKLOG_ALERT_SECONDS"]),
    )


def accept_json(
    actor: Actor, channel: str, raw: bytes, *, source: str = "", file_now: bool = True
) -> Outcome:
    """Bytes that should be one SDM request document (the Standard API, `peel ingest sdm`)."""
    blob = store_bytes(raw, "application/json")
    return accept_json_blob(actor, channel, blob, raw, source=source, file_now=file_now)


@held_on_failure
def accept_json_blob(
    actor: Actor,
    channel: str,
    blob: EvidenceBlob,
    raw: bytes,
    *,
    source: str = "",
    file_now: bool = True,
) -> Outcome:
    try:
        body = load_json(raw)
    except BadJson as exc:
        problem = Problem("Invalid JSON", f"The body is not valid JSON: {exc}.")
        return quarantine(actor, channel, blob, QuarantineReason.INVALID_JSON, [problem], source)
    return accept_document(actor, channel, blob, body, source=source, file_now=file_now)


def quarantine(
    actor: Actor,
    channel: str,
    blob: EvidenceBlob,
    reason: str,
    problems: list[Problem],
    source: str = "",
    submission_id: str = "",
) -> Outcome:
    """Hold input with its exact reason. The same bytes again update the one item they have."""
    details = db_safe([p.as_dict() for p in problems])  # they quote the input, which may hold NULs
    item, created = do_quarantine(
        actor, channel=channel, blob=blob, reason=reason, problems=details,
        source=db_safe(source), arrival=not _retrying.get(),
    )  # fmt: skip
    if created:
        logger.warning(
            "Quarantined %s input %s: %s",
            channel,
            item.pk,
            problems[0].detail if problems else reason,
        )
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
def _reprocess_api(actor: Actor, blob: EvidenceBlob, raw: bytes, source: str) -> Outcome:
    return accept_json_blob(actor, Channel.API, blob, raw, source=source)


@reprocessor(Channel.WEB)
def _reprocess_web(actor: Actor, blob: EvidenceBlob, raw: bytes, source: str) -> Outcome:
    # The web form's evidence is {"form": what the public typed, "sdm": the document built}.
    envelope = json.loads(raw)
    return accept_document(
        actor, Channel.WEB, blob, envelope["sdm"], source=source, extra_facts=envelope.get("facts")
    )


def retry(actor: Actor, item: QuarantineItem) -> Outcome:
    """Run held input through the path again (after a mapping or schema update)."""
    if item.status != QuarantineStatus.HELD:
        raise ValueError(
            f"Quarantine item {item.pk} is {item.get_status_display().lower()}, not held."
        )
    from peel.intake import email as _email  # noqa: F401  (registers the email reprocessor)

    raw = read_bytes(item.raw)
    token = _retrying.set(True)
    try:
        outcome = REPROCESSORS[item.channel](actor, item.raw, raw, item.source)
    finally:
        _retrying.reset(token)
    if outcome.ok and outcome.submission is not None:
        do_release_quarantine(actor, item, outcome.submission)
    return outcome
