"""The rule "every change goes through a `do_*` action", checked by reading the source.

Outside an app's `actions.py` (or `actions/` package), Peel code must not:

- write a model directly: `.save()`, `.delete()`, `.create(...)`, `.update(...)`,
  `.bulk_create(`, `.bulk_update(`, `.get_or_create(`, `.update_or_create(`, a related
  manager's `.add(`/`.remove(`/`.set(`/`.clear(` (`user.teams.add(team)`), or raw SQL that
  starts with INSERT, UPDATE or DELETE;
- call the audit log (`record` from `peel.audit.log`), because the event belongs in the
  action's transaction, next to the change it describes;
- write an access event (`record_access`, `record_accesses`, `AccessEvent`) anywhere but the
  access helper, `peel/reports/access.py`, so that every read is checked before it is logged.

Out of scope: tests and the shared test helpers (`testing.py` modules, which build fixtures the
way tests do), migrations, and the audit app itself (it owns the log's tables).

Static reading cannot know a receiver's type, so the rule reads the shape of the call: Django's
model and queryset writes take keyword arguments only (`item.save()`,
`qs.update(status=...)`, `X.objects.create(field=...)`), while the other `save`/`update`/
`delete` methods Peel calls take positional ones (`image.save(buffer)`, `digest.update(data)`,
`client.delete(url)`). When the rule flags a line that is not a model write, rewrite the line
(for a dict, `d |= {...}`) rather than teaching the rule an exception.

Run it alone with `python -m tests.architecture.writes_rule` from the repository root.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

# Method names that always write, whatever their arguments.
ALWAYS_WRITES = {"bulk_create", "bulk_update", "get_or_create", "update_or_create"}
# Method names that write when called the way Django's models and querysets are called.
KEYWORD_ONLY_WRITES = {"save", "delete", "update", "create"}
SQL_WRITES = ("insert", "update", "delete")
RELATED_MANAGER_WRITES = {"add", "remove", "set", "clear"}
ACCESS_LOG_NAMES = {"record_access", "record_accesses", "AccessEvent"}
ACCESS_HELPER = "peel/reports/access.py"


# The three kinds of finding, each with its own test (and its own advice).
WRITE, AUDIT, ACCESS = "write", "audit", "access"


@dataclass(frozen=True)
class Violation:
    kind: str  # WRITE, AUDIT or ACCESS
    path: str
    line: int
    what: str
    advice: str

    def __str__(self) -> str:
        return f"src/{self.path}:{self.line}: {self.what} — {self.advice}"


def in_scope(relative: str) -> bool:
    """Whether the rule reads this file (a path relative to `src/`, with forward slashes)."""
    parts = relative.split("/")
    if not relative.endswith(".py") or parts[0] != "peel":
        return False
    if "tests" in parts or "migrations" in parts or parts[-1] == "testing.py":
        return False
    return not (len(parts) > 1 and parts[1] == "audit")


def is_action_module(relative: str) -> bool:
    parts = relative.split("/")
    return parts[-1] == "actions.py" or "actions" in parts[:-1]


def _app(relative: str) -> str:
    parts = relative.split("/")
    return parts[1] if len(parts) > 2 else "peel"


def _receiver_names(node: ast.expr) -> Iterator[str]:
    """The names and attributes of a call's receiver chain: `a.b.filter(x).c` gives c, filter, b, a."""
    while True:
        if isinstance(node, ast.Attribute):
            yield node.attr
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            yield node.id
            return
        else:
            return


def _sql_write(call: ast.Call) -> bool:
    if not call.args:
        return False
    first = call.args[0]
    text = ""
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        text = first.value
    elif isinstance(first, ast.JoinedStr) and first.values:
        head = first.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            text = head.value
    return text.lstrip().lower().startswith(SQL_WRITES)


def related_manager_names() -> frozenset[str]:
    """The attribute names of every installed model's related managers (`user.groups`,
    `report.involvements`): `.add(`, `.remove(`, `.set(` and `.clear(` on them write rows.
    Read from Django's app registry, so a new relation is covered the day it is added."""
    from django.apps import apps

    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields(include_hidden=False):
            if field.many_to_many or field.one_to_many:
                names.add(field.get_accessor_name() if field.auto_created else field.name)
    return frozenset(names)


