"""The API and file connectors against the sandbox's crime system and a real drop folder."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.conf import settings

from peel.process.testing import decided_report
from peel.review.choices import Outcome
from peel.robots.choices import AttemptOutcome, TaskStatus
from peel.robots.connectors import Deadline
from peel.robots.connectors.api import ApiConnector
from peel.robots.models import RobotTask
from peel.robots.targets import robot_targets
from peel.robots.testing import run_robot_until_idle
from peel.workqueue.models import WorkKind, WorkStatus

pytestmark = pytest.mark.django_db


def test_a_recorded_crime_reaches_the_crime_system_with_every_mapped_field_verified(
    operator, robot_env, targets_file
) -> None:
    targets_file(only=("crime-system",))
    decision = decided_report(
        operator, offence_code="44", crime_flags=["online"],
        report={"description": "Bike taken <b>again</b> & \"locked\"\nSecond line."},
    )  # fmt: skip
    assert run_robot_until_idle() == 1
    task = RobotTask.objects.get()
    crimes = robot_env.state()["crimes"]
    assert len(crimes) == 1
    stored = crimes[0]["record"]
    assert stored["sourceReference"] == task.idempotency_key == f"{decision.report}-D{decision.pk}"
    assert stored["offenceCode"] == "44"
    assert stored["peelCrimeNumber"] == decision.crime.crime_number
    assert stored["summary"] == 'Bike taken <b>again</b> & "locked"\nSecond line.'
    assert stored["victimSurname"] == "Khan" and stored["flags"] == "online"
    mapped = set(robot_targets().get("crime-system").options["fields"])
    assert task.status == TaskStatus.DONE
    assert set(task.verified_fields) == mapped and len(mapped) == 16
    assert task.downstream_ref == str(crimes[0]["id"])
    assert task.tries.get().outcome == AttemptOutcome.DONE


def test_only_recorded_crimes_go_to_the_crime_system(operator, robot_env, targets_file) -> None:
    targets_file(only=("crime-system", "performance-return"))
    decided_report(operator, Outcome.NOT_A_CRIME)
    assert list(RobotTask.objects.values_list("target", flat=True)) == ["performance-return"]


def test_a_retry_finds_the_record_an_earlier_try_wrote_and_writes_no_second(
    operator, robot_env, targets_file
) -> None:
    targets_file(only=("crime-system",))
    decided_report(operator)
    task = RobotTask.objects.get()
    # An earlier try wrote the record, then its worker died before saying so.
    connector = ApiConnector(robot_targets().get("crime-system"))
    connector.write(task.idempotency_key, task.fields, Deadline(10))
    connector.close()
    run_robot_until_idle()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.tries.get().outcome == AttemptOutcome.ALREADY_THERE
    assert len(robot_env.state()["crimes"]) == 1


def test_a_record_the_target_refuses_goes_to_a_person_with_the_field_named(
    operator, robot_env, targets_file
) -> None:
    targets_file(only=("crime-system",))
    decided_report(operator, report={"description": "A long account. " * 300})  # 4,800 chars
    run_robot_until_idle()
    task = RobotTask.objects.get()
    assert task.status == TaskStatus.FAILED
    assert "summary is longer than 4000 characters" in task.last_error
    assert task.attempts == 1  # permanent: not retried
    item = task.manual_item
    assert item.kind == WorkKind.MANUAL_TRANSPOSITION and item.status == WorkStatus.QUEUED
    assert "Crime recording system by hand" in item.summary and "summary" in item.summary
    assert robot_env.state()["crimes"] == []


def test_the_file_drop_gets_one_complete_csv_per_decision_named_by_its_key(
    operator, robot_env, targets_file
) -> None:
    targets_file(only=("performance-return",))
    decision = decided_report(operator)
    run_robot_until_idle()
    task = RobotTask.objects.get()
    folder = Path(settings.VAR_DIR) / "robots/drop/performance-return"
    assert [p.name for p in folder.iterdir()] == [f"{task.idempotency_key}.csv"]
    rows = list(csv.DictReader(io.StringIO((folder / task.downstream_ref).read_text())))
    assert rows == [
        {
            "reference": task.idempotency_key, "report_reference": decision.report.reference,
            "channel": "web", "received_at": task.fields["received_at"], "outcome": "crime",
            "offence_code": "49", "crime_number": decision.crime.crime_number,
            "opening_code": "108", "closing_code": "108", "decided_by": "olivia",
            "decided_at": task.fields["decided_at"],
        }
    ]  # fmt: skip
    assert task.status == TaskStatus.DONE and len(task.verified_fields) == 11


def test_a_drop_file_that_differs_from_the_record_is_reported_not_overwritten(
    operator, robot_env, targets_file
) -> None:
    targets_file(only=("performance-return",))
    decided_report(operator)
    task = RobotTask.objects.get()
    folder = Path(settings.VAR_DIR) / "robots/drop/performance-return"
    folder.mkdir(parents=True)
    tampered = folder / f"{task.idempotency_key}.csv"
    tampered.write_bytes(b"reference,outcome\r\nX,not_a_crime\r\n")
    run_robot_until_idle()
    task.refresh_from_db()
    assert task.status == TaskStatus.FAILED
    assert "outcome is 'not_a_crime', not 'crime'" in task.last_error
    assert tampered.read_bytes() == b"reference,outcome\r\nX,not_a_crime\r\n"


def test_a_json_drop_holds_one_object_with_the_mapped_names(
    operator, robot_env, targets_file
) -> None:
    path = targets_file(only=("performance-return",))
    path.write_text(path.read_text().replace('format = "csv"', 'format = "json"'))
    decided_report(operator, Outcome.NOT_A_CRIME)
    run_robot_until_idle()
    task = RobotTask.objects.get()
    written = Path(settings.VAR_DIR) / "robots/drop/performance-return" / task.downstream_ref
    assert written.name == f"{task.idempotency_key}.json"
    record = json.loads(written.read_text())
    assert record["reference"] == task.idempotency_key and record["outcome"] == "not_a_crime"
    assert record["crime_number"] == "" and task.status == TaskStatus.DONE
