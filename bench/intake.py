"""Intake throughput: the Standard API road and the email-with-PDF road.

    peel bench intake [--api 2000] [--email 500] [--clients 4]

API: `--clients` threads post distinct SDM documents to `POST /process` through Django's full
request stack (middleware, authentication, view); each request's time is its acceptance latency
(stored, fsynced, checked, recorded). Then one worker files them all (report, triage, work item),
timed separately.
Email: one process files report emails (SDM JSON + PDF rendering + service information, PDF text
extracted and cross-checked) as `peel ingest` does. Documents and emails are built before the
clock starts. Prints reports per second and latency percentiles as JSON.
"""

from __future__ import annotations

import argparse
import json
import threading
import time

from harness import emit, machine, percentiles, prepare_database, run_threads


def bench_api(count: int, clients: int) -> dict[str, object]:
    from django.db import connection
    from django.test import Client

    from peel.core.testing import api_client_headers
    from peel.intake.models import Submission
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
    from peel.intake.email import accept_email, build_report_email
    from peel.intake.models import Submission
    from peel.sdm.samples import sample_document

    emails = [build_report_email(sample_document(seed=100_000 + i)) for i in range(count)]
    latencies: list[float] = []
    started = time.perf_counter()
    outcomes: dict[str, int] = {}
    for raw in emails:
        t0 = time.perf_counter()
        outcome = accept_email("bench", raw)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api", type=int, default=2000)
    parser.add_argument("--email", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
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
            "machine": machine(),
        }
    )


if __name__ == "__main__":
    main()
