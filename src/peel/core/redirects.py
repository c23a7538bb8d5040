"""Where a `next` parameter may send someone: only a path on this site.

A minimal version for the second-factor pages; the *browser* helper owns this module and its
fuller version wins at merge (same signature).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` (POST, then GET) if it is a path on this site, else `fallback` (a URL name or
    a path)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate.startswith("/")
        and not candidate.startswith("//")
        and "\\" not in candidate
        and url_has_allowed_host_and_scheme(candidate, allowed_hosts=None)
    ):
        return candidate
    return str(resolve_url(fallback))
