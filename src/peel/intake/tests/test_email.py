"""The email road: JSON, PDF, service information and body; and everything that is not a report."""

from __future__ import annotations

import copy
import mailbox
import sysconfig
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

from peel.audit.actors import Robot
from peel.intake.email import accept_email, build_report_email
from peel.intake.mailbox import ImapSettings, ingest_imap, ingest_maildir
from peel.intake.models import QuarantineItem, QuarantineReason, Submission
from peel.intake.tests.imap_server import ImapServer
from peel.reports.models import Report
from peel.sdm.samples import sample_document

pytestmark = pytest.mark.django_db
CPYTHON_EMAIL_DATA = Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_email" / "data"


def test_an_email_with_json_pdf_and_service_information_is_filed() -> None:
    document = sample_document(seed=20)
    outcome = accept_email(Robot("test"), build_report_email(document))
    assert outcome.status == "accepted", outcome.problems
    report = outcome.submission.report  # type: ignore[union-attr]
    assert report.channel == "email" and report.flags == []
    assert outcome.submission.payload == document  # type: ignore[union-attr]


def test_the_pdf_alone_is_enough() -> None:
    document = sample_document(seed=21)
    raw = build_report_email(document, json_attachment=False)
    outcome = accept_email(Robot("test"), raw)
    assert outcome.status == "accepted", outcome.problems
    report = Report.objects.get()
    assert report.description == document["data"]["attributes"]["incidentDescription"]
    assert (
        report.customer_reference
        == document["included"][0]["attributes"]["customerReferenceNumber"]
    )


def test_the_body_is_read_when_there_are_no_attachments() -> None:
    raw = build_report_email(sample_document(seed=22), json_attachment=False, pdf=False, body=True)
    assert accept_email(Robot("test"), raw).status == "accepted"


def test_sources_that_disagree_are_flagged_on_the_report() -> None:
    document = sample_document(seed=23)
    altered = copy.deepcopy(document)
    altered["data"]["attributes"]["incidentDescription"] = "A completely different story."
    outcome = accept_email(Robot("test"), build_report_email(document, pdf_document=altered))
    assert outcome.status == "accepted"
    flags = Report.objects.get().flags
    assert len(flags) == 1
    assert (
        "The PDF disagrees with the JSON attachment on incident.1 incidentDescription" in flags[0]
    )
    assert "A completely different story." in flags[0]


def test_the_same_report_in_two_emails_is_filed_once() -> None:
    document = sample_document(seed=24)
    first = accept_email(Robot("test"), build_report_email(document))
    second = accept_email(
        Robot("test"), build_report_email(document, pdf=False)
    )  # other bytes, same report
    assert (first.status, second.status) == ("accepted", "duplicate")
    assert Report.objects.count() == 1


def _plain_email(body: str = "Hello, are you coming to the match on Saturday?") -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.org", "b@example.org", "Hi"
    message.set_content(body)
    return message


def test_mail_that_is_not_a_report_is_quarantined_with_the_reason_and_kept() -> None:
    raw = _plain_email().as_bytes()
    outcome = accept_email(Robot("test"), raw)
    assert outcome.status == "quarantined"
    item = QuarantineItem.objects.get()
    assert item.reason == QuarantineReason.NOT_A_REPORT
    assert "No report found" in item.problems[0]["detail"]
    from peel.evidence.store import read_bytes

    assert read_bytes(item.raw) == raw


@pytest.mark.parametrize(
    ("attachment", "reason", "words"),
    [
        ((b"%PDF-1.7 this is not really a pdf", "application", "pdf", "report.pdf"), "unreadable_attachment", "report.pdf: not a readable PDF"),
        ((b"{not json", "application", "json", "report.json"), "unreadable_attachment", "report.json is not valid JSON"),
        ((b"-----BEGIN PGP MESSAGE-----", "application", "pkcs7-mime", "smime.p7m"), "unreadable_attachment", "encrypted part"),
    ],
)  # fmt: skip
def test_broken_or_encrypted_attachments_are_quarantined(
    attachment: Any, reason: str, words: str
) -> None:
    data, maintype, subtype, filename = attachment
    message = _plain_email("Report attached.")
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    outcome = accept_email(Robot("test"), message.as_bytes())
    assert outcome.status == "quarantined"
    assert outcome.quarantine is not None and outcome.quarantine.reason == reason
    assert words in outcome.problems[0].detail


def test_oversized_and_headerless_input_is_quarantined(settings: Any) -> None:
    assert (
        accept_email(Robot("test"), b"\x00\x01 garbage, no headers").quarantine.reason
        == "malformed_email"
    )  # type: ignore[union-attr]
    settings.PEEL = {**settings.PEEL, "EMAIL_MAX_BYTES": 1000}
    outcome = accept_email(Robot("test"), build_report_email(sample_document(seed=25)))
    assert outcome.quarantine is not None and outcome.quarantine.reason == "too_large"


def test_every_cpython_test_email_ends_accepted_or_quarantined_with_a_reason() -> None:
    messages = sorted(CPYTHON_EMAIL_DATA.glob("msg_*.txt"))
    assert len(messages) > 40, f"CPython's email test data is missing from {CPYTHON_EMAIL_DATA}"
    for path in messages:
        outcome = accept_email(Robot("test"), path.read_bytes(), source=path.name)
        assert outcome.status in ("accepted", "quarantined"), path.name
        if outcome.status == "quarantined":
            assert outcome.quarantine is not None and outcome.problems[0].detail, path.name
    assert QuarantineItem.objects.count() + Submission.objects.count() == len(
        {p.read_bytes() for p in messages}
    )


def test_a_maildir_is_read_once_and_each_message_moved_to_processed(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "mail", create=True)
    for seed in range(3):
        box.add(build_report_email(sample_document(seed=30 + seed)))
    box.add(_plain_email().as_bytes())
    counts = ingest_maildir(tmp_path / "mail")
    assert counts == {"accepted": 3, "quarantined": 1}
    assert len(box) == 0 and len(box.get_folder("Processed")) == 4
    assert ingest_maildir(tmp_path / "mail") == {}
    assert Report.objects.count() == 3


def test_imap_mail_is_filed_and_moved_out_of_the_inbox(imap_server: ImapServer) -> None:
    settings = ImapSettings.from_url(imap_server.url())
    with IMAPClient("127.0.0.1", port=imap_server.port, ssl=False) as client:
        client.login(imap_server.user, imap_server.password)
        for seed in range(2):
            client.append("INBOX", build_report_email(sample_document(seed=40 + seed)))
        client.append("INBOX", _plain_email().as_bytes())
    assert ingest_imap(settings) == {"accepted": 2, "quarantined": 1}
    assert ingest_imap(settings) == {}  # the inbox is empty now
    with IMAPClient("127.0.0.1", port=imap_server.port, ssl=False) as client:
        client.login(imap_server.user, imap_server.password)
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
        assert client.select_folder("Processed")[b"EXISTS"] == 2
        assert client.select_folder("Quarantine")[b"EXISTS"] == 1
    assert Report.objects.filter(channel="email").count() == 2
