"""Input that cannot be filed is quarantined with its reason, on every channel, and the caller
gets one clear answer: never a 500, never an endless "try again", never a stopped batch."""

from __future__ import annotations

import hashlib
import json
import mailbox
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from peel.audit.actors import Robot
from peel.evidence.store import read_bytes
from peel.intake.email import accept_email, build_report_email
from peel.intake.models import QuarantineItem, QuarantineReason, Submission
from peel.process.testing import api_client_headers
from peel.reports.models import Report
from peel.sdm.samples import sample_document

pytestmark = pytest.mark.django_db

NESTED_5000 = b"[" * 5000 + b"]" * 5000  # about 10 KB: what stopped `peel ingest maildir`


@pytest.fixture
def hub(client: Client) -> Any:
    headers = api_client_headers()

    def post(body: bytes) -> Any:
        return client.post("/process", body, content_type="application/json", headers=headers)

    return post


def _with_risk_value(value: str) -> bytes:
    """A valid document with `value` written verbatim where a JSON number could go."""
    text = json.dumps(sample_document(seed=77))
    return text.replace('"incidentStillHappening": false', f'"incidentStillHappening": {value}')


def _held(body: bytes) -> QuarantineItem:
    return QuarantineItem.objects.get(raw__sha256=hashlib.sha256(body).hexdigest())


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (NESTED_5000, "nested more than 64 levels"),
        (b'{"a":' * 100 + b"1" + b"}" * 100, "nested more than 64 levels"),
        (_with_risk_value("NaN").encode(), "NaN is not a JSON number"),
        (_with_risk_value("Infinity").encode(), "Infinity is not a JSON number"),
        (_with_risk_value("-Infinity").encode(), "-Infinity is not a JSON number"),
        (_with_risk_value("1e999").encode(), "the number 1e999 is too large"),
        (_with_risk_value("9" * 30).encode(), "is too large"),
        (_with_risk_value("9" * 5000).encode(), "Exceeds the limit"),
        (b'{"data": "\xff\xfe broken"}', "can't decode byte 0xff"),
    ],
)
def test_each_unusable_body_is_refused_with_its_reason_and_kept(
    hub: Any, body: bytes, says: str
) -> None:
    response = hub(body)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert says in errors[0]["detail"]
    item = _held(body)
    assert errors[0]["meta"]["quarantineId"] == item.pk
    assert item.reason == QuarantineReason.INVALID_JSON and says in item.problems[0]["detail"]
    assert read_bytes(item.raw) == body  # kept byte for byte
    assert not Submission.objects.exists()


def test_a_body_over_the_limit_gets_the_apis_json_error_and_is_kept(
    hub: Any, settings: Any
) -> None:
    settings.PEEL = {**settings.PEEL, "API_MAX_BYTES": 1000}
    body = json.dumps(sample_document(seed=78)).encode()
    assert len(body) > 1000
    response = hub(body)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    error = response.json()["errors"][0]
    assert error["title"] == "Too large"
    assert error["detail"] == f"The body is {len(body)} bytes; the limit is 1000."
    item = _held(body)
    assert item.reason == QuarantineReason.TOO_LARGE and read_bytes(item.raw) == body


def test_a_body_over_djangos_own_upload_limit_still_gets_json(hub: Any) -> None:
    """Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (10 MB) with an HTML page when
    `request.body` is read; the API reads the stream itself."""
    body = b'{"pad": "' + b"x" * (10 * 1024 * 1024 + 10) + b'"}'
    response = hub(body)
    assert response.status_code == 400 and response.json()["errors"][0]["title"] == "Too large"
    assert read_bytes(_held(body).raw) == body


def test_the_same_bad_body_twice_is_one_item_and_two_arrivals(hub: Any) -> None:
    first, second = hub(NESTED_5000), hub(NESTED_5000)
    assert first.status_code == second.status_code == 400
    item = _held(NESTED_5000)
    assert QuarantineItem.objects.count() == 1 and item.attempts == 2
    assert [a.channel for a in item.arrivals.all()] == ["api", "api"]


def test_identical_bytes_by_two_channels_keep_both_arrivals(
    staff_client, hub: Any, tmp_path: Path, supervisor: Any
) -> None:
    """One item (one thing to fix), but each channel's arrival is kept with its source; the
    item is not relabelled by the second channel, and the quarantine page lists both."""
    hub(NESTED_5000)
    eml = tmp_path / "same-bytes.eml"
    eml.write_bytes(NESTED_5000)
    call_command("ingest", "eml", str(eml))
    item = _held(NESTED_5000)
    assert item.channel == "api"
    arrivals = [(a.channel, a.source) for a in item.arrivals.all()]
    assert arrivals == [("api", "client-national-hub"), ("email", str(eml))]
    page = staff_client(supervisor)
    html = page.get("/staff/quarantine/").content.decode()
    assert "arrived 2 times" in html and f"Email, {eml}" in html
    assert "Standard API, client-national-hub" in html


def _email_with_attachment(data: bytes, name: str = "report.json") -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = "a@example.org", "reports@force.example"
    message["Subject"] = "Online crime report"
    message.set_content("Attached.")
    message.add_attachment(data, maintype="application", subtype="json", filename=name)
    return message.as_bytes()


