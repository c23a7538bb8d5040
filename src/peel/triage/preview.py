"""How a proposed rule set would grade recent reports, next to the rule set in use."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from peel.reports.models import Report
from peel.triage.facts import report_facts
from peel.triage.rules import Outcome, RuleSet, evaluate


@dataclass(frozen=True)
class Regrade:
    report: Report
    now: Outcome
    proposed: Outcome

    @property
    def changed(self) -> bool:
        return self.now.grade.code != self.proposed.grade.code

    @property
    def added(self) -> list[str]:
        before = {f.sentence for f in self.now.factors}
        return [f.sentence for f in self.proposed.factors if f.sentence not in before]

    @property
    def removed(self) -> list[str]:
        after = {f.sentence for f in self.proposed.factors}
        return [f.sentence for f in self.now.factors if f.sentence not in after]


def regrade_recent(current: RuleSet, proposed: RuleSet, last: int) -> list[Regrade]:
    """Grade the last `last` reports (newest first) with both rule sets, from today's facts."""
    reports = (
        Report.objects.order_by("-received_at", "-id")
        .select_related("location")
        .prefetch_related("involvements__person", "vehicles", "items", "dash_assessments")[:last]
    )
    now = timezone.now()
    rows = []
    for report in reports:
        facts = report_facts(report, now)
        rows.append(Regrade(report, evaluate(current, facts), evaluate(proposed, facts)))
    return rows


def transitions(rows: list[Regrade]) -> Counter[tuple[str, str]]:
    return Counter((r.now.grade.code, r.proposed.grade.code) for r in rows)
