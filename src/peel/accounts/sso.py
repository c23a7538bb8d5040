"""Single sign-on through the force's identity provider (OpenID Connect; Entra ID and others).

mozilla-django-oidc runs the authorization code flow (state, nonce, PKCE, the token request,
the signature against the provider's published keys); this module adds what Peel needs on top:

- the configuration from the environment (settings.py), off until a client id is set, with the
  endpoints either set explicitly or read from the issuer's discovery document at the first
  sign-in (never at import: `peel check` and every page work with the provider unreachable);
- the full checks of the ID token: issuer, audience, expiry, issued-at, signature algorithm;
- finding the account by the provider's stable subject (never by a name or an email the person
  could change), creating one only when the force allows it;
- roles and teams set from the provider's groups through the force's group map at every sign-in;
- every refusal audited with its reason (`auth.sso_refused`).

docs/sso.md says what a force's administrator registers at the provider.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from peel.accounts.actions import (
    do_audit_sso_refused,
    do_sso_create_user,
    do_sso_set_roles,
)
from peel.accounts.middleware import client_address
from peel.accounts.models import User
from peel.accounts.roles import ROLE_TEAMS, ROLES

logger = logging.getLogger(__name__)

# The endpoints mozilla-django-oidc reads, and their names in a discovery document.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
CLOCK_SKEW_SECONDS = 60  # allowed between the provider's clock and ours
DISCOVERY_TTL_SECONDS = 3600


def enabled() -> bool:
    """Single sign-on is on when a client id is set (`peel check` says what else is missing)."""
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def provider_name() -> str:
    return str(getattr(settings, "PEEL_OIDC_NAME", "")) or "your organisation"


# ---- Discovery: the provider's endpoints, fetched when first needed --------------------------

_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_discovery_lock = threading.Lock()


def discovery_document(issuer: str) -> dict[str, Any]:
    """The issuer's /.well-known/openid-configuration, cached for an hour. Its `issuer` must be
    the one configured (OpenID Connect Discovery 1.0, section 4.3)."""
    with _discovery_lock:
        cached = _discovered.get(issuer)
        if cached and time.monotonic() - cached[0] < DISCOVERY_TTL_SECONDS:
            return cached[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    response = requests.get(url, timeout=getattr(settings, "OIDC_TIMEOUT", 10))
    response.raise_for_status()
    document = response.json()
    if document.get("issuer") != issuer:
        raise ImproperlyConfigured(
            f"The discovery document at {url} names the issuer {document.get('issuer')!r}, "
            f"not PEEL_OIDC_ISSUER {issuer!r}."
        )
    with _discovery_lock:
        _discovered[issuer] = (time.monotonic(), document)
    return document


def endpoint(name: str) -> str:
    """An endpoint: as set in the environment, else from the issuer's discovery document.
    The userinfo endpoint is optional ("" when the provider has none, or set to "none")."""
    configured = str(getattr(settings, name, "") or "")
    if configured.lower() == "none":
        return ""
    if configured:
        return configured
    issuer = str(getattr(settings, "PEEL_OIDC_ISSUER", ""))
    if not issuer:
        raise ImproperlyConfigured(f"Set PEEL_OIDC_ISSUER, or {name} explicitly (docs/sso.md).")
    return str(discovery_document(issuer).get(ENDPOINTS[name], "") or "")


def oidc_setting(attr: str, *default: Any) -> Any:
    """What mozilla-django-oidc reads, with the endpoints resolved lazily."""
    if attr in ENDPOINTS:
        return endpoint(attr)
    return import_from_settings(attr, *default)


# ---- The group map: provider groups -> Peel roles and teams ----------------------------------


@dataclass(frozen=True)
class GroupGrant:
    group: str  # the provider's id for the group (Entra: the object id) or app role value
    roles: tuple[str, ...]
    teams: tuple[str, ...]
    label: str = ""


@dataclass(frozen=True)
class GroupMap:
    grants: dict[str, GroupGrant] = field(default_factory=dict)

    def apply(self, groups: list[str]) -> tuple[list[str], list[str], list[str]]:
        """(roles, teams, the groups that matched) for someone in `groups`."""
        matched = [g for g in dict.fromkeys(groups) if g in self.grants]
        roles = sorted({r for g in matched for r in self.grants[g].roles})
        teams = sorted({t for g in matched for t in self.grants[g].teams})
        return roles, teams, matched


class GroupMapError(ValueError):
    pass


def parse_group_map(text: str, source: str = "the group map") -> GroupMap:
    """Read the TOML group map (docs/sso.md):

    [[group]]
    id = "0b5c2a9e-..."            # the provider's group id (or app role value)
    name = "Contact centre operators"  # optional, for people reading the file
    roles = ["operator"]
    teams = ["contact-centre"]     # optional: default, the usual teams of its roles
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GroupMapError(f"{source} is not valid TOML: {exc}") from exc
    unknown_keys = set(data) - {"group"}
    if unknown_keys:
        raise GroupMapError(f"{source} has unknown tables {sorted(unknown_keys)}: use [[group]].")
    entries = data.get("group", [])
    if not isinstance(entries, list) or not entries:
        raise GroupMapError(f"{source} maps no group: add at least one [[group]] entry.")
    grants: dict[str, GroupGrant] = {}
    for number, entry in enumerate(entries, 1):
        where = f"{source}, group {number}"
        if not isinstance(entry, dict):
            raise GroupMapError(f"{where} is not a table.")
        extra = set(entry) - {"id", "name", "roles", "teams"}
        if extra:
            raise GroupMapError(f"{where} has unknown keys {sorted(extra)}.")
        group_id = entry.get("id")
        if not isinstance(group_id, str) or not group_id.strip():
            raise GroupMapError(f"{where} needs an id (the provider's group id, as a string).")
        roles = entry.get("roles")
        if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
            raise GroupMapError(f"{where} ({group_id}) needs roles = [...], at least one.")
        unknown = sorted(set(roles) - set(ROLES))
        if unknown:
            raise GroupMapError(
                f"{where} ({group_id}) names unknown roles {unknown}; roles are: {', '.join(ROLES)}."
            )
        teams = entry.get("teams")
        if teams is None:
            teams = sorted({t for r in roles for t in ROLE_TEAMS.get(r, [])})
        if not isinstance(teams, list) or not all(
            isinstance(t, str) and re.fullmatch(r"[-a-zA-Z0-9_]+", t) for t in teams
        ):
            raise GroupMapError(f"{where} ({group_id}): teams must be a list of team slugs.")
        if group_id in grants:
            raise GroupMapError(f"{where}: the group {group_id} is mapped twice.")
        grants[group_id] = GroupGrant(group_id, tuple(roles), tuple(teams), entry.get("name", ""))
    return GroupMap(grants)


