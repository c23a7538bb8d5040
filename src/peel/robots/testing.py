"""Decided reports for robot tests, the demo and benchmarks."""

from __future__ import annotations

from typing import Any

from peel.core.testing import file_report
from peel.review.actions import do_record_decision
from peel.review.models import Decision
from peel.review.testing import decision_input
from peel.workqueue.actions import do_get_work


def decided_report(operator: Any, outcome: str = "crime", **changes: Any) -> Decision:
    """File a report through intake, take it with Get Work, record the decision."""
    report = file_report(**changes.pop("report", {}))
    item = do_get_work(operator)
    assert item is not None and item.report_id == report.pk, "the queue held other work"
    return do_record_decision(operator, item, decision_input(outcome, **changes))


def run_robot_until_idle(name: str = "test-robot", limit: int = 50) -> int:
    """Work tasks in this thread (no pool) until none is ready; return how many tries ran."""
    import threading

    from peel.robots.actions import do_claim_task
    from peel.robots.worker import Robot

    worker = Robot(name, threading.Event())
    tries = 0
    try:
        while tries < limit and (task := do_claim_task(name)) is not None:
            worker.work(task)
            tries += 1
    finally:
        for connector in worker.connectors.values():
            connector.close()
    return tries


def targets_with_policy(policy: str, only: tuple[str, ...] = ()) -> str:
    """The shipped targets file with `policy` as its [defaults] and no target's own timeout
    (so the policy applies to all), keeping only the targets named in `only` if given."""
    from peel.robots.targets import SHIPPED

    text = SHIPPED.read_text()
    start, end = text.index("\n[defaults]") + 1, text.index("\n[[target]]") + 1
    blocks = text[end:].split("[[target]]\n")[1:]
    if only:
        blocks = [b for b in blocks if any(f'name = "{n}"\n' in b for n in only)]
    targets = "".join(
        "[[target]]\n"
        + "\n".join(line for line in b.split("\n") if not line.startswith("timeout_seconds ="))
        for b in blocks
    )
    return text[:start] + policy + "\n" + targets
