from __future__ import annotations

from typing import Any, Literal

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction

from peel.accounts.models import Team, User
from peel.accounts.roles import ROLE_PERMISSIONS, ROLE_TEAMS, ROLES, TEAMS
from peel.audit import log as audit
from peel.audit.actors import UNKNOWN_VISITOR, Actor, command


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
SignInEvent = Literal["auth.logged_in", "auth.logged_out", "auth.login_failed", "auth.locked_out"]


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


# ---- Password guessing (lockouts.py) and changing one's own password ----------------------------


def _account(username: str) -> User:
    """The account a username names, or an unsaved one when it names none (a guess)."""
    return User.objects.filter(username=username).first() or User(username=username)


def do_audit_lockout(
    *,
    username: str,
    address: str,
    account_failures: int,
    address_failures: int,
    locked: Literal["account", "address"],
) -> None:
    """Record that sign-in was just locked for an account or an address (axes wrote its count;
    this is the moment it reached the limit). The actor is the unknown visitor who tried."""
    with transaction.atomic():
        audit.record(
            UNKNOWN_VISITOR, "auth.locked_out", _account(username),
            after={
                "username": username, "address": address, "locked": locked,
                "account_failures": account_failures, "address_failures": address_failures,
            },
        )  # fmt: skip


def do_lift_lockout(actor: User, *, username: str = "", address: str = "") -> int:
    """Let an account (from every address) or an address (for every account) sign in again
    now, by forgetting its counted failures; audited with who lifted it. Returns the number of
    attempt rows forgotten (the failures themselves stay in the audit log)."""
    if bool(username) == bool(address):
        raise ValueError("Lift a lockout of one account or of one address.")
    with transaction.atomic():
        if username:
            cleared = AxesProxyHandler.reset_attempts(username=username)
            target: models.Model = _account(username)
            after: dict[str, Any] = {"username": username}
        else:
            cleared = AxesProxyHandler.reset_attempts(ip_address=address)
            target = AccessAttempt(ip_address=address)
            after = {"address": address}
        audit.record(
            actor, "auth.lockout_lifted", target,
            after={**after, "attempts_cleared": cleared, "lifted_by": actor.get_username()},
        )  # fmt: skip
    return cleared


def do_change_own_password(user: User, new_password: str, address: str) -> None:
    """A member of staff sets a new password for their own account (they gave the old one).
    The hash is written without signals, so the admin's password signal does not record it a
    second time: this is its one `auth.password_changed` event."""
    with transaction.atomic():
        user.set_password(new_password)
        User.objects.filter(pk=user.pk).update(password=user.password)
        audit.record(
            user, "auth.password_changed", user,
            after={"changed_by": "themselves", "address": address},
        )  # fmt: skip
