"""A SIGKILL during an evidence write leaves a temporary file; the next write in that folder,
or the next start of `peel worker`, removes it. A write still in progress is never touched."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from peel.evidence.store import INCOMING, blob_path, store_bytes, sweep_folder
from peel.process.testing import database_url

DATA = b"evidence the writer was killed writing"


def _killed_mid_write(settings: Any) -> Path:
    """Run a real `store_bytes` in a child process and SIGKILL it after the bytes are written
    but before the rename (the child pauses in fsync, where a power cut or kill would hurt)."""
    script = textwrap.dedent(
        """
        import os, sys, time, django
        django.setup()
        from peel.evidence import store as evidence
        def fsync_then_wait(fd):
            print("writing", flush=True)
            time.sleep(600)
        evidence.os.fsync = fsync_then_wait
        evidence.store_bytes(sys.argv[1].encode(), "text/plain")
        """
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peel.settings",
        "DATABASE_URL": database_url(),
        "PEEL_EVIDENCE_DIR": str(settings.EVIDENCE_DIR),
        "PEEL_VAR_DIR": str(settings.VAR_DIR),
    }
    child = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script, DATA.decode()], env=env, stdout=subprocess.PIPE
    )
    assert child.stdout is not None and child.stdout.readline() == b"writing\n"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    folder = blob_path(hashlib.sha256(DATA).hexdigest()).parent
    (leftover,) = [p for p in folder.iterdir() if p.name.startswith(INCOMING)]
    assert (
        leftover.read_bytes() == DATA and not blob_path(hashlib.sha256(DATA).hexdigest()).exists()
    )
    return leftover


@pytest.mark.django_db
def test_the_next_write_in_the_folder_removes_what_a_killed_writer_left(settings: Any) -> None:
    leftover = _killed_mid_write(settings)
    blob = store_bytes(DATA, "text/plain")  # the same bytes again: the same folder
    assert not leftover.exists()
    assert blob_path(blob.sha256).read_bytes() == DATA
    assert [p.name for p in leftover.parent.iterdir()] == [blob.sha256]


@pytest.mark.django_db(transaction=True)
def test_peel_worker_removes_them_at_start_up(settings: Any) -> None:
    leftover = _killed_mid_write(settings)
    from peel.process.testing import peel_process

    worker = peel_process(["worker", "--once", "--robots", "0"], settings)
    _, errors = worker.communicate(timeout=120)
    assert worker.returncode == 0, errors.decode()
    assert not leftover.exists()


def test_a_write_in_progress_is_left_alone(tmp_path: Path) -> None:
    mine = tmp_path / f"{INCOMING}{socket.gethostname()}-{os.getpid()}-abc123"
    mine.write_bytes(b"half written")
    assert sweep_folder(tmp_path) == 0 and mine.exists()
