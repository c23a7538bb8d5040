"""Every view says who may use it, next to itself, and the declaration is what is enforced.

    @public()                                    anyone (the public site)
    @reference_holder(methods=("GET", "POST"))   a reporter, with the reference they were given
    @api_client()                                a Standard API caller (the view checks the keys)
    @staff("workqueue.get_work")                 a signed-in user with every permission named
    @staff("review.record_decision", holder=True)                only the holder of the item
    @staff(holder=True, or_permission="reports.view_any_report") the holder, or anyone with this

The decorator enforces what it can know without a domain (core knows none): sign-in (redirect
to the log-in page), the permissions named (403) and the methods (405). "Holds this item" is an
object rule: the view checks it through the one definition of holding, and the rule here says
what it checks. The declaration is kept on the view as `view.peel_rule`, so the permission
matrix test (tests/test_permission_matrix.py) can fail a page without one and compute, for every
role, the outcome the page must give.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

Who = Literal["public", "reference_holder", "api_client", "staff", "admin_site"]
View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class Rule:
    """Who may use a view, and with which methods."""

    who: Who
    methods: tuple[str, ...] = ("GET",)
    # Staff only: every one of these is required (checked here: 403 without).
    permissions: tuple[str, ...] = ()
    # Staff only: the user must hold the work item (or a live item on the report) in the URL;
    # checked by the view.
    holder: bool = False
    # With holder: holding is not needed by someone with this permission (a supervisor).
    or_permission: str = ""

    def __str__(self) -> str:
        parts = [self.who, *self.permissions]
        if self.holder:
            parts.append("holder" + (f" or {self.or_permission}" if self.or_permission else ""))
        return f"{' '.join(parts)} [{','.join(self.methods)}]"


def rule_of(view: Any) -> Rule | None:
    """The rule a view declared, or None (the matrix test fails such a view)."""
    return getattr(view, "peel_rule", None)


def _methods(methods: Iterable[str]) -> tuple[str, ...]:
    """The methods named; HEAD goes with GET (a link checker or a monitor asks with HEAD)."""
    found = tuple(dict.fromkeys(m.upper() for m in methods))
    if not found:
        raise ValueError("A view must accept at least one method.")
    return (*found, "HEAD") if "GET" in found and "HEAD" not in found else found


def _not_allowed(request: HttpRequest, methods: tuple[str, ...]) -> HttpResponse:
    """405 with the Allow header and the site's own page (someone followed a form's address)."""
    response = render(request, "405.html", status=405)
    response["Allow"] = ", ".join(methods)
    return response


def _declare(rule: Rule) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @functools.wraps(view)
        def enforced(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if rule.who == "staff":
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if not request.user.has_perms(rule.permissions):
                    raise PermissionDenied
            if request.method not in rule.methods:
                return _not_allowed(request, rule.methods)
            return view(request, *args, **kwargs)

        enforced.peel_rule = rule  # type: ignore[attr-defined]
        return enforced  # type: ignore[return-value]

    return decorate


def public(methods: Iterable[str] = ("GET",)) -> Callable[[View], View]:
    """Anyone, signed in or not: the public site and the log-in page."""
    return _declare(Rule("public", _methods(methods)))


def reference_holder(methods: Iterable[str] = ("GET",)) -> Callable[[View], View]:
    """A reporter: the reference (in the URL, or typed with their email) is the key; the view
    shows nothing the holder of that key did not already know."""
    return _declare(Rule("reference_holder", _methods(methods)))


def api_client(methods: Iterable[str] = ("POST",)) -> Callable[[View], View]:
    """A Standard API caller; the view authenticates the client's keys (401 without)."""
    return _declare(Rule("api_client", _methods(methods)))


def staff(
    *permissions: str,
    holder: bool = False,
    or_permission: str = "",
    methods: Iterable[str] = ("GET",),
) -> Callable[[View], View]:
    """A signed-in user with every permission named; with holder=True, only for the item (or
    report) they hold, unless they have `or_permission`."""
    if or_permission and not holder:
        raise ValueError("or_permission is the alternative to holding: give holder=True.")
    for name in (*permissions, or_permission):
        if name and "." not in name:
            raise ValueError(f"Permission {name!r} must be 'app_label.codename'.")
    return _declare(Rule("staff", _methods(methods), tuple(permissions), holder, or_permission))


def _declared(view: Any, rule: Rule) -> Any:
    """The view unchanged, carrying the rule (a wrapper: some admin views are bound methods)."""

    @functools.wraps(view)
    def declared(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return view(request, *args, **kwargs)

    declared.peel_rule = rule  # type: ignore[attr-defined]
    return declared


# Django's admin checks its own users (is_staff, then model permissions); this rule records it.
ADMIN_SITE = Rule("admin_site", ("GET", "POST"))
ADMIN_LOG_IN = Rule("public", ("GET", "POST"))


def declare_admin_site(urls: tuple[list[Any], str, str]) -> tuple[list[Any], str, str]:
    """Record ADMIN_SITE on every view of the admin site's URL patterns, once, in urls.py."""

    def walk(patterns: list[Any]) -> None:
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)
            elif rule_of(pattern.callback) is None:
                rule = ADMIN_LOG_IN if pattern.name == "login" else ADMIN_SITE
                pattern.callback = _declared(pattern.callback, rule)

    walk(urls[0])
    return urls
