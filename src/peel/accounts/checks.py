"""`peel check`: the single sign-on configuration, checked without asking the provider."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from peel.accounts.sso import ENDPOINTS, GroupMapError, load_group_map

ENV_NAMES = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "PEEL_OIDC_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT": "PEEL_OIDC_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT": "PEEL_OIDC_USERINFO_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT": "PEEL_OIDC_JWKS_ENDPOINT",
}


@register("security")
def check_single_sign_on(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    some_set = any(
        getattr(settings, name, "")
        for name in ("PEEL_OIDC_ISSUER", "OIDC_RP_CLIENT_SECRET", "PEEL_OIDC_GROUP_MAP", *ENDPOINTS)
    )
    if not settings.OIDC_RP_CLIENT_ID:
        if some_set:
            return [
                Error(
                    "Single sign-on is half set up: PEEL_OIDC_CLIENT_ID is empty, so it is off.",
                    hint="Set PEEL_OIDC_CLIENT_ID to the app registration's client id, or unset "
                    "the other PEEL_OIDC_* variables (docs/sso.md).",
                    id="peel.sso.E001",
                )
            ]
        return []  # off, as it is by default
    found: list[CheckMessage] = []
    issuer = str(settings.PEEL_OIDC_ISSUER)
    if not issuer:
        found.append(
            Error(
                "PEEL_OIDC_ISSUER is not set: Peel could not check who issued an ID token.",
                hint="Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0 (docs/sso.md).",
                id="peel.sso.E002",
            )
        )
    for name, env in ENV_NAMES.items():
        value = str(getattr(settings, name, "") or "")
        if value.lower() == "none" and name == "OIDC_OP_USER_ENDPOINT":
            continue
        if value and urlsplit(value).scheme not in ("https", "http"):
            found.append(Error(f"{env} is not a URL: {value!r}.", id="peel.sso.E003"))
        elif not value and not issuer and name != "OIDC_OP_USER_ENDPOINT":
            found.append(
                Error(
                    f"The {ENDPOINTS[name]} is missing: set {env}, or PEEL_OIDC_ISSUER to find "
                    "it in the provider's discovery document.",
                    id="peel.sso.E004",
                )
            )
    for name, value in (
        ("PEEL_OIDC_ISSUER", issuer),
        *((env, str(getattr(settings, key, "") or "")) for key, env in ENV_NAMES.items()),
    ):
        if value.startswith("http://") and not settings.DEBUG and not _loopback(value):
            found.append(
                Warning(
                    f"{name} is plain http: tokens would cross the network unencrypted.",
                    hint="Use the provider's https address.",
                    id="peel.sso.W001",
                )
            )
    if not settings.OIDC_RP_CLIENT_SECRET:
        found.append(
            Error(
                "PEEL_OIDC_CLIENT_SECRET is not set: the provider would refuse the token request.",
                hint="Set it in the environment from the app registration's client secret.",
                id="peel.sso.E005",
            )
        )
    if settings.PEEL_OIDC_SUBJECT_CLAIM not in ("sub", "oid"):
        found.append(
            Error(
                f"PEEL_OIDC_SUBJECT_CLAIM is {settings.PEEL_OIDC_SUBJECT_CLAIM!r}: use sub or oid "
                "(a stable id, never a name or an email the person could change).",
                id="peel.sso.E006",
            )
        )
    try:
        load_group_map()
    except GroupMapError as exc:
        found.append(Error(str(exc), hint="docs/sso.md shows the format.", id="peel.sso.E007"))
    return found


def _loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in ("localhost", "127.0.0.1", "::1")
