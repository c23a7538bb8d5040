"""Review's writes to other records are audited in the decision's transaction: the decisions a
new one supersedes, and the work item a sent-back decision or a reporter's answer puts back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from peel.audit.models import AuditEvent
from peel.process.testing import file_report
from peel.review.actions import (
    do_answer_info_request,
    do_record_decision,
    do_sample_decisions,
    do_send_back,
)
from peel.review.choices import NextAction
from peel.review.models import Decision
from peel.review.testing import decision_input
from peel.workqueue.actions import do_get_work
from peel.workqueue.models import WorkItem, WorkKind, WorkStatus

pytestmark = pytest.mark.django_db


class Undo(Exception):
    """Raised to roll a transaction back after looking inside it."""


def _decide(operator, **changes) -> Decision:
    item = do_get_work(operator)
    assert item is not None
    return do_record_decision(operator, item, decision_input(**changes))


def _sent_back(operator, supervisor) -> tuple[Decision, WorkItem]:
    file_report()
    first = _decide(operator)
    check = do_sample_decisions(supervisor, 1, timezone.now() - dt.timedelta(days=1))[0]
    do_send_back(supervisor, check.pk, "Check the offence.")
    check.refresh_from_db()
    return first, check.sent_back_item


def _events(action: str, obj) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(obj.pk)))


def test_a_superseded_decision_is_audited_and_rolled_back_with_the_new_one(
    operator, supervisor
) -> None:
    first, _ = _sent_back(operator, supervisor)
    with pytest.raises(Undo), transaction.atomic():
        second = _decide(operator)
        assert Decision.objects.get(pk=first.pk).superseded_at is not None
        [event] = _events("review.decision_superseded", first)
        assert event.actor == operator and event.after["by"] == second.pk
        raise Undo
    assert Decision.objects.get(pk=first.pk).superseded_at is None
    assert _events("review.decision_superseded", first) == []

    second = _decide(operator)
    first.refresh_from_db()
    [event] = _events("review.decision_superseded", first)
    assert event.before == {"superseded_at": None}
    assert event.after == {"superseded_at": event.after["superseded_at"], "by": second.pk}
    assert first.superseded_at is not None and second.superseded_at is None


def test_a_sent_back_item_is_reserved_for_its_operator_by_the_enqueue_event(
    operator, supervisor
) -> None:
    _, item = _sent_back(operator, supervisor)
    assert item.reserved_for == operator
    [event] = _events("work.enqueued", item)
    assert event.actor == supervisor
    assert event.after["reserved_for"] == operator.pk
    assert event.after["summary"] == item.summary
    assert item.summary.endswith("Check the offence.")


def test_the_reporters_answer_puts_back_an_item_whose_summary_is_in_its_event(operator) -> None:
    report = file_report()
    _decide(operator, actions=[NextAction.REQUEST_INFO], info_request="What colour was it?")
    with pytest.raises(Undo), transaction.atomic():
        do_answer_info_request(report, "Red.")
        item = WorkItem.objects.get(
            report=report, kind=WorkKind.REVIEW_REPORT, status=WorkStatus.QUEUED
        )
        [event] = _events("work.enqueued", item)
        assert event.after["summary"] == "The reporter answered a request for information."
        raise Undo
    assert not WorkItem.objects.filter(report=report, status=WorkStatus.QUEUED).exists()
