from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction
from django.utils import timezone

from peel.accounts.models import Team, User
from peel.accounts.roles import ROLE_PERMISSIONS, ROLE_TEAMS, ROLES, TEAMS
from peel.audit import log as audit
from peel.audit.actors import SYSTEM, Actor, command


def do_create_user(
    actor: Actor,
    username: str,
    password: str,
    roles: list[str],
    teams: list[str] | None = None,
    **fields: Any,
) -> User:
    """Create an account with its roles and teams (by default, the usual teams of its roles)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"Unknown roles: {sorted(unknown)}. Roles are: {', '.join(ROLES)}.")
    if teams is None:
        teams = sorted({slug for role in roles for slug in ROLE_TEAMS.get(role, [])})
    found = list(Team.objects.filter(slug__in=teams))
    if len(found) != len(set(teams)):
        missing = sorted(set(teams) - {t.slug for t in found})
        raise ValueError(f"Unknown teams: {missing}.")
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, **fields)
        user.groups.set(Group.objects.filter(name__in=roles))
        user.teams.set(found)
        audit.record(
            actor, "account.created", user,
            after={"username": username, "roles": roles, "teams": sorted(teams)},
        )  # fmt: skip
    return user


def do_set_password(actor: Actor, user: User, password: str) -> None:
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor, "account.password_set", user)  # never the password itself


def do_sync_roles(actor: Actor, using: str = "default") -> None:
    """Make the teams and the role groups match roles.py exactly. Each team created and each
    role whose permissions change is audited; a second run changes nothing and writes nothing."""
    with transaction.atomic(using=using):
        for slug, name in TEAMS.items():
            team, created = Team.objects.using(using).get_or_create(
                slug=slug, defaults={"name": name}
            )
            if created:
                audit.record(actor, "account.team_created", team, after={"name": name})
        for role, perm_names in ROLE_PERMISSIONS.items():
            group, _ = Group.objects.using(using).get_or_create(name=role)
            perms = []
            for name in perm_names:
                app_label, codename = name.split(".")
                perm = (
                    Permission.objects.using(using)
                    .filter(content_type__app_label=app_label, codename=codename)
                    .first()
                )
                if perm is None:  # that app has not migrated yet; the next post_migrate adds it
                    continue
                perms.append(perm)
            before = sorted(_perm_names(group.permissions.all()))
            after = sorted(_perm_names(perms))
            if before != after:
                group.permissions.set(perms)
                audit.record(
                    actor, "account.role_permissions_synced", group,
                    before={"permissions": before}, after={"permissions": after},
                )  # fmt: skip


def _perm_names(perms: Any) -> list[str]:
    return [f"{p.content_type.app_label}.{p.codename}" for p in perms]


def sync_roles_after_migrate(sender: Any = None, **kwargs: Any) -> None:
    """post_migrate receiver: permissions exist only after every app has migrated."""
    do_sync_roles(command("upgrade"), using=kwargs.get("using", "default"))


# ---- Changes the Django admin makes itself, and signing in and out ------------------------------
# The admin writes models without calling actions, and Django signs people in; the signal
# handlers in signals.py find out what changed and who did it, and write the event here.

AdminEvent = Literal[
    "admin.created", "admin.changed", "admin.deleted", "admin.members_changed",
    "auth.password_changed",
]  # fmt: skip
SignInEvent = Literal["auth.logged_in", "auth.logged_out", "auth.login_failed"]


def do_audit_admin_change(
    actor: User,
    event: AdminEvent,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record a change the admin made, in the admin request's transaction (see middleware.py),
    so the change and its event commit together. The change itself is already written."""
    audit.record(actor, event, obj, before, after)


def do_audit_sign_in(
    actor: Actor, event: SignInEvent, account: User, details: dict[str, Any]
) -> None:
    """Record a sign-in, a sign-out or a failed sign-in (`account` unsaved when the username
    tried is no account). Its own transaction: Django's sign-in opens none."""
    with transaction.atomic():
        audit.record(actor, event, account, after=details)


# ---- Sessions and re-authentication (issue 15) --------------------------------------------------


def do_record_session_expired(user: User, limit: str, details: dict[str, Any]) -> None:
    """A staff session passed its idle or absolute limit and is being ended (sessions.py). The
    system ends it, so the system is the actor and the account the object."""
    with transaction.atomic():
        audit.record(SYSTEM, "auth.session_expired", user, after={"limit": limit, **details})


def do_clear_expired_sessions() -> int | None:
    """Delete the sessions past their expiry through the session engine (what Django's
    `clearsessions` does), and say how many for a database-backed engine (None for another).

    Not audited: the rows belong to sessions that have already ended (signed out, or past their
    limit); the worker's log counts them."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    get_model = getattr(store, "get_model_class", None)
    with transaction.atomic():
        counted = (
            get_model()._default_manager.filter(expire_date__lt=timezone.now()).count()
            if get_model is not None
            else None
        )
        store.clear_expired()
    return counted


@dataclass(frozen=True)
class Reauthentication:
    """What came of a second-factor code given to confirm it's them."""

    ok: bool
    device: str = ""  # "authenticator app" or "recovery code" when ok
    retry_at: dt.datetime | None = None  # too many wrong codes: not before then


def do_reauthenticate(user: User, code: str, address: str) -> Reauthentication:
    """Check a code against the user's confirmed second-factor devices with django-otp (a code
    from an authenticator app, or a recovery code, used up), throttled by the devices' own
    throttling; audited either way (`auth.reauthenticated`, `auth.reauthentication_failed`)."""
    from django_otp import devices_for_user
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    code = "".join(code.split())
    # A number is an authenticator's code; anything else a recovery code. Only that kind of
    # device is asked, so a right code does not count as a wrong one on the other kind.
    kind: type[Any] = TOTPDevice if code.isdigit() and len(code) in (6, 8) else StaticDevice
    if kind is StaticDevice:
        code = code.lower()
    retry_at = None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if not isinstance(device, kind):
                continue
            allowed, why = device.verify_is_allowed()
            if not allowed:
                retry_at = (why or {}).get("locked_until")
                continue
            if device.verify_token(code):
                used = "authenticator app" if kind is TOTPDevice else "recovery code"
                audit.record(
                    user, "auth.reauthenticated", user, after={"device": used, "address": address}
                )
                return Reauthentication(True, used)
        audit.record(
            user, "auth.reauthentication_failed", user,
            after={"address": address, "throttled": retry_at is not None},
        )  # fmt: skip
    return Reauthentication(False, retry_at=retry_at)
