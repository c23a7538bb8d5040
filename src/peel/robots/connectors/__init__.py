"""One robot interface, one sub-package per connector.

A connector knows how to find a record it wrote earlier (by the idempotency key), write a new
one, and read a record back as canonical field values. The orchestrator (robots/delivery.py)
does the rest the same way for all of them: look before writing, write, read back, compare.

Failures are of two kinds:
- `TransientFailure`: the target is slow, down or erroring. The task is retried with backoff,
  and repeated failures open the target's circuit breaker.
- `PermanentFailure`: retrying cannot help (the screen does not match its map, the target
  rejects the data). The task stops and a person is given the work, with the reason.
Either may carry evidence (a screenshot, the page's HTML), which is kept with the try.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from peel.robots.targets import Target


class RobotFailure(Exception):
    def __init__(self, reason: str, evidence: dict[str, bytes] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.evidence = evidence or {}  # "screenshot" (PNG) and "html"


class TransientFailure(RobotFailure):
    pass


class PermanentFailure(RobotFailure):
    pass


class TaskTimedOut(TransientFailure):
    pass


class NotVerified(PermanentFailure):
    """A record was written but reads back different: a wrong record exists downstream."""

    def __init__(self, reason: str, written: int, verified: int):
        super().__init__(reason)
        self.written, self.verified = written, verified


class Deadline:
    """The task's time limit, handed down so every wait inside a connector can respect it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def check(self, doing: str) -> None:
        if self.remaining() <= 0:
            raise TaskTimedOut(f"Timed out after {self.seconds:g} s while {doing}.")


class Connector(Protocol):
    target: Target

    def expected(self, values: dict[str, str]) -> dict[str, str]:
        """The canonical fields this target stores, each as the target should hold it: every
        one of them is compared with what is read back."""
        ...

    def find(self, key: str, deadline: Deadline) -> str | None:
        """The reference of a record already written with this key, if any."""
        ...

    def write(self, key: str, values: dict[str, str], deadline: Deadline) -> str:
        """Write a new record; return its reference. Raise before writing anything wrong."""
        ...

    def read(self, ref: str, deadline: Deadline) -> dict[str, str]:
        """The record's stored values, as canonical field values."""
        ...

    def close(self) -> None: ...


def connector_for(target: Target) -> Connector:
    if target.connector == "api":
        from peel.robots.connectors.api import ApiConnector

        return ApiConnector(target)
    if target.connector == "file":
        from peel.robots.connectors.file import FileConnector

        return FileConnector(target)
    from peel.robots.connectors.legacy import LegacyScreenConnector

    return LegacyScreenConnector(target)
