"""How long the review screen takes to render for a busy report.

    peel bench review [--background 2000] [--renders 50]

The report has 10 people (each with an email address) and 20 earlier reports linked to them,
among `--background` demo reports. The operator holds it and the page is rendered `--renders`
times through Django's test client (the whole view: permission check, access logging, linked
history, possible duplicates, the form with 128 offences), with no network in between.
"""

from __future__ import annotations

import argparse
import time

from harness import emit, machine, percentiles, prepare_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--background", type=int, default=2000)
    parser.add_argument("--renders", type=int, default=50)
    args = parser.parse_args()
    engine = prepare_database()

    from django.test import Client

    from peel.accounts.actions import do_create_user
    from peel.accounts.testing import sign_in
    from peel.audit.actors import Robot
    from peel.intake.actions import do_accept_draft
    from peel.process.demodata import DemoReportFactory
    from peel.process.testing import make_draft
    from peel.reports.drafts import PersonDraft
    from peel.workqueue.actions import do_get_work

    for draft in DemoReportFactory(seed=11).reports(args.background):
        do_accept_draft(Robot("bench"), draft)
    people = [
        PersonDraft(roles=["witness"], given_name=f"Person{n}", family_name="Busy",
                    email=f"person{n}@example.org")
        for n in range(10)
    ]  # fmt: skip
    for n in range(20):  # 20 earlier reports, two for each of the 10 people
        do_accept_draft(Robot("bench"), make_draft(people=[people[n % 10]], location=None))
    operator = do_create_user(Robot("bench"), "bench-operator", "x" * 20, ["operator"])
    # Hand out everything else first, so the operator holds the busy report.
    report = do_accept_draft(Robot("bench"), make_draft(people=people)).report
    assert report is not None
    from peel.workqueue.models import WorkItem, WorkStatus

    WorkItem.objects.exclude(report=report).update(status=WorkStatus.DONE)
    item = do_get_work(operator)
    assert item is not None and item.report_id == report.pk
    client = Client()
    sign_in(client, operator)
    url = f"/staff/work/{item.pk}/"
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    linked = first.content.decode().count("<tr><td>")
    timings = []
    for _ in range(args.renders):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    emit(
        {
            "benchmark": "review",
            "engine": engine,
            "people": 10,
            "linked_rows_shown": linked,
            "background_reports": args.background,
            "render_ms": percentiles(timings),
            "page_kb": round(len(first.content) / 1024, 1),
            "machine": machine(),
        }
    )


if __name__ == "__main__":
    main()
