from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from peel.accounts.models import User
from peel.accounts.roles import ROLES
from peel.audit import log as audit


def do_create_user(
    actor: Any, username: str, password: str, roles: list[str], **fields: Any
) -> User:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"Unknown roles: {sorted(unknown)}. Roles are: {', '.join(ROLES)}.")
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, **fields)
        user.groups.set(Group.objects.filter(name__in=roles))
        audit.record(actor, "account.created", user, after={"username": username, "roles": roles})
    return user


def do_set_password(actor: Any, user: User, password: str) -> None:
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor, "account.password_set", user)  # never the password itself
