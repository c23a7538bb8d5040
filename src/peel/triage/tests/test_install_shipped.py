"""`migrate` brings Peel's shipped rule set through an audited action."""

from __future__ import annotations

import pytest
from django.db import transaction

from peel.audit.actors import command
from peel.audit.models import AuditEvent
from peel.triage.actions import do_install_shipped_ruleset
from peel.triage.models import RuleSetStatus, RuleSetVersion
from peel.triage.rules import parse_ruleset
from peel.triage.store import SHIPPED

pytestmark = pytest.mark.django_db


class Undo(Exception):
    """Raised to roll a transaction back after looking inside it."""


def _shipped_version() -> str:
    return parse_ruleset(SHIPPED.read_text(), SHIPPED.name).version


def _upgrade_events() -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(action__startswith="triage.ruleset_", actor_label="peel upgrade")
        .order_by("id")
        .values_list("action", "object_id")
    )


def test_migrate_installed_and_switched_on_the_shipped_version() -> None:
    row = RuleSetVersion.objects.get(status=RuleSetStatus.ACTIVE)
    assert row.version == _shipped_version() and row.created_by is None
    assert ("triage.ruleset_activated", str(row.pk)) in _upgrade_events()


def test_installing_again_changes_and_records_nothing() -> None:
    before = _upgrade_events()
    do_install_shipped_ruleset(command("upgrade"))
    assert _upgrade_events() == before


def test_a_new_shipped_version_is_installed_and_switched_on_in_one_audited_transaction() -> None:
    # The version in use is an older shipped one (as if Peel had just been upgraded).
    old = RuleSetVersion.objects.get(status=RuleSetStatus.ACTIVE)
    RuleSetVersion.objects.filter(pk=old.pk).update(version="0-older")
    before = _upgrade_events()
    with pytest.raises(Undo), transaction.atomic():
        new = do_install_shipped_ruleset(command("upgrade"))
        assert new.status == RuleSetStatus.ACTIVE and new.version == _shipped_version()
        assert _upgrade_events()[len(before) :] == [
            ("triage.ruleset_installed", str(new.pk)),
            ("triage.ruleset_activated", str(new.pk)),
        ]
        raise Undo
    assert RuleSetVersion.objects.get(status=RuleSetStatus.ACTIVE) == old
    assert _upgrade_events() == before

    new = do_install_shipped_ruleset(command("upgrade"))
    old.refresh_from_db()
    assert old.status == RuleSetStatus.RETIRED and new.status == RuleSetStatus.ACTIVE
    assert len(_upgrade_events()) == len(before) + 2
