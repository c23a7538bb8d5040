"""Who may see a report, as a filter: the one rule behind `Report.objects.visible_to(user)`.

1. A report restricted to a team is seen only by that team's members. For everyone else it
   exists only as a count (counts may use the unrestricted queryset; nothing else may).
2. Beyond that, `reports.view_any_report` lets a person see any report.
3. Otherwise a report is seen only when a registered grant allows it. Grants come from the apps
   above reports, which reports must not import: each registers a function `user -> Q over
   Report` in its `AppConfig.ready()` (the work queue: "the report of an item you hold").

This module imports no model, so `reports.models` can build its queryset on it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q

Grant = Callable[[Any], Q]

_GRANTS: list[Grant] = []

# Matches no row (Django turns an empty IN into "no results" without asking the database).
NOTHING = Q(pk__in=[])


def register_grant(grant: Grant) -> Grant:
    """Let `grant(user)` widen what a person without `view_any_report` may see. Idempotent, so
    a ready() that runs twice (tests) registers once. Usable as a decorator."""
    if grant not in _GRANTS:
        _GRANTS.append(grant)
    return grant


def registered_grants() -> tuple[Grant, ...]:
    return tuple(_GRANTS)


def team_rule(user: Any) -> Q:
    """Rule 1 alone: not restricted, or restricted to one of the user's teams."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    return Q(restricted_to__isnull=True) | Q(restricted_to__in=user.teams.values("pk"))


def visibility(user: Any) -> Q:
    """The whole rule, as a filter over Report."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    within_teams = team_rule(user)
    if user.has_perm("reports.view_any_report"):
        return within_teams
    granted = [grant(user) for grant in _GRANTS]
    if not granted:
        return NOTHING
    return within_teams & reduce(or_, granted)
