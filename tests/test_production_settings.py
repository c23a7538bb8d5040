"""A production configuration: `peel check --deploy` is clean, and each thing a force could get
wrong is refused with an error that says what to set.

Each case runs the real `peel` command in a fresh process with its own environment (settings
are read once, at start) and its own var/ folder.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PEEL = Path(sys.executable).with_name("peel")
PRODUCTION = {
    "PEEL_ENVIRONMENT": "production",
    "PEEL_SECRET_KEY": secrets.token_urlsafe(50),
    "PEEL_HTTPS": "1",
    "PEEL_CACHE_URL": "redis://127.0.0.1:6379/4",
    "PEEL_ALLOWED_HOSTS": "peel.example.police.uk",
}


def peel(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PEEL_", "DJANGO_"))}
    clean.pop("DATABASE_URL", None)
    clean.update(PEEL_VAR_DIR=str(tmp_path / "var"), **env)
    return subprocess.run(  # noqa: S603 - our own command
        [str(PEEL), *args], env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def without(name: str, **changes: str) -> dict[str, str]:
    return {**{k: v for k, v in PRODUCTION.items() if k != name}, **changes}


def test_check_deploy_is_clean_in_a_production_configuration(tmp_path: Path) -> None:
    done = peel(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_production_refuses_to_start_without_a_secret_key_and_never_makes_one(
    tmp_path: Path,
) -> None:
    done = peel(tmp_path, "check", **without("PEEL_SECRET_KEY"))
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured: PEEL_SECRET_KEY is not set" in last
    assert not (tmp_path / "var" / "secret_key").exists()


@pytest.mark.parametrize(
    ("environment", "says"),
    [
        (without("PEEL_CACHE_URL"), "peel.E003"),
        (without("PEEL_HTTPS"), "peel.E004"),
        (without("PEEL_ALLOWED_HOSTS"), "peel.E005"),
    ],
    ids=["cache-not-shared", "https-off", "hosts-default"],
)
def test_production_refuses_a_weak_configuration(
    tmp_path: Path, environment: dict[str, str], says: str
) -> None:
    done = peel(tmp_path, "check", "--deploy", **environment)
    assert done.returncode != 0
    assert says in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("environment", "says"),
    [
        ({**PRODUCTION, "PEEL_DEBUG": "1"}, "PEEL_DEBUG=1 is refused"),
        ({**PRODUCTION, "PEEL_ENVIRONMENT": "prod"}, "PEEL_ENVIRONMENT='prod'"),
    ],
    ids=["debug", "typo"],
)
def test_production_refuses_debug_and_a_misspelt_environment(
    tmp_path: Path, environment: dict[str, str], says: str
) -> None:
    done = peel(tmp_path, "check", **environment)
    assert done.returncode != 0
    assert says in done.stderr.strip().splitlines()[-1]


# Requests through the real middleware with the settings the environment gives (no database).
PROBE = """
import json
from django.conf import settings
from django.test import Client
host = {"HTTP_HOST": "peel.example.police.uk"}
plain = Client().get("/staff/login/", **host)
forwarded = Client().get("/staff/login/", HTTP_X_FORWARDED_PROTO="https", **host)
secure = Client().get("/staff/login/", secure=True, **host)
cookie = secure.cookies.get(settings.CSRF_COOKIE_NAME)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "forwarded": [forwarded.status_code, forwarded.get("Location", "")],
    "secure": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security", ""),
    "csp": secure.get("Content-Security-Policy", ""),
    "csrf_cookie": [settings.CSRF_COOKIE_NAME, bool(cookie and cookie["secure"])],
    "session_cookie": [settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE],
    "trusted": settings.CSRF_TRUSTED_ORIGINS,
}))
"""


def probe(tmp_path: Path, **env: str) -> dict[str, Any]:
    done = peel(tmp_path, "shell", "-c", PROBE, **env)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_https_turns_on_secure_host_only_cookies_hsts_and_the_redirect(tmp_path: Path) -> None:
    got = probe(tmp_path, **PRODUCTION, PEEL_CSRF_TRUSTED_ORIGINS="https://peel.example.police.uk")
    assert got["plain"] == [301, "https://peel.example.police.uk/staff/login/"]
    assert got["secure"] == 200
    assert got["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "upgrade-insecure-requests" in got["csp"]
    assert got["csrf_cookie"] == ["__Host-peel_csrftoken", True]
    assert got["session_cookie"] == ["__Host-peel_session", True]
    assert got["trusted"] == ["https://peel.example.police.uk"]


def test_a_client_cannot_claim_https_with_a_header_unless_peel_is_behind_a_proxy(
    tmp_path: Path,
) -> None:
    """X-Forwarded-Proto is believed only with PEEL_BEHIND_PROXY=1 (the proxy sets it)."""
    direct = probe(tmp_path, **PRODUCTION)
    assert direct["forwarded"][0] == 301, "a plain request claiming HTTPS was taken for it"
    proxied = probe(tmp_path, **PRODUCTION, PEEL_BEHIND_PROXY="1")
    assert proxied["forwarded"][0] == 200
    assert proxied["plain"][0] == 301


def test_hsts_can_be_tuned_and_development_sends_none(tmp_path: Path) -> None:
    tuned = probe(
        tmp_path, **PRODUCTION, PEEL_HSTS_SECONDS="300", PEEL_HSTS_PRELOAD="0",
        PEEL_HSTS_INCLUDE_SUBDOMAINS="0",
    )  # fmt: skip
    assert tuned["hsts"] == "max-age=300"
    development = probe(tmp_path, PEEL_ALLOWED_HOSTS="peel.example.police.uk")
    assert development["plain"][0] == 200 and development["hsts"] == ""
    assert development["csrf_cookie"][0] == "csrftoken"


def _through_waitress(trusted_proxy: str) -> dict[str, str]:
    """A request with X-Forwarded-Proto and -For, from 127.0.0.1, through waitress configured as
    `peel serve` configures it behind a proxy; what the application saw."""
    import threading
    import urllib.request

    from django.test import override_settings
    from waitress import create_server

    from peel.process.management.commands.serve import proxy_options

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        seen = {k: environ.get(k, "") for k in ("wsgi.url_scheme", "REMOTE_ADDR")}
        return [json.dumps(seen).encode()]

    with override_settings(BEHIND_PROXY=True, TRUSTED_PROXY=trusted_proxy):
        server = create_server(app, host="127.0.0.1", port=0, **proxy_options())
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.effective_port}/",
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
            seen: dict[str, str] = json.loads(answer.read())
    finally:
        server.close()
    return seen


def test_peel_serve_believes_forwarded_headers_from_the_proxy_and_nobody_else() -> None:
    """Behind the proxy, HTTPS and the client's address come through (per-address limits see
    the client, not the proxy); a caller that is not the proxy cannot claim either."""
    assert _through_waitress("127.0.0.1") == {
        "wsgi.url_scheme": "https", "REMOTE_ADDR": "203.0.113.7",
    }  # fmt: skip
    assert _through_waitress("192.0.2.1") == {"wsgi.url_scheme": "http", "REMOTE_ADDR": "127.0.0.1"}
