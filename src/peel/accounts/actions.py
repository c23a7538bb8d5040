from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Literal

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from peel.accounts.models import Team, User
from peel.accounts.roles import ROLE_PERMISSIONS, ROLE_TEAMS, ROLES, TEAMS
from peel.audit import log as audit
from peel.audit.actors import SINGLE_SIGN_ON, SYSTEM, UNKNOWN_VISITOR, Actor, command


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


# ---- The second factor (second_factor.py, views.py) --------------------------------------------

RECOVERY_CODES = 10  # single-use codes made at enrolment and on request


@dataclass(frozen=True)
class CodeCheck:
    """What a typed second-factor code did: the device that accepted it, or why not."""

    device: Device | None
    wait_seconds: int = 0  # >0: too many wrong codes, the device refuses to check for this long


def do_verify_second_factor(user: User, code: str, address: str) -> CodeCheck:
    """Check a code from the user's authenticator app (6 digits) or one of their recovery codes.
    Every failure is audited (`auth.second_factor_failed`) and counts towards django-otp's
    throttle on the device; a recovery code accepted is used up and audited."""
    code = "".join(code.split()).replace("-", "").lower()
    recovery = not (len(code) == 6 and code.isdigit())
    factor = "recovery code" if recovery else "authenticator app"
    model: type[Device] = StaticDevice if recovery else TOTPDevice
    wait = 0
    with transaction.atomic():
        # Locked, so parallel guesses queue and each counts towards the throttle.
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            allowed, why = device.verify_is_allowed()
            if not allowed:
                locked_until = (why or {}).get("locked_until")
                if locked_until is not None:
                    wait = max(wait, int((locked_until - timezone.now()).total_seconds()) + 1)
                continue
            if device.verify_token(code):
                if recovery:
                    assert isinstance(device, StaticDevice)
                    left = device.token_set.count()
                    audit.record(
                        user, "auth.recovery_code_used", user,
                        after={"address": address, "recovery_codes_left": left},
                    )  # fmt: skip
                return CodeCheck(device)
        audit.record(
            user, "auth.second_factor_failed", user,
            after={"address": address, "factor": factor, "throttled": wait > 0},
        )  # fmt: skip
    return CodeCheck(None, wait)


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def do_enrol_authenticator(
    user: User, key_hex: str, used_step: int, actor: Actor | None = None
) -> tuple[Device, list[str]]:
    """Enrol an authenticator app whose code the user has just typed (so the app and Peel agree
    on the key), replacing any earlier app, and make a fresh set of recovery codes. The code
    already typed (time step `used_step`) cannot be used again. Returns the device and the
    recovery codes, which are shown once and kept only as django-otp's tokens. `actor` is the
    user themselves, unless set-up enrols them (the demo's accounts)."""
    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user=user).delete()[0]
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", key=key_hex, confirmed=True, last_t=used_step
        )
        codes = _new_recovery_codes(user)
        audit.record(
            actor or user, "auth.second_factor_enrolled", user,
            after={"factor": "authenticator app", "replaced": bool(replaced),
                   "recovery_codes": len(codes)},
        )  # fmt: skip
    return device, codes


def do_renew_recovery_codes(user: User) -> list[str]:
    """A new set of recovery codes; every earlier one stops working."""
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record(user, "auth.recovery_codes_renewed", user, after={"count": len(codes)})
    return codes


def do_register_security_key(user: User, register: Callable[[], Device]) -> Device:
    """Save the security key that `register` (django-otp-webauthn's ceremony, already checked
    against this session's challenge) creates, and audit it."""
    with transaction.atomic():
        device = register()
        audit.record(
            user, "auth.second_factor_enrolled", user,
            after={"factor": "security key", "name": device.name},
        )  # fmt: skip
    return device


def do_audit_security_key_failed(user: User, address: str, status: int) -> None:
    """A security key's answer was refused (writes only the event)."""
    with transaction.atomic():
        audit.record(
            user, "auth.second_factor_failed", user,
            after={"address": address, "factor": "security key", "status": status},
        )  # fmt: skip


def do_reset_second_factor(actor: User, user: User, reason: str) -> dict[str, int]:
    """Remove every second factor of `user` (a lost phone or key): at their next sign-in they
    enrol again, and a session verified by a removed factor is verified no more."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Say why the second factor is being reset.")
    with transaction.atomic():
        removed = {
            "authenticator_apps": TOTPDevice.objects.filter(user=user).delete()[0],
            "recovery_codes": StaticToken.objects.filter(device__user=user).count(),
            "security_keys": WebAuthnCredential.objects.filter(user=user).delete()[0],
        }
        StaticDevice.objects.filter(user=user).delete()
        audit.record(actor, "auth.second_factor_reset", user, after={"reason": reason, **removed})
    return removed


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
