"""Staff sessions end after a time without activity and a fixed time after signing in.

    PEEL_SESSION_IDLE_MINUTES (30)  no activity for this long: the session ends
    PEEL_SESSION_MAX_HOURS (10)     this long after signing in: the session ends, active or not

Activity is a person doing something: loading a page or sending a form. The pages' own timed
requests are not activity, or an unattended screen would stay signed in for ever: the queue
page's refresh (`?partial=1`) and the review page's heartbeat. Both scripts mark their requests
`X-Peel-Background: 1`, and say how long ago the person last pressed a key, clicked or scrolled
on the page (`X-Peel-Input-Age: <seconds>`); the session counts that moment, not the request, as
its last activity. So an operator typing a long decision without loading a page stays signed
in, and a screen left alone is signed out 30 minutes after the last touch whatever its scripts
do (the heartbeat also stops after 5 minutes without input, and the work lease with it).

The clocks are two numbers in the session, written at sign-in and then at most once a minute
(RESOLUTION_SECONDS), not on every request: a session ends between 29 and 30 minutes after the
last activity, never later. The session's own expiry (its database row and its cookie) is the
absolute limit, so a person coming back after the idle limit still has the cookie that lets
Peel say why they were signed out; `peel worker` deletes rows past their expiry
(`start_clearing`).

A session that ends is audited (`auth.session_expired`: which limit, when it started, its last
activity, when it ended), signed out, and the person sees the log-in page with a message saying
why and a `next` back to the page they asked for (a form's page when they sent a form: the form
itself was not sent). A timed request gets 401, so the script shows nothing from the log-in page.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Literal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from peel.accounts.actions import do_clear_expired_sessions, do_record_session_expired
from peel.accounts.middleware import client_address
from peel.accounts.models import User
from peel.accounts.navigation import referring_page
from peel.core.access_rules import rule_of

logger = logging.getLogger(__name__)

STARTED = "peel_session_started"  # when the person signed in (seconds since the epoch)
ACTIVE = "peel_session_active"  # their last activity, to within RESOLUTION_SECONDS
RESOLUTION_SECONDS = 60  # the last activity is written at most this often
BACKGROUND_HEADER = "X-Peel-Background"  # a page's timed request, not a person's
INPUT_AGE_HEADER = "X-Peel-Input-Age"  # seconds since the person's last key, click or scroll
# Pages that anyone may use: an ended session just goes on there as a visitor.
NOT_SIGNED_IN_RULES = {"public", "reference_holder", "api_client"}

Limit = Literal["idle", "absolute"]


def now() -> float:
    """The sessions' clock (seconds since the epoch); tests move it."""
    return time.time()


def idle_seconds() -> float:
    return float(settings.PEEL["SESSION_IDLE_MINUTES"]) * 60


def max_seconds() -> float:
    return float(settings.PEEL["SESSION_MAX_HOURS"]) * 3600


def _utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def start(request: HttpRequest) -> None:
    """The clocks start: at sign-in (`user_logged_in`), or the first time a session from before
    these limits is seen. The session ends at the absolute limit at the latest."""
    started = now()
    request.session[STARTED] = started
    request.session[ACTIVE] = started
    request.session.set_expiry(_utc(started + max_seconds()))


def is_background(request: HttpRequest) -> bool:
    """A page's timed request (the queue's refresh, the review page's heartbeat)."""
    return bool(request.headers.get(BACKGROUND_HEADER)) or "partial" in request.GET


def activity_at(request: HttpRequest, at: float) -> float | None:
    """When the person behind this request last did something: now for a page or a form; for a
    timed request the moment its page says it was last touched, or None when it does not say."""
    if not is_background(request):
        return at
    try:
        age = float(request.headers.get(INPUT_AGE_HEADER, ""))
    except ValueError:
        return None
    if not 0 <= age < at:  # also refuses NaN
        return None
    return at - age


