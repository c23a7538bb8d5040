"""The one way Peel follows a redirect it was handed in a request (`?next=`, a form's `next`).

    return redirect(safe_next(request, "staff-home"))

Only a path on this site is followed: "/staff/reports/7/" or "/staff/queue/?team=3". Anything
else gives the fallback: another site ("https://evil.example/", "//evil.example",
"/\\evil.example", which browsers read as "//evil.example"), a scheme ("javascript:alert(1)",
"data:..."), this site's own absolute URL (a path does the same and cannot be turned against
us), control characters or spaces that browsers strip, and an empty value. Django's
`url_has_allowed_host_and_scheme` makes the decision (a maintained check that knows the browser
quirks); requiring a leading "/" on top of it keeps to paths only.

tests/test_safe_redirects.py tries every such parameter in the application with hostile values,
and fails when a view reads `next` (or `return_to`, `back`, ...) other than through here.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_path(url: str, *, require_https: bool = False) -> bool:
    """True when `url` is a path on this site and nothing else."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in url):
        return False
    # No host is allowed: a URL that names any host, or any scheme, is refused.
    return url_has_allowed_host_and_scheme(url, allowed_hosts=set(), require_https=require_https)


def safe_next(request: HttpRequest, fallback: str, *, field: str = "next") -> str:
    """The request's `field` (POST first, then GET) when it is a path on this site, else
    `fallback` (a URL name, or a path)."""
    return next_path(request, field) or resolve_url(fallback)


def next_path(request: HttpRequest, field: str = "next") -> str:
    """The request's `field` (POST first, then GET) when it is a path on this site, else ""."""
    wanted = request.POST.get(field) or request.GET.get(field) or ""
    return wanted if is_safe_path(wanted, require_https=request.is_secure()) else ""


class SafeNextMixin:
    """For Django's class-based auth views (LoginView, LogoutView, and views built on them):
    their `next` goes through the same rule, so this site's own absolute URL is refused too
    (Django's own check accepts any URL on the request's host)."""

    request: HttpRequest
    redirect_field_name: str

    def get_redirect_url(self) -> str:
        """The `next` to follow, or "" (then the view's default page)."""
        return next_path(self.request, self.redirect_field_name)
