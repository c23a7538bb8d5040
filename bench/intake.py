"""Intake throughput: the Standard API road and the email-with-PDF road.

    peel bench intake [--api 2000] [--email 500] [--clients 4] [--filing 1000] [--workers 3]

API: `--clients` threads post distinct SDM documents to `POST /process` through Django's full
request stack (middleware, authentication, view); each request's time is its acceptance latency
(stored, fsynced, checked, recorded). Then one worker files them all (report, triage, work item),
timed separately.
Email: one process files report emails (SDM JSON + PDF rendering + service information, PDF text
extracted and cross-checked) as `peel ingest` does. Documents and emails are built before the
clock starts. Filing after an outage: `--filing` submissions are received (untimed), then one
`peel worker` process files them, then the same number again with `--workers` processes side by
side; each rate is taken between the first and the last "intake.filed" audit event (so process
start-up is not counted), and every submission must be filed exactly once. Prints reports per
second and latency percentiles as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time

from harness import emit, machine, percentiles, prepare_database, run_threads


def bench_api(count: int, clients: int) -> dict[str, object]:
    from django.db import connection
    from django.test import Client

    from peel.intake.models import Submission
    from peel.process.testing import api_client_headers
    from peel.sdm.samples import sample_document

    headers = api_client_headers("Bench hub")
    bodies = [json.dumps(sample_document(seed=i)) for i in range(count)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client_thread(share: list[str]) -> None:
        http = Client()
        mine, codes = [], []
        for body in share:
            started = time.perf_counter()
            response = http.post("/process", body, content_type="application/json", headers=headers)
            mine.append((time.perf_counter() - started) * 1000)
            codes.append(response.status_code)
        connection.close()
        with lock:
            latencies.extend(mine)
            for code in codes:
                statuses[code] = statuses.get(code, 0) + 1

    elapsed = run_threads(client_thread, [(bodies[i::clients],) for i in range(clients)])
    from peel.intake.pipeline import file_pending

    filing_started = time.perf_counter()
    while file_pending(limit=200):
        pass
    filing = time.perf_counter() - filing_started
    return {
        "reports": count,
        "clients": clients,
        "statuses": statuses,
        "stored": Submission.objects.filter(channel="api").count(),
        "reports_per_second": round(count / elapsed, 1),
        **percentiles(latencies),
        "filed": Submission.objects.filter(channel="api", report__isnull=False).count(),
        "worker_filed_per_second": round(count / filing, 1),
    }


def bench_email(count: int) -> dict[str, object]:
    from peel.audit.actors import Robot
    from peel.intake.email import accept_email, build_report_email
    from peel.intake.models import Submission
    from peel.sdm.samples import sample_document

    emails = [build_report_email(sample_document(seed=100_000 + i)) for i in range(count)]
    latencies: list[float] = []
    started = time.perf_counter()
    outcomes: dict[str, int] = {}
    for raw in emails:
        t0 = time.perf_counter()
        outcome = accept_email(Robot("bench"), raw)
        latencies.append((time.perf_counter() - t0) * 1000)
        outcomes[outcome.status] = outcomes.get(outcome.status, 0) + 1
    elapsed = time.perf_counter() - started
    return {
        "reports": count,
        "outcomes": outcomes,
        "stored": Submission.objects.filter(channel="email").count(),
        "mean_email_kb": round(sum(map(len, emails)) / len(emails) / 1024, 1),
        "reports_per_second": round(count / elapsed, 1),
        **percentiles(latencies),
    }


def bench_filing(count: int, workers: int, seed: int) -> dict[str, object]:
    """Receive `count` submissions, then file them with `workers` `peel worker` processes."""
    from django.db.models import Max, Min

    from peel.audit.actors import Robot
    from peel.audit.models import AuditEvent
    from peel.intake.models import Submission
    from peel.intake.pipeline import accept_json
    from peel.reports.choices import Channel
    from peel.sdm.samples import sample_document

    first_event = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
    for i in range(count):
        body = json.dumps(sample_document(seed=seed + i)).encode()
        assert accept_json(Robot("bench"), Channel.API, body, file_now=False).ok
    command = [sys.executable, "-m", "peel.cli", "worker", "--robots", "0", "--interval", "0.2"]
    children = [
        subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.DEVNULL)  # noqa: S603
        for _ in range(workers)
    ]
    try:
        deadline = time.monotonic() + 3600
        while Submission.objects.filter(report__isnull=True, filing_error="").exists():
            if time.monotonic() > deadline or any(c.poll() is not None for c in children):
                raise RuntimeError("the workers stopped or took over an hour")
            time.sleep(0.2)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=60)
    filed = AuditEvent.objects.filter(action="intake.filed", id__gt=first_event)
    span = filed.aggregate(first=Min("occurred_at"), last=Max("occurred_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    distinct = filed.values("object_id").distinct().count()
    return {
        "workers": workers,
        "submissions": count,
        "filed": filed.count(),
        "filed_twice": filed.count() - distinct,
        "filed_per_second": round((count - 1) / seconds, 1) if seconds else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api", type=int, default=2000)
    parser.add_argument("--email", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--filing", type=int, default=1000, help="submissions per filing run")
    parser.add_argument("--workers", type=int, default=3, help="worker processes, second run")
    args = parser.parse_args()
    engine = prepare_database()
    import logging

    logging.disable(logging.WARNING)  # the bench's own quarantine warnings would swamp the output
    emit(
        {
            "benchmark": "intake",
            "engine": engine,
            "api": bench_api(args.api, args.clients),
            "email_with_pdf": bench_email(args.email),
            "filing_backlog": [
                bench_filing(args.filing, 1, seed=200_000),
                bench_filing(args.filing, args.workers, seed=300_000),
            ],
            "machine": machine(),
        }
    )


if __name__ == "__main__":
    main()
