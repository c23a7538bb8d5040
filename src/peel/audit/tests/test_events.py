"""The audit event list is closed and true, and `record` refuses what is not an Actor or a
listed name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import transaction

from peel.audit import log as audit
from peel.audit.actors import SYSTEM, Robot
from peel.audit.events import EVENTS
from peel.audit.models import AuditEvent
from peel.process.testing import file_report

SRC = Path(__file__).resolve().parents[2]  # src/peel


def _source_files() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if "tests" not in p.parts]


def _literal_names(annotation: ast.expr | None) -> list[str] | None:
    """The strings of a `Literal["a", "b"]` annotation, directly or through a module alias."""
    if isinstance(annotation, ast.Subscript) and ast.unparse(annotation.value).endswith("Literal"):
        items = (
            annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        )
        return [item.value for item in items if isinstance(item, ast.Constant)]
    return None


def _used_names() -> tuple[dict[str, list[str]], list[str]]:
    """Every event name passed to `record` in the source, with where; and the calls whose name
    is built at run time (which the registry could not check)."""
    used: dict[str, list[str]] = {}
    unknowable: list[str] = []
    for path in _source_files():
        tree = ast.parse(path.read_text())
        aliases = {
            node.targets[0].id: _literal_names(node.value)
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        }
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = {a.arg: a.annotation for a in func.args.args + func.args.kwonlyargs}
            for call in ast.walk(func):
                if not (isinstance(call, ast.Call) and len(call.args) >= 2):
                    continue
                name = ast.unparse(call.func)
                if name not in ("record", "audit.record", "log.record"):
                    continue
                where = f"{path.relative_to(SRC)}:{call.lineno}"
                action = call.args[1]
                if isinstance(action, ast.Constant) and isinstance(action.value, str):
                    used.setdefault(action.value, []).append(where)
                    continue
                literal = None
                if isinstance(action, ast.Name) and action.id in params:
                    annotation = params[action.id]
                    literal = _literal_names(annotation)
                    if literal is None and isinstance(annotation, ast.Name):
                        literal = aliases.get(annotation.id)
                if literal is None:
                    unknowable.append(where)
                    continue
                for value in literal:
                    used.setdefault(value, []).append(where)
    return used, unknowable


def test_every_event_name_in_the_source_is_listed_and_every_listed_name_is_used() -> None:
    used, unknowable = _used_names()
    assert unknowable == [], "Pass a string literal (or a Literal-typed parameter) to record"
    unlisted = {name: where for name, where in used.items() if name not in EVENTS}
    assert unlisted == {}, "Add these to EVENTS in peel/audit/events.py"
    unused = sorted(set(EVENTS) - set(used))
    assert unused == [], "Listed in EVENTS but recorded nowhere: remove them"
    assert len(used) > 60  # the scan found the actions (it would pass vacuously if it broke)


def test_every_listed_event_has_a_one_line_description() -> None:
    for name, description in EVENTS.items():
        assert name == name.strip().lower() and "." in name, name
        assert description.strip() and "\n" not in description, name


@pytest.mark.django_db
def test_an_unknown_event_name_is_refused_and_nothing_is_written() -> None:
    report = file_report()
    count = AuditEvent.objects.count()
    with (
        pytest.raises(ValueError, match=r"Unknown audit event 'report\.peeked'"),
        transaction.atomic(),
    ):
        audit.record(SYSTEM, "report.peeked", report)
    assert AuditEvent.objects.count() == count


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["operator1", None, 42])
def test_an_actor_that_is_not_a_user_or_a_robot_is_refused(actor: object) -> None:
    report = file_report()
    refused = pytest.raises(
        TypeError, match=r"must be a staff user or a peel\.audit\.actors\.Robot"
    )
    with refused, transaction.atomic():
        audit.record(actor, "report.status_changed", report)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_an_unsaved_user_is_refused(django_user_model: type) -> None:
    report = file_report()
    with pytest.raises(TypeError), transaction.atomic():
        audit.record(django_user_model(username="ghost"), "report.status_changed", report)


@pytest.mark.django_db
def test_a_robot_and_a_user_are_recorded_by_name(django_user_model: type) -> None:
    report = file_report()
    user = django_user_model.objects.create(username="op7")
    with transaction.atomic():
        by_robot = audit.record(Robot("robot host:1:2"), "report.status_changed", report)
        by_user = audit.record(user, "report.status_changed", report)
    assert (by_robot.actor_id, by_robot.actor_label) == (None, "robot host:1:2")
    assert (by_user.actor_id, by_user.actor_label) == (user.pk, "op7")


def test_a_robot_needs_a_name() -> None:
    with pytest.raises(ValueError):
        Robot(" ")
