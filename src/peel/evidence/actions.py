"""The evidence store's one database write: the row that names durable bytes.

The bytes are written (and fsynced) by `store_bytes` before anything else; their row is written
here, inside the transaction of the first record that refers to them, whose own audit event
names the bytes' sha256. A file with no row (a crash in between) is harmless and is reused.
"""

from __future__ import annotations

from peel.evidence.models import EvidenceBlob


def record_blob(blob: EvidenceBlob) -> None:
    """Make sure the blob's row exists; one statement whether or not it did (ON CONFLICT).

    Always issued, never skipped on a flag: a rolled-back savepoint may have undone an earlier one.
    """
    EvidenceBlob.objects.bulk_create([blob], ignore_conflicts=True)
    blob._state.adding = False
