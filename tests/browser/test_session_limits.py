"""A staff screen left alone is signed out, in a real browser, whatever its scripts do."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_unattended_queue_page_is_signed_out_and_the_log_in_page_says_why(
    live_server, new_page, make_user, settings
) -> None:
    """queue.js refreshes every second; nobody touches the page; the idle limit (6 s here)
    still ends the session, and the page reloads to the log-in page with the reason."""
    settings.PEEL = {**settings.PEEL, "QUEUE_REFRESH_SECONDS": 1, "SESSION_IDLE_MINUTES": 0.1}
    make_user("grace", "supervisor")
    page = new_page()
    browser_login(page, live_server.url, "grace")
    page.goto(f"{live_server.url}/staff/queue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign in", timeout=30_000)
    expect(
        page.get_by_text("You were signed out because Peel was not used for 0.1 minutes.")
    ).to_be_visible()
    assert page.url.endswith("/staff/login/?next=/staff/queue/")
