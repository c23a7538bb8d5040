"""Peel follows a redirect it is handed (`?next=`, a form's `next`) only to its own paths.

- `safe_next` refuses other sites, schemes and the browser quirks that turn a path into a host.
- The DASH page (which used to send you to any site after saving, and gave a 500 for
  `next=javascript:`), the log-in and log-out pages refuse each hostile value.
- Every page in the application (the permission matrix's enumeration), opened by a role that may
  use it with hostile `next`, `return_to`, `back`, ... in the query and the form, redirects only
  to a path on this site.
- No code reads a redirect parameter except through `peel.core.redirects`: a new view that does
  fails here, before it ships.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse

from peel.accounts.testing import sign_in
from peel.core.access_rules import rule_of
from peel.core.redirects import is_safe_path, safe_next
from peel.process.testing import PASSWORD, file_report
from peel.triage import dash
from tests.test_permission_matrix import (
    ANONYMOUS,
    REPORTER,
    ROLES,
    _admin_object_ids,
    all_pages,
    expected,
    make_world,
    url_of,
)

pytestmark = pytest.mark.django_db

HOSTILE = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "\\\\evil.example",
    "/\t/evil.example",
    "http:/evil.example",
    "https://testserver/staff/",  # this site's own absolute URL: only paths are followed
    " //evil.example",
    "data:text/html,<script>alert(1)</script>",
]
PARAMETERS = ("next", "return_to", "back", "redirect_to", "return")
SRC = Path(__file__).resolve().parents[1] / "src" / "peel"


def test_safe_next_follows_this_sites_paths_and_nothing_else() -> None:
    factory = RequestFactory()
    for wanted in ("/staff/", "/staff/reports/7/?tab=dash#top", "/report/status/"):
        assert safe_next(factory.get("/", {"next": wanted}), "staff-home") == wanted
        assert safe_next(factory.post("/", {"next": wanted}), "/fallback/") == wanted
    for hostile in HOSTILE:
        assert not is_safe_path(hostile), hostile
        assert safe_next(factory.get("/", {"next": hostile}), "staff-home") == "/staff/"
        assert safe_next(factory.post("/", {"next": hostile}), "/fallback/") == "/fallback/"
    assert safe_next(factory.get("/"), "staff-home") == "/staff/"
    assert safe_next(factory.get("/", {"back": "/staff/queue/"}), "/", field="back") == (
        "/staff/queue/"
    )


def _dash_answers() -> dict[str, str]:
    return {f"q_{key}": "no" for key in dash.KEYS}


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_dash_page_goes_home_instead_of_to_another_site_after_saving(
    make_user: Callable[..., Any], hostile: str
) -> None:
    report = file_report(description="DASH next")
    client = Client()
    sign_in(client, make_user(f"dash-{HOSTILE.index(hostile)}", "safeguarding"))
    url = reverse("dash-form", args=[report.pk])
    response = client.post(url + "?" + _query("next", hostile), _dash_answers())
    assert response.status_code == 302, response.content[:500]
    assert response["Location"] == reverse("staff-home")
    assert report.dash_assessments.count() == 1  # saved, then sent home: no 500, no other site


def test_the_dash_page_still_returns_to_the_page_it_came_from(
    make_user: Callable[..., Any],
) -> None:
    report = file_report(description="DASH next")
    client = Client()
    sign_in(client, make_user("dash-back", "safeguarding"))
    back = reverse("report-detail", args=[report.pk]) + "?from=dash"
    url = reverse("dash-form", args=[report.pk]) + "?" + _query("next", back)
    response = client.post(url, _dash_answers())
    assert response.status_code == 302 and response["Location"] == back


@pytest.mark.parametrize("hostile", HOSTILE)
def test_signing_in_and_out_with_a_hostile_next_stays_on_this_site(
    make_user: Callable[..., Any], hostile: str
) -> None:
    user = make_user(f"next-{HOSTILE.index(hostile)}", "operator")
    client = Client()
    login = reverse("login")
    response = client.post(
        login, {"username": user.username, "password": PASSWORD, "next": hostile}
    )
    assert response.status_code == 302
    assert _on_this_site(response["Location"]), response["Location"]
    response = client.post(reverse("logout"), {"next": hostile})
    assert response.status_code == 302
    assert _on_this_site(response["Location"]), response["Location"]


@pytest.fixture
def _quiet_refusals() -> Iterator[None]:
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.mark.usefixtures("_quiet_refusals")
def test_no_page_redirects_off_this_site_whatever_it_is_handed(
    make_user: Callable[..., Any], staff_client: Callable[[Any], Client]
) -> None:
    world = make_world(make_user)
    admin_ids = _admin_object_ids()
    clients = {ANONYMOUS: Client(), REPORTER: Client()}
    for role, user in world["users"].items():
        clients[role] = staff_client(user)
    offsite, asked = [], 0
    for page in all_pages():
        rule = rule_of(page.view)
        assert rule is not None
        url = url_of(page, world, admin_ids)
        methods = [m for m in ("GET", "POST") if m in rule.methods or rule.who == "admin_site"]
        for method in methods:
            # The first role the rule lets in (the holder, for a holder's page).
            role = next(
                (r for r in ROLES if expected(rule, r, method)[0].startswith(("allowed", "past"))),
                None,
            )
            if role is None:
                continue
            for hostile in HOSTILE[:4]:
                handed = dict.fromkeys(PARAMETERS, hostile)
                data = {**(world["reporter_key"] if role == REPORTER else {}), **handed}
                location = _location(clients[role], method, url, handed, data)
                asked += 1
                if location is not None and _followed(location):
                    offsite.append(f"{method} {url} as {role} with {hostile!r} -> {location}")
    print(f"\nSafe redirects: {asked} requests with hostile redirect parameters")
    assert asked > 300
    assert not offsite, "These pages follow a redirect they were handed:\n" + "\n".join(offsite)


def _location(
    client: Client, method: str, url: str, query: dict[str, str], data: dict[str, str]
) -> str | None:
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        target = (
            url + ("&" if "?" in url else "?") + "&".join(_query(k, v) for k, v in query.items())
        )
        response = client.get(target) if method == "GET" else client.post(target, data)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response.get("Location")


# Reading a redirect parameter from a request anywhere but peel/core/redirects.py.
READS = re.compile(
    r"""(?:GET|POST|REQUEST|query_params|data|params)\s*(?:\.get\(|\.getlist\(|\[)\s*"""
    r"""["'](?:next|return_to|back|redirect|redirect_to|redirect_url|return_url|continue|"""
    r"""came_from|goto|url|success_url|return)["']"""
    r"""|\bget_redirect_url\b|\bredirect_field_name\b|\bREDIRECT_FIELD_NAME\b"""
)
# Reads that are not redirects, each with the reason.
NOT_FOLLOWED = {
    ("intake/views.py", "return"): 'compared with "check" only; the page is chosen by Peel',
}


def test_no_view_reads_a_redirect_parameter_except_through_safe_next() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative == "core/redirects.py" or "/tests/" in f"/{relative}":
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for match in READS.finditer(line):
                name = re.findall(r"""["'](\w+)["']""", match.group(0))
                if (relative, name[0] if name else "") in NOT_FOLLOWED:
                    continue
                found.append(f"src/peel/{relative}:{number}: {line.strip()}")
    assert not found, (
        "Follow a redirect from a request only through "
        "peel.core.redirects.safe_next(request, fallback):\n" + "\n".join(found)
    )


def test_the_source_check_catches_the_dash_pages_old_redirect() -> None:
    """The pattern above finds what the DASH page did before it used safe_next."""
    assert READS.search('return redirect(request.GET.get("next") or "staff-home")')
    assert READS.search("target = request.POST['return_to']")
    assert not READS.search('return redirect(safe_next(request, "staff-home"))')


def _followed(location: str) -> bool:
    """Whether a redirect went where it was told: off this site, and not to a destination Peel
    chose itself (the quick exit's neutral site, an identity provider): evil.example, or a
    script or data URL."""
    if _on_this_site(location):
        return False
    parts = urlsplit(location.strip())
    return parts.scheme not in ("http", "https") or "evil.example" in parts.netloc.lower()


def _on_this_site(location: str) -> bool:
    parts = urlsplit(location)
    return (
        not parts.scheme
        and not parts.netloc
        and location.startswith("/")
        and (not location.startswith(("//", "/\\")))
    )


def _query(name: str, value: str) -> str:
    return urlencode({name: value})
