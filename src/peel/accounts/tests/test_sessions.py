"""Staff sessions end after PEEL_SESSION_IDLE_MINUTES without activity and PEEL_SESSION_MAX_HOURS
after signing in; the pages' timed requests do not keep a screen left alone signed in; the
worker clears expired sessions."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peel.accounts import sessions
from peel.accounts.models import User
from peel.audit.models import AuditEvent
from peel.process.testing import file_report
from peel.workqueue.actions import do_get_work
from peel.workqueue.models import WorkItem, WorkStatus

pytestmark = pytest.mark.django_db

BACKGROUND = {"X-Peel-Background": "1"}


class Clock:
    """The sessions' clock, moved by the test (a person away from the screen)."""

    def __init__(self) -> None:
        self.at = time.time()

    def __call__(self) -> float:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta).total_seconds()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr(sessions, "now", moved)
    return moved


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _expired_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="auth.session_expired"))


def test_a_session_used_just_inside_its_idle_time_is_kept(
    clock: Clock, staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    client = staff_client(supervisor)
    for _ in range(3):  # 90 minutes in all, never 30 without activity
        clock.advance(minutes=29, seconds=59)
        assert client.get(reverse("queue")).status_code == 200
    assert _signed_in(client) and _expired_events() == []


def test_a_session_past_its_idle_time_is_refused_audited_and_told_why(
    clock: Clock, staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    client = staff_client(supervisor)
    signed_in_at = clock()
    clock.advance(minutes=30, seconds=1)
    response = client.get(reverse("queue"), {"team": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?next=/staff/queue/%3Fteam%3D1"
    assert not _signed_in(client)
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because Peel was not used for 30 minutes." in page
    [event] = _expired_events()
    assert event.actor_label == "system" and event.object_id == str(supervisor.pk)
    assert event.after["limit"] == "idle" and event.after["idle_minutes"] == 30
    started = dt.datetime.fromisoformat(event.after["signed_in_at"]).timestamp()
    assert abs(started - signed_in_at) < 1
    assert event.after["last_activity_at"] == event.after["signed_in_at"]
    ended = dt.datetime.fromisoformat(event.after["ended_at"]).timestamp()
    assert abs(ended - clock()) < 1
    # Ended, not signed out by the person; and nothing more is served to the old cookie.
    assert not AuditEvent.objects.filter(action="auth.logged_out").exists()
    assert client.get(reverse("queue"))["Location"].startswith("/staff/login/")


def test_a_session_ends_at_its_absolute_limit_however_active(
    clock: Clock, staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    client = staff_client(supervisor)
    for _ in range(29):  # every 20 minutes, then once more just inside 10 hours
        clock.advance(minutes=20)
        assert client.get(reverse("staff-home")).status_code == 200
    clock.advance(minutes=19, seconds=59)
    assert client.get(reverse("staff-home")).status_code == 200
    clock.advance(seconds=2)
    response = client.get(reverse("staff-home"))
    assert response["Location"].startswith("/staff/login/?next=/staff/")
    [event] = _expired_events()
    assert event.after["limit"] == "absolute" and event.after["max_hours"] == 10
    page = client.get(response["Location"]).content.decode()
    assert "you signed in 10 hours ago, the longest a session may last" in page


def test_the_limits_come_from_the_settings(
    clock: Clock, staff_client: Callable[[Any], Client], supervisor: User, settings: Any
) -> None:
    settings.PEEL = {**settings.PEEL, "SESSION_IDLE_MINUTES": 5, "SESSION_MAX_HOURS": 1}
    client = staff_client(supervisor)
    clock.advance(minutes=5, seconds=1)
    assert client.get(reverse("staff-home")).status_code == 302
    assert _expired_events()[0].after["limit"] == "idle"


def test_the_session_row_and_cookie_last_until_the_absolute_limit(
    staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    """So someone back after the idle limit is told why, and the row is then cleared."""
    client = staff_client(supervisor)
    row = Session.objects.get(session_key=client.session.session_key)
    left = (row.expire_date - timezone.now()).total_seconds()
    assert 10 * 3600 - 60 < left <= 10 * 3600


def test_the_review_pages_heartbeat_does_not_keep_a_screen_left_alone_signed_in(
    clock: Clock, staff_client: Callable[[Any], Client], operator: User
) -> None:
    """heartbeat.js beats every minute with how long ago the operator last touched the page; a
    beat without that says nothing about the person."""
    file_report()
    item = do_get_work(operator)
    assert item is not None
    client = staff_client(operator)
    beat = reverse("heartbeat", args=[item.pk])
    for minute in range(1, 30):  # the operator left at 0
        clock.advance(minutes=1)
        if minute % 2:
            response = client.post(beat, headers=BACKGROUND)  # says nothing of the person
        else:
            headers = {**BACKGROUND, "X-Peel-Input-Age": str(minute * 60)}
            response = client.post(beat, headers=headers)
        assert response.status_code == 200, minute  # the lease is kept meanwhile
    clock.advance(seconds=59)
    assert client.post(beat, headers=BACKGROUND).status_code == 200
    clock.advance(seconds=2)
    response = client.post(beat, headers=BACKGROUND)
    assert response.status_code == 401 and response.json() == {
        "signed_in": False,
        "reason": "idle",
    }
    assert not _signed_in(client)
    assert _expired_events()[0].after["limit"] == "idle"


def test_an_operator_typing_without_loading_a_page_stays_signed_in(
    clock: Clock, staff_client: Callable[[Any], Client], operator: User
) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None
    client = staff_client(operator)
    beat = reverse("heartbeat", args=[item.pk])
    for _ in range(60):  # an hour writing a decision; the last key press 20 seconds ago
        clock.advance(minutes=1)
        headers = {**BACKGROUND, "X-Peel-Input-Age": "20"}
        assert client.post(beat, headers=headers).status_code == 200
    assert client.get(reverse("staff-home")).status_code == 200
    assert _signed_in(client) and _expired_events() == []


def test_the_queue_pages_refresh_does_not_keep_a_screen_left_alone_signed_in(
    clock: Clock, staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    """queue.js fetches ?partial=1 every few seconds; it is not the supervisor's activity."""
    client = staff_client(supervisor)
    for _ in range(29):
        clock.advance(minutes=1)
        assert client.get(reverse("queue"), {"partial": "1"}).status_code == 200
    clock.advance(seconds=59)
    assert client.get(reverse("queue"), {"partial": "1"}).status_code == 200
    clock.advance(seconds=2)
    response = client.get(reverse("queue"), {"partial": "1"}, headers=BACKGROUND)
    assert response.status_code == 401  # queue.js reloads the page, which shows why
    assert not _signed_in(client)
    page = client.get(reverse("queue"), follow=True).content.decode()
    assert "You were signed out because Peel was not used for 30 minutes." in page


def test_a_form_sent_after_the_session_ended_changes_nothing_and_comes_back_to_its_page(
    clock: Clock, staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    item = WorkItem.objects.get(report=file_report())
    client = staff_client(supervisor)
    clock.advance(minutes=31)
    response = client.post(
        reverse("queue-bulk"),
        {"items": [item.pk], "action": "return", "reason": "x"},
        headers={"Referer": "http://testserver/staff/queue/?grade=P4"},
    )
    assert response["Location"] == "/staff/login/?next=/staff/queue/%3Fgrade%3DP4"
    page = client.get(response["Location"]).content.decode()
    assert "What you sent was not saved: send it again once you have signed in." in page
    item.refresh_from_db()
    assert item.status == WorkStatus.QUEUED
    assert not AuditEvent.objects.filter(action="work.returned").exists()


def test_a_public_page_goes_on_for_a_visitor_when_the_session_has_ended(
    clock: Clock, staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    client = staff_client(supervisor)
    clock.advance(hours=11)
    assert client.get(reverse("home")).status_code == 200
    assert not _signed_in(client)
    assert _expired_events()[0].after["limit"] == "absolute"


def test_the_session_is_written_at_most_once_a_minute_not_on_every_request(
    clock: Clock, staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    client = staff_client(supervisor)

    def session_writes(requests: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            for _ in range(requests):
                clock.advance(seconds=1)
                assert client.get(reverse("staff-home")).status_code == 200
        return sum(
            1
            for q in queries.captured_queries
            if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith("UPDATE")
        )

    assert session_writes(50) == 0
    clock.advance(seconds=60)
    assert session_writes(1) == 1


def test_the_worker_clears_expired_sessions_and_counts_them(db: None) -> None:
    for expiry in (-3600, -1, 3600):
        store = SessionStore()
        store["x"] = 1
        store.set_expiry(timezone.now() + dt.timedelta(seconds=expiry))
        store.save()
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "Cleared 2 expired sessions." in out.getvalue()
    assert Session.objects.count() == 1
    assert Session.objects.get().expire_date > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_the_worker_thread_clears_them_periodically_and_logs_the_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = SessionStore()
    store.set_expiry(timezone.now() - dt.timedelta(minutes=1))
    store.save()
    stop = threading.Event()
    with caplog.at_level(logging.INFO, logger="peel.accounts.sessions"):
        thread = sessions.start_clearing(stop, interval=0.05)
        deadline = time.monotonic() + 10
        while Session.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        thread.join(timeout=5)
    assert not Session.objects.exists()
    assert "Expired sessions cleared: 1" in caplog.text
