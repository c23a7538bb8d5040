"""The role sync after `migrate` is an audited action: what it changes is in the audit log."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from peel.accounts.actions import do_sync_roles
from peel.accounts.models import Team
from peel.audit.actors import command
from peel.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


class Undo(Exception):
    """Raised to roll a transaction back after looking inside it."""


def _codes(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_syncing_again_changes_and_records_nothing() -> None:
    count = AuditEvent.objects.count()
    do_sync_roles(command("upgrade"))
    assert AuditEvent.objects.count() == count


def test_a_role_put_right_is_audited_and_rolled_back_with_it() -> None:
    group = Group.objects.get(name="operator")
    granted = _codes(group)
    group.permissions.remove(*group.permissions.filter(codename="get_work"))
    last = AuditEvent.objects.order_by("id").last()
    new = AuditEvent.objects.filter(id__gt=last.pk if last else 0)
    with pytest.raises(Undo), transaction.atomic():
        do_sync_roles(command("upgrade"))
        assert _codes(group) == granted
        [event] = new.filter(action="account.role_permissions_synced", object_id=str(group.pk))
        assert "workqueue.get_work" not in event.before["permissions"]
        assert sorted(granted) == event.after["permissions"]
        raise Undo
    assert "workqueue.get_work" not in _codes(group)
    assert not new.exists()


def test_a_missing_team_is_created_and_audited() -> None:
    Team.objects.filter(slug="records").delete()
    do_sync_roles(command("upgrade"))
    team = Team.objects.get(slug="records")
    [event] = AuditEvent.objects.filter(action="account.team_created", object_id=str(team.pk))
    assert event.actor_label == "peel upgrade" and event.after == {"name": team.name}
