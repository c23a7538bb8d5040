from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from peel.audit import log as audit
from peel.reports.models import Report
from peel.triage.models import Assessment
from peel.triage.rules import evaluate, load_ruleset, report_facts


def do_assess_report(actor: Any, report: Report, ruleset_name: str | None = None) -> Assessment:
    ruleset = load_ruleset(ruleset_name or settings.PEEL["TRIAGE_RULESET"])
    now = timezone.now()
    facts = report_facts(report, now)
    outcome = evaluate(ruleset, facts)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            report=report,
            assessed_at=now,
            ruleset_name=ruleset.name,
            ruleset_version=ruleset.version,
            score=outcome.score,
            grade=outcome.grade.code,
            grade_label=outcome.grade.label,
            factors=[asdict(f) for f in outcome.factors],
            facts=facts,
        )
        audit.record(
            actor,
            "triage.assessed",
            assessment,
            after={"report": report.reference, "grade": assessment.grade,
                   "score": assessment.score, "ruleset": f"{ruleset.name} {ruleset.version}",
                   "factors": assessment.factors},
        )  # fmt: skip
    return assessment
