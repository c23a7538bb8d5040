"""Which rule set is in use. Versions live in the database (RuleSetVersion); Peel's shipped
rule set is installed there after every migrate, and switched on unless a force has switched on
one of its own (`actions.do_install_shipped_ruleset`)."""

from __future__ import annotations

from peel.triage.models import RuleSetStatus, RuleSetVersion
from peel.triage.rules import RULESET_DIR, RuleSet, parse_ruleset_cached

SHIPPED = RULESET_DIR / "default.toml"


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
