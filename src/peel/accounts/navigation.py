"""Where a request came from on this site, to send someone back there (after signing in again, or
after confirming it's them before a sensitive action)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest

from peel.core.redirects import is_safe_path


def referring_page(request: HttpRequest) -> str | None:
    """The page of this site that sent the request (its Referer header, which browsers send
    within the site: Referrer-Policy same-origin), as a path with its query; None when there is
    none or it is another site's."""
    parts = urlsplit(request.headers.get("Referer", ""))
    try:
        here = request.get_host()
    except DisallowedHost:
        return None
    if parts.scheme not in ("http", "https") or parts.netloc != here:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if is_safe_path(path) else None
