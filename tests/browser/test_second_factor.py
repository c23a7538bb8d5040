"""The second factor in a real browser: a first sign-in enrols an authenticator app from the key
shown as text; a security key (Chromium's virtual authenticator, through the DevTools protocol)
is registered and then signs in in place of a code."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from peel.accounts.second_factor import code_for
from peel.audit.models import AuditEvent
from peel.process.testing import PASSWORD
from tests.browser.conftest import assert_accessible, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def type_password(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_first_sign_in_enrols_an_app_from_the_key_shown_as_text(
    live_server, new_page, make_user
) -> None:
    make_user("olivia", "operator")
    page = new_page()
    type_password(page, live_server.url, "olivia")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your second factor")
    expect(
        page.get_by_role("img", name="QR image to scan with your authenticator app")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_text("Can't scan it? Enter this key").click()
    key_text = page.get_by_test_id("setup-key").inner_text()
    import base64

    raw = key_text.replace(" ", "")
    key_hex = base64.b32decode(raw + "=" * (-len(raw) % 8)).hex()
    page.get_by_label("Code").fill(code_for(key_hex))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="I have kept my codes: continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")


def test_a_security_key_is_registered_and_then_signs_in(live_server, new_page, make_user) -> None:
    make_user("olivia", "operator")
    page = new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    browser_login(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/staff/account/")
    assert_accessible(page)
    page.get_by_role("button", name="Register a security key").click()
    expect(page.get_by_test_id("factors")).to_contain_text("Security key")
    assert AuditEvent.objects.filter(
        action="auth.second_factor_enrolled", after__factor="security key"
    ).exists()

    page.get_by_role("button", name="Sign out").first.click()
    type_password(page, live_server.url, "olivia")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    expect(page.get_by_role("button", name="Use my security key")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Use my security key").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
