"""Helpers for robot tests and benchmarks: work tasks in this thread, shape the targets file.

A decided report to feed the robots is `peel.process.testing.decided_report` (it files through
intake and decides through review, which robots must not import)."""

from __future__ import annotations


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
