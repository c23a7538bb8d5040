"""Supervisors see what is held and why, with an alert counting national form changes."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from peel.accounts.models import User
from peel.audit.actors import Robot
from peel.evidence.store import store_bytes
from peel.intake.models import QuarantineItem, QuarantineStatus
from peel.intake.pipeline import accept_json
from peel.reports.choices import Channel
from peel.sdm.samples import sample_document

pytestmark = pytest.mark.django_db


def _hold_new_field(seed: int, name: str = "incidentNoiseLevel") -> QuarantineItem:
    import json

    document = sample_document(seed=seed)
    document["data"]["attributes"][name] = "loud"
    outcome = accept_json(Robot("test"), Channel.API, json.dumps(document).encode())
    assert outcome.quarantine is not None
    return outcome.quarantine


def test_the_page_lists_reasons_and_counts_form_changes(staff_client, supervisor: User) -> None:
    _hold_new_field(1)
    _hold_new_field(2)
    accept_json(Robot("test"), Channel.API, b"<html>not json</html>")
    client = staff_client(supervisor)
    home = client.get("/staff/").content.decode()
    assert "3 held" in home
    page = client.get("/staff/quarantine/").content.decode()
    assert "<code>incident.incidentNoiseLevel</code>: 2 held items" in page
    assert "Property incidentNoiseLevel. Not a field of incident" in page
    assert "The body is not valid JSON" in page


def test_operators_cannot_see_quarantine(staff_client, operator: User) -> None:
    client = staff_client(operator)
    assert 'href="/staff/quarantine/"' not in client.get("/staff/").content.decode()
    assert client.get("/staff/quarantine/").status_code == 403
    assert client.post("/staff/quarantine/1/retry/").status_code == 403


def test_retry_from_the_page_and_the_command(
    staff_client, supervisor: User, capsys: pytest.CaptureFixture[str]
) -> None:
    item = _hold_new_field(3)
    client = staff_client(supervisor)
    response = client.post(f"/staff/quarantine/{item.pk}/retry/", follow=True)
    assert f"Q{item.pk} is still held: Property incidentNoiseLevel." in response.content.decode()
    call_command("quarantine", "list")
    assert f"Q{item.pk}" in capsys.readouterr().out
    item.status = QuarantineStatus.DISCARDED
    item.save()
    with pytest.raises(Exception, match="not held"):
        call_command("quarantine", "retry", str(item.pk))


def test_the_same_bytes_are_held_once() -> None:
    first = accept_json(Robot("test"), Channel.API, b"{broken")
    second = accept_json(Robot("test"), Channel.API, b"{broken")
    assert first.quarantine == second.quarantine and QuarantineItem.objects.count() == 1
    assert QuarantineItem.objects.get().attempts == 2
    assert store_bytes(b"{broken", "x").sha256 == first.quarantine.raw.sha256  # type: ignore[union-attr]
