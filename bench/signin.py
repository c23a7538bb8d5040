"""Password guessing from outside: how many guesses an attacker gets a minute, before and after.

    peel bench signin [--seconds 60] [--accounts 50] [--port 8830]

Peel is served over HTTP (waitress, on loopback) and an attacker's client (httpx, one request
at a time, as in issue 15) posts the staff log-in form with wrong passwords for `--seconds` in
each of three attacks:

- one account: every guess at one operator's password, from one address;
- spraying: a guess at each of `--accounts` accounts in turn, from one address;
- distributed: every guess at one account, each from a new address (through a proxy that
  Peel trusts, PEEL_TRUSTED_PROXY_COUNT=1, so the address is the one the proxy forwarded).

Each attack runs twice: "before", configured as main was (lockouts off, PBKDF2 first), and
"after", as this branch ships (django-axes lockouts, 5 failures an account, 20 an address,
30 minutes; Argon2id). A guess counts as *answered* when Peel checked the password (the form
came back with its error); a *refused* one got the lockout page without a check. After each
attack the right password is tried once from a fresh address: does it still work?

Prints, per attack and phase: attempts, answered and refused guesses, answered guesses per
minute over the window, p50 time per attempt, and whether the right password then worked; and
the most an attacker sustains (the limit per cool-off).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import threading
import time
from typing import Any

from harness import emit, machine, prepare_database

PASSWORD = "correct-horse-battery-staple-7"  # noqa: S105 - the bench accounts' own
PBKDF2_FIRST = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
# What main's settings were: no lockout, PBKDF2 first (its Django default).
BEFORE = {"AXES_ENABLED": False, "PASSWORD_HASHERS": PBKDF2_FIRST}


def serve(port: int) -> Any:
    from waitress.server import create_server

    from peel.wsgi import application

    # As `peel serve` behind a proxy (PEEL_TRUSTED_PROXY_COUNT): X-Forwarded-For reaches Peel.
    server = create_server(
        application, host="127.0.0.1", port=port, threads=4, clear_untrusted_proxy_headers=False
    )
    threading.Thread(target=server.run, daemon=True).start()
    return server


def attack(
    base: str, usernames: list[str], seconds: float, spread_addresses: bool
) -> dict[str, Any]:
    import httpx

    answered = refused = other = 0
    first_refused: int | None = None
    timings: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/staff/login/").text
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, "no CSRF token on the log-in page"
        token = match.group(1)
        started = time.perf_counter()
        n = 0
        while time.perf_counter() - started < seconds:
            address = f"203.0.{n // 250 % 250}.{n % 250 + 1}" if spread_addresses else "192.0.2.66"
            t0 = time.perf_counter()
            response = client.post(
                "/staff/login/",
                data={
                    "csrfmiddlewaretoken": token,
                    "username": usernames[n % len(usernames)],
                    "password": f"guess-{n}-aaaa",
                },
                headers={"X-Forwarded-For": address, "Referer": base + "/staff/login/"},
            )
            timings.append((time.perf_counter() - t0) * 1000)
            if response.status_code == 200:
                answered += 1
            elif response.status_code == 429:
                refused += 1
                first_refused = first_refused or n + 1
            else:
                other += 1
            n += 1
        elapsed = time.perf_counter() - started
    return {
        "attempts": n,
        "answered": answered,
        "refused": refused,
        "other": other,
        "lockout_page_from_attempt": first_refused,  # that attempt's password was still checked
        "seconds": round(elapsed, 1),
        "answered_per_minute": round(answered / elapsed * 60, 1),
        "p50_ms_per_attempt": round(statistics.median(timings), 1) if timings else None,
    }


def right_password_works(base: str, username: str, address: str) -> bool:
    import httpx

    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/staff/login/").text
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match
        response = client.post(
            "/staff/login/",
            data={
                "csrfmiddlewaretoken": match.group(1),
                "username": username,
                "password": PASSWORD,
            },
            headers={"X-Forwarded-For": address, "Referer": base + "/staff/login/"},
        )
    if response.status_code != 302:
        print(f"right password for {username}: {response.status_code}", file=sys.stderr)
    return response.status_code == 302


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--port", type=int, default=8830)
    args = parser.parse_args()
    engine = prepare_database()

    from axes.models import AccessAttempt
    from django.conf import settings
    from django.test.utils import override_settings

    from peel.accounts.actions import do_create_user
    from peel.audit.actors import Robot
    from peel.audit.models import AuditEvent

    # The attacker's address comes through one proxy Peel trusts (see the module's docstring).
    proxy = {
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
        "AXES_IPWARE_PROXY_COUNT": 0,
        "IPWARE_STRICT": False,
    }
    shipped = {
        "account_failures": settings.AXES_FAILURE_LIMIT,
        "address_failures": settings.PEEL_LOCKOUT_ADDRESS_FAILURES,
        "cool_off_minutes": settings.AXES_COOLOFF_TIME.total_seconds() / 60,
        "first_hasher": settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1],
    }
    server = serve(args.port)
    base = f"http://127.0.0.1:{args.port}"
    results: dict[str, Any] = {}
    try:
        for phase, overrides in (("before", BEFORE), ("after", {})):
            with override_settings(**proxy, **overrides):
                for name, count, spread in (
                    ("one_account", 1, False),
                    ("spraying", args.accounts, False),
                    ("distributed", 1, True),
                ):
                    AccessAttempt.objects.all().delete()
                    users = [
                        do_create_user(
                            Robot("bench"), f"{phase}-{name}-{n}", PASSWORD, ["operator"]
                        ).username
                        for n in range(count)
                    ]
                    failed_before = AuditEvent.objects.filter(action="auth.login_failed").count()
                    found = attack(base, users, args.seconds, spread)
                    found["audited_failures"] = (
                        AuditEvent.objects.filter(action="auth.login_failed").count()
                        - failed_before
                    )
                    found["right_password_then_works"] = right_password_works(
                        base, users[-1], "198.51.100.200"
                    )
                    results.setdefault(name, {})[phase] = found
    finally:
        server.close()
    emit(
        {
            "benchmark": "signin",
            "engine": engine,
            "window_seconds": args.seconds,
            "shipped": shipped,
            # A lock lasts the cool-off from the failure that caused it, and tries while locked
            # are not checked: at most the limit per cool-off, however the attacker paces it.
            "sustained_max_per_minute": {
                "one_account": round(shipped["account_failures"] / shipped["cool_off_minutes"], 2),
                "one_address": round(shipped["address_failures"] / shipped["cool_off_minutes"], 2),
            },
            "attacks": results,
            "machine": machine(),
        }
    )


if __name__ == "__main__":
    main()
