"""After a burst, received reports are filed riskiest first, the backlog is on the supervisor's
queue page with an alert, and several `peel worker` processes file it together, none twice."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from peel.intake.models import Submission
from peel.intake.pipeline import file_next, intake_backlog
from peel.process.testing import api_client_headers, peel_process
from peel.reports.models import Report
from peel.sdm.samples import sample_document
from peel.workqueue.models import WorkItem


def _document(seed: int, **risk: Any) -> dict[str, Any]:
    document = sample_document(seed=seed)
    incident = document["data"]["attributes"]
    incident.update({"incidentStillHappening": False, "hadWeapon": False})
    incident.update(risk.pop("incident", {}))
    submission = next(e for e in document["included"] if e["type"] == "submission")
    submission["attributes"]["highHarmFlag"] = "TRUE" if risk.pop("high_harm", False) else "FALSE"
    return document


@pytest.fixture
def hub(client: Client) -> Any:
    headers = api_client_headers()

    def post(document: dict[str, Any]) -> Any:
        response = client.post(
            "/process", json.dumps(document), content_type="application/json", headers=headers
        )
        assert response.status_code == 200, response.content
        return response.json()["meta"]["submissionId"]

    return post


@pytest.mark.django_db
def test_received_reports_are_filed_riskiest_first_then_oldest(hub: Any) -> None:
    plain = [hub(_document(seed)) for seed in range(400, 405)]
    high_harm = hub(_document(405, high_harm=True))
    happening_now = hub(_document(406, incident={"incidentStillHappening": True}))
    assaulted = hub(_document(407, incident={"physicallyAssaulted": True}))
    order = []
    while (outcome := file_next()) is not None:
        order.append(outcome.submission_id)
    assert order[:2] == [happening_now, high_harm]
    # Then by each one's own risk (a harassment sample counts as a threat, a victim at risk of
    # domestic abuse as vulnerable), and in arrival order where the risk is the same.
    rows = {str(s.pk): s for s in Submission.objects.all()}
    expected = sorted(rows.values(), key=lambda s: (-s.priority, s.received_at))
    assert order == [str(s.pk) for s in expected] and len(order) == 8
    assert rows[happening_now].priority >= 64 and rows[high_harm].priority >= 24
    assert rows[assaulted].priority >= 12 > min(rows[p].priority for p in plain)


@pytest.mark.django_db
def test_the_supervisors_queue_page_shows_the_backlog_and_alerts_when_it_is_old(
    staff_client, hub: Any, supervisor: Any, settings: Any
) -> None:
    client = staff_client(supervisor)
    page = client.get("/staff/queue/").content.decode()
    assert 'data-testid="intake-backlog"' not in page  # nothing waiting, nothing shown
    for seed in range(410, 413):
        hub(_document(seed))
    page = client.get("/staff/queue/?partial=1").content.decode()
    assert '<strong data-testid="intake-waiting">3</strong> received reports' in page
    assert "Reports are waiting to be filed" not in page  # young: no alert yet
    Submission.objects.update(received_at=timezone.now() - timedelta(minutes=7))
    backlog = intake_backlog()
    assert backlog.waiting == 3 and backlog.alert and backlog.oldest_text == "7 min"
    page = client.get("/staff/queue/").content.decode()
    assert 'role="alert"' in page and "Reports are waiting to be filed" in page
    assert '<strong data-testid="intake-oldest">7 min</strong>' in page
    while file_next() is not None:
        pass
    assert 'data-testid="intake-backlog"' not in client.get("/staff/queue/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_three_worker_processes_file_a_backlog_together_and_none_twice(
    hub: Any, settings: Any
) -> None:
    count = 60
    for seed in range(count):
        hub(_document(500 + seed, incident={"incidentStillHappening": seed % 7 == 0}))
    workers = [peel_process(["worker", "--robots", "0"], settings) for _ in range(3)]
    try:
        deadline = time.monotonic() + 240
        while Report.objects.count() < count and time.monotonic() < deadline:
            assert all(w.poll() is None for w in workers), "a worker exited"
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.communicate(timeout=60)
    assert Report.objects.count() == count
    assert WorkItem.objects.filter(kind="review_report").count() == count
    assert not Submission.objects.filter(report__isnull=True).exists()
    # Each was filed by exactly one worker: one "intake.filed" event per submission.
    from peel.audit.models import AuditEvent

    filed = AuditEvent.objects.filter(action="intake.filed")
    assert filed.count() == count
    assert filed.values("object_id").distinct().count() == count


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59Z"]
)
def test_an_impossible_incident_time_is_left_out_and_named_and_the_report_stays_readable(
    hub: Any, start: str
) -> None:
    """Dates at the edge of the calendar pass the schema. Year 1 at +14:00 is 1 BC in UTC:
    PostgreSQL stored it and then no page could read the report; SQLite overflowed converting
    it, and the worker tried the submission again every half second, forever."""
    document = _document(420)
    document["data"]["attributes"]["incidentStartDateTime"] = start
    hub(document)
    outcome = file_next()
    assert outcome is not None and outcome.ok
    report = Report.objects.get()  # reads every column back
    assert report.occurred_from is None
    assert any(start[:19] in flag and "left out" in flag for flag in report.flags)
    assert file_next() is None and intake_backlog().waiting == 0


@pytest.mark.django_db
def test_a_submission_that_makes_filing_fail_is_held_not_retried_forever(hub: Any) -> None:
    """Any failure while filing one submission (here: notes written by an older Peel with a
    fact the report cannot store) holds that submission with the failure named, and the worker
    files the next one instead of retrying the first forever."""
    from peel.intake.models import QuarantineItem, QuarantineReason

    broken_id, good_id = hub(_document(421)), hub(_document(422))
    Submission.objects.filter(pk=broken_id).update(
        priority=1, notes={"flags": [], "facts": {"occurred_from": "last Tuesday"}, "source": "x"}
    )
    first = file_next()
    assert first is not None and first.status == "quarantined"
    broken = Submission.objects.get(pk=broken_id)
    assert broken.report_id is None and broken.filing_error
    item = QuarantineItem.objects.get(raw=broken.raw)
    assert item.reason == QuarantineReason.INTERNAL_ERROR
    assert item.problems[0]["detail"].startswith("Filing failed with ")
    second = file_next()
    assert second is not None and second.ok and str(second.submission.pk) == good_id
    assert file_next() is None and intake_backlog().waiting == 0
