"""The member of staff behind a request, typed, for views that hand it to a `do_*` action."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from peel.accounts.models import User


def staff_user(request: HttpRequest) -> User:
    """The signed-in user. Staff views are login-protected; this is the typed last guard."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user
