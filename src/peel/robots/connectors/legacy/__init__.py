"""Legacy screen connector: drives a web application that has no API, as a person would.

Playwright drives Debian's Chromium (PEEL_CHROMIUM, default /usr/bin/chromium). For each record
it logs in when asked to, searches for the idempotency key, and if the record is not there
walks the "new record" pages. Before typing into a page it compares the page with the screen
map (connectors/legacy/maps/): the title, each field's selector, label, kind, allowed values
and length, and that the page asks for nothing the map does not know. After typing it reads
every value back from the form; after saving it opens the saved record and reads every field
back again. Any difference stops the task before the record is saved, with a screenshot and the
page's HTML kept as evidence.

Target options (robots/targets.toml):
    url, url_env      the application's base URL
    username          the robot's account
    password_env      the environment variable holding its password
    screen_map        a shipped map's name, or the path of a force's own map file
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote, urlparse

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from peel.robots.connectors import Deadline, PermanentFailure, TransientFailure
from peel.robots.connectors.legacy.screen_map import PageSpec, ScreenMap, load_screen_map
from peel.robots.record import normal_text, shorten
from peel.robots.targets import Target

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# One round trip to describe the page: its title, the elements the map names, and every form
# control on it, each with its label, kind, limits and current value.
_DESCRIBE_PAGE = """(selectors) => {
  const label = (el) => {
    const tag = el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
    return tag ? tag.textContent.trim() : "";
  };
  const describe = (el) => ({
    id: el.id, name: el.name || "", tag: el.tagName.toLowerCase(), label: label(el),
    maxlength: el.maxLength > 0 ? el.maxLength : null, required: !!el.required,
    options: el.tagName === "SELECT" ? Array.from(el.options).map((o) => o.text.trim()) : [],
    value: el.value,
  });
  const known = new Set();
  const mapped = selectors.map((s) => {
    const found = document.querySelectorAll(s);
    found.forEach((el) => known.add(el));
    return found.length === 1 ? describe(found[0]) : { count: found.length };
  });
  const unknown = Array.from(document.querySelectorAll("form input, form select, form textarea"))
    .filter((el) => !["hidden", "submit", "button", "reset"].includes(el.type) && !known.has(el))
    .map(describe);
  return { title: document.title, mapped, unknown };
}"""

_READ_TABLE = """(table) => Object.fromEntries(
  Array.from(document.querySelectorAll(`${table} tr`))
    .filter((tr) => tr.querySelector("th") && tr.querySelector("td"))
    .map((tr) => [tr.querySelector("th").textContent.trim(), tr.querySelector("td").textContent])
)"""

_TAGS = {"text": "input", "textarea": "textarea", "select": "select"}


class ScreenMismatch(PermanentFailure):
    """The screen is not the one the map describes: nothing was saved."""


class LegacyScreenConnector:
    def __init__(self, target: Target):
        self.target = target
        self.map: ScreenMap = load_screen_map(str(target.option("screen_map", "")))
        self.base = target.url().rstrip("/") + "/"
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._context: BrowserContext | None = None
        self._page: Page | None = None
        self._record_urls: dict[str, str] = {}
        self._browser_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="browser")

    # ---- The robot interface ----------------------------------------------------------------

    def expected(self, values: dict[str, str]) -> dict[str, str]:
        return {name: spec.value(values) for name, spec in self.map.field_specs().items()}

    # Playwright's sync API gives its thread an event loop, and Django then gives that thread
    # a different database connection. So the browser lives on a thread of its own, and these
    # methods hand their work to it: the worker's thread never sees Playwright.

    def find(self, key: str, deadline: Deadline) -> str | None:
        return self._browser_thread.submit(self._find, key, deadline).result()

    def write(self, key: str, values: dict[str, str], deadline: Deadline) -> str:
        return self._browser_thread.submit(self._write, key, values, deadline).result()

    def read(self, ref: str, deadline: Deadline) -> dict[str, str]:
        return self._browser_thread.submit(self._read, ref, deadline).result()

    def close(self) -> None:
        self._browser_thread.submit(self._close).result()
        self._browser_thread.shutdown()

    def _find(self, key: str, deadline: Deadline) -> str | None:
        find = self.map.find
        self._open(find["path"].format(key=quote(key, safe="")), deadline, "searching for the key")
        self._expect_title(find["title"], "the search page")
        page = self.page
        results = page.locator(find["result"])
        if results.count() == 0:
            if page.locator(find["none"]).count() == 0:
                raise self._mismatch("The search page shows neither results nor 'none found'.")
            return None
        if results.count() > 1:
            raise PermanentFailure(
                f"{results.count()} records in {self.target.label} already carry the key {key}; "
                "a person must decide which is right.",
                self._evidence(),
            )
        ref = results.first.inner_text().strip()
        href = results.first.get_attribute("href") or ""
        self._record_urls[ref] = href.lstrip("/").removeprefix(self._base_path())
        return ref

    def _write(self, key: str, values: dict[str, str], deadline: Deadline) -> str:
        self._open(self.map.new_path, deadline, "starting a new record")
        for number, spec in enumerate(self.map.pages, start=1):
            self._fill_page(number, spec, values, deadline)
        confirm = self.map.confirm
        self._expect_title(confirm["title"], "the confirmation page")
        deadline.check("saving the record")
        self._submit(confirm["submit"], deadline, "saving the record")
        record = self.map.record
        if not self.page.title().startswith(record["title_prefix"]):
            raise PermanentFailure(
                f"After saving, {self.target.label} showed '{self.page.title()}', not the record; "
                "a person must check whether it was saved.",
                self._evidence(),
            )
        ref = self.page.locator(record["ref"]).inner_text().strip()
        self._record_urls[ref] = self.page.url.removeprefix(self.base).split("?")[0]
        return ref

    def _read(self, ref: str, deadline: Deadline) -> dict[str, str]:
        record = self.map.record
        path = self._record_urls.get(ref)
        if path is None:
            raise TransientFailure(f"Peel does not know where record {ref} is shown.")
        self._open(path, deadline, f"reading back {ref}")
        if not self.page.title().startswith(record["title_prefix"]):
            raise self._mismatch(f"Record {ref} opened as '{self.page.title()}'.")
        shown: dict[str, str] = self.page.evaluate(_READ_TABLE, record["table"])
        return {name: shown[label] for name, label in record["labels"].items() if label in shown}

    def _close(self) -> None:
        for closing in (self._context, self._browser):
            try:
                if closing is not None:
                    closing.close()
            except PlaywrightError:
                pass  # already gone with a crashed browser
        if self._playwright is not None:
            self._playwright.stop()
        self._playwright = self._browser = self._context = self._page = None
        self._record_urls.clear()

    # ---- Pages ------------------------------------------------------------------------------

    @property
    def page(self) -> Page:
        if self._page is None:
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=os.environ.get("PEEL_CHROMIUM", "/usr/bin/chromium"),
                args=CHROMIUM_ARGS,
            )
            self._context = self._browser.new_context()
            self._page = self._context.new_page()
        return self._page

    def _timeout_ms(self, deadline: Deadline) -> float:
        return max(1.0, min(self.map.page_timeout_ms, deadline.remaining() * 1000))

    def _open(self, path: str, deadline: Deadline, doing: str, logged_in: bool = False) -> None:
        deadline.check(doing)
        try:
            response = self.page.goto(
                self.base + path, timeout=self._timeout_ms(deadline), wait_until="load"
            )
        except PlaywrightTimeout:
            raise self._slow(doing) from None
        except PlaywrightError as exc:
            raise self._unreachable(doing, exc) from None
        self._check_answer(response.status if response else 0, doing)
        if self.page.title() == self.map.login["title"]:
            if logged_in:
                raise TransientFailure(f"{self.target.label} asked the robot to log in again.")
            self._log_in(deadline)
            self._open(path, deadline, doing, logged_in=True)

    def _submit(self, selector: str, deadline: Deadline, doing: str) -> None:
        try:
            with self.page.expect_navigation(
                timeout=self._timeout_ms(deadline), wait_until="load"
            ) as navigation:
                self.page.click(selector, timeout=self._timeout_ms(deadline))
            response = navigation.value
        except PlaywrightTimeout:
            raise self._slow(doing) from None
        except PlaywrightError as exc:
            raise self._unreachable(doing, exc) from None
        self._check_answer(response.status if response else 0, doing)

    def _check_answer(self, status: int, doing: str) -> None:
        if status >= 500 or self.page.title() == self.map.error_title:
            raise TransientFailure(
                f"{self.target.label} answered with an error page ({status}) while {doing}.",
                self._evidence(),
            )
        if status >= 400:
            raise PermanentFailure(
                f"{self.target.label} answered {status} while {doing}.", self._evidence()
            )

    def _log_in(self, deadline: Deadline) -> None:
        login = self.map.login
        self._check_controls(
            "the log-on page", [login["username"], login["password"], login["submit"]]
        )
        self.page.fill(login["username"], str(self.target.option("username", "")))
        self.page.fill(login["password"], self.target.secret("password"))
        self._submit(login["submit"], deadline, "logging on")
        if login.get("refused") and self.page.locator(login["refused"]).count():
            raise TransientFailure(
                f"{self.target.label} refused the robot's log-on: check its password in "
                f"{self.target.option('password_env')}.",
            )
        if self.page.title() != self.map.menu_title:
            raise self._mismatch(
                f"After logging on, the screen is '{self.page.title()}', not "
                f"'{self.map.menu_title}'."
            )

    def _fill_page(
        self, number: int, spec: PageSpec, values: dict[str, str], deadline: Deadline
    ) -> None:
        where = f"Page {number} ('{spec.title}')"
        wanted = [field.value(values) for field in spec.fields]
        described = self.page.evaluate(_DESCRIBE_PAGE, [f.selector for f in spec.fields])
        problems = _page_problems(spec, described, wanted)
        if problems:
            raise self._mismatch(
                f"{where} does not match screen map {self.map.label}: "
                + "; ".join(problems)
                + ". Nothing was saved."
            )
        deadline.check(f"filling {where}")
        try:
            for field, value in zip(spec.fields, wanted, strict=True):
                if field.kind == "select" and value:
                    self.page.select_option(field.selector, label=value)
                elif field.kind == "select":
                    self.page.select_option(field.selector, value="")
                else:
                    self.page.fill(field.selector, value)
        except PlaywrightError as exc:
            raise self._unreachable(f"filling {where}", exc) from None
        typed = self.page.evaluate(_DESCRIBE_PAGE, [f.selector for f in spec.fields])["mapped"]
        changed = [
            f"{field.label} holds {shorten(shown.get('value', ''), 40)!r}, not {shorten(value, 40)!r}"
            for field, value, shown in zip(spec.fields, wanted, typed, strict=True)
            if normal_text(shown.get("value", "")) != normal_text(value)
        ]
        if changed:
            raise self._mismatch(
                f"{where} changed what was typed: " + "; ".join(changed) + ". Nothing was saved."
            )
        self._submit(spec.next, deadline, f"leaving {where}")
        if self.map.errors and self.page.locator(self.map.errors).count():
            refused = self.page.locator(self.map.errors).inner_text().strip()
            raise PermanentFailure(
                f"{self.target.label} refused {where}: {' '.join(refused.split())} Nothing was saved.",
                self._evidence(),
            )

    def _check_controls(self, where: str, selectors: list[str]) -> None:
        missing = [s for s in selectors if self.page.locator(s).count() != 1]
        if missing:
            raise self._mismatch(f"{where} has no {', '.join(missing)}.")

    def _expect_title(self, title: str, where: str) -> None:
        if self.page.title() != title:
            raise self._mismatch(
                f"Expected {where} ('{title}') but the screen is '{self.page.title()}'. "
                "Nothing was saved."
            )

    # ---- Failures ---------------------------------------------------------------------------

    def _evidence(self) -> dict[str, bytes]:
        try:
            return {
                "screenshot": self.page.screenshot(full_page=True, timeout=5000),
                "html": self.page.content().encode(),
            }
        except PlaywrightError:
            return {}

    def _mismatch(self, reason: str) -> ScreenMismatch:
        return ScreenMismatch(reason, self._evidence())

    def _slow(self, doing: str) -> TransientFailure:
        return TransientFailure(
            f"{self.target.label} took longer than the page limit while {doing}.", self._evidence()
        )

    def _unreachable(self, doing: str, exc: PlaywrightError) -> TransientFailure:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        self._close()  # the browser may be gone; start afresh on the next try
        return TransientFailure(
            f"{self.target.label} could not be reached while {doing}: {first_line}"
        )

    def _base_path(self) -> str:
        return urlparse(self.base).path.lstrip("/")


def _page_problems(spec: PageSpec, described: dict[str, Any], wanted: list[str]) -> list[str]:
    """Every way the page differs from the map, in words an engineer can act on."""
    problems = []
    if described["title"] != spec.title:
        problems.append(f"the page title is '{described['title']}'")
    for field, shown, value in zip(spec.fields, described["mapped"], wanted, strict=True):
        name = f"'{field.label}' ({field.selector})"
        if "count" in shown:
            problems.append(
                f"{name} is not on the page" if shown["count"] == 0
                else f"{name} matches {shown['count']} elements"
            )  # fmt: skip
            continue
        if shown["label"].rstrip(" *") != field.label:
            problems.append(f"{field.selector} is labelled '{shown['label']}', not '{field.label}'")
        if shown["tag"] != _TAGS[field.kind]:
            problems.append(f"{name} is a {shown['tag']}, not a {field.kind}")
        elif field.kind == "select" and value and value not in shown["options"]:
            problems.append(f"{name} does not offer '{value}'")
        if shown["maxlength"] is not None and len(value) > shown["maxlength"]:
            problems.append(
                f"{name} takes {shown['maxlength']} characters and the value has {len(value)}"
            )
    for extra in described["unknown"]:
        required = "compulsory " if extra["required"] else ""
        problems.append(
            f"a {required}field the map does not know appeared: '{extra['label'] or extra['name']}'"
            f" (#{extra['id']})"
        )
    return problems
