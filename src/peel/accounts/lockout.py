"""Password guessing: failed sign-ins counted per account and per address, and lockouts.

django-axes does the counting and the refusing: its backend (first in AUTHENTICATION_BACKENDS)
refuses a sign-in while the account or the address is locked, before the password is checked,
and its database handler keeps the counts in the database, so they hold across every process
and restart. Peel extends that handler in two ways:

- **An address may fail more often than an account.** One account is locked after
  `AXES_FAILURE_LIMIT` failures (PEEL_LOCKOUT_FAILURES, 5) from anywhere; one address after
  `PEEL_LOCKOUT_ADDRESS_FAILURES` (20) on any accounts. Counting per account stops guessing one
  password from many addresses; counting per address stops one client spraying many accounts
  (a few guesses each, under the account limit). The address limit is higher because a
  contact centre's staff reach Peel from one address behind the force's proxy: at the
  account's limit, five typing mistakes across a shift change would lock everyone out.
- **The start of a lockout is audited once** (`auth.locked_out`, with the account, the address
  and the counts), not again for every refused try while it lasts (each of those is already an
  `auth.login_failed`, written by signals.py for every failure, refused or wrong).

Axes writes its own table (`axes.AccessAttempt`); Peel's writes about it (the audit events and
lifting a lockout) are the accounts actions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from peel.accounts.actions import do_audit_lockout

Kind = Literal["account", "address"]


def account_limit() -> int:
    return int(settings.AXES_FAILURE_LIMIT)


def address_limit() -> int:
    return int(settings.PEEL_LOCKOUT_ADDRESS_FAILURES)


def cool_off() -> dt.timedelta:
    found = get_cool_off()
    return found if found is not None else dt.timedelta(0)


class PeelLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for an address, and the lockout audited."""

    def failure_counts(
        self, request: HttpRequest, credentials: dict[str, Any] | None
    ) -> dict[str, int]:
        """Failures within the cool-off, for each lockout parameter ("username", "ip_address")."""
        counts: dict[str, int] = {}
        parameters = settings.AXES_LOCKOUT_PARAMETERS
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            total = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            counts["+".join(parameter) if isinstance(parameter, list) else parameter] = total
        return counts

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """What axes compares with the account's limit: the account's failures, or the limit
        itself once the address has reached its own (higher) limit."""
        counts = self.failure_counts(request, credentials)
        failures = counts.get("username", 0)
        if counts.get("ip_address", 0) >= address_limit():
            failures = max(failures, get_failure_limit(request, credentials))
        return failures

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:  # axes needs a request; it logs the problem itself
            super().user_login_failed(sender, credentials, request, **kwargs)
            return
        was_locked = self.is_locked(request, credentials)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if getattr(request, "axes_locked_out", False) and not was_locked:
            counts = self.failure_counts(request, credentials)
            account_failures = counts.get("username", 0)
            do_audit_lockout(
                username=str(get_client_username(request, credentials) or "")[:150],
                address=str(getattr(request, "axes_ip_address", "") or ""),
                account_failures=account_failures,
                address_failures=counts.get("ip_address", 0),
                locked="account" if account_failures >= account_limit() else "address",
            )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """Peel's page for a refused sign-in (AXES_LOCKOUT_CALLABLE): what to do, and for how long.
    It says the same for an account that exists and one that does not."""
    minutes = int(cool_off().total_seconds() // 60)
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


# ---- What the supervisor of security's page reads ------------------------------------------


@dataclass(frozen=True)
class Lockout:
    """An account or an address refused sign-in now."""

    kind: Kind
    value: str  # the username, or the address
    failures: int
    spread: int  # how many addresses tried the account, or accounts the address tried
    last_failure: dt.datetime
    ends_by: dt.datetime  # the cool-off after the last failure (a new failure extends it)


def recent_attempts(now: dt.datetime) -> QuerySet[AccessAttempt]:
    """Failed sign-ins still counted (within the cool-off), one row per account, address and
    browser, newest first."""
    return AccessAttempt.objects.filter(attempt_time__gte=now - cool_off()).order_by(
        "-attempt_time"
    )


def current_lockouts(now: dt.datetime) -> list[Lockout]:
    """Every account and every address that has reached its limit within the cool-off."""
    found: list[Lockout] = []
    recent = recent_attempts(now).order_by()
    for kind, field, other, limit in (
        ("account", "username", "ip_address", account_limit()),
        ("address", "ip_address", "username", address_limit()),
    ):
        rows = (
            recent.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(
                failures=Sum("failures_since_start"),
                last=Max("attempt_time"),
                spread=Count(other, distinct=True),
            )
            .filter(failures__gte=limit)
            .order_by("-last")
        )
        found += [
            Lockout(
                kind=kind,  # type: ignore[arg-type]
                value=str(row[field]),
                failures=row["failures"],
                spread=row["spread"],
                last_failure=row["last"],
                ends_by=row["last"] + cool_off(),
            )
            for row in rows
        ]
    return found
