"""Say clearly when the database is unreachable, instead of a bare "Server Error"; keep every
page Peel builds out of browsers' and proxies' caches."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from peel.core.db import DATABASE_UNAVAILABLE

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 60


def describe(exc: Exception) -> tuple[str, str]:
    """(a sentence for the page, a short name of the problem for the service desk)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "locked" in text or "busy" in text:
        return (
            "Peel's database is busy and did not answer in time. This passes when the load does.",
            "database busy",
        )
    return (
        "Peel cannot reach its database just now, so no page that shows or changes work can open.",
        text[:200],
    )


class DatabaseUnavailableMiddleware:
    """A styled 503 with Retry-After (the Standard API answers its own JSON 503) when a view
    fails because the database is unreachable or busy. The page is rendered without a request
    context, so nothing in it touches the database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, DATABASE_UNAVAILABLE):
            return None
        return unavailable(request, exc)


def unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The styled 503, also for a middleware whose own check needs the database."""
    logger.error("%s %s: database unavailable: %s", request.method, request.path, exc)
    explanation, problem = describe(exc)
    body = loader.get_template("core/database_unavailable.html").render(
        {"explanation": explanation, "problem": problem, "when": timezone.localtime()}
    )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class NoStoreMiddleware:
    """`Cache-Control: no-store` (and `private`, `max-age=0`) on every response a view builds:
    staff pages, the public form and status pages (a victim's answers), files from a report, the
    API. Nothing of them stays on a shared computer's disk or in a proxy for the next person.
    Static files never reach this (WhiteNoise answers them earlier) and stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
