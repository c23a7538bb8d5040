"""Get Work latency: concurrent operators drawing from a large queue.

    peel bench getwork [--operators 50] [--items 100000] [--presses 40] [--think-ms 1000]

The queue holds `--items` report reviews of mixed grades with their deadlines. Each operator
presses Get Work `--presses` times (timed), finishing each item at once (not timed). Two runs:

- paced: each operator waits a random think time (mean `--think-ms`) between presses. Real
  operators spend minutes on a report, so this is already far busier than a contact centre.
- saturated: no think time at all; every operator presses again the moment it is handed an item.
  This measures capacity (claims per second); its latency is mostly queueing for the two cores.

- uncontended: one operator pressing 200 times, to show the cost of a claim itself.

Prints p50, p95, p99 and max latency of Get Work for each run, with the machine's description.
"""

from __future__ import annotations

import argparse
import random
import threading
import time

from harness import emit, machine, percentiles, prepare_database, run_threads


def drain(users: list[object], presses: int, think_ms: float) -> dict[str, object]:
    from django.db import connection

    from peel.workqueue.actions import do_get_work
    from peel.workqueue.models import WorkItem, WorkStatus

    latencies: list[float] = []
    claimed: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(users))

    def operator(user: object, seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        ids: list[int] = []
        barrier.wait()
        for _ in range(presses):
            if think_ms:
                time.sleep(rng.expovariate(1000 / think_ms))
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

    elapsed = run_threads(operator, [(u, i) for i, u in enumerate(users)])
    return {
        "claimed": len(claimed),
        "handed_out_twice": len(claimed) - len(set(claimed)),
        "claims_per_second": round(len(claimed) / elapsed, 1),
        **percentiles(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--operators", type=int, default=50)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--presses", type=int, default=40, help="per operator, per run")
    parser.add_argument("--think-ms", type=float, default=1000.0, help="mean, paced run")
    args = parser.parse_args()

    engine = prepare_database()
    from peel.workqueue.testing import bulk_queue, make_claimers

    started = time.perf_counter()
    bulk_queue(args.items)
    seeded_s = time.perf_counter() - started
    alone = make_claimers(1, "alone")
    paced_users = make_claimers(args.operators, "paced")
    saturated_users = make_claimers(args.operators, "saturated")
    emit(
        {
            "benchmark": "getwork",
            "engine": engine,
            "operators": args.operators,
            "queued_items": args.items,
            "seed_seconds": round(seeded_s, 1),
            # One operator, nobody else: the cost of Get Work itself.
            "uncontended": drain(alone, 200, 0),
            "paced": {
                "think_ms_mean": args.think_ms,
                **drain(paced_users, args.presses, args.think_ms),
            },
            "saturated": drain(saturated_users, args.presses, 0),
            "machine": machine(),
        }
    )


if __name__ == "__main__":
    main()
