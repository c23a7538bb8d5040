"""`audit.deferred()`: a transaction's events are appended at its end, in order, still in the
same transaction, and the chain stays verifiable with several writers at once."""

from __future__ import annotations

import json
import threading
from collections import Counter

import pytest
from django.db import connection, transaction

from peel.audit import log as audit
from peel.audit.actors import Robot
from peel.audit.log import verify_chain
from peel.audit.models import AuditEvent
from peel.intake.models import Submission
from peel.intake.pipeline import accept_json, file_pending
from peel.process.testing import file_report
from peel.reports.actions import do_set_report_status
from peel.reports.choices import Channel, ReportStatus
from peel.reports.models import Report
from peel.sdm.samples import sample_document
from peel.triage.actions import do_rescore_report


def _actions_after(last_id: int) -> list[str]:
    return list(AuditEvent.objects.filter(id__gt=last_id).values_list("action", flat=True))


def _last_id() -> int:
    last = AuditEvent.objects.last()
    return last.id if last else 0


@pytest.mark.django_db
def test_events_are_written_at_the_end_of_the_block_in_order_and_chained() -> None:
    report = file_report()
    start = _last_id()
    after = {"n": 1}
    with transaction.atomic(), audit.deferred():
        first = audit.record(Robot("test"), "report.status_changed", report, after=after)
        after["n"] = 99  # the event keeps what it was given when recorded
        second = audit.record(Robot("test"), "report.restricted", report, after={"n": 2})
        assert _actions_after(start) == []  # nothing written yet, so no lock held yet
        assert first.pk is None
    rows = list(AuditEvent.objects.filter(id__gt=start))
    assert [(r.action, r.after) for r in rows] == [
        ("report.status_changed", {"n": 1}),
        ("report.restricted", {"n": 2}),
    ]
    # The returned events are the rows written: ids and hashes filled in at the append.
    assert [first.pk, second.pk] == [r.pk for r in rows]
    assert [first.hash, second.hash] == [r.hash for r in rows]
    assert rows[0].prev_hash == AuditEvent.objects.get(id=start).hash
    assert rows[1].prev_hash == rows[0].hash
    assert verify_chain().ok


@pytest.mark.django_db
def test_an_exception_inside_the_block_writes_neither_the_change_nor_its_events() -> None:
    report = file_report()
    start = _last_id()
    with pytest.raises(ValueError, match="went wrong"), transaction.atomic(), audit.deferred():
        do_set_report_status(Robot("test"), report, ReportStatus.DECIDED)
        raise ValueError("something went wrong after the change")
    assert Report.objects.get(pk=report.pk).status == ReportStatus.RECEIVED
    assert _actions_after(start) == []
    report.refresh_from_db()
    with transaction.atomic():  # the chain carries on from where it was
        do_set_report_status(Robot("test"), report, ReportStatus.DECIDED)
    assert _actions_after(start) == ["report.status_changed"]
    assert verify_chain().ok


@pytest.mark.django_db
def test_events_of_a_rolled_back_savepoint_are_dropped_and_the_others_kept() -> None:
    kept, undone = file_report(), file_report()
    start = _last_id()
    with transaction.atomic(), audit.deferred():
        audit.record(Robot("test"), "report.status_changed", kept)
        try:
            with transaction.atomic():  # a savepoint, as file_next wraps each filing
                do_set_report_status(Robot("test"), undone, ReportStatus.DECIDED)
                raise RuntimeError("filing failed")
        except RuntimeError:
            pass
        do_set_report_status(Robot("test"), kept, ReportStatus.DECIDED)
    rows = list(AuditEvent.objects.filter(id__gt=start))
    assert [(r.action, r.object_id) for r in rows] == [
        ("report.status_changed", str(kept.pk)),
        ("report.status_changed", str(kept.pk)),
    ]
    assert Report.objects.get(pk=undone.pk).status == ReportStatus.RECEIVED
    assert verify_chain().ok


@pytest.mark.django_db
def test_nested_blocks_append_once_at_the_outermost_end() -> None:
    report = file_report()
    start = _last_id()
    with transaction.atomic(), audit.deferred():
        with transaction.atomic(), audit.deferred():
            audit.record(Robot("test"), "report.status_changed", report)
        assert _actions_after(start) == []
        audit.record(Robot("test"), "report.restricted", report)
    assert _actions_after(start) == ["report.status_changed", "report.restricted"]


@pytest.mark.django_db(transaction=True)
def test_a_deferred_block_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="same transaction"), audit.deferred():
        pass


SHARED_EMAIL = "same.victim.every.time@example.org"


def _received(count: int, shared: int) -> None:
    """`count` submissions received as a hub replay leaves them; the first `shared` have one
    victim (the same email address), so their filings must see each other."""
    for i in range(count):
        document = sample_document(seed=77_000 + i)
        if i < shared:
            for entity in document["included"]:
                if "emailAddress" in entity.get("attributes", {}):
                    entity["attributes"]["emailAddress"] = SHARED_EMAIL
        raw = json.dumps(document).encode()
        assert accept_json(Robot("hub"), Channel.API, raw, file_now=False).ok


@pytest.mark.django_db(transaction=True)
def test_several_workers_filing_at_once_keep_the_chain_verifiable_and_each_filing_whole() -> None:
    count, shared, workers = 24, 6, 4
    _received(count, shared)
    start = _last_id()
    errors: list[BaseException] = []
    gate = threading.Barrier(workers)

    def worker() -> None:
        try:
            gate.wait()
            file_pending(Robot("intake worker"), limit=count)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not errors, errors

    assert not Submission.objects.filter(report__isnull=True).exists()
    events = list(AuditEvent.objects.filter(id__gt=start).order_by("id"))
    filed = Counter(e.object_id for e in events if e.action == "intake.filed")
    assert len(filed) == count and set(filed.values()) == {1}
    result = verify_chain()
    assert result.ok and result.checked == AuditEvent.objects.count()
    # Each filing's events are one run in the chain, in the order they were recorded: no other
    # worker's event falls between a report's creation and its filing, assessment and queueing.
    for i, event in enumerate(events):
        if event.action != "report.created":
            continue
        reference = Report.objects.get(pk=event.object_id).reference
        run = [(e.action, (e.after or {}).get("report")) for e in events[i + 1 : i + 3]]
        assert run == [("intake.filed", reference), ("triage.assessed", reference)]
        assert events[i + 3].action == "work.enqueued"
    # Filings of one victim took turns: every one of that victim's reports is graded on all
    # the others (re-scoring each now changes nothing).
    victims = Report.objects.filter(involvements__person__email=SHARED_EMAIL).distinct()
    assert victims.count() == shared
    for report in victims:
        latest = report.assessments.order_by("-assessed_at", "-id").first()
        assert latest is not None and latest.facts["repeat_victim_reports"] == shared - 1
        with transaction.atomic():
            assert do_rescore_report(Robot("test"), report, "check") is None
