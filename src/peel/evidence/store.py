"""Content-addressed evidence store: bytes are written once, durably, before anything else."""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import tempfile
import time
from pathlib import Path

from django.conf import settings

from peel.evidence.models import EvidenceBlob

logger = logging.getLogger(__name__)
INCOMING = ".incoming-"
# A temporary file from another host is removed only when it is this old (its writer cannot be
# asked whether it is alive); one from this host as soon as the process that wrote it is gone.
STALE_SECONDS = 24 * 60 * 60


def _incoming_prefix() -> str:
    """Temporary files name their writer (host and pid) so that a sweep can tell a write in
    progress from one a SIGKILL or power cut abandoned."""
    return f"{INCOMING}{socket.gethostname()}-{os.getpid()}-"


def _abandoned(entry: os.DirEntry[str], host: str, now: float) -> bool:
    # The name is .incoming-<host>-<pid>-<random>; mkstemp's random part has no "-".
    writer_host, _, pid = entry.name[len(INCOMING) :].rpartition("-")[0].rpartition("-")
    if writer_host == host and pid.isdigit():
        try:
            os.kill(int(pid), 0)  # signal 0: is it alive?
        except ProcessLookupError:
            return True
        except PermissionError:
            pass  # alive, another user's
        return False
    try:
        return now - entry.stat().st_mtime > STALE_SECONDS
    except FileNotFoundError:
        return False


def sweep_folder(folder: Path) -> int:
    """Remove temporary files in one evidence folder whose writer died; return how many."""
    host, now, removed = socket.gethostname(), time.time(), 0
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(INCOMING)]
    except FileNotFoundError:
        return 0
    for entry in entries:
        if _abandoned(entry, host, now):
            Path(entry.path).unlink(missing_ok=True)
            removed += 1
    return removed


def sweep_incomplete() -> int:
    """At start-up (`peel worker`, `peel serve`): remove every abandoned temporary file."""
    root = Path(settings.EVIDENCE_DIR)
    removed = 0
    if root.is_dir():
        for folder in {p.parent for p in root.glob(f"*/*/{INCOMING}*")}:
            removed += sweep_folder(folder)
    if removed:
        logger.warning("Evidence store: removed %d unfinished write(s) left by a crash", removed)
    return removed


def blob_path(sha256: str) -> Path:
    return Path(settings.EVIDENCE_DIR) / sha256[:2] / sha256[2:4] / sha256


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store_bytes(data: bytes, content_type: str) -> EvidenceBlob:
    """Write `data` if it is new (fsync, atomic rename, fsync of the folder); return its blob."""
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(digest)
    if not path.exists():
        if not path.parent.is_dir():  # a stat, not a failing mkdir, on the common path
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            sweep_folder(path.parent)  # what a killed writer left here goes on the next write
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_incoming_prefix())
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            _fsync_directory(path.parent)  # the rename itself survives a power cut
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    # The row is written by `peel.evidence.actions.record_blob`, in the transaction of the first
    # record that refers to these bytes: a file with no row (a crash in between) is harmless and
    # is reused next time.
    return EvidenceBlob(sha256=digest, size=len(data), content_type=content_type)


def read_bytes(blob: EvidenceBlob) -> bytes:
    return blob_path(blob.sha256).read_bytes()
