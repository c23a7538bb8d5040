"""One try at a task, the same for every connector: look, write, read back, compare.

    find(key) ──found──> read ──> verify            (an earlier try wrote it: nothing is written)
        └─none─> still ours? ──> write ──> read ──> verify

"Still ours?" is asked just before writing: a worker that stalled past its lease (and whose
task another worker has reclaimed) must not write. Together with the key looked for first,
a task writes at most one record however often it is retried or reclaimed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from peel.robots.connectors import (
    Connector,
    Deadline,
    NotVerified,
    PermanentFailure,
    TransientFailure,
)
from peel.robots.record import normal_text, shorten


@dataclass(frozen=True)
class Delivered:
    ref: str
    verified: list[str]  # every field compared equal after writing
    wrote: bool  # False when an earlier try's record was found and verified instead


def deliver(
    connector: Connector,
    key: str,
    values: dict[str, str],
    deadline: Deadline,
    still_ours: Callable[[], bool],
) -> Delivered:
    expected = connector.expected(values)
    ref = connector.find(key, deadline)
    wrote = False
    if ref is None:
        deadline.check("about to write")
        if not still_ours():
            raise TransientFailure("The task's lease was lost before writing; nothing was written.")
        ref = connector.write(key, values, deadline)
        wrote = True
    actual = connector.read(ref, deadline)
    if problems := differences(expected, actual):
        reason = (
            f"The record {ref} in {connector.target.label} does not match what Peel sent: "
            + "; ".join(problems)
            + ". A person must correct it there."
        )
        if wrote:
            raise NotVerified(reason, written=len(expected), verified=len(expected) - len(problems))
        raise PermanentFailure(reason)
    return Delivered(ref=ref, verified=sorted(expected), wrote=wrote)


def differences(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """Every field whose stored value differs from what was meant, named with both values."""
    problems = []
    for name, want in expected.items():
        got = actual.get(name)
        if got is None:
            problems.append(f"{name} could not be read back")
        elif normal_text(got) != normal_text(want):
            problems.append(f"{name} is {shorten(got)!r}, not {shorten(want)!r}")
    return problems
