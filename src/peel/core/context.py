"""What every page's header and footer need. Reads settings only, never the database, so the
500 page can use it while the database is down."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site() -> dict[str, Any]:
    return {
        "force_name": settings.PEEL["FORCE_NAME"],
        "quick_exit_url": settings.PEEL["QUICK_EXIT_URL"],
    }


def public_site(request: HttpRequest) -> dict[str, Any]:
    return site()
