"""Writing and verifying the audit hash chain.

Each event's hash covers its own content and the previous event's hash, so altering or removing
any row breaks every hash after it. Appends are serialised: SQLite's IMMEDIATE transactions
already hold the write lock; on PostgreSQL an advisory lock is taken for the rest of the
transaction, so ids and chain order always agree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

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


def record(
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Call only from a `do_*` action, inside its transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("Audit events must be written in the same transaction as the change.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
    # Plain SQL: this runs for every change Peel makes, and the ORM's query building costs more
    # than the query.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT hash FROM {AuditEvent._meta.db_table} ORDER BY id DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    last = row[0] if row else None
    user = actor if getattr(actor, "pk", None) else None
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=user,
        actor_label=user.get_username() if user else str(actor or "system"),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        before=_json_safe(before),
        after=_json_safe(after),
        prev_hash=last or GENESIS_HASH,
    )
    event.hash = _digest(event)
    event.save()
    return event


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
