"""Headless Debian Chromium driven by Playwright (the Playwright browser download is not used)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
    sync_playwright,
)

from peel.accounts.models import User
from peel.accounts.testing import authenticator, current_code
from peel.process.testing import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `make test`, which installs Debian's chromium.")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


# What Chromium writes to the console when the Content-Security-Policy blocks something ("Refused
# to execute inline script because it violates the following Content Security Policy
# directive: ...", "Refused to apply inline style ...", "Refused to load the script ...").
# A Permissions-Policy header Chromium cannot read ("Error with Permissions-Policy header:
# Unrecognized feature") is caught too.
CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy header")


@pytest.fixture(autouse=True)
def csp_violations(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Fail any browser test during which Chromium reported a CSP violation (or could not read
    the Permissions-Policy): every page Peel
    sends is under the strict policy, and a blocked script or style is a broken page. Every
    context made in the test (through new_page or browser.new_context) is watched."""
    violations: list[str] = []
    if "browser" not in request.fixturenames:
        yield violations
        return

    def watch(message: ConsoleMessage) -> None:
        if any(marker in message.text for marker in CSP_MARKERS):
            violations.append(f"{message.location.get('url', '?')}: {message.text}")

    original = Browser.new_context

    def new_context(self: Browser, *args: Any, **kwargs: Any) -> BrowserContext:
        context = original(self, *args, **kwargs)
        context.on("console", watch)
        return context

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Browser, "new_context", new_context)
        yield violations
    if violations:
        pytest.fail("Chromium reported CSP violations:\n" + "\n".join(violations))


@pytest.fixture
def new_page(browser: Browser) -> Iterator[object]:
    contexts = []

    def make() -> Page:
        context = browser.new_context()
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def assert_accessible(page: Page) -> None:
    """Run axe-core (bundled with axe-playwright-python, nothing downloaded) on the page as shown."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} on {page.url}, first {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]
    assert violations == [], "\n".join(violations)


def browser_login(page: Page, base: str, username: str) -> None:
    """The one way browser tests sign in: through the log-in form and the second-factor step, as
    a person does (the code computed from their authenticator app's key), landing on the staff
    home."""
    user = User.objects.get(username=username)
    authenticator(user)  # enrolled already (enrolment itself: accounts' own browser test)
    page.goto(f"{base}/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm it is you")
    page.get_by_label("Code").fill(current_code(user))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
