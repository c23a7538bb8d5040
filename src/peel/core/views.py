"""Pages every visitor can reach: the quick exit, the footer's pages, and the error pages."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from peel.core.access_rules import public
from peel.core.context import site

# The public form keeps its answers in the session under this key (intake/views.py).
REPORT_IN_PROGRESS = "public_report"


@never_cache
@public()
def quick_exit(request: HttpRequest) -> HttpResponse:
    """Forget the report in progress and leave for the neutral site (the link without JS)."""
    if not request.user.is_authenticated:
        request.session.flush()
    return HttpResponseRedirect(settings.PEEL["QUICK_EXIT_URL"])


def _facts() -> dict[str, object]:
    """What the footer's pages state about this deployment, from its settings."""
    return {
        "peel": settings.PEEL,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
    }


@public()
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html", _facts())


@public()
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html", _facts())


@public()
def cookies(request: HttpRequest) -> HttpResponse:
    return render(request, "core/cookies.html", _facts())


@requires_csrf_token
def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from an old page, or with cookies blocked: say what to do, not Django's words."""
    return render(request, "403_csrf.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: context processors, the session and the user may need the database,
    # which may be what failed. The template needs settings only.
    return HttpResponse(loader.get_template("500.html").render(site()), status=500)
