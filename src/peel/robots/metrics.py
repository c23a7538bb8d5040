"""The robots' figures, computed from their tasks and tries (nothing is counted separately).

- success rate: tasks the robots finished (written and verified) out of all that ended, the
  rest having gone to a person;
- time per item: how long a successful try took, per target (so per connector);
- items per minute per worker: successful tries over the span of the worker's tries;
- manual minutes saved: tasks the robots finished times the targets file's minutes per record;
- fields verified: every field read back equal, out of the fields written.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from peel.robots.choices import AttemptOutcome, BreakerState, TaskStatus
from peel.robots.models import CircuitBreaker, RobotAttempt, RobotTask, RobotWorker
from peel.robots.targets import robot_targets

SUCCESS = (AttemptOutcome.DONE, AttemptOutcome.ALREADY_THERE)


@dataclass
class TargetFigures:
    name: str
    label: str
    connector: str
    done: int = 0
    failed: int = 0
    queued: int = 0  # ready to be claimed now
    retrying: int = 0  # waiting for their backoff
    running: int = 0
    breaker: CircuitBreaker | None = None
    seconds: list[float] = field(default_factory=list)
    fields_written: int = 0
    fields_verified: int = 0
    wrong_records: int = 0  # written, then read back different

    @property
    def ended(self) -> int:
        return self.done + self.failed

    @property
    def success_percent(self) -> float | None:
        return 100 * self.done / self.ended if self.ended else None

    @property
    def median_seconds(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def p95_seconds(self) -> float | None:
        if len(self.seconds) < 2:
            return self.median_seconds
        return statistics.quantiles(self.seconds, n=20, method="inclusive")[18]

    @property
    def waiting_on_breaker(self) -> bool:
        return self.breaker is not None and self.breaker.state != BreakerState.CLOSED


@dataclass
class WorkerFigures:
    name: str
    items: int
    minutes: float
    last_seen_at: datetime | None
    alive: bool
    current_task_id: int | None
    stopped_at: datetime | None = None
    restarts: int = 0
    last_failure: str = ""
    last_failure_at: datetime | None = None

    @property
    def per_minute(self) -> float | None:
        return self.items / self.minutes if self.minutes > 0 else None

    @property
    def state(self) -> str:
        """running, restarted (running again after dying), dead (died, not started again, or
        not seen for a minute without stopping: its process was killed) or stopped."""
        if self.alive:
            return "restarted" if self.restarts else "running"
        died = self.last_failure_at is not None and (
            self.stopped_at is None or self.last_failure_at >= self.stopped_at
        )
        if died or (self.stopped_at is None and self.last_seen_at is not None):
            return "dead"
        return "stopped"

    @property
    def failure_summary(self) -> str:
        """The last line of the traceback that killed it: the exception and its message."""
        lines = [line for line in self.last_failure.strip().splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""


@dataclass
class RobotFigures:
    since: datetime
    targets: list[TargetFigures]
    workers: list[WorkerFigures]
    minutes_per_record: float

    @property
    def done(self) -> int:
        return sum(t.done for t in self.targets)

    @property
    def ended(self) -> int:
        return sum(t.ended for t in self.targets)

    @property
    def success_percent(self) -> float | None:
        return 100 * self.done / self.ended if self.ended else None

    @property
    def minutes_saved(self) -> float:
        return self.done * self.minutes_per_record

    @property
    def fields_written(self) -> int:
        return sum(t.fields_written for t in self.targets)

    @property
    def fields_verified(self) -> int:
        return sum(t.fields_verified for t in self.targets)

    @property
    def wrong_records(self) -> int:
        return sum(t.wrong_records for t in self.targets)


def robot_figures(
    hours: float = 24, now: datetime | None = None, since: datetime | None = None
) -> RobotFigures:
    """Figures for tasks and tries that ended in the last `hours` (or since `since`)."""
    now = now or timezone.now()
    since = since or now - timedelta(hours=hours)
    configured = robot_targets()
    by_name: dict[str, TargetFigures] = {
        t.name: TargetFigures(t.name, t.label, t.connector) for t in configured.targets.values()
    }

    def figures(name: str) -> TargetFigures:
        return by_name.setdefault(name, TargetFigures(name, name, "?"))

    ended = (
        RobotTask.objects.filter(finished_at__gte=since)
        .values("target")
        .annotate(
            done=Count("id", filter=Q(status=TaskStatus.DONE)),
            failed=Count("id", filter=Q(status=TaskStatus.FAILED)),
        )
    )
    for row in ended:
        figures(row["target"]).done, figures(row["target"]).failed = row["done"], row["failed"]
    open_tasks = (
        RobotTask.objects.filter(status__in=[TaskStatus.QUEUED, TaskStatus.RUNNING])
        .values("target")
        .annotate(
            running=Count("id", filter=Q(status=TaskStatus.RUNNING)),
            ready=Count("id", filter=Q(status=TaskStatus.QUEUED, next_attempt_at__lte=now)),
            retrying=Count("id", filter=Q(status=TaskStatus.QUEUED, next_attempt_at__gt=now)),
        )
    )
    for row in open_tasks:
        f = figures(row["target"])
        f.running, f.queued, f.retrying = row["running"], row["ready"], row["retrying"]
    for breaker in CircuitBreaker.objects.all():
        figures(breaker.target).breaker = breaker

    spans: dict[str, list[datetime]] = {}
    counts: dict[str, int] = {}
    tries = RobotAttempt.objects.filter(finished_at__gte=since).values_list(
        "task__target", "worker", "outcome", "started_at", "finished_at",
        "fields_written", "fields_verified",
    )  # fmt: skip
    for target, worker, outcome, started, finished, written, verified in tries.iterator():
        f = figures(target)
        f.fields_written += written
        f.fields_verified += min(written, verified)
        f.wrong_records += 1 if written and verified < written else 0
        if outcome in SUCCESS and finished is not None:
            f.seconds.append((finished - started).total_seconds())
            spans.setdefault(worker, []).extend([started, finished])
            counts[worker] = counts.get(worker, 0) + 1

    presence = {w.name: w for w in RobotWorker.objects.filter(last_seen_at__gte=since)}
    holding = dict(RobotTask.objects.filter(status=TaskStatus.RUNNING).values_list("holder", "pk"))
    alive_after = now - timedelta(seconds=60)
    workers = []
    for name in sorted(set(spans) | set(presence)):
        seen = presence.get(name)
        times = spans.get(name, [])
        workers.append(
            WorkerFigures(
                name=name,
                items=counts.get(name, 0),
                minutes=(max(times) - min(times)).total_seconds() / 60 if times else 0,
                last_seen_at=seen.last_seen_at if seen else None,
                alive=bool(seen and seen.stopped_at is None and seen.last_seen_at >= alive_after),
                current_task_id=holding.get(name),
                stopped_at=seen.stopped_at if seen else None,
                restarts=seen.restarts if seen else 0,
                last_failure=seen.last_failure if seen else "",
                last_failure_at=seen.last_failure_at if seen else None,
            )
        )
    return RobotFigures(
        since=since,
        targets=list(by_name.values()),
        workers=workers,
        minutes_per_record=configured.minutes_saved_per_record,
    )
