"""Where a `next` parameter may send someone: a path on this site, never another site.

A minimal stand-in on the sso branch with the signature the browser helper's version has (the
lead keeps that one at merge).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The request's `next` (POST, else GET) if it is a path on this site, else `fallback`
    (a URL name or a path)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate.startswith("/")
        and not candidate.startswith(("//", "/\\"))
        and "\\" not in candidate
        and not any(ord(c) < 32 for c in candidate)
        and url_has_allowed_host_and_scheme(candidate, allowed_hosts=None)
    ):
        return candidate
    return resolve_url(fallback)
