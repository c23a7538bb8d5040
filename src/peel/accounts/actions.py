from __future__ import annotations

from typing import Any, Literal

from django.contrib.auth.models import Group, Permission
from django.db import models, transaction

from peel.accounts.models import Team, User
from peel.accounts.roles import ROLE_PERMISSIONS, ROLE_TEAMS, ROLES, TEAMS
from peel.audit import log as audit
from peel.audit.actors import SINGLE_SIGN_ON, UNKNOWN_VISITOR, Actor, command


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


# ---- Single sign-on (peel.accounts.sso) ---------------------------------------------------------
# The identity provider says who someone is and which groups they are in; these actions make
# the account match and audit what changed. Each is its own transaction: Django's sign-in opens none.


def do_sso_create_user(
    username: str, subject: str, roles: list[str], teams: list[str], **fields: Any
) -> User:
    """An account for someone the provider vouches for, at their first sign-in: linked to the
    provider's subject, with no usable password (they sign in only through the provider)."""
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=None, **fields)
        user.sso_subject = subject
        user.save(update_fields=["sso_subject"])
        found = list(Team.objects.filter(slug__in=teams))
        user.groups.set(Group.objects.filter(name__in=roles))
        user.teams.set(found)
        audit.record(
            SINGLE_SIGN_ON, "account.created", user,
            after={
                "username": username, "roles": sorted(roles),
                "teams": sorted(t.slug for t in found), "sso_subject": subject,
            },
        )  # fmt: skip
    return user


def do_sso_set_roles(user: User, roles: list[str], teams: list[str], groups: list[str]) -> bool:
    """Make the account's roles and teams exactly those its provider groups map to (a person
    taken out of a group loses its role here). Audited with before and after when anything
    changes; returns whether it did. Teams the map names that do not exist are left out."""
    with transaction.atomic():
        before_roles = sorted(user.groups.values_list("name", flat=True))
        before_teams = sorted(user.teams.values_list("slug", flat=True))
        found = list(Team.objects.filter(slug__in=teams))
        after_roles, after_teams = sorted(set(roles)), sorted(t.slug for t in found)
        if (before_roles, before_teams) == (after_roles, after_teams):
            return False
        user.groups.set(Group.objects.filter(name__in=after_roles))
        user.teams.set(found)
        audit.record(
            SINGLE_SIGN_ON, "auth.sso_roles_changed", user,
            before={"roles": before_roles, "teams": before_teams},
            after={
                "roles": after_roles, "teams": after_teams, "provider_groups": sorted(groups),
                "unknown_teams": sorted(set(teams) - set(after_teams)),
            },
        )  # fmt: skip
        return True


def do_audit_sso_signed_in(user: User, details: dict[str, Any]) -> None:
    with transaction.atomic():
        audit.record(user, "auth.sso_signed_in", user, after=details)


def do_audit_sso_refused(account: User, details: dict[str, Any]) -> None:
    """A refused single sign-on (`account` unsaved when no account is linked to the identity)."""
    with transaction.atomic():
        audit.record(UNKNOWN_VISITOR, "auth.sso_refused", account, after=details)
