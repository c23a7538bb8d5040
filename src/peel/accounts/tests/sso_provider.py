"""Fixtures for single sign-on tests: a real OpenID Connect provider on loopback
(oidc-provider-mock: Flask and Authlib, RS256 ID tokens signed with its own key) on a port in
8820-8829, and Peel configured against it as the environment would. Registered for every test
by the root conftest.py (`pytest_plugins`)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from oidc_provider_mock import run_server_in_thread

from peel.accounts import sso

PORTS = range(8820, 8830)  # this work's range (issue 15)
OPERATORS, SUPERVISORS, SAFEGUARDING = "3f1c-operators", "77aa-supervisors", "c0de-safeguarding"
GROUP_MAP = f"""
[[group]]
id = "{OPERATORS}"
name = "Contact centre operators"
roles = ["operator"]

[[group]]
id = "{SUPERVISORS}"
name = "Contact centre supervisors"
roles = ["supervisor"]
teams = ["contact-centre", "despatch"]

[[group]]
id = "{SAFEGUARDING}"
roles = ["safeguarding"]
"""


def _free_port() -> int:
    """A port in this work's range that nothing listens on (a running provider's is taken)."""
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("localhost", port))
            except OSError:
                continue
        return port
    raise RuntimeError("No free port in 8820-8829 for the loopback identity provider.")


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with run_server_in_thread(port=_free_port()) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def expiring_provider() -> Iterator[str]:
    """A second real provider whose ID tokens have already expired when they are issued."""
    with run_server_in_thread(
        port=_free_port(), access_token_max_age=timedelta(seconds=-600)
    ) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def configure(settings: Any, tmp_path: Path, provider: str) -> Callable[..., None]:
    """Switch single sign-on on (as the environment would) against `issuer`."""
    group_map = tmp_path / "groups.toml"
    group_map.write_text(GROUP_MAP)

    def apply(issuer: str = provider, **overrides: Any) -> None:
        settings.PEEL_OIDC_NAME = "Loopback ID"
        settings.PEEL_OIDC_ISSUER = issuer
        settings.OIDC_RP_CLIENT_ID = "peel"
        settings.OIDC_RP_CLIENT_SECRET = "loopback-secret"
        settings.PEEL_OIDC_GROUP_MAP = str(group_map)
        settings.PEEL_OIDC_CREATE_USERS = True
        settings.PEEL_OIDC_TRUST_IDP_MFA = True
        for name, value in overrides.items():
            setattr(settings, name, value)
        sso._discovered.clear()

    apply()
    return apply


def at_provider(provider: str, sub: str, **claims: Any) -> None:
    """The person as the provider knows them (its directory): their claims and groups."""
    response = httpx.put(f"{provider}/users/{sub}", json=claims)
    assert response.status_code == 204, response.text
