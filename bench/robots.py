"""Robots against the sandbox systems: healthy, under injected faults, and across a layout change.

    peel bench robots [--healthy 60] [--faulty 30] [--changed 10] [--workers 2]

Each phase files and decides reports (so each decision has a task for the sandbox CHS by
legacy screens, the file drop and, for crimes, the crime system's API), then runs a pool of
robot worker threads until every task has ended:

- healthy: the sandbox as shipped;
- faulty: 5% of requests answer 500 and every page is 100 ms slower;
- changed: the CHS switched to its `refresh` layout (the robots' map describes `classic`).

Then every record in the sandbox is checked independently of the robots: read off the CHS by
the labels its record page shows and compared with what the decision says, and counted per
key, so a wrong or duplicate record would show even if the robots' own read-back missed it.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from harness import emit, machine, prepare_database

POLICY = """
[defaults]
max_attempts = 8
timeout_seconds = 60
retry_base_seconds = 0.2
retry_cap_seconds = 2
breaker_threshold = 20
breaker_cooldown_seconds = 2
breaker_max_cooldown_seconds = 4
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--healthy", type=int, default=60)
    parser.add_argument("--faulty", type=int, default=30)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="peel-bench-robots-"))
    targets = folder / "targets.toml"
    import os

    os.environ["PEEL_ROBOT_TARGETS"] = str(targets)
    engine = prepare_database()

    from peel.accounts.actions import do_create_user
    from peel.audit.actors import Robot
    from peel.robots.sandbox import Sandbox
    from peel.robots.testing import targets_with_policy

    targets.write_text(targets_with_policy(POLICY))
    sandbox = Sandbox(folder / "chs.sqlite3").start()
    os.environ.update(sandbox.environment())
    operator = do_create_user(Robot("bench"), "bench-operator", "x" * 20, ["operator"])
    try:
        phases = {
            "healthy": run_phase(operator, sandbox, args.healthy, args.workers, {}),
            "faulty": run_phase(
                operator, sandbox, args.faulty, args.workers, {"error_rate": 0.05, "slow_ms": 100}
            ),
            "changed": run_phase(
                operator, sandbox, args.changed, args.workers, {"layout": "refresh"}
            ),
        }
        independent = check_sandbox(sandbox)
    finally:
        sandbox.stop()
    emit(
        {
            "benchmark": "robots",
            "engine": engine,
            "workers": args.workers,
            "phases": phases,
            "sandbox_check": independent,
            "machine": machine(),
        }
    )


def run_phase(operator, sandbox, count: int, workers: int, faults: dict) -> dict:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from peel.process.testing import decided_report
    from peel.robots.choices import TaskStatus
    from peel.robots.metrics import robot_figures
    from peel.robots.models import RobotTask
    from peel.robots.worker import start_pool
    from peel.workqueue.models import WorkItem, WorkKind, WorkStatus

    WorkItem.objects.filter(kind=WorkKind.MANUAL_TRANSPOSITION).update(status=WorkStatus.DONE)
    before = set(RobotTask.objects.values_list("pk", flat=True))
    sandbox.control(error_rate=0.0, slow_ms=0, layout="classic")
    for n in range(count):
        decided_report(operator, "crime" if n % 3 else "not_a_crime")
    sandbox.control(**faults)
    since = timezone.now()
    started = time.perf_counter()
    stop = threading.Event()
    pool = start_pool(workers, stop, interval=0.1)
    tasks = RobotTask.objects.exclude(pk__in=before)
    while tasks.filter(status__in=[TaskStatus.QUEUED, TaskStatus.RUNNING]).exists():
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    stop.set()
    for thread in pool:
        thread.join()
    figures = robot_figures(since=since)
    return {
        "decisions": count,
        "tasks": tasks.count(),
        "written": tasks.filter(status=TaskStatus.DONE).count(),
        "to_a_person": tasks.filter(status=TaskStatus.FAILED).count(),
        "success_percent": round(figures.success_percent or 0, 2),
        "tries": sum(t.attempts for t in tasks),
        "fields_written": figures.fields_written,
        "fields_verified": figures.fields_verified,
        "wrong_records_seen_by_robots": figures.wrong_records,
        "seconds": round(seconds, 1),
        "items_per_minute": round(tasks.count() / seconds * 60, 1),
        "per_worker_items_per_minute": [
            round(w.per_minute, 1) for w in figures.workers if w.per_minute is not None
        ],
        "time_per_item_s": {
            t.name: {"p50": round(t.median_seconds, 3), "p95": round(t.p95_seconds or 0, 3)}
            for t in figures.targets
            if t.median_seconds is not None
        },
        "manual_minutes_saved": figures.minutes_saved,
    }


def check_sandbox(sandbox) -> dict:  # type: ignore[no-untyped-def]
    """Every record the sandbox holds, compared with the decision it came from."""
    from peel.robots.connectors.legacy.screen_map import load_screen_map
    from peel.robots.models import RobotTask

    screen_map = load_screen_map("chs-classic")
    labels = screen_map.record["labels"]
    specs = screen_map.field_specs()
    sandbox.control(layout="classic", error_rate=0.0, slow_ms=0)  # read by the classic labels
    state = sandbox.state()
    tasks = {t.idempotency_key: t for t in RobotTask.objects.filter(target="chs")}
    wrong, per_key = 0, {}
    for contact in state["contacts"]:
        key = contact["fields"]["ext_ref"]
        per_key[key] = per_key.get(key, 0) + 1
        values = tasks[key].fields
        if contact["layout"] != "classic" or any(
            contact["shown"].get(labels[name]) != spec.value(values) for name, spec in specs.items()
        ):
            wrong += 1
    crime_keys = [c["record"]["sourceReference"] for c in state["crimes"]]
    return {
        "chs_records": len(state["contacts"]),
        "chs_wrong_records": wrong,
        "chs_duplicates": sum(n - 1 for n in per_key.values()),
        "crime_records": len(crime_keys),
        "crime_duplicates": len(crime_keys) - len(set(crime_keys)),
        "chs_fields_checked": len(state["contacts"]) * len(specs),
    }


if __name__ == "__main__":
    main()
