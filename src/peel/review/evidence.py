"""The evidence behind a report, for the review page: the email's attachments as received, or
for the web form and Standard API (which carry no PDF), a PDF rendering of what was received.

Attachments are read from the raw email kept at intake (content-addressed, never changed), so
what the operator opens is exactly what arrived.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass

from peel.evidence.store import read_bytes
from peel.intake.models import Submission
from peel.reports.choices import Channel
from peel.reports.models import Report


@dataclass(frozen=True)
class Attachment:
    number: int  # position among the email's attachments, from 1
    filename: str
    content_type: str
    size: int

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


def submission_of(report: Report) -> Submission | None:
    return Submission.objects.select_related("raw").filter(report=report).first()


def _parts(submission: Submission) -> list[tuple[Attachment, bytes]]:
    if submission.channel != Channel.EMAIL:
        return []
    message = email.message_from_bytes(read_bytes(submission.raw), policy=email.policy.compat32)
    found: list[tuple[Attachment, bytes]] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename() or ""
        if not filename and part.get_content_disposition() != "attachment":
            continue  # the message body, shown as the report itself
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        content_type = part.get_content_type()
        if filename.lower().endswith(".pdf"):
            content_type = "application/pdf"
        found.append((Attachment(len(found) + 1, filename, content_type, len(payload)), payload))
    return found


def attachments(report: Report) -> list[Attachment]:
    submission = submission_of(report)
    return [a for a, _ in _parts(submission)] if submission else []


def attachment_bytes(report: Report, number: int) -> tuple[Attachment, bytes] | None:
    submission = submission_of(report)
    for attachment, payload in _parts(submission) if submission else []:
        if attachment.number == number:
            return attachment, payload
    return None


def rendered_pdf(report: Report) -> bytes | None:
    """The received document rendered as the national service renders its PDF."""
    from peel.sdm.pdf import render_pdf
    from peel.sdm.schemas import national_schemas
    from peel.sdm.text import render_text

    submission = submission_of(report)
    if submission is None or not submission.payload:
        return None
    return render_pdf(render_text(submission.payload, national_schemas()))
