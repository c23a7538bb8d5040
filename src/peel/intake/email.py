"""The email road: a report email carries the SDM JSON, a PDF rendering, a service-information
`.txt` and/or the report as text in its body. Every source present is read; the JSON is the
report when it is there, else the body, else the PDF; the others are cross-checked against it and
every disagreement is flagged on the report. Anything else is quarantined with its reason.
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from typing import Any

from django.conf import settings

from peel.audit.actors import Actor
from peel.evidence.models import EvidenceBlob
from peel.evidence.store import store_bytes
from peel.intake.models import QuarantineReason
from peel.intake.pipeline import (
    Outcome,
    accept_document,
    held_on_failure,
    quarantine,
    reprocessor,
)
from peel.intake.untrusted import BadJson, load_json
from peel.reports.choices import Channel
from peel.sdm.document import Problem
from peel.sdm.pdf import UnreadablePdf, pdf_text
from peel.sdm.schemas import national_schemas
from peel.sdm.text import NotAReportText, parse_text

logger = logging.getLogger(__name__)
ENCRYPTED_TYPES = {"multipart/encrypted", "application/pkcs7-mime", "application/x-pkcs7-mime",
                   "application/pgp-encrypted"}  # fmt: skip
SERVICE_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z ]*?)\s*:\s*(?P<value>.*)$")
# Service-information keys -> the submission attribute each one states.
SERVICE_KEYS = {
    "submission id": "submissionId",
    "customer reference": "customerReferenceNumber",
    "customer reference number": "customerReferenceNumber",
    "force identifier": "forceIdentifier",
    "category": "category",
    "submit time": "submitTime",
}


class Unusable(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass
class ReportEmail:
    json_document: Any = None
    body_text: str = ""
    pdf_text: str = ""
    service_info: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)  # what was found, for messages


def accept_email(actor: Actor, raw: bytes, source: str = "") -> Outcome:
    """File one raw email (bytes exactly as received) or quarantine it."""
    blob = store_bytes(raw, "message/rfc822")
    return accept_email_blob(actor, blob, raw, source)


@reprocessor(Channel.EMAIL)
def accept_email_blob(actor: Actor, blob: EvidenceBlob, raw: bytes, source: str) -> Outcome:
    return _accept_email(actor, Channel.EMAIL, blob, raw, source=source)


@held_on_failure  # an email that makes a library fail is held, and the batch goes on
def _accept_email(
    actor: Actor, channel: str, blob: EvidenceBlob, raw: bytes, *, source: str
) -> Outcome:
    try:
        if len(raw) > int(settings.PEEL["EMAIL_MAX_BYTES"]):
            raise Unusable(
                QuarantineReason.TOO_LARGE,
                f"The email is {len(raw)} bytes; the limit is {settings.PEEL['EMAIL_MAX_BYTES']}.",
            )
        found = read_report_email(raw)
        document, primary = _choose_document(found)
    except Unusable as exc:
        return quarantine(
            actor, Channel.EMAIL, blob, exc.reason, [Problem("Email not filed", exc.detail)], source
        )
    flags = cross_check(document, primary, found)
    return accept_document(actor, Channel.EMAIL, blob, document, source=source, flags=flags)


def read_report_email(raw: bytes) -> ReportEmail:
    try:
        # compat32, not policy.default: it reads headers only when asked and tolerates broken ones,
        # and the structure, types, file names and payloads are all Peel needs (5x quicker here).
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as exc:  # the parser is lenient; anything it raises means unreadable
        raise Unusable(
            QuarantineReason.MALFORMED_EMAIL, f"The email cannot be parsed: {exc}."
        ) from exc
    if not message.keys():
        raise Unusable(QuarantineReason.MALFORMED_EMAIL, "The input has no email headers.")
    found = ReportEmail()
    try:
        parts = list(message.walk())
    except Exception as exc:
        raise Unusable(
            QuarantineReason.MALFORMED_EMAIL, f"The MIME structure cannot be read: {exc}."
        ) from exc
    for part in parts:
        content_type = part.get_content_type()
        if content_type in ENCRYPTED_TYPES:
            raise Unusable(
                QuarantineReason.UNREADABLE_ATTACHMENT,
                f"The email contains an encrypted part ({content_type}).",
            )
        if part.is_multipart():
            continue
        _read_part(part, content_type, found)
    return found


def _read_part(part: Message, content_type: str, found: ReportEmail) -> None:
    filename = _filename(part)
    name = filename or content_type
    is_attachment = bool(filename) or part.get_content_disposition() == "attachment"
    if content_type == "application/json" or filename.endswith(".json"):
        try:
            found.json_document = load_json(_decoded_bytes(part))
        except BadJson as exc:
            raise Unusable(
                QuarantineReason.UNREADABLE_ATTACHMENT, f"{name} is not valid JSON: {exc}."
            ) from exc
        found.names.append(name)
    elif content_type == "application/pdf" or filename.endswith(".pdf"):
        try:
            found.pdf_text = pdf_text(_decoded_bytes(part))
        except UnreadablePdf as exc:
            raise Unusable(QuarantineReason.UNREADABLE_ATTACHMENT, f"{name}: {exc}.") from exc
        found.names.append(name)
    elif content_type == "text/plain" and is_attachment:
        found.service_info.update(_service_info(_decoded_text(part)))
        found.names.append(name)
    elif content_type == "text/plain" and not found.body_text:
        found.body_text = _decoded_text(part)


def _filename(part: Message) -> str:
    try:
        return (part.get_filename() or "").lower()
    except Exception:  # malformed RFC 2231 parameters
        return ""


def _decoded_bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise Unusable(
            QuarantineReason.MALFORMED_EMAIL, f"A {part.get_content_type()} part has no content."
        )
    return payload


def _decoded_text(part: Message) -> str:
    data = _decoded_bytes(part)
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        # Wrong or unknown charset: keep every character we can; the raw email is the evidence.
        return data.decode("utf-8", errors="replace")


def _service_info(text: str) -> dict[str, str]:
    info = {}
    for line in text.splitlines():
        match = SERVICE_LINE.match(line.strip())
        if match and match["key"].strip().lower() in SERVICE_KEYS:
            info[SERVICE_KEYS[match["key"].strip().lower()]] = match["value"].strip()
    return info


def _choose_document(found: ReportEmail) -> tuple[Any, str]:
    if found.json_document is not None:
        return found.json_document, "JSON attachment"
    schemas = national_schemas()
    for label, text in (("email body", found.body_text), ("PDF", found.pdf_text)):
        if text:
            try:
                return parse_text(text, schemas), label
            except NotAReportText:
                continue
    seen = ", ".join(found.names) or "no attachments"
    raise Unusable(
        QuarantineReason.NOT_A_REPORT,
        f"No report found: no SDM JSON attachment, and neither the body nor a PDF holds a report ({seen}).",
    )


def cross_check(document: Any, primary: str, found: ReportEmail) -> list[str]:
    """Sentences naming every field where another source disagrees with the one filed."""
    flags: list[str] = []
    schemas = national_schemas()
    others: list[tuple[str, Any]] = []
    for label, text in (("email body", found.body_text), ("PDF", found.pdf_text)):
        if text and label != primary:
            try:
                others.append((label, parse_text(text, schemas)))
            except NotAReportText:
                if label == "PDF":
                    flags.append("The PDF does not hold a readable report to check against.")
    filed = _flatten(document)
    for label, other in others:
        theirs = _flatten(other)
        for key in sorted(set(filed) | set(theirs)):
            if _same(filed.get(key), theirs.get(key)):
                continue
            flags.append(
                f"The {label} disagrees with the {primary} on {key}: "
                f"{_show(theirs.get(key))} against {_show(filed.get(key))}."
            )
    submission = _flatten(document)
    for attribute, stated in found.service_info.items():
        ours = next((v for k, v in submission.items() if k.endswith(f" {attribute}")), None)
        if not _same(ours, stated):
            flags.append(
                f"The service information says {attribute} is {_show(stated)}; the {primary} says {_show(ours)}."
            )
    return flags


def _flatten(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        return {}
    values = {}
    for entity in [document["data"], *document.get("included", [])]:
        if isinstance(entity, dict) and isinstance(entity.get("attributes"), dict):
            for name, value in entity["attributes"].items():
                values[f"{entity.get('id')} {name}"] = value
    return values


def _same(a: Any, b: Any) -> bool:
    def norm(value: Any) -> str:
        if isinstance(value, list):
            value = " ".join(str(v) for v in value)
        return " ".join(str(value).split()).casefold() if value is not None else ""

    return norm(a) == norm(b)


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    text = " ".join(str(value).split())
    return repr(text if len(text) <= 80 else text[:77] + "...")


def build_report_email(
    document: dict[str, Any],
    *,
    json_attachment: bool = True,
    pdf: bool = True,
    service_info: bool = True,
    body: bool = False,
    pdf_document: dict[str, Any] | None = None,
) -> bytes:
    """An email as the national service sends one (for the demo, tests and benchmarks)."""
    from peel.sdm.pdf import render_pdf
    from peel.sdm.text import render_text

    schemas = national_schemas()
    submission = next(e for e in document["included"] if e["type"] == "submission")["attributes"]
    message = EmailMessage()
    message["From"] = "noreply@online-reporting.police.example"
    message["To"] = "online-reports@force.police.example"
    message["Subject"] = (
        f"Online crime report {submission.get('customerReferenceNumber', '')}".strip()
    )
    message["Message-ID"] = f"<{submission['submissionId']}@online-reporting.police.example>"
    message.set_content(
        render_text(document, schemas) if body else "An online crime report is attached.\n"
    )
    if json_attachment:
        message.add_attachment(
            json.dumps(document, indent=1).encode(),
            maintype="application",
            subtype="json",
            filename="report.json",
        )
    if pdf:
        rendered = render_pdf(render_text(pdf_document or document, schemas))
        message.add_attachment(
            rendered, maintype="application", subtype="pdf", filename="report.pdf"
        )
    if service_info:
        lines = [f"Submission ID: {submission['submissionId']}"]
        if submission.get("customerReferenceNumber"):
            lines.append(f"Customer reference: {submission['customerReferenceNumber']}")
        message.add_attachment("\n".join(lines) + "\n", filename="service-information.txt")
    return message.as_bytes()
