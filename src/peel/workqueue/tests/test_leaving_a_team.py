"""Work kept for someone (a decision sent back to its operator) follows them only while they
serve that queue: when they leave the team it goes to anyone in the team, audited."""

from __future__ import annotations

import pytest

from peel.accounts.models import Team
from peel.audit.actors import TEST
from peel.audit.models import AuditEvent
from peel.process.testing import file_report
from peel.workqueue.actions import do_enqueue, do_get_work
from peel.workqueue.models import WorkItem, WorkKind, WorkStatus

pytestmark = pytest.mark.django_db


def kept_for(user) -> WorkItem:
    report = file_report()
    WorkItem.objects.filter(report=report).update(status=WorkStatus.DONE)  # only the kept one
    return do_enqueue(TEST, WorkKind.REVIEW_REPORT, "P3", report=report, reserved_for=user)


@pytest.mark.parametrize("side", ["user.teams", "team.members"])
def test_leaving_the_team_gives_the_kept_item_to_the_team(operator, other_operator, side) -> None:
    item = kept_for(operator)
    centre = Team.objects.get(slug="contact-centre")
    operator.teams.add(Team.objects.get(slug="despatch"))  # moved to despatch, as in the admin
    if side == "user.teams":
        operator.teams.remove(centre)
    else:
        centre.members.remove(operator)
    item.refresh_from_db()
    assert item.reserved_for is None and item.status == WorkStatus.QUEUED
    event = AuditEvent.objects.get(action="work.reservation_released", object_id=str(item.pk))
    assert event.before == {"reserved_for": operator.pk}
    assert do_get_work(operator) is None  # nothing for them: they left the contact centre
    got = do_get_work(other_operator)
    assert got is not None and got.pk == item.pk


def test_leaving_another_team_keeps_the_item(operator) -> None:
    item = kept_for(operator)
    despatch = Team.objects.get(slug="despatch")
    operator.teams.add(despatch)
    operator.teams.remove(despatch)
    item.refresh_from_db()
    assert item.reserved_for_id == operator.pk
    assert not AuditEvent.objects.filter(action="work.reservation_released").exists()
