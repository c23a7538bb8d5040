"""Headless Debian Chromium driven by Playwright (the Playwright browser download is not used)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

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