def test_a_maildir_batch_goes_on_past_a_deeply_nested_attachment(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    bad = _email_with_attachment(NESTED_5000)
    box.add(bad)
    good = sample_document(seed=79)
    box.add(build_report_email(good, pdf=False))
    call_command("ingest", "maildir", str(tmp_path / "Maildir"))
    item = _held(bad)
    assert item.reason == QuarantineReason.UNREADABLE_ATTACHMENT
    assert "nested more than 64 levels" in item.problems[0]["detail"]
    assert Report.objects.count() == 1
    assert Submission.objects.get().payload == good
    assert len(box) == 0  # both moved to Processed


def test_the_json_file_drop_holds_a_bad_file_and_files_the_next(tmp_path: Path) -> None:
    bad, good = tmp_path / "1.json", tmp_path / "2.json"
    bad.write_bytes(_with_risk_value("NaN").encode())
    good.write_text(json.dumps(sample_document(seed=80)))
    call_command("ingest", "sdm", str(bad), str(good))
    assert "NaN is not a JSON number" in _held(bad.read_bytes()).problems[0]["detail"]
    assert Report.objects.count() == 1


def test_imap_moves_an_unparseable_message_to_quarantine_and_files_the_next(
    imap_server: Any,
) -> None:
    from imapclient import IMAPClient

    from peel.intake.mailbox import ImapSettings, ingest_imap

    bad = _email_with_attachment(NESTED_5000)
    good = build_report_email(sample_document(seed=81), pdf=False)
    with IMAPClient("127.0.0.1", port=imap_server.port, ssl=False) as client:
        client.login(imap_server.user, imap_server.password)
        client.append("INBOX", bad)
        client.append("INBOX", good)
    counts = ingest_imap(ImapSettings.from_url(imap_server.url()))
    assert counts == {"quarantined": 1, "accepted": 1}
    held = QuarantineItem.objects.get()  # the server stores lines with CRLF: other bytes
    assert held.reason == QuarantineReason.UNREADABLE_ATTACHMENT and held.channel == "email"
    with IMAPClient("127.0.0.1", port=imap_server.port, ssl=False) as client:
        client.login(imap_server.user, imap_server.password)
        assert client.select_folder("Quarantine")[b"EXISTS"] == 1


# ---- Property: whatever arrives, one clear answer and nothing unaccounted for -----------------

VALID = json.dumps(sample_document(seed=90))


def _nested(depth: int, opener: bytes, closer: bytes) -> bytes:
    return opener * depth + b"1" + closer * depth


bodies = st.one_of(
    st.binary(max_size=300),  # anything, invalid UTF-8 included
    st.integers(1, 3000).map(lambda d: _nested(d, b"[", b"]")),
    st.integers(1, 3000).map(lambda d: _nested(d, b'{"a":', b"}")),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "9" * 400, "1" * 25])
    .map(_with_risk_value)
    .map(str.encode),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=30,
    ).map(lambda v: json.dumps(v).encode()),
    # The real document with one attribute swapped for a value of the wrong type.
    st.tuples(
        st.sampled_from(["incidentDescription", "incidentStillHappening", "crimeType"]),
        st.one_of(st.integers(), st.lists(st.integers(), max_size=3), st.none(), st.text()),
    ).map(
        lambda kv: VALID.replace(
            f'"{kv[0]}": ', f'"{kv[0]}": {json.dumps(kv[1])}, "_was_{kv[0]}": ', 1
        ).encode()
    ),
    st.binary(min_size=1, max_size=40).map(lambda junk: VALID.encode()[:-1] + junk),
)


def _accounted_for(body: bytes) -> QuarantineItem | Submission:
    digest = hashlib.sha256(body).hexdigest()
    item = QuarantineItem.objects.filter(raw__sha256=digest).first()
    if item is not None:
        assert item.problems and all(p["detail"] for p in item.problems), "held without a reason"
        return item
    return Submission.objects.get(raw__sha256=digest)


@hypothesis_settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
def test_any_body_posted_to_process_is_filed_or_held_with_one_clear_answer(
    hub: Any, body: bytes
) -> None:
    response = hub(body)
    assert response.status_code in (200, 400), (response.status_code, response.content[:300])
    answer = response.json()
    held = _accounted_for(body)
    if response.status_code == 400:
        assert isinstance(held, QuarantineItem)
        assert {e["meta"]["quarantineId"] for e in answer["errors"]} == {held.pk}
        assert all(e["detail"] for e in answer["errors"])
    else:
        assert answer["meta"]["status"] in ("received", "filed")


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(attachment=bodies)
def test_any_attachment_in_an_email_is_filed_or_held_and_the_batch_goes_on(
    attachment: bytes,
) -> None:
    raw = _email_with_attachment(attachment)
    outcome = accept_email(Robot("test"), raw)
    assert outcome.status in ("accepted", "duplicate", "quarantined")
    held = _accounted_for(raw)
    if outcome.status == "quarantined":
        assert isinstance(held, QuarantineItem) and outcome.problems
