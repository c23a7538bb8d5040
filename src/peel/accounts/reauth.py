"""Re-authentication before a sensitive action: the second factor again, recently.

    @staff("triage.manage_rules", methods=("POST",))
    @reauthentication_required
    def rules_activate(request, version_id): ...

Switching on a triage rule set, reassigning or routing work in bulk, exporting the audit log and
any change in the Django admin (accounts, roles, teams) need the second factor given within
PEEL_REAUTH_MINUTES (default 5). Without it the request does nothing: the person is sent to
`/staff/reauthenticate/?next=<the page they were on>`, gives a code from their authenticator app
or a recovery code (django-otp checks it against their devices, throttled, and both outcomes are
audited), and comes back to the page to press the button again; the page says so, because the
form they sent was not acted on. A page that only shows (a GET) is shown without it.

Someone signed in through the force's identity provider with its multi-factor sign-in
(`request.session["peel_idp_mfa"]`) and no device of their own here is sent to the provider to
sign in again (`/staff/sso/start/?reauth=1&next=...`, which calls `mark_reauthenticated` on the
way back), when single sign-on is installed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, overload
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse

from peel.accounts import sessions
from peel.accounts.navigation import referring_page

View = TypeVar("View", bound=Callable[..., Any])
Back = Callable[[HttpRequest], str]

REAUTHENTICATED_AT = "peel_reauthenticated_at"  # when the second factor was last given again
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def window_seconds() -> float:
    return float(settings.PEEL["REAUTH_MINUTES"]) * 60


def mark_reauthenticated(request: HttpRequest) -> None:
    """Record in the session that the person has just given their second factor again (the
    re-authentication page, or single sign-on's `prompt=login` round trip)."""
    request.session[REAUTHENTICATED_AT] = sessions.now()


def reauthenticated_recently(request: HttpRequest) -> bool:
    """True when the second factor was given again within PEEL_REAUTH_MINUTES."""
    at = getattr(request, "session", {}).get(REAUTHENTICATED_AT)
    if not isinstance(at, int | float):
        return False
    return 0 <= sessions.now() - at <= window_seconds()


def reauthentication_page(back: str) -> str:
    return f"{reverse('reauthenticate')}?{urlencode({'next': back})}"


def ask_to_reauthenticate(request: HttpRequest, back: Back | None = None) -> HttpResponse:
    """Send the person to confirm it's them, then back to the page they were on: the page that
    sent this request (a form's page), else `back(request)`, else this page (a GET)."""
    page = referring_page(request) or (back(request) if back is not None else None)
    if page is None:
        safe = request.method in ("GET", "HEAD")
        page = request.get_full_path() if safe else resolve_url(settings.LOGIN_REDIRECT_URL)
    return redirect(reauthentication_page(page))


def require_reauthentication(request: HttpRequest, back: Back | None = None) -> HttpResponse | None:
    """None when the person re-authenticated recently; else the redirect to do it (for a view
    that needs it for only some of what it does, e.g. one of several bulk actions)."""
    if reauthenticated_recently(request):
        return None
    return ask_to_reauthenticate(request, back)


@overload
def reauthentication_required(view: View, /) -> View: ...


@overload
def reauthentication_required(
    *, methods: Iterable[str] = UNSAFE_METHODS, back: Back | None = None
) -> Callable[[View], View]: ...


def reauthentication_required(
    view: View | None = None,
    /,
    *,
    methods: Iterable[str] = UNSAFE_METHODS,
    back: Back | None = None,
) -> View | Callable[[View], View]:
    """A view's requests with these methods (by default those that change something) need a
    recent re-authentication. Put it under the view's access rule (@staff), so that someone
    not allowed the page is refused before being asked for their second factor."""
    guarded = {m.upper() for m in methods}

    def decorate(inner: View) -> View:
        @functools.wraps(inner)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method in guarded:
                refused = require_reauthentication(request, back)
                if refused is not None:
                    return refused
            return inner(request, *args, **kwargs)

        checked.peel_reauthentication = tuple(sorted(guarded))  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate(view) if view is not None else decorate


class AdminReauthenticationMiddleware:
    """Every change through the Django admin (accounts, roles and their permissions, teams, and
    any other model registered there) needs a recent re-authentication: a POST to any admin page
    but its log-in and log-out, from someone the admin lets in, is sent to confirm it's them
    first. The admin's pages are shown without it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        match = request.resolver_match
        if request.method not in UNSAFE_METHODS or match is None:
            return None
        if admin.site.name not in match.namespaces or match.url_name in ("login", "logout"):
            return None
        try:
            if not admin.site.has_permission(request):
                return None  # the admin sends them to its log-in
            return require_reauthentication(request, lambda r: reverse("admin:index"))
        except DatabaseError:
            return None  # the admin's view meets it too, and gets the styled 503 page
