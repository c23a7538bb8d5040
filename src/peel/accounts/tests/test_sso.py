"""Single sign-on against a real OpenID Connect provider on loopback (oidc-provider-mock: Flask
and Authlib, signing RS256 ID tokens with its own key), started on a port in 8820-8829.

The Django test client starts the sign-in, a plain HTTP client plays the person at the
provider's page (it posts the subject to sign in as), and the test client follows the provider's
redirect back to the callback: every check Peel makes runs on real tokens. Each test says which
attack fails.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.urls import reverse

from peel.accounts import sso
from peel.accounts.actions import do_create_user
from peel.accounts.models import User
from peel.accounts.tests.sso_provider import (
    OPERATORS,
    SAFEGUARDING,
    SUPERVISORS,
    at_provider,
)
from peel.audit.actors import TEST
from peel.audit.models import AuditEvent
from peel.process.testing import PASSWORD

pytestmark = pytest.mark.django_db


def start(client: Client, **params: str) -> str:
    response = client.get(reverse("sso-start"), params)
    assert response.status_code == 302, response
    return str(response["Location"])


def authorize(authorize_url: str, sub: str) -> str:
    """The person signs in at the provider's page; returns where it sends the browser back."""
    answer = httpx.post(authorize_url, data={"sub": sub})
    assert answer.status_code == 302, answer.text
    back = answer.headers["location"]
    assert urlsplit(back).path == reverse("sso-callback")
    return str(back)


def callback(client: Client, back: str) -> Any:
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client: Client, sub: str, **params: str) -> Any:
    return callback(client, authorize(start(client, **params), sub))


