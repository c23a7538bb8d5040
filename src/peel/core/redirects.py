"""Following a `next` handed in a request: only to a path on this site.

A minimal version for the sessions branch (issue 15); helper *browser* owns the full one with the
same functions, and it replaces this file on merge.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_path(url: str, *, require_https: bool = False) -> bool:
    """True when `url` is a path on this site ("/staff/queue/?team=3") and nothing else."""
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    if any(ch.isspace() or ch == "\\" or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts=set(), require_https=require_https)


def safe_next(request: HttpRequest, fallback: str, *, field: str = "next") -> str:
    """The request's `next` (POST, then GET) if it is a path on this site, else `fallback` (a
    URL name or a path)."""
    wanted = request.POST.get(field) or request.GET.get(field) or ""
    if is_safe_path(wanted, require_https=request.is_secure()):
        return wanted
    return resolve_url(fallback)
