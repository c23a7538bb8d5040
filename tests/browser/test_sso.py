"""Single sign-on in a real browser: Chromium follows the real redirects from Peel's log-in page
to the loopback OpenID Connect provider (src/peel/accounts/tests/test_sso.py starts it) and back."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from peel.accounts.models import User
from peel.accounts.tests.sso_provider import OPERATORS, at_provider
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_signs_in_with_the_identity_provider(
    live_server: Any,
    new_page: Any,
    configure: Any,
    provider: str,
) -> None:
    at_provider(
        provider, "oid-chromium", groups=[OPERATORS], amr=["pwd", "mfa"],
        preferred_username="olu.adeyemi@force.example", given_name="Olu", family_name="Adeyemi",
    )  # fmt: skip
    page = new_page()
    page.goto(f"{live_server.url}/staff/login/")
    assert_accessible(page)
    page.get_by_role("link", name="Sign in with Loopback ID").click()
    page.wait_for_url(f"{provider}/oauth2/authorize?**")  # at the provider's own page
    page.get_by_placeholder("sub").fill("oid-chromium")
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
    assert page.url == f"{live_server.url}/staff/"
    user = User.objects.get(sso_subject="oid-chromium")
    assert list(user.groups.values_list("name", flat=True)) == ["operator"]