class _Reader(ast.NodeVisitor):
    def __init__(self, relative: str, related_managers: frozenset[str]) -> None:
        self.relative = relative
        self.related_managers = related_managers
        self.in_actions = is_action_module(relative)
        self.access_helper = relative == ACCESS_HELPER
        self.found: list[Violation] = []
        # Local names bound to the audit log module, and to its `record` function.
        self.log_modules: set[str] = set()
        self.record_functions: set[str] = set()

    def _flag(self, kind: str, node: ast.AST, what: str) -> None:
        actions = f"peel/{_app(self.relative)}/actions.py"
        advice = {
            WRITE: f"write this through a do_* action in {actions}",
            AUDIT: f"record the event inside a do_* action in {actions}, in the same transaction"
            " as the change",
            ACCESS: f"read (and log the read) through the access helper in {ACCESS_HELPER}",
        }[kind]
        line = getattr(node, "lineno", 0)
        self.found.append(Violation(kind, self.relative, line, what, advice))

    # -- imports: which local names mean the audit log, and who imports the access log --------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "peel.audit.log" and alias.asname:
                self.log_modules.add(alias.asname)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            bound = alias.asname or alias.name
            if node.module == "peel.audit" and alias.name == "log":
                self.log_modules.add(bound)
            elif node.module == "peel.audit.log" and alias.name == "record":
                self.record_functions.add(bound)
            if alias.name in ACCESS_LOG_NAMES and not self.access_helper:
                self._flag(ACCESS, node, f"imports {alias.name}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.generic_visit(node)
        if node.attr in ACCESS_LOG_NAMES and not self.access_helper:
            self._flag(ACCESS, node, f"uses {node.attr}")

    # -- calls ----------------------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.record_functions:
            self._audit_call(node)
            return
        if not isinstance(func, ast.Attribute):
            return
        method = func.attr
        receiver = list(_receiver_names(func.value))
        via_module = bool(receiver) and receiver[-1] in self.log_modules
        if method == "record" and (via_module or receiver == ["log", "audit", "peel"]):
            self._audit_call(node)
            return
        if self.in_actions or ACCESS_LOG_NAMES & set(receiver):  # access: flagged on its own
            return
        if method in ALWAYS_WRITES or (
            method in KEYWORD_ONLY_WRITES and not node.args and _model_like(method, node)
        ):
            self._flag(WRITE, node, f"writes a model (.{method})")
        elif (
            method in RELATED_MANAGER_WRITES
            and isinstance(func.value, ast.Attribute)
            and func.value.attr in self.related_managers
        ):
            self._flag(WRITE, node, f"writes a relation (.{func.value.attr}.{method})")
        elif method in {"execute", "executemany"} and _sql_write(node):
            self._flag(WRITE, node, "writes with SQL")

    def _audit_call(self, node: ast.Call) -> None:
        if not self.in_actions:
            self._flag(AUDIT, node, "calls the audit log")


def _model_like(method: str, node: ast.Call) -> bool:
    # `x.update()` and `x.create()` with no arguments at all write nothing a model would.
    return method in {"save", "delete"} or bool(node.keywords)


def check_source(
    source: str, relative: str, related_managers: frozenset[str] = frozenset()
) -> list[Violation]:
    """The rule's findings in one file's source, named by its path relative to `src/`."""
    if not in_scope(relative):
        return []
    reader = _Reader(relative, related_managers)
    reader.visit(ast.parse(source, filename=relative))
    return reader.found


def check_tree(src: Path = SRC) -> list[Violation]:
    """The rule's findings in all of Peel (Django must be set up: see `related_manager_names`)."""
    managers = related_manager_names()
    found: list[Violation] = []
    for path in sorted(src.rglob("*.py")):
        relative = path.relative_to(src).as_posix()
        found.extend(check_source(path.read_text(encoding="utf-8"), relative, managers))
    return found


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peel.settings")
    django.setup()
    violations = check_tree()
    for violation in violations:
        print(violation)
    sys.exit(1 if violations else 0)