def load_group_map() -> GroupMap:
    path = str(getattr(settings, "PEEL_OIDC_GROUP_MAP", "") or "")
    if not path:
        raise GroupMapError("PEEL_OIDC_GROUP_MAP is not set: nobody could be given a role.")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise GroupMapError(f"PEEL_OIDC_GROUP_MAP {path} cannot be read: {exc.strerror}.") from exc
    return parse_group_map(text, f"PEEL_OIDC_GROUP_MAP {path}")


# ---- The authentication backend --------------------------------------------------------------


class Refused(SuspiciousOperation):
    """A sign-in Peel refuses; the message is the reason the audit event gives."""


class PeelOIDCBackend(OIDCAuthenticationBackend):
    """Signs someone in from the provider's verified ID token. Listed in AUTHENTICATION_BACKENDS
    always; it does nothing (and reads no setting) unless single sign-on is configured and the
    request is the provider's callback."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The base class reads every endpoint here, for every password sign-in too; Peel reads
        # them only in a single sign-on callback (authenticate, below).
        self.UserModel = User

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def get_user(self, user_id: Any) -> Any:
        return ModelBackend.get_user(self, user_id)  # refuses an inactive account

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if request is None or not enabled() or "nonce" not in kwargs:
            return None  # a password sign-in, or single sign-on is off
        self.OIDC_OP_TOKEN_ENDPOINT = endpoint("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = endpoint("OIDC_OP_USER_ENDPOINT")
        self.OIDC_OP_JWKS_ENDPOINT = endpoint("OIDC_OP_JWKS_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        try:
            return super().authenticate(request, **kwargs)
        except Refused as exc:
            refuse(request, str(exc), getattr(exc, "account", None), **getattr(exc, "details", {}))
        except SuspiciousOperation as exc:  # the library's checks: nonce, signature, key
            refuse(request, f"the ID token failed its checks: {exc}")
        except (requests.RequestException, ImproperlyConfigured, ValueError, KeyError) as exc:
            refuse(request, f"the identity provider could not be used: {type(exc).__name__}: {exc}")
        return None

    def retrieve_matching_jwk(self, token: Any) -> Any:
        """The provider's published key that signed this token: the one with its `kid` (Entra
        rotates keys and always names one); a token naming none is accepted only when the
        provider publishes a single RSA signing key. Never a key the token itself carries."""
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [
            key
            for key in response.json().get("keys", [])
            if key.get("kty") == "RSA"
            and key.get("use", "sig") == "sig"
            and key.get("alg", "RS256") == "RS256"
        ]
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as exc:
            raise Refused(f"the ID token failed its checks: {exc}") from exc
        matching = [key for key in keys if key.get("kid") == kid] if kid else keys
        if len(matching) != 1:
            raise Refused(f"the ID token failed its checks: no single published key for kid {kid}")
        return jwt.PyJWK(matching[0])

    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        """The signature, and every claim OpenID Connect Core 3.1.3.7 says to check."""
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=["RS256"],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=str(settings.PEEL_OIDC_ISSUER),
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise Refused(f"the ID token failed its checks: {exc}") from exc
        audience = claims["aud"]
        several = isinstance(audience, list) and len(audience) > 1
        if several and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise Refused("the ID token names several audiences and another party (azp).")
        if claims["iat"] > time.time() + CLOCK_SKEW_SECONDS:
            raise Refused("the ID token was issued in the future.")
        return claims

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return True  # Peel's own checks are in get_or_create_user

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The ID token's claims, with the userinfo endpoint's added where the provider has one
        (profile claims only: the groups and the subject come from the signed ID token)."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            extra = super().get_userinfo(access_token, id_token, payload)
            if extra.get("sub") != payload.get("sub"):
                raise Refused("the userinfo endpoint answered for another subject.")
            for name in ("name", "given_name", "family_name", "email", "preferred_username"):
                if name in extra and name not in claims:
                    claims[name] = extra[name]
        return claims

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        """The account for this identity, its roles and teams made to match its groups; None,
        audited, when Peel refuses (the base class would swallow the reason)."""
        try:
            return self._sign_in(access_token, id_token, payload)
        except Refused as exc:
            account = getattr(exc, "account", None)
            refuse(self.request, str(exc), account, **getattr(exc, "details", {}))
            return None

    def _sign_in(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        request = self.request
        claims = self.get_userinfo(access_token, id_token, payload)
        subject_claim = str(settings.PEEL_OIDC_SUBJECT_CLAIM)
        subject = claims.get(subject_claim)
        if not isinstance(subject, str) or not subject:
            raise Refused(f"the ID token has no {subject_claim!r} claim to identify the person.")
        groups_claim = str(settings.PEEL_OIDC_GROUPS_CLAIM)
        if groups_claim not in claims and groups_claim in claims.get("_claim_names", {}):
            raise Refused(
                "the provider sent too many groups to fit in the token (Entra's group overage): "
                "assign only the mapped groups to the application (docs/sso.md)."
            )
        groups = claims.get(groups_claim, [])
        if isinstance(groups, str):
            groups = [groups]
        groups = [str(g) for g in groups] if isinstance(groups, list) else []
        try:
            group_map = load_group_map()
        except GroupMapError as exc:
            raise Refused(f"the group map cannot be used: {exc}") from exc
        roles, teams, matched = group_map.apply(groups)
        user = User.objects.filter(sso_subject=subject).first()
        details = {"subject": subject, "provider_groups": sorted(groups)}
        if not matched:
            if user is not None:  # taken out of every mapped group: loses every role now
                do_sso_set_roles(user, [], [], groups)
            raise _refused("the person is in no group the group map names", user, details)
        if user is None:
            if not settings.PEEL_OIDC_CREATE_USERS:
                raise _refused(
                    "no Peel account is linked to this identity (an admin links it, or "
                    "PEEL_OIDC_CREATE_USERS=1)",
                    None,
                    details,
                )
            user = do_sso_create_user(
                _free_username(claims, subject),
                subject,
                roles,
                teams,
                first_name=str(claims.get("given_name", ""))[:150],
                last_name=str(claims.get("family_name", ""))[:150],
                email=str(claims.get("email", ""))[:254],
            )
        elif not user.is_active:
            raise _refused("the linked account is disabled in Peel", user, details)
        else:
            do_sso_set_roles(user, roles, teams, groups)
        amr = claims.get("amr", [])
        user._peel_sso = {  # type: ignore[attr-defined]  # read by the callback view
            "subject": subject,
            "provider_groups": sorted(groups),
            "matched_groups": matched,
            "amr": [str(a) for a in amr] if isinstance(amr, list) else [],
            "auth_time": claims.get("auth_time"),
            "address": client_address(request),
        }
        return user


def _refused(reason: str, user: User | None, details: dict[str, Any]) -> Refused:
    exc = Refused(reason)
    exc.account = user  # type: ignore[attr-defined]
    exc.details = details  # type: ignore[attr-defined]
    return exc


def refuse(request: HttpRequest, reason: str, account: User | None = None, **details: Any) -> None:
    """Audit a refused single sign-on (to the linked account, if there is one)."""
    logger.warning("Single sign-on refused: %s", reason)
    do_audit_sso_refused(
        account if account is not None else User(username=""),
        {"reason": reason[:500], "address": client_address(request), **details},
    )


def _free_username(claims: dict[str, Any], subject: str) -> str:
    """A username for a new account: the provider's preferred username (Entra: the UPN) if no
    account has it, else with a number added. Only a label: sign-in goes by the subject."""
    base = str(claims.get("preferred_username") or claims.get("email") or f"sso-{subject[:20]}")
    base = re.sub(r"[^\w.@+-]", "", base)[:140] or "sso-user"
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate
