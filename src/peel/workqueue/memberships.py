"""When someone leaves a team, the work kept for them on that team's queue goes back to the team.

Team membership is changed in the admin (or by `accounts` actions); the queue listens for the
change rather than accounts knowing about work (accounts is in the base layer).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed

from peel.accounts.middleware import current_request
from peel.accounts.models import Team, User
from peel.audit.actors import SYSTEM, Actor
from peel.workqueue.actions import do_release_reservations


def _actor() -> Actor:
    request = current_request()
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.pk is not None else SYSTEM


def teams_left(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """m2m_changed receiver for User.teams: user.teams.remove(team) or team.members.remove(user)."""
    if action != "post_remove" or not pk_set:
        return
    if isinstance(instance, User):  # user.teams.remove(...): pk_set holds team ids
        do_release_reservations(_actor(), instance, set(pk_set))
    elif isinstance(instance, Team):  # team.members.remove(...): pk_set holds user ids
        for user in User.objects.filter(pk__in=pk_set):
            do_release_reservations(_actor(), user, {instance.pk})


def connect() -> None:
    m2m_changed.connect(
        teams_left, sender=Team.members.through, dispatch_uid="peel.workqueue.teams_left"
    )
