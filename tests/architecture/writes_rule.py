"""The rule "every change goes through a `do_*` action", checked by reading the source.

Outside an app's `actions.py` (or `actions/` package), Peel code must not:

- write a model directly: `.save()`, `.delete()`, a queryset's or manager's `.create(...)` and
  `.update(...)`, `.bulk_create(`, `.bulk_update(`, `.get_or_create(`, `.update_or_create(`, a
  related manager's `.add(`/`.remove(`/`.set(`/`.clear(` (`user.teams.add(team)`), or raw SQL
  that starts with INSERT, UPDATE or DELETE;
- call the audit log (`record` from `peel.audit.log`), because the event belongs in the
  action's transaction, next to the change it describes;
- write an access event (`record_access`, `record_accesses`, or an `AccessEvent` created or
  changed) anywhere but the access helper, `peel/reports/access.py`, so that every read is
  checked before it is logged. Reading the access log (the auditor's search) is not writing it.

And inside an actions module, every `do_*` action that writes must write its audit event: call
`record` itself, through a helper in the same module, or through another `do_*` action. An
action that deliberately writes no event (a lease renewal, a heartbeat) says so in its
docstring with the words "not audited" and why.

Out of scope: tests and the shared test helpers (`testing.py` modules, which build fixtures the
way tests do), migrations, and the audit app itself (it owns the log's tables).

Static reading cannot know a receiver's type, so the rule reads the shape of the call. Django's
model and queryset writes take keyword arguments only (`item.save()`, `X.objects.create(f=1)`),
while the other `save`/`update`/`delete` methods Peel calls take positional ones
(`image.save(buffer)`, `digest.update(data)`, `client.delete(url)`). `.update(...)` and
`.create(...)` count when their receiver is a queryset by its shape: it goes through a manager
(`.objects`, a related manager such as `report.involvements`), a queryset method (`.filter(`,
`.select_for_update(`...) or a name assigned from one (`items = X.objects.filter(...)`), so a
dict's `context.update(page=2)` is not a write. When the rule flags a line that is not a model
write, rewrite the line rather than teaching the rule an exception.

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
# A model instance's writes, called without positional arguments.
INSTANCE_WRITES = {"save", "delete"}
# A queryset's or manager's writes, called with keyword arguments only.
QUERYSET_WRITES = {"update", "create"}
RELATED_MANAGER_WRITES = {"add", "remove", "set", "clear"}
# What makes a receiver a queryset by its shape: a manager or a queryset method on the way.
QUERYSET_LINKS = {
    "objects", "_default_manager", "filter", "exclude", "all", "select_for_update",
    "select_related", "prefetch_related", "order_by", "using", "annotate", "only", "defer",
    "distinct", "none", "alias",
}  # fmt: skip
SQL_WRITES = ("insert", "update", "delete")
ACCESS_LOG_FUNCTIONS = {"record_access", "record_accesses"}
ACCESS_EVENT = "AccessEvent"
ACCESS_HELPER = "peel/reports/access.py"

# The kinds of finding, each with its own test (and its own advice).
WRITE, AUDIT, ACCESS, UNAUDITED = "write", "audit", "access", "unaudited"
NOT_AUDITED = "not audited"  # in an action's docstring: it writes no event on purpose


@dataclass(frozen=True)
class Violation:
    kind: str  # WRITE, AUDIT, ACCESS or UNAUDITED
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
        # Names assigned a queryset somewhere in the module (`items = X.objects.filter(...)`).
        self.querysets: set[str] = set()
        # Per top-level function of an actions module: does it write, record, and whom it calls.
        self.function: str | None = None
        self.writes_in: dict[str, bool] = {}
        self.records_in: dict[str, bool] = {}
        self.calls_in: dict[str, set[str]] = {}

    def _flag(self, kind: str, node: ast.AST, what: str) -> None:
        actions = f"peel/{_app(self.relative)}/actions.py"
        advice = {
            WRITE: f"write this through a do_* action in {actions}",
            AUDIT: f"record the event inside a do_* action in {actions}, in the same transaction"
            " as the change",
            ACCESS: f"read (and log the read) through the access helper in {ACCESS_HELPER}",
            UNAUDITED: "record its audit event in the same transaction (or, if it must write none,"
            f' say "{NOT_AUDITED}" and why in its docstring)',
        }[kind]
        line = getattr(node, "lineno", 0)
        self.found.append(Violation(kind, self.relative, line, what, advice))

    def _queryset_shaped(self, receiver: list[str]) -> bool:
        links = QUERYSET_LINKS | self.related_managers
        return bool(links & set(receiver)) or (len(receiver) == 1 and receiver[0] in self.querysets)

    def read(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):  # first the names that hold querysets, wherever assigned
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                shaped = self._queryset_shaped(list(_receiver_names(node.value)))
                names = [t.id for t in targets if isinstance(t, ast.Name)]
                if shaped and isinstance(node.value, ast.Call | ast.Attribute):
                    self.querysets.update(names)
        self.visit(tree)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if self.function is not None:  # nested: its facts are its enclosing function's
            self.generic_visit(node)
            return
        self.function = node.name
        self.writes_in[node.name] = self.records_in[node.name] = False
        self.calls_in[node.name] = set()
        self.generic_visit(node)
        self.function = None

    def unaudited_actions(self, tree: ast.Module) -> None:
        """`do_*` actions that write (themselves or through a helper here) and record no event
        (themselves, through a helper here, or through another `do_*` action)."""

        def reaches(name: str, fact: dict[str, bool], seen: set[str]) -> bool:
            if fact.get(name) or (
                fact is self.records_in and name.startswith("do_") and name not in fact
            ):
                return True
            seen.add(name)
            return any(reaches(c, fact, seen) for c in self.calls_in.get(name, ()) if c not in seen)

        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith("do_"):
                continue
            if NOT_AUDITED in (ast.get_docstring(node) or "").lower():
                continue
            if reaches(node.name, self.writes_in, set()) and not reaches(
                node.name, self.records_in, set()
            ):
                self._flag(UNAUDITED, node, f"{node.name} writes without an audit event")

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
            if alias.name in ACCESS_LOG_FUNCTIONS and not self.access_helper:
                self._flag(ACCESS, node, f"imports {alias.name}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.generic_visit(node)
        if node.attr in ACCESS_LOG_FUNCTIONS and not self.access_helper:
            self._flag(ACCESS, node, f"uses {node.attr}")

    # -- calls ----------------------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        func = node.func
        if self.function is not None:
            callee = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            self.calls_in[self.function].add(callee)
        if isinstance(func, ast.Name):
            if func.id in self.record_functions:
                self._audit_call(node)
            elif func.id == ACCESS_EVENT and not self.access_helper:
                self._flag(ACCESS, node, "creates an AccessEvent")
            return
        if not isinstance(func, ast.Attribute):
            return
        method = func.attr
        receiver = list(_receiver_names(func.value))
        via_module = bool(receiver) and receiver[-1] in self.log_modules
        if method == "record" and (via_module or receiver == ["log", "audit", "peel"]):
            self._audit_call(node)
            return
        if method == ACCESS_EVENT and not self.access_helper:  # models.AccessEvent(...)
            self._flag(ACCESS, node, "creates an AccessEvent")
            return
        if not self._writes(node, method, receiver):
            return
        if ACCESS_EVENT in receiver:
            if not self.access_helper:
                self._flag(ACCESS, node, f"writes AccessEvent (.{method})")
        elif not self.in_actions:
            self._flag(WRITE, node, self._what(node, method, receiver))
        elif self.function is not None:
            self.writes_in[self.function] = True

    def _writes(self, node: ast.Call, method: str, receiver: list[str]) -> bool:
        keywords_only = not node.args
        if method in ALWAYS_WRITES:
            return True
        if method in INSTANCE_WRITES:
            return keywords_only
        if method in QUERYSET_WRITES:
            return keywords_only and bool(node.keywords) and self._queryset_shaped(receiver)
        if method in RELATED_MANAGER_WRITES:
            return receiver[:1] != [] and receiver[0] in self.related_managers
        return method in {"execute", "executemany"} and _sql_write(node)

    @staticmethod
    def _what(node: ast.Call, method: str, receiver: list[str]) -> str:
        if method in RELATED_MANAGER_WRITES:
            return f"writes a relation (.{receiver[0]}.{method})"
        if method in {"execute", "executemany"}:
            return "writes with SQL"
        return f"writes a model (.{method})"

    def _audit_call(self, node: ast.Call) -> None:
        if not self.in_actions:
            self._flag(AUDIT, node, "calls the audit log")
        elif self.function is not None:
            self.records_in[self.function] = True


def check_source(
    source: str, relative: str, related_managers: frozenset[str] = frozenset()
) -> list[Violation]:
    """The rule's findings in one file's source, named by its path relative to `src/`."""
    if not in_scope(relative):
        return []
    reader = _Reader(relative, related_managers)
    tree = ast.parse(source, filename=relative)
    reader.read(tree)
    if reader.in_actions:
        reader.unaudited_actions(tree)
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
