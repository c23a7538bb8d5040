"""Panels other apps add to the staff home page and the supervisor's queue page.

The queue knows no channel: intake (above it) shows its quarantine count on the home page and
its filing backlog on the queue page by registering a panel source here in its
AppConfig.ready(). A source gets the user and the time and returns a Panel (a template and its
context) or None when it has nothing to show that user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Panel:
    template: str  # rendered with `panel` as its context
    context: dict[str, Any] = field(default_factory=dict)


PanelSource = Callable[[Any, datetime], Panel | None]
STAFF_HOME: list[PanelSource] = []  # below the Get Work button
QUEUE_PAGE: list[PanelSource] = []  # above the counts, refreshed with the live part


def register(page: list[PanelSource], source: PanelSource) -> None:
    if source not in page:  # ready() may run more than once in tests
        page.append(source)


def panels(page: list[PanelSource], user: Any, now: datetime) -> list[Panel]:
    return [panel for source in page if (panel := source(user, now)) is not None]
