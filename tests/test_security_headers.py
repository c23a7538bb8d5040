"""Every page, opened by the roles that may open it, sends Peel's browser protections.

The pages come from the permission matrix's enumeration (tests/test_permission_matrix.py: every
URL pattern, with real objects in the URLs), so a new page is checked without being listed here.
Each is opened with GET by every role its rule allows (and with POST where GET is not allowed),
and every answer must carry:

- the strict Content-Security-Policy (no inline script or style, frame-ancestors 'none', ...);
  a file Peel serves from a report may carry a narrower one of its own (checked to be at least
  as strict about framing and scripts),
- `Cache-Control: no-store` (staff pages, the public form and status pages, files: everything a
  view builds),
- Permissions-Policy, Cross-Origin-Opener-Policy, X-Content-Type-Options, Referrer-Policy and
  X-Frame-Options;

and no HTML page may hold an inline `<script>`, `<style>`, `style=` or `on...=` (which the policy
would block: a page that needs one is broken in a browser). Static files keep their caching.

The table of headers it writes (var/security-headers.md, also printed with `-s`) is the one in
docs/browser.md: `pytest tests/test_security_headers.py -s` regenerates it.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from peel.accounts.testing import reauthenticate, sign_in
from peel.core.access_rules import rule_of
from peel.intake.tests.walker import ANSWERS, answer_pages
from peel.intake.wizard import load_definition
from tests.test_permission_matrix import (
    ANONYMOUS,
    REPORTER,
    ROLES,
    Page,
    _admin_object_ids,
    all_pages,
    expected,
    make_world,
    url_of,
)

pytestmark = pytest.mark.django_db
TABLE = Path(__file__).resolve().parents[1] / "var" / "security-headers.md"

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
# Files from a report shown inside a review page (a PDF in an <iframe>): framed by Peel only.
FRAMED_BY_PEEL = {"report-attachment", "report-rendering"}
INLINE = [
    # A JSON data block (json_script; the security-key page's settings) is never run by a browser.
    (
        re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
        "an inline <script>",
    ),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I), "an on...= attribute"),
    (re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I), "a javascript: URL"),
]


def policy(header: str) -> dict[str, str]:
    parts = (p.strip().split(None, 1) for p in header.split(";") if p.strip())
    return {p[0].lower(): (p[1] if len(p) > 1 else "") for p in parts}


def problems_with(page: Page, response: Any) -> list[str]:
    """What is wrong with one answer's headers and body (an empty list: nothing)."""
    found = []
    csp = policy(response.get("Content-Security-Policy", ""))
    html = response.get("Content-Type", "").startswith("text/html")
    framed = page.name in FRAMED_BY_PEEL and response.status_code == 200
    if framed:  # the file itself: framed by Peel's review page, by nobody else
        if csp.get("frame-ancestors") != "'self'":
            found.append(f"a framed file's CSP is {csp}")
    elif not html and "sandbox" in csp:  # a file of its own: nothing in it runs or loads
        if csp.get("default-src") != "'none'" or csp.get("frame-ancestors") != "'none'":
            found.append(f"a file's own CSP is not default-src and frame-ancestors 'none': {csp}")
    else:
        for directive, value in STRICT.items():
            if csp.get(directive) != value:
                found.append(f"CSP {directive} is {csp.get(directive)!r}, not {value!r}")
    if html:
        for unsafe in ("'unsafe-inline'", "'unsafe-eval'"):
            if unsafe in response["Content-Security-Policy"]:
                found.append(f"CSP allows {unsafe}")
    if "no-store" not in response.get("Cache-Control", ""):
        found.append(f"Cache-Control is {response.get('Cache-Control')!r}, not no-store")
    permissions = response.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        if f"{feature}=()" not in permissions:
            found.append(f"Permissions-Policy does not refuse {feature}")
    wanted = {
        "Cross-Origin-Opener-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "SAMEORIGIN" if framed else "DENY",
    }
    for header, value in wanted.items():
        if response.get(header) != value:
            found.append(f"{header} is {response.get(header)!r}, not {value!r}")
    if html and not getattr(response, "streaming", False):
        body = response.content.decode(errors="replace")
        for pattern, what in INLINE:
            if match := pattern.search(body):
                found.append(f"the page has {what}: {match.group(0)[:120]}")
    return found