def signed_in_as(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def roles_of(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def teams_of(user: User) -> list[str]:
    return sorted(user.teams.values_list("slug", flat=True))


# ---- Signing in --------------------------------------------------------------------------------


def test_sign_in_end_to_end_creates_the_account_with_the_roles_and_teams_of_its_groups(
    configure: Callable[..., None], provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_provider(
        provider, "entra-oid-1", groups=[OPERATORS, "unmapped-group"], amr=["pwd"],
        preferred_username="ada.lovelace@force.example", given_name="Ada", family_name="Lovelace",
    )  # fmt: skip
    client = Client()
    authorize_url = start(client, next="/staff/queue/")
    query = parse_qs(urlsplit(authorize_url).query)
    assert authorize_url.startswith(f"{provider}/oauth2/authorize?")
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]  # PKCE
    assert query["nonce"] and query["state"] and query["client_id"] == ["peel"]
    assert "prompt" not in query

    token_requests: list[dict[str, Any]] = []
    real_get_token = sso.PeelOIDCBackend.get_token

    def get_token(self: Any, payload: dict[str, Any]) -> Any:
        token_requests.append(dict(payload))
        return real_get_token(self, payload)

    monkeypatch.setattr(sso.PeelOIDCBackend, "get_token", get_token)
    response = callback(client, authorize(authorize_url, "entra-oid-1"))

    # PKCE: the verifier sent with the code is the one the challenge was made from.
    verifier = token_requests[0]["code_verifier"].encode()
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
    assert query["code_challenge"] == [digest]

    assert response.status_code == 302 and response["Location"] == "/staff/queue/"
    user = signed_in_as(client)
    assert user is not None and user.sso_subject == "entra-oid-1"
    assert user.username == "ada.lovelace@force.example" and user.get_full_name() == "Ada Lovelace"
    assert not user.has_usable_password()  # they sign in only through the provider
    assert roles_of(user) == ["operator"] and teams_of(user) == ["contact-centre"]
    signed = events("auth.sso_signed_in")[-1]
    assert signed.actor_id == user.pk
    assert signed.after["provider_groups"] == sorted([OPERATORS, "unmapped-group"])
    assert signed.after["matched_groups"] == [OPERATORS] and signed.after["amr"] == ["pwd"]
    assert events("account.created")[-1].actor_label == "single sign-on"
    assert events("auth.logged_in")[-1].actor_id == user.pk
    # The provider said "pwd" only (no "mfa" in amr): Peel asks for its own second factor.
    assert client.get(reverse("staff-home"))["Location"].startswith(reverse("second-factor"))


def test_an_account_is_found_by_the_providers_subject_never_by_name_or_email(
    configure: Callable[..., None], provider: str
) -> None:
    """Attack: someone sets their display name or email at the provider to a colleague's."""
    alice = do_create_user(TEST, "alice", PASSWORD, ["operator"], email="alice@force.example")
    User.objects.filter(pk=alice.pk).update(sso_subject="oid-alice")
    do_create_user(TEST, "mallory", PASSWORD, ["operator"])
    at_provider(
        provider, "oid-mallory", groups=[SUPERVISORS], email="alice@force.example",
        preferred_username="alice", name="Alice",
    )  # fmt: skip
    configure(PEEL_OIDC_CREATE_USERS=False)
    client = Client()
    sign_in(client, "oid-mallory")
    assert signed_in_as(client) is None  # no account is linked to that subject: refused
    refused = events("auth.sso_refused")[-1]
    assert "no Peel account is linked" in refused.after["reason"]
    assert roles_of(User.objects.get(pk=alice.pk)) == ["operator"]  # untouched

    configure(PEEL_OIDC_CREATE_USERS=True)  # a new account, never alice's
    sign_in(client, "oid-mallory")
    mallory = signed_in_as(client)
    assert mallory is not None and mallory.pk != alice.pk and mallory.username == "alice-2"

    at_provider(provider, "oid-alice", groups=[OPERATORS], preferred_username="someone-else")
    other = Client()
    sign_in(other, "oid-alice")
    assert signed_in_as(other) == alice  # the linked account, whatever the names say


def test_a_changed_group_changes_the_role_at_the_next_sign_in_and_is_audited(
    configure: Callable[..., None], provider: str
) -> None:
    at_provider(provider, "oid-moves", groups=[OPERATORS])
    sign_in(Client(), "oid-moves")
    user = User.objects.get(sso_subject="oid-moves")
    assert roles_of(user) == ["operator"]

    at_provider(provider, "oid-moves", groups=[SUPERVISORS])  # moved at the provider
    client = Client()
    sign_in(client, "oid-moves")
    assert signed_in_as(client) == user
    assert roles_of(user) == ["supervisor"] and teams_of(user) == ["contact-centre", "despatch"]
    changed = events("auth.sso_roles_changed")[-1]
    assert changed.before == {"roles": ["operator"], "teams": ["contact-centre"]}
    assert changed.after["roles"] == ["supervisor"]
    assert changed.after["teams"] == ["contact-centre", "despatch"]

    count = len(events("auth.sso_roles_changed"))
    sign_in(Client(), "oid-moves")  # nothing changed: nothing more audited
    assert len(events("auth.sso_roles_changed")) == count


def test_several_groups_give_every_role_and_team_they_map_to(
    configure: Callable[..., None], provider: str, tmp_path: Path
) -> None:
    at_provider(provider, "oid-two-hats", groups=[OPERATORS, SAFEGUARDING])
    client = Client()
    sign_in(client, "oid-two-hats")
    user = signed_in_as(client)
    assert user is not None
    assert roles_of(user) == ["operator", "safeguarding"]
    assert teams_of(user) == ["contact-centre", "safeguarding-hub"]

    # A team the map names that Peel does not have is left out, and said in the event.
    group_map = tmp_path / "typo.toml"
    group_map.write_text(
        f'[[group]]\nid = "{OPERATORS}"\nroles = ["operator"]\nteams = ["contact-centr"]\n'
    )
    configure(PEEL_OIDC_GROUP_MAP=str(group_map))
    sign_in(Client(), "oid-two-hats")
    assert roles_of(user) == ["operator"] and teams_of(user) == []
    assert events("auth.sso_roles_changed")[-1].after["unknown_teams"] == ["contact-centr"]


def test_someone_in_no_mapped_group_is_refused_audited_and_loses_every_role(
    configure: Callable[..., None], provider: str
) -> None:
    """Attack: a provider account that is not meant to use Peel (or was taken out of it)."""
    at_provider(provider, "oid-stranger", groups=["finance-team"])
    client = Client()
    response = sign_in(client, "oid-stranger")
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert signed_in_as(client) is None
    assert not User.objects.filter(sso_subject="oid-stranger").exists()
    refused = events("auth.sso_refused")[-1]
    assert "no group the group map names" in refused.after["reason"]
    assert refused.after["provider_groups"] == ["finance-team"]
    assert "did not work" in client.get(reverse("login")).content.decode()

    at_provider(provider, "oid-leaver", groups=[SUPERVISORS])
    sign_in(Client(), "oid-leaver")
    leaver = User.objects.get(sso_subject="oid-leaver")
    at_provider(provider, "oid-leaver", groups=[])  # left the force's Peel groups
    client = Client()
    sign_in(client, "oid-leaver")
    assert signed_in_as(client) is None
    assert roles_of(leaver) == [] and teams_of(leaver) == []
    assert events("auth.sso_roles_changed")[-1].after["roles"] == []


def test_a_disabled_account_is_refused(configure: Callable[..., None], provider: str) -> None:
    at_provider(provider, "oid-disabled", groups=[OPERATORS])
    sign_in(Client(), "oid-disabled")
    User.objects.filter(sso_subject="oid-disabled").update(is_active=False)
    client = Client()
    sign_in(client, "oid-disabled")
    assert signed_in_as(client) is None
    assert "disabled" in events("auth.sso_refused")[-1].after["reason"]


# ---- Tokens and state an attacker controls ---------------------------------------------------


def _tamper(token: str, **changes: Any) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_a_tampered_id_token_is_refused(
    configure: Callable[..., None], provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attack: the ID token altered on its way (here: a supervisor's group added to it)."""
    at_provider(provider, "oid-tamper", groups=[OPERATORS])
    real_get_token = sso.PeelOIDCBackend.get_token

    def get_token(self: Any, payload: dict[str, Any]) -> dict[str, Any]:
        token = real_get_token(self, payload)
        return {**token, "id_token": _tamper(token["id_token"], groups=[SUPERVISORS])}

    monkeypatch.setattr(sso.PeelOIDCBackend, "get_token", get_token)
    client = Client()
    sign_in(client, "oid-tamper")
    assert signed_in_as(client) is None
    assert not User.objects.filter(sso_subject="oid-tamper").exists()
    assert "signature" in events("auth.sso_refused")[-1].after["reason"].lower()

    def unsigned(self: Any, payload: dict[str, Any]) -> dict[str, Any]:
        token = real_get_token(self, payload)
        _header, body, _ = token["id_token"].split(".")
        none = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
        return {**token, "id_token": f"{none}.{body}."}

    monkeypatch.setattr(sso.PeelOIDCBackend, "get_token", unsigned)
    sign_in(client, "oid-tamper")
    assert signed_in_as(client) is None
    assert "alg value is not allowed" in events("auth.sso_refused")[-1].after["reason"]


def test_an_expired_id_token_is_refused(
    configure: Callable[..., None], expiring_provider: str
) -> None:
    """Attack: an old ID token replayed (a real provider, whose tokens have expired)."""
    configure(issuer=expiring_provider)
    at_provider(expiring_provider, "oid-late", groups=[OPERATORS])
    client = Client()
    sign_in(client, "oid-late")
    assert signed_in_as(client) is None
    assert "expired" in events("auth.sso_refused")[-1].after["reason"]


def test_a_token_from_another_issuer_is_refused(
    configure: Callable[..., None], provider: str
) -> None:
    """Attack: a token from a provider the force does not trust (another tenant's, or the
    attacker's own), through endpoints pointed at it: its `iss` is not the configured issuer."""
    configure(
        issuer="https://login.microsoftonline.com/force-tenant-id/v2.0",
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{provider}/oauth2/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{provider}/oauth2/token",
        OIDC_OP_JWKS_ENDPOINT=f"{provider}/jwks",
        OIDC_OP_USER_ENDPOINT="none",
    )
    at_provider(provider, "oid-elsewhere", groups=[OPERATORS])
    client = Client()
    sign_in(client, "oid-elsewhere")
    assert signed_in_as(client) is None
    assert "issuer" in events("auth.sso_refused")[-1].after["reason"].lower()
    assert sso._discovered == {}  # explicit endpoints: the discovery document is not fetched


def test_a_token_for_another_application_is_refused(
    configure: Callable[..., None], provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attack: an ID token the provider issued to another application (`aud`) presented here."""
    at_provider(provider, "oid-aud", groups=[OPERATORS])
    real_decode = sso.jwt.decode

    def decode_for_other_app(token: str, key: Any, **kwargs: Any) -> Any:
        return real_decode(token, key, **{**kwargs, "audience": "another-app"})

    monkeypatch.setattr(sso.jwt, "decode", decode_for_other_app)
    client = Client()
    sign_in(client, "oid-aud")
    assert signed_in_as(client) is None
    assert "audience" in events("auth.sso_refused")[-1].after["reason"].lower()


def test_a_wrong_or_replayed_state_is_refused(
    configure: Callable[..., None], provider: str
) -> None:
    """Attacks: login CSRF (a callback the browser did not start), and a callback replayed."""
    at_provider(provider, "oid-state", groups=[OPERATORS])
    client = Client()
    back = authorize(start(client), "oid-state")
    forged = back.replace("state=", "state=x")
    callback(client, forged)
    assert signed_in_as(client) is None
    assert "state" in events("auth.sso_refused")[-1].after["reason"]

    victim = Client()  # the attacker's own callback URL, sent to a victim's browser
    victim.get(reverse("login"))
    callback(victim, authorize(start(Client()), "oid-state"))
    assert signed_in_as(victim) is None

    callback(client, back)  # the genuine one still works, once
    assert signed_in_as(client) is not None
    client.post(reverse("logout"))
    count = len(events("auth.sso_refused"))
    callback(client, back)
    assert signed_in_as(client) is None
    assert len(events("auth.sso_refused")) == count + 1


def test_an_error_from_the_provider_is_refused_and_audited(configure: Callable[..., None]) -> None:
    client = Client()
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(reverse("sso-callback"), {"error": "access_denied", "state": state})
    assert response.status_code == 302 and signed_in_as(client) is None
    assert "access_denied" in events("auth.sso_refused")[-1].after["reason"]
    assert state not in client.session.get("oidc_states", {})  # that sign-in cannot be resumed


def test_next_sends_only_to_this_sites_paths(configure: Callable[..., None], provider: str) -> None:
    at_provider(provider, "oid-next", groups=[OPERATORS])
    for outside in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        response = sign_in(Client(), "oid-next", next=outside)
        assert response["Location"] == reverse("staff-home"), outside


# ---- The second factor (COMMON contract) ------------------------------------------------------


@pytest.mark.parametrize(
    ("amr", "trusted", "expected"),
    [
        (["pwd", "mfa"], True, True),
        (["pwd"], True, None),
        ([], True, None),
        (["pwd", "mfa"], False, None),
    ],
)
def test_the_providers_mfa_counts_only_when_amr_says_so_and_the_force_trusts_it(
    configure: Callable[..., None], provider: str, amr: list[str], trusted: bool, expected: Any
) -> None:
    """Attack: a password-only sign-in at the provider passing for a second factor."""
    configure(PEEL_OIDC_TRUST_IDP_MFA=trusted)
    at_provider(provider, "oid-amr", groups=[OPERATORS], amr=amr)
    client = Client()
    sign_in(client, "oid-amr")
    assert signed_in_as(client) is not None
    assert client.session.get("peel_idp_mfa") is expected


# ---- Re-authentication -----------------------------------------------------------------------


@pytest.fixture
def reauth_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records peel.accounts.reauth.mark_reauthenticated calls (built in parallel: stood in for
    here when it is not on this branch)."""
    calls: list[Any] = []
    try:
        import peel.accounts.reauth as reauth  # type: ignore[import-not-found]
    except ImportError:
        reauth = types.ModuleType("peel.accounts.reauth")
        monkeypatch.setitem(sys.modules, "peel.accounts.reauth", reauth)
    real = getattr(reauth, "mark_reauthenticated", None)

    def mark(request: Any) -> None:
        calls.append(request.user)
        if real is not None:
            real(request)

    monkeypatch.setattr(reauth, "mark_reauthenticated", mark, raising=False)
    return calls


def test_reauthentication_round_trip(
    configure: Callable[..., None], provider: str, reauth_calls: list[Any]
) -> None:
    at_provider(provider, "oid-reauth", groups=[SUPERVISORS], amr=["pwd"])
    client = Client()
    sign_in(client, "oid-reauth")
    user = signed_in_as(client)
    assert user is not None and reauth_calls == []

    at_provider(provider, "oid-reauth", groups=[SUPERVISORS], amr=["pwd", "mfa"])
    authorize_url = start(client, reauth="1", next="/staff/triage/")
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["prompt"] == ["login"] and query["max_age"] == ["0"]
    response = callback(client, authorize(authorize_url, "oid-reauth"))

    assert response["Location"] == "/staff/triage/"
    assert reauth_calls == [user] and signed_in_as(client) == user
    assert client.session.get("peel_idp_mfa") is True
    assert events("auth.sso_signed_in")[-1].after["reauthenticated"] is True


def test_reauthentication_as_someone_else_or_without_a_new_sign_in_is_refused(
    configure: Callable[..., None], provider: str, reauth_calls: list[Any]
) -> None:
    """Attacks: a colleague re-authenticates at an unlocked desk; the provider ignores prompt."""
    at_provider(provider, "oid-owner", groups=[SUPERVISORS])
    at_provider(provider, "oid-colleague", groups=[SUPERVISORS])
    client = Client()
    sign_in(client, "oid-owner")
    owner = signed_in_as(client)
    callback(client, authorize(start(client, reauth="1", next="/staff/"), "oid-colleague"))
    assert reauth_calls == [] and signed_in_as(client) == owner
    assert "different person" in events("auth.sso_refused")[-1].after["reason"]

    # The provider answers from its own session, with the old sign-in's time.
    at_provider(provider, "oid-owner", groups=[SUPERVISORS], auth_time=int(time.time()) - 3600)
    callback(client, authorize(start(client, reauth="1", next="/staff/"), "oid-owner"))
    assert reauth_calls == []
    assert "did not ask for the credentials again" in events("auth.sso_refused")[-1].after["reason"]


# ---- Configuration ---------------------------------------------------------------------------


def test_the_log_in_page_offers_single_sign_on_only_when_it_is_configured(
    configure: Callable[..., None], settings: Any
) -> None:
    page = Client().get(reverse("login"), {"next": "/staff/queue/"}).content.decode()
    assert "Sign in with Loopback ID" in page
    assert f'href="{reverse("sso-start")}?next=/staff/queue/"' in page
    settings.OIDC_RP_CLIENT_ID = ""
    assert "Sign in with" not in Client().get(reverse("login")).content.decode()
    response = Client().get(reverse("sso-start"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_a_password_sign_in_never_asks_the_provider(
    configure: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is fetched at import or for a password sign-in: a provider that is down (here, a
    closed port) does not stop staff with a password signing in."""
    configure(issuer="http://localhost:1")
    do_create_user(TEST, "pat", PASSWORD, ["operator"])
    client = Client()
    response = client.post(reverse("login"), {"username": "pat", "password": PASSWORD})
    assert response.status_code == 302 and signed_in_as(client) is not None
    assert sso._discovered == {}
    # The button still goes nowhere harmful when the provider is unreachable.
    response = Client().get(reverse("sso-start"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


def _check_errors() -> str:
    try:
        call_command("check", fail_level="WARNING")
    except SystemCheckError as exc:
        return str(exc)
    return ""


def test_peel_check_explains_a_broken_configuration(
    configure: Callable[..., None], settings: Any, tmp_path: Path
) -> None:
    assert _check_errors() == ""  # the loopback configuration is whole
    bad = tmp_path / "bad.toml"
    for text, says in [
        ("[[group]\nid=", "not valid TOML"),
        ('[[group]]\nid = "g"\nroles = ["chief_constable"]', "unknown roles ['chief_constable']"),
        ('[[group]]\nid = "g"', "needs roles"),
        ("", "maps no group"),
    ]:
        bad.write_text(text)
        settings.PEEL_OIDC_GROUP_MAP = str(bad)
        assert says in _check_errors(), text
    settings.PEEL_OIDC_GROUP_MAP = str(tmp_path / "missing.toml")
    assert "cannot be read" in _check_errors()
    settings.PEEL_OIDC_ISSUER = ""
    errors = _check_errors()
    assert "PEEL_OIDC_ISSUER is not set" in errors and "token_endpoint is missing" in errors
    settings.OIDC_RP_CLIENT_ID = ""
    assert "PEEL_OIDC_CLIENT_ID is empty" in _check_errors()
