"""Triage throughput and the cost of re-scoring when one person's history changes.

    peel bench triage [--reports 2000] [--history 20]

1. rules only: `evaluate` on the example reports' facts, repeated (no database).
2. full assessments: `do_rescore_report` on `--reports` filed reports, each reading its facts,
   linked history and DASH from the database and writing an audited assessment when it changes.
3. history change: one victim already has `--history` open reports; a new report for the same
   person is filed and every one of those is re-scored (repeat victim), in one transaction.
   Printed as the time to file that report against filing one for a stranger.
"""

from __future__ import annotations

import argparse
import time

from harness import emit, machine, percentiles, prepare_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--history", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5, help="history-change runs")
    args = parser.parse_args()
    engine = prepare_database()

    from peel.audit.actors import Robot
    from peel.intake.actions import do_accept_draft
    from peel.process.demodata import DemoReportFactory
    from peel.process.testing import make_draft
    from peel.reports.choices import Role
    from peel.reports.drafts import PersonDraft
    from peel.reports.models import Report
    from peel.triage.actions import do_rescore_report
    from peel.triage.examples import load_examples
    from peel.triage.rules import evaluate
    from peel.triage.store import active_ruleset

    ruleset = active_ruleset()
    examples = load_examples()
    rounds = 20_000 // len(examples)
    started = time.perf_counter()
    for _ in range(rounds):
        for example in examples:
            evaluate(ruleset, example.facts)
    rules_per_s = rounds * len(examples) / (time.perf_counter() - started)

    factory = DemoReportFactory(seed=7)
    for draft in factory.reports(args.reports):
        do_accept_draft(Robot("bench"), draft)
    reports = list(Report.objects.order_by("pk"))
    timings = []
    started = time.perf_counter()
    for report in reports:
        t = time.perf_counter()
        do_rescore_report(Robot("bench"), report, "Benchmark re-score")
        timings.append((time.perf_counter() - t) * 1000)
    assessments_per_s = len(reports) / (time.perf_counter() - started)

    def victim(email: str) -> list[PersonDraft]:
        return [
            PersonDraft(
                roles=[Role.PERSON_REPORTING.value, Role.VICTIM.value],
                given_name="Repeat", family_name="Victim", email=email,
            )
        ]  # fmt: skip

    for _ in range(args.history):
        do_accept_draft(
            Robot("bench"), make_draft(people=victim("repeat.victim@example.org"), location=None)
        )
    with_history, stranger = [], []
    for run in range(args.repeats):
        t = time.perf_counter()
        do_accept_draft(
            Robot("bench"), make_draft(people=victim("repeat.victim@example.org"), location=None)
        )
        with_history.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        do_accept_draft(
            Robot("bench"), make_draft(people=victim(f"stranger{run}@example.org"), location=None)
        )
        stranger.append((time.perf_counter() - t) * 1000)
    linked = args.history + args.repeats - 1
    emit(
        {
            "benchmark": "triage",
            "engine": engine,
            "ruleset": f"{ruleset.name} {ruleset.version} ({len(ruleset.rules)} rules)",
            "rules_only_evaluations_per_second": round(rules_per_s),
            "full_assessments": {
                "reports": len(reports),
                "per_second": round(assessments_per_s, 1),
                **percentiles(timings),
            },
            "history_change": {
                "open_reports_for_the_person": f"{args.history} to {linked}",
                "file_new_report_for_that_person_ms": round(
                    sorted(with_history)[len(with_history) // 2], 1
                ),
                "file_new_report_for_a_stranger_ms": round(sorted(stranger)[len(stranger) // 2], 1),
                "rescore_cost_per_linked_report_ms": round(
                    (
                        sorted(with_history)[len(with_history) // 2]
                        - sorted(stranger)[len(stranger) // 2]
                    )
                    / ((args.history + linked) / 2),
                    2,
                ),
            },
            "machine": machine(),
        }
    )


if __name__ == "__main__":
    main()
