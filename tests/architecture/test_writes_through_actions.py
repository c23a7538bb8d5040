"""Every change goes through a `do_*` action: the rule in writes_rule.py, on the tree and on
planted violations of each kind. When this fails on your change, the message names the file and
line and where the write belongs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.architecture.writes_rule import (
    ACCESS,
    AUDIT,
    UNAUDITED,
    WRITE,
    Violation,
    check_source,
    check_tree,
    related_manager_names,
)


@pytest.fixture(scope="module")
def tree() -> list[Violation]:
    return check_tree()


def _explain(found: list[Violation]) -> str:
    return "\n".join(str(v) for v in found)


def test_no_code_outside_an_actions_module_writes_a_model(tree: list[Violation]) -> None:
    found = [v for v in tree if v.kind == WRITE]
    assert not found, "Changes go through do_* actions:\n" + _explain(found)


def test_only_actions_write_audit_events(tree: list[Violation]) -> None:
    found = [v for v in tree if v.kind == AUDIT]
    assert not found, "Audit events belong in the action's transaction:\n" + _explain(found)


def test_every_action_that_writes_records_its_event(tree: list[Violation]) -> None:
    found = [v for v in tree if v.kind == UNAUDITED]
    assert not found, "Every change is audited in its action:\n" + _explain(found)


def test_only_the_access_helper_writes_access_events(tree: list[Violation]) -> None:
    found = [v for v in tree if v.kind == ACCESS]
    assert not found, "Reads are checked and logged in one place:\n" + _explain(found)


# ---- The rule catches each kind of write, wherever it is planted ------------------------------

WRITES = {
    "save": "item.save()",
    "save with fields": 'item.save(update_fields=["status"])',
    "delete": "item.delete()",
    "queryset delete": "WorkItem.objects.filter(pk=1).delete()",
    "create": "WorkItem.objects.create(kind='review', grade='P1')",
    "related create": "report.involvements.create(person=person)",
    "queryset update": "items.filter(status='queued').update(team=team)",
    "update with a dict": "WorkItem.objects.filter(pk=1).update(**changes)",
    "bulk_create": "WorkItem.objects.bulk_create(items)",
    "bulk_update": "WorkItem.objects.bulk_update(items, ['team'])",
    "get_or_create": "Team.objects.get_or_create(slug='x')",
    "update_or_create": "Team.objects.update_or_create(slug='x', defaults={})",
    "relation add": "user.teams.add(team)",
    "relation set": "group.permissions.set(perms)",
    "relation clear": "user.groups.clear()",
    "SQL update": 'cursor.execute("UPDATE workqueue_workitem SET team_id = %s", [1])',
    "SQL insert (f-string)": 'cursor.execute(f"insert into {table} values (1)")',
}


@pytest.mark.parametrize("code", WRITES.values(), ids=WRITES.keys())
@pytest.mark.parametrize(
    "path",
    [
        "peel/workqueue/views.py",
        "peel/intake/management/commands/apiclient.py",
        "peel/intake/pipeline.py",
        "peel/triage/apps.py",
        "peel/reports/templatetags/report_words.py",
    ],
)
def test_a_direct_write_outside_actions_is_named_with_its_line_and_home(
    code: str, path: str
) -> None:
    source = f"def view(request):\n    x = 1\n    {code}\n"
    found = check_source(source, path, related_manager_names())
    assert [(v.kind, v.line) for v in found] == [(WRITE, 3)]
    app = path.split("/")[1]
    assert f"write this through a do_* action in peel/{app}/actions.py" in str(found[0])
    assert str(found[0]).startswith(f"src/{path}:3: ")


AUDIT_CALLS = {
    "module alias": "from peel.audit import log as audit\naudit.record(user, 'x', obj)",
    "module": "from peel.audit import log\nlog.record(user, 'x', obj)",
    "import as": "import peel.audit.log as audit_log\naudit_log.record(user, 'x', obj)",
    "dotted": "import peel.audit.log\npeel.audit.log.record(user, 'x', obj)",
    "function": "from peel.audit.log import record\nrecord(user, 'x', obj)",
    "function renamed": "from peel.audit.log import record as audit_event\naudit_event(u, 'x', o)",
}


@pytest.mark.parametrize("code", AUDIT_CALLS.values(), ids=AUDIT_CALLS.keys())
def test_an_audit_event_outside_actions_is_named(code: str) -> None:
    found = check_source(code, "peel/notifications/management/commands/outbox.py")
    assert [(v.kind, v.line) for v in found] == [(AUDIT, 2)]
    assert "inside a do_* action in peel/notifications/actions.py" in str(found[0])


ACCESS_WRITES = {
    "record_access": "from peel.audit.log import record_access\n",
    "record_accesses": "from peel.audit.log import record_accesses\n",
    "through the module": "from peel.audit import log\n\nlog.record_access(user, obj, 'x')\n",
    "the model's manager": "from peel.audit.models import AccessEvent\n\n"
    "AccessEvent.objects.create(user=None, purpose='x')\n",
    "the model's bulk_create": "from peel.audit.models import AccessEvent\n\n"
    "AccessEvent.objects.bulk_create(rows)\n",
    "the model built": "from peel.audit.models import AccessEvent\n\nAccessEvent(user=u).save()\n",
    "by attribute": "from peel.audit import models\n\nmodels.AccessEvent.objects.create(user=u)\n",
}


@pytest.mark.parametrize("code", ACCESS_WRITES.values(), ids=ACCESS_WRITES.keys())
def test_an_access_event_outside_the_access_helper_is_named(code: str) -> None:
    for path in ("peel/review/views.py", "peel/review/actions.py"):  # actions are no exception
        found = check_source(code, path)
        assert {v.kind for v in found} == {ACCESS}, path
        assert "through the access helper in peel/reports/access.py" in str(found[0])
    assert check_source(code, "peel/reports/access.py") == []


# ---- ... and only those ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "peel/intake/actions.py",
        "peel/intake/actions/filing.py",  # actions may be a package
        "peel/intake/tests/test_api.py",
        "peel/intake/migrations/0002_data.py",
        "peel/workqueue/testing.py",  # shared test helpers build fixtures the way tests do
        "peel/audit/log.py",  # the audit app owns the log's tables
    ],
)
def test_writes_and_audit_events_are_allowed_in_actions_and_out_of_scope_files(path: str) -> None:
    source = (
        "from peel.audit import log as audit\n"
        + "\n".join(WRITES.values())
        + "\naudit.record(user, 'x', obj)\n"
    )
    assert check_source(source, path, related_manager_names()) == []


def test_calls_that_only_look_like_writes_are_not_flagged() -> None:
    source = textwrap.dedent(
        """
        image.save(buffer, format="PNG")
        digest.update(chunk)
        context.update(other)
        response = client.delete(url)
        seen.add(reference)
        names.clear()
        self.done.set()
        cursor.execute("SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1")
        log.info("saved")
        audit_trail = record_of_everything(x)
        """
    )
    assert check_source(source, "peel/robots/worker.py", related_manager_names()) == []


def test_reading_the_access_log_is_not_writing_it() -> None:
    source = textwrap.dedent(
        """
        from peel.audit.models import AccessEvent

        def who_looked(report):
            return AccessEvent.objects.filter(object_id=str(report.pk)).order_by("-at")
        """
    )
    assert check_source(source, "peel/oversight/search.py") == []


def test_a_name_holding_a_queryset_is_a_queryset_and_a_dict_is_not() -> None:
    source = textwrap.dedent(
        """
        items = WorkItem.objects.filter(status="queued")
        context = {"page": 1}
        context.update(page=2, items=items)
        items.update(team=team)
        """
    )
    found = check_source(source, "peel/workqueue/views.py")
    assert [(v.kind, v.line) for v in found] == [(WRITE, 5)]


def test_the_tree_scan_reads_every_module_under_a_source_folder(tmp_path: Path) -> None:
    views = tmp_path / "peel" / "intake" / "views.py"
    views.parent.mkdir(parents=True)
    views.write_text("def receipt(request):\n    request.session_row.save()\n")
    (tmp_path / "peel" / "intake" / "actions.py").write_text(
        "from peel.audit import log as audit\n\n\n"
        "def do_x(user, item):\n    item.save()\n    audit.record(user, 'x.done', item)\n"
    )
    found = check_tree(tmp_path)
    assert [(v.path, v.line, v.kind) for v in found] == [("peel/intake/views.py", 2, WRITE)]


# ---- Inside actions: every action that writes records its event ------------------------------

UNAUDITED_ACTIONS = textwrap.dedent(
    """
    from peel.audit import log as audit
    from peel.workqueue.actions import do_enqueue


    def do_forgets(item):
        item.save()


    def do_forgets_through_a_helper(item):
        _write(item)


    def _write(item):
        Item.objects.filter(pk=item.pk).update(done=True)


    def do_records(item):
        item.save()
        audit.record(user, "x.done", item)


    def do_records_through_a_helper(item):
        item.save()
        _record(item)


    def _record(item):
        audit.record(user, "x.done", item)


    def do_records_through_another_action(item):
        item.save()
        do_enqueue(user, "review", "P1")


    def do_heartbeat(item):
        \"\"\"Extend the lease. Not audited: nobody's work changes hands.\"\"\"
        item.save()


    def do_reads(item):
        return Item.objects.filter(pk=item.pk).first()
    """
)


def test_an_action_that_writes_without_an_event_is_named() -> None:
    found = check_source(UNAUDITED_ACTIONS, "peel/workqueue/actions.py")
    assert [(v.kind, v.what) for v in found] == [
        (UNAUDITED, "do_forgets writes without an audit event"),
        (UNAUDITED, "do_forgets_through_a_helper writes without an audit event"),
    ]
    assert 'say "not audited" and why in its docstring' in str(found[0])