def limit_reached(session: Any, at: float) -> Limit | None:
    """Which limit the session is past at `at`, if any (the absolute one first)."""
    started, active = session.get(STARTED), session.get(ACTIVE)
    if started is None or active is None:
        return None
    if at - started > max_seconds():
        return "absolute"
    if at - active > idle_seconds():
        return "idle"
    return None


def _hours(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


def _minutes(seconds: float) -> str:
    minutes = seconds / 60
    return f"{minutes:g} minute{'' if minutes == 1 else 's'}"


def why(limit: Limit) -> str:
    """The message the person sees on the log-in page."""
    if limit == "idle":
        return (
            f"You were signed out because Peel was not used for {_minutes(idle_seconds())}. "
            "Sign in again to carry on."
        )
    return (
        f"You were signed out because you signed in {_hours(max_seconds())} ago, the longest a "
        "session may last. Sign in again to carry on."
    )


class SessionLimitsMiddleware:
    """Ends a signed-in session past its idle or absolute limit, before the view runs; else
    notes the activity (at most once a minute)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        try:
            return self.check(request, view_func)
        except DatabaseError:
            # Unreachable: the view meets the same error, and the last middleware turns it into
            # the styled 503 page (core/middleware.py), which it cannot do for an error here.
            return None

    def check(self, request: HttpRequest, view_func: Callable[..., Any]) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        session = request.session
        at = now()
        if STARTED not in session or ACTIVE not in session:
            start(request)
            return None
        limit = limit_reached(session, at)
        if limit is None:
            when = activity_at(request, at)
            if when is not None and when - session[ACTIVE] >= RESOLUTION_SECONDS:
                session[ACTIVE] = when
            return None
        return self.end(request, user, view_func, limit, at)

    def end(
        self,
        request: HttpRequest,
        user: User,
        view_func: Callable[..., Any],
        limit: Limit,
        at: float,
    ) -> HttpResponse | None:
        session = request.session
        do_record_session_expired(
            user,
            limit,
            {
                "idle_minutes": settings.PEEL["SESSION_IDLE_MINUTES"],
                "max_hours": settings.PEEL["SESSION_MAX_HOURS"],
                "signed_in_at": _utc(session[STARTED]).isoformat(),
                "last_activity_at": _utc(session[ACTIVE]).isoformat(),
                "ended_at": _utc(at).isoformat(),
                "address": client_address(request),
            },
        )
        request.peel_session_expired = True  # type: ignore[attr-defined]  # not a sign-out
        logout(request)
        messages.warning(request, why(limit))
        if is_background(request):
            return JsonResponse({"signed_in": False, "reason": limit}, status=401)
        rule = rule_of(view_func)
        if rule is not None and rule.who in NOT_SIGNED_IN_RULES:
            return None  # a public page: it goes on, for a visitor
        if request.method in ("GET", "HEAD"):
            back: str | None = request.get_full_path()
        else:  # the form was not acted on: back to its page, to send it again once signed in
            back = referring_page(request)
            messages.warning(
                request, "What you sent was not saved: send it again once you have signed in."
            )
        return redirect_to_login(back) if back else redirect(settings.LOGIN_URL)


def start_clearing(stop: threading.Event, interval: float | None = None) -> threading.Thread:
    """The worker's session sweeper: deletes expired sessions every PEEL_SESSION_CLEAR_MINUTES
    (Django's `clearsessions`), and logs how many."""
    every = interval if interval is not None else settings.PEEL["SESSION_CLEAR_MINUTES"] * 60

    def loop() -> None:
        while not stop.is_set():
            try:
                clear_and_log()
            except Exception:  # logged and tried again next time, like the worker's duties
                logger.exception("Clearing expired sessions failed; retrying")
            finally:
                connection.close()
            stop.wait(every)

    thread = threading.Thread(target=loop, name="peel-session-sweeper", daemon=True)
    thread.start()
    return thread


def clear_and_log() -> int | None:
    cleared = do_clear_expired_sessions()
    if cleared is None:
        logger.info("Expired sessions cleared (the session engine does not count them)")
    else:
        logger.log(
            logging.INFO if cleared else logging.DEBUG, "Expired sessions cleared: %d", cleared
        )
    return cleared
