"""Database helpers that differ by engine."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import InterfaceError, OperationalError, connection, transaction

_sqlite_writer = threading.Lock()

# The database is unreachable, gone away, or (SQLite) busy past the wait: nothing about the
# input or the request is wrong, and the same work succeeds later.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


@contextmanager
def write_transaction() -> Iterator[None]:
    """An atomic block for a hot, short write such as a Get Work claim.

    SQLite allows one writer at a time, and a writer that finds the database locked polls with
    growing sleeps, which gives long tail latencies when many threads contend. Threads of one
    process therefore queue on a lock first, so they take turns in order; other processes still
    wait on SQLite's busy timeout. PostgreSQL needs no such help.
    """
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with _sqlite_writer, transaction.atomic():
            yield
    else:
        with transaction.atomic():
            yield


def skip_locked() -> str:
    """`FOR UPDATE SKIP LOCKED` where the engine has it (PostgreSQL): concurrent claimers pass
    over each other's rows. SQLite's IMMEDIATE transaction already excludes other writers."""
    return (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
