"""Where a filing's time goes, with one and with several worker processes (PostgreSQL).

    peel bench filing [--filing 200] [--workers 3]

`--filing` submissions are received as a hub replay leaves them (untimed), then filed by one
process running `file_next` until none is left; then as many again by `--workers` processes
side by side. For each run: filings a second, and per filing the time in a worker, the worker's
own CPU time (Python and the driver), its database backend's CPU time (read from /proc, so the
database must run on this machine), the time waiting for the audit chain's lock and for
triage's identity and report locks, the other statements' time, the statement count and the
six slowest kinds of statement. On SQLite the lock figures are zero: writers take turns on
the database's own lock instead.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import time
from collections.abc import Callable
from typing import Any

from harness import emit, machine, prepare_database


def receive(count: int, seed: int) -> None:
    from peel.audit.actors import Robot
    from peel.intake.pipeline import accept_json
    from peel.reports.choices import Channel
    from peel.sdm.samples import sample_document

    for i in range(count):
        body = json.dumps(sample_document(seed=seed + i)).encode()
        assert accept_json(Robot("bench"), Channel.API, body, file_now=False).ok


def _backend_cpu_reader() -> Callable[[], float]:
    """CPU seconds used so far by this connection's PostgreSQL backend (0 on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    def read() -> float:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    return read


def work(results: Any) -> None:
    """One worker process: file until none is left, timing every statement by kind."""
    from django.db import connection

    from peel.intake.pipeline import file_next

    waits = {"audit_lock": 0.0, "triage_locks": 0.0, "other_sql": 0.0, "statements": 0.0}
    kinds: dict[str, float] = {}

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            waits["statements"] += 1
            if "pg_advisory_xact_lock(%s)" in sql:  # the audit chain's one-key lock
                waits["audit_lock"] += spent
            elif "pg_advisory_xact_lock" in sql:
                waits["triage_locks"] += spent
            else:
                waits["other_sql"] += spent
                kind = " ".join(sql.split()[:4])[:60]
                kinds[kind] = kinds.get(kind, 0.0) + spent

    backend_cpu = _backend_cpu_reader()
    filed = 0
    backend_before = backend_cpu()
    with connection.execute_wrapper(timed):
        wall, cpu = time.perf_counter(), time.process_time()
        while file_next() is not None:
            filed += 1
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    backend = backend_cpu() - backend_before
    connection.close()
    results.put(
        {"filed": filed, "wall": wall, "cpu": cpu, "backend_cpu": backend, "kinds": kinds, **waits}
    )


def run(count: int, workers: int, seed: int) -> dict[str, Any]:
    from django.db import connections

    receive(count, seed)
    connections.close_all()  # each forked worker opens its own
    context = mp.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=work, args=(results,)) for _ in range(workers)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    rows = [results.get() for _ in processes]
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    filed = sum(r["filed"] for r in rows)

    def per_filing_ms(key: str) -> float:
        return round(1000 * sum(r[key] for r in rows) / filed, 1)

    kinds: dict[str, float] = {}
    for row in rows:
        for kind, spent in row["kinds"].items():
            kinds[kind] = kinds.get(kind, 0.0) + spent
    slowest = sorted(kinds.items(), key=lambda kv: -kv[1])[:6]
    with open("/proc/loadavg") as loadavg:
        load = loadavg.read().split()[:3]
    return {
        "workers": workers,
        "filed": filed,
        "filed_per_second": round(filed / elapsed, 1),
        "per_filing_ms": {
            "in_a_worker": per_filing_ms("wall"),
            "worker_cpu": per_filing_ms("cpu"),
            "database_backend_cpu": per_filing_ms("backend_cpu"),
            "waiting_for_audit_lock": per_filing_ms("audit_lock"),
            "waiting_for_triage_locks": per_filing_ms("triage_locks"),
            "other_statements": per_filing_ms("other_sql"),
        },
        "statements_per_filing": round(sum(r["statements"] for r in rows) / filed, 1),
        "slowest_statements_ms_per_filing": {k: round(1000 * v / filed, 1) for k, v in slowest},
        "load_average": load,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--filing", type=int, default=200, help="submissions per run")
    parser.add_argument("--workers", type=int, default=3, help="worker processes, second run")
    args = parser.parse_args()
    engine = prepare_database()
    import logging

    logging.disable(logging.WARNING)
    emit(
        {
            "benchmark": "filing",
            "engine": engine,
            "runs": [run(args.filing, 1, 500_000), run(args.filing, args.workers, 600_000)],
            "machine": machine(),
        }
    )


if __name__ == "__main__":
    main()
