"""Who is acting in this request, for changes made outside a `do_*` action (the Django admin).

The admin saves models itself, so `peel.accounts.signals` audits those saves; this middleware
tells the signal handlers which signed-in user made them and from which address. It also makes
each admin change one transaction, so a change and its audit events commit or fail together.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from axes.helpers import get_client_ip_address
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

_current_request: ContextVar[HttpRequest | None] = ContextVar("peel_request", default=None)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def current_request() -> HttpRequest | None:
    """The request being served on this thread, if any (None in commands, workers and tests
    that call the ORM directly)."""
    return _current_request.get()


def client_address(request: HttpRequest) -> str:
    """The client's address as the sign-in lockouts count it (django-axes, through
    django-ipware): the connection's, or behind PEEL_TRUSTED_PROXY_COUNT proxies the one they
    forwarded. A request that bypassed the proxies has no such header: its connection's."""
    found = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    return str(found or request.META.get("REMOTE_ADDR", ""))[:64]


class ActingUserMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = reverse("admin:index")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            if request.method not in SAFE_METHODS and request.path.startswith(self.admin_prefix):
                # Some admin views (a password reset) do not open a transaction of their own.
                with transaction.atomic():
                    return self.get_response(request)
            return self.get_response(request)
        finally:
            _current_request.reset(token)
