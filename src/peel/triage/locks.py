"""Who may read a report's linked history at the same time as whom (PostgreSQL).

A new report is assessed against the reports that share a person, place or vehicle with it,
and those that are open are re-scored. Two filings that share an identity must therefore take
turns, so the later one sees the earlier (and re-scores it); re-scores of one report take turns
too. Transaction-scoped advisory locks do this: one per identity, one per re-scored report.
Filings that share nothing run side by side.

Order, so that no two transactions wait on each other: a filing takes its identities' locks
in one statement, then re-scored reports' locks by ascending id, and the audit chain's lock
last (audit.deferred). SQLite needs none of this: its write transactions already take turns.
"""

from __future__ import annotations

import hashlib

from django.db import connection

from peel.reports.models import Report

_IDENTITY_KEYSPACE = 7_365_002  # the two-key form: never meets the audit chain's one-key lock
_REPORT_KEYSPACE = 7_365_003


def _key(text: str) -> int:
    """A 32-bit lock key; two identities sharing one only take turns needlessly."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), signed=True)


def identity_keys(report: Report) -> list[int]:
    """Lock keys for every identifier triage history matches this report's others by."""
    texts: set[str] = set()
    for involvement in report.involvements.select_related("person"):
        person = involvement.person
        if person.email:
            texts.add(f"email:{person.email}")
        if person.phone:
            texts.add(f"phone:{person.phone}")
        if person.family_name and person.given_name and person.date_of_birth:
            name = f"{person.family_name}|{person.given_name}".lower()
            texts.add(f"name:{name}|{person.date_of_birth.isoformat()}")
    location = report.location
    if location is not None and location.postcode and location.address_line:
        texts.add(f"place:{location.postcode}|{location.address_line.lower()}")
    texts.update(f"vrm:{v.vrm}" for v in report.vehicles.all() if v.vrm)
    return sorted({_key(text) for text in texts})


def _lock(keyspace: int, keys: list[int]) -> None:
    if not connection.in_atomic_block:  # outside one, the lock would end with the statement
        raise RuntimeError("Triage's locks are held to commit: take them inside a transaction.")
    if connection.vendor != "postgresql" or not keys:
        return
    # One statement; its calls run left to right, in the keys' order.
    calls = ", ".join("pg_advisory_xact_lock(%s, %s)" for _ in keys)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls}", [v for key in keys for v in (keyspace, key)])


def lock_identities(report: Report) -> None:
    """Before reading a new report's history: wait for filings sharing an identity with it."""
    _lock(_IDENTITY_KEYSPACE, identity_keys(report))


def lock_report(report: Report) -> None:
    """Before re-scoring a report: wait for anyone else re-scoring it."""
    _lock(_REPORT_KEYSPACE, [_key(f"report:{report.pk}")])
