"""Which rule set is in use. Versions live in the database (RuleSetVersion); Peel's shipped
rule set is installed there after every migrate, and switched on unless a force has switched on
one of its own."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from peel.audit.actors import command
from peel.triage.models import RuleSetStatus, RuleSetVersion
from peel.triage.rules import RULESET_DIR, RuleSet, parse_ruleset, parse_ruleset_cached

SHIPPED = RULESET_DIR / "default.toml"
UPGRADE = command("upgrade")  # installs the shipped rule set after migrate


def active_ruleset() -> RuleSet:
    row = (
        RuleSetVersion.objects.filter(status=RuleSetStatus.ACTIVE)
        .values_list("name", "version", "source")
        .first()
    )
    if row is None:  # before the first migrate has finished: the shipped file
        return parse_ruleset_cached(SHIPPED.read_text(), SHIPPED.name)
    name, version, source = row
    return parse_ruleset_cached(source, f"{name} {version}")


def install_shipped_ruleset(sender: Any = None, **kwargs: Any) -> None:
    """post_migrate: add the shipped version; switch it on if the one in use was also shipped."""
    from peel.audit import log as audit

    using = kwargs.get("using", "default")
    source = SHIPPED.read_text()
    ruleset = parse_ruleset(source, SHIPPED.name)
    versions = RuleSetVersion.objects.using(using)
    with transaction.atomic(using=using):
        row, created = versions.get_or_create(
            name=ruleset.name,
            version=ruleset.version,
            defaults={"source": source, "sha256": ruleset.sha256, "created_at": timezone.now()},
        )
        if created:
            audit.record(UPGRADE, "triage.ruleset_installed", row, after={"version": row.version})
        active = versions.filter(status=RuleSetStatus.ACTIVE).first()
        if active is None or (active.created_by_id is None and active.pk != row.pk and created):
            if active is not None:
                active.status = RuleSetStatus.RETIRED
                active.save(update_fields=["status"])
            row.status, row.activated_at = RuleSetStatus.ACTIVE, timezone.now()
            row.save(update_fields=["status", "activated_at"])
            audit.record(UPGRADE, "triage.ruleset_activated", row, after={"version": row.version})
