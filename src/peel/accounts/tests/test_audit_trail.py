"""Changes made in the Django admin, signing in and out, and failed sign-ins are audited, with
who did it and what changed, and never a password or its hash."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from peel.accounts.actions import do_create_user
from peel.accounts.models import Team, User
from peel.accounts.testing import reauthenticate, sign_in
from peel.audit.actors import TEST
from peel.audit.log import verify_chain
from peel.audit.models import AuditEvent
from peel.process.testing import PASSWORD

NEW_PASSWORD = "another-long-horse-staple-9"


@pytest.fixture
def admin_user(db: None) -> User:
    return do_create_user(
        TEST, "root", PASSWORD, ["admin"], is_staff=True, is_superuser=True, collar_number="A1"
    )


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    sign_in(client, admin_user)
    reauthenticate(client, admin_user)  # every change in the admin needs it (accounts/reauth.py)
    return client


def _events_since(start: int, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=start, action=action))


def _last_id() -> int:
    last = AuditEvent.objects.last()
    return last.id if last else 0


def _user_form(user: User, **changes: object) -> dict[str, object]:
    """Every field of the admin's change-user form, as it shows them, with `changes` applied."""
    form: dict[str, object] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "collar_number": user.collar_number,
        "groups": [g.pk for g in user.groups.all()],
        "teams": [t.pk for t in user.teams.all()],
        "date_joined_0": user.date_joined.strftime("%d/%m/%Y"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": user.date_joined.strftime("%d/%m/%Y"),
        "initial-date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    form.update(changes)
    return form


def test_an_admin_changing_an_operators_roles_teams_and_collar_is_audited_with_the_admin(
    admin_client: Client, admin_user: User, operator: User
) -> None:
    start = _last_id()
    supervisor_role = Group.objects.get(name="supervisor")
    hub = Team.objects.create(slug="hub-x", name="Hub X")
    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[operator.pk]),
        _user_form(
            operator,
            collar_number="4471",
            groups=[supervisor_role.pk],
            teams=[hub.pk],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    changed = _events_since(start, "admin.changed")
    assert [(e.actor_id, e.actor_label, e.object_id) for e in changed] == [
        (admin_user.pk, "root", str(operator.pk))
    ]
    # Only what changed: the form also cuts date_joined to the second, which is not a change
    # anyone made (found by a new user reading the auditor's page).
    assert changed[0].before["collar_number"] == ""
    assert changed[0].after["collar_number"] == "4471"
    assert set(changed[0].after) == {"collar_number"}
    members = _events_since(start, "admin.members_changed")
    assert {e.actor_id for e in members} == {admin_user.pk}
    afters = [e.after for e in members]
    assert {"relation": "groups", "added": ["supervisor"]} in afters
    assert {"relation": "groups", "removed": ["operator"]} in afters
    assert {"relation": "teams", "added": ["Hub X"]} in afters
    assert verify_chain().ok


def test_an_admin_resetting_a_password_is_audited_without_the_password_or_its_hash(
    admin_client: Client, admin_user: User, operator: User
) -> None:
    start = _last_id()
    old_hash = operator.password
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[operator.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.check_password(NEW_PASSWORD)
    [event] = _events_since(start, "auth.password_changed")
    assert (event.actor_id, event.object_id) == (admin_user.pk, str(operator.pk))
    assert event.after == {"changed_by": "root"}
    everything = json.dumps([[e.before, e.after] for e in AuditEvent.objects.filter(id__gt=start)])
    for secret in (NEW_PASSWORD, old_hash, operator.password):
        assert secret not in everything
    assert not _events_since(start, "admin.changed")  # the hash is not a field change


def test_an_admin_granting_a_role_a_permission_and_creating_and_deleting_a_team_is_audited(
    admin_client: Client, admin_user: User
) -> None:
    start = _last_id()
    analyst = Group.objects.get(name="analyst")
    extra = Permission.objects.get(codename="view_any_report")
    kept = list(analyst.permissions.values_list("pk", flat=True))
    response = admin_client.post(
        reverse("admin:auth_group_change", args=[analyst.pk]),
        {"name": "analyst", "permissions": [*kept, extra.pk]},
    )
    assert response.status_code == 302
    [granted] = _events_since(start, "admin.members_changed")
    assert granted.actor_id == admin_user.pk
    assert granted.object_type == "auth.group"
    assert granted.after == {"relation": "permissions", "added": ["view_any_report/reports/report"]}

    response = admin_client.post(
        reverse("admin:accounts_team_add"), {"slug": "cyber", "name": "Cyber crime"}
    )
    assert response.status_code == 302
    team = Team.objects.get(slug="cyber")
    [created] = _events_since(start, "admin.created")
    assert (created.actor_id, created.object_id) == (admin_user.pk, str(team.pk))
    assert created.after == {"id": team.pk, "slug": "cyber", "name": "Cyber crime"}

    response = admin_client.post(
        reverse("admin:accounts_team_delete", args=[team.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    [deleted] = _events_since(start, "admin.deleted")
    assert deleted.before == {"id": team.pk, "slug": "cyber", "name": "Cyber crime"}
    assert deleted.actor_id == admin_user.pk
    assert verify_chain().ok


def test_signing_in_and_out_is_audited_with_the_address(operator: User) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3")
    start = _last_id()
    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 302
    [signed_in] = _events_since(start, "auth.logged_in")
    assert (signed_in.actor_id, signed_in.object_id) == (operator.pk, str(operator.pk))
    assert signed_in.after == {"address": "10.1.2.3"}
    client.post(reverse("logout"))
    [signed_out] = _events_since(start, "auth.logged_out")
    assert signed_out.actor_id == operator.pk
    # Signing in stamps last_login: that is not reported as an account change.
    assert not _events_since(start, "admin.changed")


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["olivia", "nobody-here"])
def test_a_failed_sign_in_keeps_the_username_tried_and_the_address_never_the_password(
    username: str, make_user: object
) -> None:
    User.objects.filter(username="olivia").exists() or do_create_user(
        TEST, "olivia", PASSWORD, ["operator"]
    )
    client = Client(REMOTE_ADDR="192.0.2.7")
    start = _last_id()
    response = client.post(reverse("login"), {"username": username, "password": "Guess-123-x"})
    assert response.status_code == 200  # the form again, with its error
    [failed] = _events_since(start, "auth.login_failed")
    assert failed.actor_id is None
    assert failed.actor_label == "unknown visitor"
    assert failed.after == {"username": username, "address": "192.0.2.7"}
    assert "Guess-123-x" not in json.dumps([failed.before, failed.after])
    account = User.objects.filter(username=username).first()
    assert failed.object_id == (str(account.pk) if account else "")


def test_changes_made_by_actions_are_audited_once_not_again_by_the_admin_signals(
    operator: User,
) -> None:
    # do_create_user audited the account; the signals add nothing outside a signed-in request.
    events = AuditEvent.objects.filter(object_type="accounts.user", object_id=str(operator.pk))
    assert list(events.values_list("action", flat=True)) == ["account.created"]


def test_changing_ones_own_password_is_audited_as_done_by_oneself(
    admin_client: Client, admin_user: User
) -> None:
    start = _last_id()
    response = admin_client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    [event] = _events_since(start, "auth.password_changed")
    assert (event.actor_id, event.object_id) == (admin_user.pk, str(admin_user.pk))
    assert event.after == {"changed_by": "themselves"}


def test_an_admin_adding_an_account_is_audited_without_its_password(
    admin_client: Client, admin_user: User
) -> None:
    start = _last_id()
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newop",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    new = User.objects.get(username="newop")
    [created] = [e for e in _events_since(start, "admin.created") if e.object_id == str(new.pk)]
    assert created.actor_id == admin_user.pk
    assert created.after["username"] == "newop"
    assert "password" not in created.after
    everything = json.dumps([[e.before, e.after] for e in AuditEvent.objects.filter(id__gt=start)])
    assert NEW_PASSWORD not in everything and new.password not in everything