@pytest.fixture
def _quiet_refusals() -> Iterator[None]:
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def _open(client: Client, method: str, url: str, data: dict[str, str]) -> Any:
    """One request, undone afterwards, so no request changes what the next one sees."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, data)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


@pytest.mark.usefixtures("_quiet_refusals")
def test_every_page_sends_the_policies_to_every_role_that_opens_it(
    make_user: Callable[..., Any], staff_client: Callable[[Any], Client]
) -> None:
    world = make_world(make_user)
    admin_ids = _admin_object_ids()
    clients = {ANONYMOUS: Client(), REPORTER: Client()}
    for role, user in world["users"].items():
        clients[role] = staff_client(user)
    wrong: list[str] = []
    rows: list[tuple[str, str, str, Any]] = []
    unopened: list[str] = []
    checked, pages = 0, all_pages()
    for page in pages:
        rule = rule_of(page.view)
        assert rule is not None, f"{page.route} declares no rule (the permission matrix says so)"
        url = url_of(page, world, admin_ids)
        method = "GET" if "GET" in rule.methods or rule.who == "admin_site" else "POST"
        opened, first = False, None
        for role in ROLES:
            label, _ = expected(rule, role, method)
            if label not in ("allowed", "past the admin's log-in"):
                continue
            data = world["reporter_key"] if role == REPORTER else {}
            response = _open(clients[role], method, url, data)
            checked += 1
            for problem in problems_with(page, response):
                wrong.append(f"{method} {url} as {role} ({response.status_code}): {problem}")
            first = first or (role, response)
            if response.status_code == 200:
                if not opened:
                    rows.append((page.route, role, method, response))
                opened = True
        # Anyone's refusal (the log-in page, a 403, a 404) is a page too: same protections.
        for role in (ANONYMOUS, "analyst"):
            response = _open(clients[role], "GET", url, {})
            checked += 1
            for problem in problems_with(page, response):
                wrong.append(f"GET {url} as {role} ({response.status_code}): {problem}")
        if not opened:
            unopened.append(f"{method} {url} ({page.name or page.route})")
            if first:  # in the table all the same, with the redirect or refusal it answered
                rows.append((page.route, first[0], method, first[1]))
    _write_table(rows)
    print(f"\nSecurity headers: {checked} answers from {len(pages)} URL patterns checked")
    assert not wrong, f"{len(wrong)} answers lack a protection:\n" + "\n".join(wrong)
    # Pages no role opened with a 200 are actions that answer with a redirect (a POST that
    # changes something, the admin's log-out...): their redirects were checked above. Views
    # that only show something must each be opened by someone, or the check proves nothing.
    # The public form's pages that need answers first, and the export that needs a search, are
    # opened with them in the tests below.
    shows_something = [
        u for u in unopened
        if u.startswith("GET") and "/admin/" not in u and not u.endswith(OPENED_BELOW)
    ]  # fmt: skip
    opened_count = len(rows) - len(unopened)
    assert opened_count > 45, f"only {opened_count} pages answered 200: is the world built right?"
    assert not shows_something, "No role opened these pages:\n" + "\n".join(shows_something)


# Pages that answer a bare GET with a redirect or a 400 by design (and are opened with what they
# need in the tests below, or only ever send the browser on).
OPENED_BELOW = (
    "(quick-exit)", "(report-start)", "(report-check)", "(report-danger)", "(oversight-export)",
    # A verified session is sent on from the second-factor step (its page is opened by the
    # second-factor and browser tests); single sign-on is off here (its pages: accounts/tests).
    "(second-factor)", "(sso-start)", "(sso-callback)",
)  # fmt: skip


def _page(name: str) -> Page:
    return next(p for p in all_pages() if p.name == name)


def test_the_public_form_with_a_victims_answers_is_never_stored_by_the_browser() -> None:
    """The pages that hold what a victim typed (each question page, "call 999", check your
    answers, the receipt) carry no-store and the strict policy."""
    client = Client()
    first = client.get(reverse("report-start"))["Location"]
    page_id = first.rstrip("/").rsplit("/", 1)[-1]
    question_page = client.get(first)
    assert question_page.status_code == 200
    assert problems_with(_page("report-page"), question_page) == []
    definition = load_definition()
    page = definition.page(page_id)
    assert page is not None
    answers = {**ANSWERS, "immediateDanger": "yes"}
    data = {q.name: answers.get(q.name, "") for q in page.questions}
    sent = client.post(first, {k: v for k, v in data.items() if v != []})
    assert sent["Location"] == reverse("report-danger"), "the first page no longer asks it"
    danger = client.get(reverse("report-danger"))
    assert danger.status_code == 200
    assert problems_with(_page("report-danger"), danger) == []

    client = Client()
    answer_pages(client)
    check = client.get(reverse("report-check"))
    assert check.status_code == 200 and b"Barker" in check.content
    assert problems_with(_page("report-check"), check) == []
    # Sending it (refused here as too fast for a person: the answer is a page all the same).
    sent = client.post(reverse("report-check"), follow=True)
    assert problems_with(_page("report-check"), sent) == []


def test_the_audit_export_is_never_stored_by_the_browser(make_user: Callable[..., Any]) -> None:
    client = Client()
    auditor = make_user("auditor-export", "auditor")
    sign_in(client, auditor)
    reauthenticate(client, auditor)  # exporting needs it
    response = client.get(reverse("oversight-export"), {"log": "audit"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert problems_with(_page("oversight-export"), response) == []


def test_a_static_file_stays_cacheable_and_a_page_does_not() -> None:
    client = Client()
    script = client.get("/static/peel/site.js")
    assert script.status_code == 200
    assert "no-store" not in script.get("Cache-Control", "")
    page = client.get(reverse("home"))
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]


def _short(value: str) -> str:
    return value.replace("|", "\\|") if value else "—"


def _write_table(rows: list[tuple[str, str, str, Any]]) -> None:
    """The headers each page sends, as a Markdown table (the policy values once, below)."""
    strict = ""
    lines = [
        "| Page | Opened as | Status | CSP | Cache-Control | Permissions-Policy | COOP | "
        "X-Frame-Options | nosniff | Referrer-Policy |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    permissions = ""
    for route, role, method, response in sorted(rows, key=lambda r: r[0]):
        csp = response.get("Content-Security-Policy", "")
        if policy(csp).get("script-src") == "'self'" and policy(csp).get("base-uri") == "'none'":
            strict, csp_cell = csp, "strict (S)"
        else:
            csp_cell = f"`{csp}`"
        pp = response.get("Permissions-Policy", "")
        permissions = permissions or pp
        shown = "/" + (_short(route.lstrip("/")) if route else "")
        lines.append(
            f"| `{shown}` | {role}{' (POST)' if method == 'POST' else ''} | "
            f"{response.status_code} | {csp_cell} | {_short(response.get('Cache-Control', ''))} | "
            f"{'all off (P)' if pp == permissions else _short(pp)} | "
            f"{_short(response.get('Cross-Origin-Opener-Policy', ''))} | "
            f"{_short(response.get('X-Frame-Options', ''))} | "
            f"{_short(response.get('X-Content-Type-Options', ''))} | "
            f"{_short(response.get('Referrer-Policy', ''))} |"
        )
    lines += ["", f"(S) `Content-Security-Policy: {strict}`", "", f"(P) `{permissions}`"]
    text = "\n".join(lines) + "\n"
    TABLE.parent.mkdir(exist_ok=True)
    TABLE.write_text(text)
    print(f"\n{len(rows)} pages; the table is in var/security-headers.md\n")
