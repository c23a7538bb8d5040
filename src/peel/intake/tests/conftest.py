from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from peel.intake.tests.imap_server import ImapServer, start_dovecot
from peel.sdm.schemas import national_schemas


@pytest.fixture
def imap_server() -> Iterator[ImapServer]:
    # Not pytest's tmp_path: its parents are private to root, and Dovecot's mail processes
    # run as the `dovecot` user.
    with tempfile.TemporaryDirectory(prefix="peel-dovecot-") as directory:
        server, process = start_dovecot(Path(directory))
        try:
            yield server
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(autouse=True)
def _fresh_schemas() -> Iterator[None]:
    """Schemas are cached per process; a test that changes the override dir must not leak it."""
    national_schemas.cache_clear()
    yield
    national_schemas.cache_clear()
