"""Writing and verifying the audit hash chain.

Each event's hash covers its own content and the previous event's hash, so altering or removing
any row breaks every hash after it. Appends are serialised: SQLite's IMMEDIATE transactions
already hold the write lock; on PostgreSQL an advisory lock is taken for the rest of the
transaction, so ids and chain order always agree.

A transaction that writes several events can hold that lock only at its end: inside
`deferred()`, `record` builds each event and keeps it, and the block's clean exit appends them
all, in order, with one lock, one read of the chain's tail and one insert.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from peel.audit.actors import Actor, Robot, check_actor
from peel.audit.events import check_event
from peel.audit.models import GENESIS_HASH, AccessEvent, AuditEvent

_ADVISORY_LOCK_KEY = 7_365_001  # any constant unique to the audit chain


def _json_safe(value: Any) -> Any:
    """Dates, UUIDs and decimals become strings, exactly as they will read back from the DB."""
    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _digest(event: AuditEvent) -> str:
    content = {
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class _Buffer:
    """Events recorded inside `deferred()`, each with a marker registered by `on_commit`:
    Django drops the markers of a savepoint that is rolled back, and its events go with them."""

    def __init__(self) -> None:
        self.events: list[tuple[AuditEvent, Callable[[], None]]] = []

    def add(self, event: AuditEvent) -> None:
        def marker() -> None:  # runs after commit and does nothing; only its presence counts
            pass

        connection.on_commit(marker)
        self.events.append((event, marker))

    def surviving(self) -> list[AuditEvent]:
        alive = {id(entry[1]) for entry in connection.run_on_commit}  # (savepoints, func, robust)
        return [event for event, marker in self.events if id(marker) in alive]


_buffer: ContextVar[_Buffer | None] = ContextVar("peel_audit_deferred", default=None)


@contextmanager
def deferred() -> Iterator[None]:
    """Buffer this block's audit events and append them when it ends, inside the caller's
    transaction: the chain's lock is then held from the append to the commit, not from the
    first event. An exception inside the block writes no event (and rolls back with the
    caller's transaction); events of a rolled-back savepoint inside it are dropped. Nested
    blocks join the outermost one."""
    if not connection.in_atomic_block:
        raise RuntimeError("Audit events must be written in the same transaction as the change.")
    if _buffer.get() is not None:
        yield
        return
    buffer = _Buffer()
    token = _buffer.set(buffer)
    try:
        yield
    finally:
        _buffer.reset(token)
    if not connection.needs_rollback:  # a swallowed error without a savepoint: nothing commits
        _append(buffer.surviving())


def record(
    actor: Actor,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Call only from a `do_*` action, inside its transaction.

    Inside `deferred()` the event is returned unsaved, and its id and hashes are filled in
    when the block ends. Its content is fixed now (before and after are copied), and
    `occurred_at` is when the change was made. `actor` must be a staff user or a `Robot` and
    `action` a name listed in `peel.audit.events.EVENTS`; anything else is refused.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Audit events must be written in the same transaction as the change.")
    actor = check_actor(actor)
    check_event(action)
    user = None if isinstance(actor, Robot) else actor
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor_id=None if user is None else user.pk,
        actor_label=actor.name if isinstance(actor, Robot) else actor.get_username(),
        action=action,
        object_type=obj._meta.label_lower,
        object_id="" if obj.pk is None else str(obj.pk),  # a sign-in to no account
        before=_json_safe(before),
        after=_json_safe(after),
    )
    buffer = _buffer.get()
    if buffer is not None:
        buffer.add(event)
    else:
        _append([event])
    return event


def _append(events: list[AuditEvent]) -> None:
    """Chain the events after the last one stored and insert them, holding the chain's lock."""
    if not events:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
    # Plain SQL: this runs for every change Peel makes, and the ORM's query building costs more
    # than the query.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT hash FROM {AuditEvent._meta.db_table} ORDER BY id DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    last = row[0] if row else GENESIS_HASH
    for event in events:
        event.prev_hash = last
        event.hash = last = _digest(event)
    if len(events) == 1:
        events[0].save()
        return
    AuditEvent.objects.bulk_create(events)
    ids = [event.pk for event in events]
    # Chain order is id order: the ids handed out by one insert must follow the list's order.
    if None in ids or ids != sorted(ids):
        raise RuntimeError(f"Audit events were given ids out of chain order: {ids}")


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_bad_id: int | None
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Recompute every hash in order; report the first event that does not match."""
    expected_prev = GENESIS_HASH
    checked = 0
    with transaction.atomic():
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
            if event.prev_hash != expected_prev:
                return ChainReport(checked, event.id, "an earlier event was removed or altered")
            if _digest(event) != event.hash:
                return ChainReport(checked, event.id, "this event's content was altered")
            expected_prev = event.hash
            checked += 1
    return ChainReport(checked, None, None)


def record_access(user: Any, obj: models.Model, purpose: str) -> None:
    """Log one read of a person or report (s62 'consultation')."""
    AccessEvent.objects.create(
        user=user, object_type=obj._meta.label_lower, object_id=str(obj.pk), purpose=purpose
    )


def record_accesses(user: Any, objs: list[models.Model], purpose: str) -> None:
    """Log a read of each of several records shown together (one insert)."""
    AccessEvent.objects.bulk_create(
        AccessEvent(
            user=user, object_type=o._meta.label_lower, object_id=str(o.pk), purpose=purpose[:120]
        )
        for o in objs
    )


SEARCH_OBJECT_TYPE = "audit.search"  # an access event for a use of the auditor's pages


def record_search(user: Any, purpose: str, query: str, about: list[models.Model]) -> None:
    """Log one use of the audit and access logs (a search, a view, an export): one event for
    the use, with what was asked, and one per person or report it was about, so that "who
    looked at this person" finds the auditor's own look too (one insert)."""
    query = query[:500]
    events = [
        AccessEvent(
            user=user, object_type=SEARCH_OBJECT_TYPE, object_id="", purpose=purpose, query=query
        )
    ]
    events += [
        AccessEvent(
            user=user,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            purpose=purpose,
            query=query,
        )
        for obj in about
    ]
    AccessEvent.objects.bulk_create(events)
