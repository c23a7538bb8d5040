"""Helpers for tests and benchmarks: file reports through the real intake action, decide them
through review. They live in the top layer because they use several stages at once."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from peel.audit.actors import TEST
from peel.intake.actions import do_accept_draft
from peel.reports.choices import HowInvolved, Role, SuspectKnown
from peel.reports.drafts import LocationDraft, PersonDraft, ReportDraft
from peel.reports.models import Report
from peel.review.actions import do_record_decision
from peel.review.models import Decision
from peel.review.testing import decision_input
from peel.workqueue.actions import do_get_work


def make_draft(**overrides: Any) -> ReportDraft:
    fields: dict[str, Any] = {
        "how_involved": HowInvolved.VICTIM.value,
        "description": "My bike was taken from outside the library.",
        "suspect_known": SuspectKnown.UNKNOWN.value,
        "offence_hint": "Bicycle theft",
        "immediate_danger": False,
        "still_happening": False,
        "weapon_involved": False,
        "victim_under_18": False,
        "victim_vulnerable": False,
        "location": LocationDraft(address_line="1 Park Row", town="Leeds", postcode="LS1 5HD"),
        "people": [
            PersonDraft(
                roles=[Role.PERSON_REPORTING.value, Role.VICTIM.value],
                given_name="Amira",
                family_name="Khan",
                email="amira.khan@example.org",
            )
        ],
    }
    fields.update(overrides)
    return ReportDraft(**fields)


def file_report(**overrides: Any) -> Report:
    submission = do_accept_draft(TEST, make_draft(**overrides))
    assert submission.report is not None
    return submission.report


def decided_report(operator: Any, outcome: str = "crime", **changes: Any) -> Decision:
    """File a report through intake, take it with Get Work, record the decision."""
    report = file_report(**changes.pop("report", {}))
    item = do_get_work(operator)
    assert item is not None and item.report_id == report.pk, "the queue held other work"
    return do_record_decision(operator, item, decision_input(outcome, **changes))


# The password every test persona gets (test databases only).
PASSWORD = "correct-horse-battery-staple"  # noqa: S105


def api_client_headers(name: str = "National hub") -> dict[str, str]:
    """Onboard a Standard API caller and return the headers it authenticates with."""
    from peel.intake.api import secret_digest
    from peel.intake.models import ApiClient

    client_id, secret = f"client-{name.lower().replace(' ', '-')}", f"secret-for-{name}"
    ApiClient.objects.create(client_id=client_id, secret_sha256=secret_digest(secret), name=name)
    return {"client-id": client_id, "client-secret": secret}


def database_url() -> str:
    """The URL of the database this process uses (the test database in a test), for a child."""
    from pathlib import Path

    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def peel_process(
    arguments: list[str], settings: Any, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Run `peel ARGUMENTS` as a child process on this test's database and files."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PEEL_EVIDENCE_DIR": str(settings.EVIDENCE_DIR),
        "PEEL_VAR_DIR": str(settings.VAR_DIR),
        **(env or {}),
    }
    command = [sys.executable, "-m", "peel.cli", *arguments]
    return subprocess.Popen(  # noqa: S603 - our own command
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
