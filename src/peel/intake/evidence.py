"""Content-addressed evidence store: bytes are written once, durably, before anything else."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

from peel.intake.models import EvidenceBlob


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
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
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
    # The row is written by `record_blob`, in the transaction of the first record that refers to
    # these bytes: a file with no row (a crash in between) is harmless and is reused next time.
    return EvidenceBlob(sha256=digest, size=len(data), content_type=content_type)


def record_blob(blob: EvidenceBlob) -> None:
    """Make sure the blob's row exists; one statement whether or not it did (ON CONFLICT).

    Always issued, never skipped on a flag: a rolled-back savepoint may have undone an earlier one.
    """
    EvidenceBlob.objects.bulk_create([blob], ignore_conflicts=True)
    blob._state.adding = False


def read_bytes(blob: EvidenceBlob) -> bytes:
    return blob_path(blob.sha256).read_bytes()
