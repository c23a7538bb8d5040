"""Get Work latency: concurrent operators drain a queue of review items.

    peel bench getwork [--operators 16] [--items 10000]

Each operator loops: press Get Work (timed), then finish the item (not timed). Prints p50, p95,
p99 and max latency of Get Work and the overall claim rate, with the machine's description.
"""

from __future__ import annotations

import argparse
import threading
import time

from harness import emit, machine, percentiles, prepare_database, run_threads


def seed_queue(items: int) -> None:
    import datetime as dt

    from django.utils import timezone

    from peel.reports.models import Report
    from peel.workqueue.models import GRADE_RANK, WorkItem, WorkKind

    now = timezone.now()
    grades = list(GRADE_RANK)
    reports = Report.objects.bulk_create(
        Report(
            reference=f"BENCH-{i:08d}", channel="web", received_at=now, how_involved="victim",
            description="Benchmark report", suspect_known="unknown",
        )
        for i in range(items)
    )  # fmt: skip
    WorkItem.objects.bulk_create(
        WorkItem(
            kind=WorkKind.REVIEW_REPORT, report=r, grade=grades[i % 4], rank=GRADE_RANK[grades[i % 4]],
            due_at=now + dt.timedelta(minutes=i % 1440), created_at=now,
        )
        for i, r in enumerate(reports)
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--operators", type=int, default=16)
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()

    engine = prepare_database()
    from django.db import connection

    from peel.accounts.actions import do_create_user
    from peel.workqueue.actions import do_get_work
    from peel.workqueue.models import WorkItem, WorkStatus

    seed_queue(args.items)
    users = [
        do_create_user("bench", f"bench-op{i}", "unused-bench-password", ["operator"])
        for i in range(args.operators)
    ]
    latencies: list[float] = []
    claimed: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(args.operators)

    def operator(user: object) -> None:
        mine: list[float] = []
        ids: list[int] = []
        barrier.wait()
        while True:
            started = time.perf_counter()
            item = do_get_work(user)
            mine.append((time.perf_counter() - started) * 1000)
            if item is None:
                break
            ids.append(item.pk)
            WorkItem.objects.filter(pk=item.pk).update(status=WorkStatus.DONE)
        connection.close()
        with lock:
            latencies.extend(mine)
            claimed.extend(ids)

    elapsed = run_threads(operator, [(u,) for u in users])
    emit(
        {
            "benchmark": "getwork",
            "engine": engine,
            "operators": args.operators,
            "items": args.items,
            "claimed": len(claimed),
            "handed_out_twice": len(claimed) - len(set(claimed)),
            "claims_per_second": round(len(claimed) / elapsed, 1),
            **percentiles(latencies),
            "machine": machine(),
        }
    )


if __name__ == "__main__":
    main()
