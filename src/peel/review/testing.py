"""Valid decisions for tests, the demo and benchmarks: change only what the case is about."""

from __future__ import annotations

from typing import Any

from peel.review.actions import DecisionInput
from peel.review.choices import NextAction, Outcome


def decision_input(outcome: str = Outcome.CRIME, **changes: Any) -> DecisionInput:
    fields: dict[str, Any] = {
        "outcome": outcome,
        "opening_code": "108",
        "closing_code": "108",
        "actions": [NextAction.RESOLVE],
    }
    if outcome == Outcome.CRIME:
        fields["offence_code"] = "49"  # Other theft
    else:
        fields["closing_code"] = "304"  # Civil dispute
        fields["rationale"] = "The reporter describes a dispute over a debt, not a theft."
        fields["victim_message"] = "This is a civil matter between you and the other party."
    fields.update(changes)
    return DecisionInput(**fields)
