"""Audit events for changes made outside a `do_*` action: the Django admin, and signing in.

Every model the admin exposes (staff accounts, roles as groups and their permissions, teams) is
watched with `pre_save`/`post_save`/`post_delete`/`m2m_changed`. A change is audited when it is
made in a request by a signed-in user (read from `peel.accounts.middleware`), who is the actor,
and written by the `do_audit_*` actions in actions.py. Changes made elsewhere go through the
accounts actions, which audit themselves, or are set-up (roles synced after migrate), so they
are not audited twice.

Passwords: the hash is never written; a changed hash is one `auth.password_changed` event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpRequest
from django.urls import reverse

from peel.accounts.actions import do_audit_admin_change, do_audit_sign_in
from peel.accounts.middleware import client_address, current_request
from peel.accounts.models import User
from peel.accounts.sessions import start as start_session_clocks
from peel.audit.actors import UNKNOWN_VISITOR

# Never copied into an event: a secret, or noise that its own event already says (a sign-in).
HIDDEN_FIELDS = {"password", "last_login"}
# The second factor's secrets, by model: an authenticator app's key, a recovery code, a security
# key's credential and what it attested. A change to one is audited without its value.
SECRET_FIELDS: dict[str, set[str]] = {
    "otp_totp.totpdevice": {"key"},
    "otp_static.statictoken": {"token"},
    "django_otp_webauthn.webauthncredential": {
        "credential_id", "credential_id_sha256", "public_key",
    },
    "django_otp_webauthn.webauthnattestation": {"data", "client_data_json"},
}  # fmt: skip
DEVICE_MODELS = {"otp_static.staticdevice"}
_BEFORE = "_peel_audit_before"


def watched_models() -> list[type[models.Model]]:
    """Every model the admin site exposes (the admin registers them before this app is ready),
    and recovery codes, which the admin edits inline on their device."""
    inline = {"otp_static.statictoken"}
    return [
        model
        for model in apps.get_models()
        if admin.site.is_registered(model) or model._meta.label_lower in inline
    ]


def connect() -> None:
    for model in watched_models():
        uid = model._meta.label_lower
        pre_save.connect(_remember_before, sender=model, dispatch_uid=f"peel.audit.pre.{uid}")
        post_save.connect(_saved, sender=model, dispatch_uid=f"peel.audit.save.{uid}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"peel.audit.delete.{uid}")
    m2m_changed.connect(_members_changed, dispatch_uid="peel.audit.m2m")
    user_logged_in.connect(_logged_in, dispatch_uid="peel.audit.logged_in")
    user_logged_out.connect(_logged_out, dispatch_uid="peel.audit.logged_out")
    user_login_failed.connect(_login_failed, dispatch_uid="peel.audit.login_failed")


def _acting_user() -> User | None:
    request = current_request()
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def _admin_actor(instance: models.Model) -> User | None:
    """The acting user, for a change to audit here. Second-factor devices change on every
    sign-in (throttle counts, the last code's time step) and are enrolled and reset by actions
    that audit themselves, so only a change made in the admin is audited here."""
    actor = _acting_user()
    if actor is not None and instance._meta.label_lower in {*SECRET_FIELDS, *DEVICE_MODELS}:
        request = current_request()
        if request is None or not request.path.startswith(reverse("admin:index")):
            return None
    return actor


def _fields(instance: models.Model) -> dict[str, Any]:
    hidden = HIDDEN_FIELDS | SECRET_FIELDS.get(instance._meta.label_lower, set())
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in hidden
    }


def _remember_before(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if instance.pk is None or _admin_actor(instance) is None:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    if old is not None:
        setattr(instance, _BEFORE, (_fields(old), getattr(old, "password", None)))


def _saved(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    actor = _admin_actor(instance)
    if actor is None:
        return
    if created:
        do_audit_admin_change(actor, "admin.created", instance, after=_fields(instance))
        return
    remembered = instance.__dict__.pop(_BEFORE, None)
    if remembered is None:
        return
    old_fields, old_password = remembered
    new_fields = _fields(instance)
    changed = [name for name in new_fields if not _same(old_fields.get(name), new_fields[name])]
    if changed:
        do_audit_admin_change(
            actor, "admin.changed", instance,
            {name: old_fields.get(name) for name in changed},
            {name: new_fields[name] for name in changed},
        )  # fmt: skip
    if isinstance(instance, User) and instance.password != old_password:
        by = "themselves" if actor.pk == instance.pk else actor.get_username()
        do_audit_admin_change(actor, "auth.password_changed", instance, after={"changed_by": by})


def _same(before: Any, after: Any) -> bool:
    """Equal, or a time the admin's form only cut to the whole second (its date and time
    widgets drop microseconds from a field nobody touched, such as date_joined)."""
    if before == after:
        return True
    if isinstance(before, dt.datetime) and isinstance(after, dt.datetime):
        return before.replace(microsecond=0) == after.replace(microsecond=0) and 0 in (
            before.microsecond,
            after.microsecond,
        )
    return False


def _deleted(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    actor = _admin_actor(instance)
    if actor is not None:
        do_audit_admin_change(actor, "admin.deleted", instance, before=_fields(instance))


def _label(obj: models.Model) -> str:
    natural_key = getattr(obj, "natural_key", None)
    return "/".join(str(part) for part in natural_key()) if natural_key else str(obj)


def _relation_name(instance: models.Model, through: type[models.Model]) -> str:
    for field in instance._meta.get_fields():
        remote = getattr(field, "remote_field", None)
        if field.many_to_many and getattr(remote, "through", None) is through:
            return field.name
        if field.many_to_many and getattr(field, "through", None) is through:
            return field.name  # the reverse side (a team's members)
    return through._meta.label_lower


def _members_changed(
    sender: type[models.Model],
    instance: models.Model,
    action: str,
    model: type[models.Model],
    pk_set: set[Any] | None,
    **kwargs: Any,
) -> None:
    watched = set(watched_models())
    if type(instance) not in watched and model not in watched:
        return
    actor = _acting_user()
    if actor is None:
        return
    relation = _relation_name(instance, sender)
    if action == "pre_clear":  # what is about to be removed is known only now
        current = getattr(instance, relation, None)
        cleared = [_label(obj) for obj in current.all()] if current is not None else []
        instance.__dict__["_peel_audit_cleared"] = cleared
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        names = instance.__dict__.pop("_peel_audit_cleared", [])
    else:
        names = [_label(obj) for obj in model._default_manager.filter(pk__in=pk_set or [])]
    if not names:
        return
    change = "added" if action == "post_add" else "removed"
    do_audit_admin_change(
        actor, "admin.members_changed", instance, after={"relation": relation, change: names}
    )


def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if not isinstance(user, User):
        return
    if getattr(request, "session", None) is not None:
        start_session_clocks(request)  # the idle and absolute limits count from now
    do_audit_sign_in(user, "auth.logged_in", user, {"address": client_address(request)})


def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if not isinstance(user, User):  # signing out while not signed in
        return
    if getattr(request, "peel_session_expired", False):
        return  # not a sign-out: the session ran out, audited as auth.session_expired
    do_audit_sign_in(user, "auth.logged_out", user, {"address": client_address(request)})


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already masked the password in `credentials`; only the username is kept.
    username = str(credentials.get("username", ""))[:150]
    account = User.objects.filter(username=username).first() or User(username=username)
    address = client_address(request) if request is not None else ""
    do_audit_sign_in(
        UNKNOWN_VISITOR, "auth.login_failed", account, {"username": username, "address": address}
    )
