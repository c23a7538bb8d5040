"""Content-addressed evidence store: bytes are written once, durably, before anything else."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

from peel.core.db import write_transaction
from peel.intake.models import EvidenceBlob


def blob_path(sha256: str) -> Path:
    return Path(settings.EVIDENCE_DIR) / sha256[:2] / sha256[2:4] / sha256


def store_bytes(data: bytes, content_type: str) -> EvidenceBlob:
    """Write `data` if it is new (fsync, then atomic rename) and return its row."""
    digest = hashlib.sha256(data).hexdigest()
    path = blob_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    with write_transaction():  # SQLite: queue behind other writers of this process, no busy polling
        blob, _ = EvidenceBlob.objects.get_or_create(
            sha256=digest, defaults={"size": len(data), "content_type": content_type}
        )
    return blob


def read_bytes(blob: EvidenceBlob) -> bytes:
    return blob_path(blob.sha256).read_bytes()
