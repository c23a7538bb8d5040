"""Workers file what the Standard API received: each submission once, even side by side."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from peel.audit.actors import Robot
from peel.intake.models import Submission
from peel.intake.pipeline import accept_json, file_pending
from peel.reports.choices import Channel
from peel.reports.models import Report
from peel.sdm.samples import sample_document
from peel.workqueue.models import WorkItem


@pytest.mark.django_db(transaction=True)
def test_two_workers_side_by_side_never_file_a_submission_twice() -> None:
    for seed in range(40):
        accept_json(
            Robot("test"),
            Channel.API,
            json.dumps(sample_document(seed=300 + seed)).encode(),
            file_now=False,
        )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            while file_pending(limit=5):
                pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Report.objects.count() == WorkItem.objects.filter(kind="review_report").count() == 40
    assert not Submission.objects.filter(report__isnull=True).exists()
