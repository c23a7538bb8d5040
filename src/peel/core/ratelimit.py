"""Per-address limits on the public pages' POSTs (the form, the status page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited


def rate_limited(request: HttpRequest, group: str, rate: str) -> bool:
    """Count this request against its address; True once over the limit."""
    return is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True)


def too_many(request: HttpRequest) -> HttpResponse:
    """The page a visitor over the limit sees (429), with the 999 and 101 advice."""
    return render(request, "core/too_many.html", status=429)
