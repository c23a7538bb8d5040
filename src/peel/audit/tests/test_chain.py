import itertools
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from peel.audit.actors import Robot
from peel.audit.log import record, verify_chain
from peel.audit.models import AuditEvent
from peel.process.testing import file_report

pytestmark = pytest.mark.django_db


def test_filing_a_report_writes_a_verifiable_chain_of_events() -> None:
    installed = AuditEvent.objects.count()  # Peel's shipped rule set, installed by migrate
    file_report()
    actions = list(AuditEvent.objects.values_list("action", flat=True))[installed:]
    assert actions == [
        "intake.received",
        "report.created",
        "intake.filed",
        "triage.assessed",
        "work.enqueued",
    ]
    result = verify_chain()
    assert result.ok and result.checked == installed + 5


def test_each_event_chains_to_the_one_before() -> None:
    file_report()
    events = list(AuditEvent.objects.all())
    assert events[0].prev_hash == "0" * 64
    for earlier, later in itertools.pairwise(events):
        assert later.prev_hash == earlier.hash


def _raw_update(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_altered_event_is_found_by_verify() -> None:
    file_report()
    target = AuditEvent.objects.all()[1]
    _raw_update(
        "UPDATE audit_auditevent SET actor_label = %s WHERE id = %s", ["mallory", target.id]
    )
    result = verify_chain()
    assert not result.ok
    assert result.first_bad_id == target.id
    assert result.problem == "this event's content was altered"


def test_a_removed_event_is_found_by_verify_and_the_command_fails() -> None:
    file_report()
    target = AuditEvent.objects.all()[1]
    _raw_update("DELETE FROM audit_auditevent WHERE id = %s", [target.id])
    with pytest.raises(CommandError, match="Audit chain broken"):
        call_command("audit", "verify")


def test_the_log_cannot_be_changed_through_the_application() -> None:
    file_report()
    event = AuditEvent.objects.first()
    assert event is not None
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_events_outside_a_transaction_are_refused() -> None:
    report = file_report()
    with pytest.raises(RuntimeError, match="same transaction"):
        record(Robot("test"), "report.status_changed", report)
