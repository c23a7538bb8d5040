"""What noting a staff session's activity costs: written on every request, or once a minute.

    peel bench sessions [--users 20] [--requests 100]

`--users` signed-in supervisors each load their home page `--requests` times at once (threads,
Django's test client through the whole middleware stack). Two runs:

- every-request: the session is saved on every request (SESSION_SAVE_EVERY_REQUEST, what a
  "last seen" stamp written each time costs: one UPDATE of the session row per request);
- peel: Peel's idle clock (accounts/sessions.py), written at most once a minute per session.

Prints requests per second, p50/p95/p99 latency and the session rows written for each run.
"""

from __future__ import annotations

import argparse
import threading
import time

from harness import emit, machine, percentiles, prepare_database, run_threads


def run(users: list[object], requests: int, every_request: bool) -> dict[str, object]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.SESSION_SAVE_EVERY_REQUEST = every_request
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    latencies: list[float] = []
    lock = threading.Lock()
    writes = [0]
    barrier = threading.Barrier(len(clients))

    def count_writes(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if sql.lstrip().upper().startswith("UPDATE") and "django_session" in sql:
            with lock:
                writes[0] += 1
        return execute(sql, params, many, context)

    def person(client: Client) -> None:
        mine = []
        barrier.wait()
        with connection.execute_wrapper(count_writes):
            for _ in range(requests):
                started = time.perf_counter()
                response = client.get("/staff/")
                mine.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
        connection.close()
        with lock:
            latencies.extend(mine)

    elapsed = run_threads(person, [(c,) for c in clients])
    return {
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "session_rows_written": writes[0],
        **percentiles(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=100, help="per user, per run")
    args = parser.parse_args()

    engine = prepare_database()
    from peel.accounts.actions import do_create_user
    from peel.audit.actors import TEST

    users = [
        do_create_user(TEST, f"bench-{i}", "a-long-bench-password-1", ["supervisor"])
        for i in range(args.users)
    ]
    results = {}
    for label, every in (("every-request", True), ("peel", False), ("every-request-again", True)):
        results[label] = run(users, args.requests, every)
    emit(
        {
            "benchmark": "sessions",
            "engine": engine,
            "users": args.users,
            "requests_per_user": args.requests,
            "runs": results,
            "machine": machine(),
        }
    )


if __name__ == "__main__":
    main()
