"""Kill `peel ingest` mid-batch, run it again: the same final state, nothing twice, nothing lost."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from peel.audit.actors import Robot
from peel.audit.log import verify_chain
from peel.evidence.models import EvidenceBlob
from peel.evidence.store import blob_path
from peel.intake.email import build_report_email
from peel.intake.models import QuarantineItem, Submission
from peel.intake.pipeline import accept_json
from peel.process.testing import peel_process
from peel.reports.choices import Channel
from peel.reports.models import Report
from peel.sdm.samples import sample_document
from peel.workqueue.models import WorkItem

pytestmark = pytest.mark.django_db(transaction=True)
REPORTS, NOT_REPORTS = 30, 3


def _peel(arguments: list[str], settings: Any) -> subprocess.Popen[bytes]:
    return peel_process(arguments, settings)


def _ingest(files: list[Path], settings: Any) -> subprocess.Popen[bytes]:
    return _peel(["ingest", "eml", *map(str, files)], settings)


def test_a_batch_killed_midway_and_run_again_ends_complete_with_no_duplicates(
    tmp_path: Path, settings: Any
) -> None:
    files = []
    for seed in range(REPORTS):
        files.append(tmp_path / f"report-{seed:02d}.eml")
        files[-1].write_bytes(build_report_email(sample_document(seed=100 + seed)))
    for n in range(NOT_REPORTS):
        files.append(tmp_path / f"chatter-{n}.eml")
        files[-1].write_bytes(
            f"From: a@example.org\nSubject: hello {n}\n\nNot a report.\n".encode()
        )

    first = _ingest(files, settings)
    deadline = time.monotonic() + 120
    while Submission.objects.count() < 5 and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)  # no clean-up, no atexit: as a power cut would leave it
    first.wait()
    interrupted_at = Submission.objects.count()
    assert 5 <= interrupted_at < REPORTS, "the kill should land mid-batch"

    second = _ingest(files, settings)
    _, errors = second.communicate(timeout=300)
    assert second.returncode == 0, errors.decode()

    assert (
        Submission.objects.count()
        == Report.objects.count()
        == WorkItem.objects.filter(kind="review_report").count()
        == REPORTS
    )
    assert QuarantineItem.objects.count() == NOT_REPORTS
    for blob in EvidenceBlob.objects.all():
        data = blob_path(blob.sha256).read_bytes()
        assert hashlib.sha256(data).hexdigest() == blob.sha256 and len(data) == blob.size
    leftovers = [p for p in Path(settings.EVIDENCE_DIR).rglob(".incoming-*")]
    assert len(leftovers) <= 1  # at most the one write the kill interrupted, never referenced
    assert verify_chain().ok


def test_a_worker_killed_midway_and_run_again_files_each_received_submission_once(
    settings: Any,
) -> None:
    for seed in range(REPORTS):
        body = json.dumps(sample_document(seed=200 + seed)).encode()
        assert accept_json(Robot("test"), Channel.API, body, file_now=False).status == "accepted"
    assert Report.objects.count() == 0

    first = _peel(["worker"], settings)
    deadline = time.monotonic() + 120
    while Report.objects.count() < 5 and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert 5 <= Report.objects.count() < REPORTS, "the kill should land mid-batch"

    second = _peel(["worker", "--once"], settings)
    _, errors = second.communicate(timeout=300)
    assert second.returncode == 0, errors.decode()
    assert (
        Report.objects.count() == WorkItem.objects.filter(kind="review_report").count() == REPORTS
    )
    assert not Submission.objects.filter(report__isnull=True).exists()
    assert verify_chain().ok
