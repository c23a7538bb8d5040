"""Intake's changes outside filing are audited actions: each event is written in the same
transaction as its change, and rolled back with it."""

from __future__ import annotations

import uuid

import pytest
from django.core.management import call_command
from django.db import transaction

from peel.audit.actors import PIPELINE, TEST, command
from peel.audit.models import AuditEvent
from peel.evidence.store import store_bytes
from peel.intake.actions import (
    do_add_api_client,
    do_quarantine,
    do_receive_submission,
    do_record_filing_error,
    do_release_quarantine,
    do_revoke_api_client,
)
from peel.intake.models import (
    ApiClient,
    QuarantineItem,
    QuarantineReason,
    QuarantineStatus,
    Submission,
)
from peel.intake.pipeline import file_next
from peel.reports.choices import Channel

pytestmark = pytest.mark.django_db


class Undo(Exception):
    """Raised to roll a transaction back after looking inside it."""


def _events(action: str, obj: object) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(obj.pk)))


def _submission(payload: dict[str, object] | None = None) -> Submission:
    submission, _ = do_receive_submission(
        TEST, submission_id=uuid.uuid4(), channel=Channel.API,
        blob=store_bytes(uuid.uuid4().bytes, "application/json"), payload=payload or {"x": 1},
    )  # fmt: skip
    return submission


def _hold(data: bytes = b"{broken", **overrides: object) -> tuple[QuarantineItem, bool]:
    fields: dict[str, object] = {
        "channel": Channel.API, "blob": store_bytes(data, "application/json"),
        "reason": QuarantineReason.INVALID_JSON, "problems": [{"detail": "not JSON"}],
        "source": "hub",
    }  # fmt: skip
    return do_quarantine(TEST, **{**fields, **overrides})


def test_a_filing_error_is_audited_and_rolled_back_with_the_mark() -> None:
    submission = _submission()
    with pytest.raises(Undo), transaction.atomic():
        do_record_filing_error(PIPELINE, submission, "No victim.")
        assert Submission.objects.get(pk=submission.pk).filing_error == "No victim."
        assert [e.after for e in _events("intake.filing_failed", submission)] == [
            {"error": "No victim."}
        ]
        raise Undo
    assert Submission.objects.get(pk=submission.pk).filing_error == ""
    assert _events("intake.filing_failed", submission) == []


def test_the_worker_audits_a_submission_it_cannot_file_and_holds_its_input() -> None:
    submission = _submission({"not": "an SDM document"})
    outcome = file_next(PIPELINE)
    assert outcome is not None and outcome.status == "quarantined"
    submission.refresh_from_db()
    assert submission.filing_error
    [event] = _events("intake.filing_failed", submission)
    assert event.actor_label == "intake worker" and event.after == {
        "error": submission.filing_error
    }
    assert _events("intake.quarantined", outcome.quarantine)


def test_quarantine_and_each_repeat_are_audited_and_rolled_back_with_the_item() -> None:
    with pytest.raises(Undo), transaction.atomic():
        item, created = _hold()
        assert created and _events("intake.quarantined", item)
        raise Undo
    assert not QuarantineItem.objects.exists()
    assert not AuditEvent.objects.filter(action="intake.quarantined").exists()

    item, _ = _hold()
    again, created = _hold(source="hub again")
    assert again == item and not created
    assert again.attempts == 2 and again.arrivals.count() == 2
    [repeat] = _events("intake.quarantine_repeated", item)
    assert repeat.after == {
        "status": QuarantineStatus.HELD, "attempts": 2,
        "reason": QuarantineReason.INVALID_JSON, "arrival": Channel.API,
    }  # fmt: skip


def test_a_supervisors_retry_is_another_attempt_not_another_arrival() -> None:
    item, _ = _hold()
    _hold(arrival=False)
    item.refresh_from_db()
    assert item.attempts == 2 and item.arrivals.count() == 1
    assert _events("intake.quarantine_repeated", item)[0].after["arrival"] is None


def test_release_is_audited_and_rolled_back_with_it() -> None:
    item, _ = _hold()
    submission = _submission()
    with pytest.raises(Undo), transaction.atomic():
        do_release_quarantine(TEST, item, submission)
        assert QuarantineItem.objects.get(pk=item.pk).status == QuarantineStatus.RELEASED
        assert _events("intake.released", item)
        raise Undo
    assert QuarantineItem.objects.get(pk=item.pk).status == QuarantineStatus.HELD
    assert _events("intake.released", item) == []


def test_api_client_onboarding_and_revoking_are_audited_and_rolled_back_with_them() -> None:
    with pytest.raises(Undo), transaction.atomic():
        client = do_add_api_client(command("apiclient"), "Hub", "0" * 64)
        assert _events("intake.api_client_added", client)
        raise Undo
    assert not ApiClient.objects.exists()
    assert not AuditEvent.objects.filter(action="intake.api_client_added").exists()

    client = do_add_api_client(command("apiclient"), "Hub", "0" * 64)
    with pytest.raises(Undo), transaction.atomic():
        assert do_revoke_api_client(command("apiclient"), client.client_id) == client
        assert _events("intake.api_client_revoked", client)
        raise Undo
    client.refresh_from_db()
    assert client.active and _events("intake.api_client_revoked", client) == []
    assert do_revoke_api_client(command("apiclient"), client.client_id) is not None
    assert do_revoke_api_client(command("apiclient"), client.client_id) is None  # already revoked


def test_the_apiclient_command_goes_through_the_actions(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("apiclient", "add", "National hub")
    client = ApiClient.objects.get(name="National hub")
    assert [e.actor_label for e in _events("intake.api_client_added", client)] == ["peel apiclient"]
    assert f"client_id={client.client_id}" in capsys.readouterr().out
    call_command("apiclient", "revoke", client.client_id)
    client.refresh_from_db()
    assert not client.active and _events("intake.api_client_revoked", client)
