"""Limits on the public pages' POSTs (the form, the status page), per address and per reference.

The counters live in Django's default cache (django-ratelimit). Every process serving Peel must
share them, so production sets PEEL_CACHE_URL to a Redis all of them use; without it each process
counts alone (one `peel serve` process, as the demo runs, is still limited correctly).
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

security = logging.getLogger("peel.security")

REFERENCE_KEY_CHARS = 64  # a reference is 18; longer input is cut, not stored whole


def rate_limited(request: HttpRequest, group: str, rate: str, *, fail_open: bool = False) -> bool:
    """Count this request against its address; True once over the limit.

    If the counters cannot be reached (Redis down), `fail_open` says whether to let the request
    through (the crime form: a report is never refused for it) or refuse it (a look-up)."""
    return _counted(request, group, rate, "ip", fail_open)


def reference_rate_limited(request: HttpRequest, group: str, rate: str, reference: str) -> bool:
    """Count this request against the reference it names, from whatever address; True once over
    the limit. Any string counts (a reference that does not exist is limited the same way, so the
    limit says nothing about which references exist)."""
    value = reference.strip().upper()[:REFERENCE_KEY_CHARS]
    return _counted(request, f"{group}:reference", rate, lambda _group, _request: value, False)


def _counted(request: HttpRequest, group: str, rate: str, key: object, fail_open: bool) -> bool:
    try:
        return is_ratelimited(
            request, group=group, key=key, rate=rate, method="POST", increment=True
        )
    except Exception:  # the cache's own errors (e.g. redis.ConnectionError) vary by backend
        security.exception("Rate limit counters unreachable (group %s)", group)
        return not fail_open


def client_address(request: HttpRequest) -> str:
    """The client's address as the server saw it (REMOTE_ADDR; behind PEEL_TRUSTED_PROXY, the
    one the proxy forwarded), without the brackets waitress puts round an IPv6 one."""
    return str(request.META.get("REMOTE_ADDR") or "").strip("[]")


def too_many(request: HttpRequest) -> HttpResponse:
    """The page a visitor over the limit sees (429), with the 999 and 101 advice."""
    return render(request, "core/too_many.html", status=429)
