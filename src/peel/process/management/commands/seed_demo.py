from __future__ import annotations

import json
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from peel.accounts.actions import do_create_user, do_enrol_authenticator, do_set_password
from peel.accounts.models import User
from peel.accounts.second_factor import key_as_text
from peel.audit.actors import DEMO, Robot
from peel.intake.actions import do_accept_draft
from peel.intake.email import accept_email, build_report_email
from peel.intake.pipeline import accept_json
from peel.process.demodata import DemoReportFactory
from peel.process.demoscenarios import Scenario
from peel.reports.choices import Channel
from peel.reports.models import Report
from peel.review.actions import DecisionInput, do_record_decision
from peel.review.choices import NextAction, Outcome
from peel.review.reference import offences, suggest_category
from peel.review.testing import decision_input
from peel.sdm.samples import sample_document
from peel.workqueue.actions import do_get_work

DEMO_HUB = Robot("national hub (demo)")
DEMO_EMAIL = Robot("email intake (demo)")

DEMO_USERS = [
    ("operator1", ["operator"], "Olivia", "Okafor"),
    ("operator2", ["operator"], "Sam", "Patel"),
    ("supervisor", ["supervisor"], "Grace", "Hughes"),
    ("safeguarding", ["safeguarding"], "Imran", "Shah"),
    ("despatcher", ["despatcher"], "Chloe", "Evans"),
    ("investigator", ["investigator"], "Dan", "Wright"),
    ("analyst", ["analyst"], "Niamh", "Doyle"),
    ("auditor", ["auditor"], "Tom", "Fletcher"),
    ("admin", ["admin"], "Priya", "Nair"),
]


def logins_file() -> Any:
    return settings.VAR_DIR / "demo_logins.json"


def ensure_demo_users() -> dict[str, str]:
    """Create the demo accounts once, each with a random password kept in var/ (never the repo)."""
    path = logins_file()
    logins: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    for username, roles, first, last in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is not None and user.check_password(logins.get(username, "")):
            continue
        password = secrets.token_urlsafe(9)
        if user is not None:
            do_set_password(DEMO, user, password)
        else:
            extra: dict[str, Any] = (
                {"is_staff": True, "is_superuser": True} if username == "admin" else {}
            )
            do_create_user(
                DEMO, username, password, roles, first_name=first, last_name=last, **extra
            )
        logins[username] = password
    path.write_text(json.dumps(logins, indent=2))
    path.chmod(0o600)
    ensure_demo_second_factors()
    return logins


def second_factors_file() -> Any:
    return settings.VAR_DIR / "demo_second_factor.json"


def ensure_demo_second_factors() -> dict[str, str]:
    """Every demo account has an authenticator app enrolled, its key kept in var/ (0600, never
    the repo), so `peel demo_code USERNAME` can say the code now, or a newcomer can add the key
    to their own app. Never done outside the demo: real accounts enrol at first sign-in."""
    path = second_factors_file()
    keys: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    for username, *_ in DEMO_USERS:
        user = User.objects.get(username=username)
        key = keys.get(username, "")
        if key and TOTPDevice.objects.filter(user=user, key=key, confirmed=True).exists():
            continue
        keys[username] = random_hex(20)
        do_enrol_authenticator(user, keys[username], used_step=-1, actor=DEMO)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(json.dumps(keys, indent=2))
    return keys


# What an operator records for the Standard API's sample documents (sdm/samples.py).
SAMPLE_OFFENCES = {
    "Theft of a bicycle": "44", "Theft from a vehicle": "45", "Criminal damage": "58A",
    "Harassment": "8L", "Theft of a mobile phone": "39",
}  # fmt: skip


def _categories(offence_code: str) -> tuple[str, str]:
    category = suggest_category(offences().get(offence_code))
    return (category.code, category.code) if category else ("303", "303")


def _demo_decision(report: Report, scenario: Scenario | None) -> DecisionInput:
    """The decision an operator would make: the scenario's own, else the sample's offence."""
    if scenario is not None:
        opening, closing = _categories(scenario.offence_code)
        return decision_input(
            scenario.outcome,
            offence_code=scenario.offence_code,
            opening_code=scenario.closing_code or opening,
            closing_code=scenario.closing_code or closing,
            rationale=scenario.rationale,
            victim_message=scenario.victim_message,
            actions=list(scenario.actions),
            crime_flags=list(scenario.crime_flags),
            qualifiers=list(scenario.qualifiers),
            deploy_grade=scenario.deploy_grade,
            referral_grade=scenario.referral_grade,
        )
    code = SAMPLE_OFFENCES.get(report.offence_hint)
    if code is None:  # nothing to go on: ask the reporter rather than guess an offence
        return decision_input(
            Outcome.CRIME_RELATED_INCIDENT, opening_code="303", closing_code="303",
            rationale="The report does not yet say enough to identify an offence.",
            victim_message="We need a little more information before we can record this.",
            actions=[NextAction.REQUEST_INFO],
            info_request="Please tell us what was taken or damaged, and how.",
        )  # fmt: skip
    opening, closing = _categories(code)
    return decision_input(Outcome.CRIME, offence_code=code, opening_code=opening,
                          closing_code=closing)  # fmt: skip


class Command(BaseCommand):
    help = "Create demo users and realistic demo reports (through the same actions as real intake)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reports", type=int, default=300)
        parser.add_argument("--decided", type=float, default=0.2, help="share already decided")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        logins = ensure_demo_users()
        factory = DemoReportFactory(seed=options["seed"])
        created = 0
        scenarios: dict[int, Scenario] = {}
        for case in factory.cases(options["reports"]):
            submission = do_accept_draft(Robot("demo generator"), case.draft)
            assert submission.report_id is not None
            scenarios[submission.report_id] = case.scenario
            created += 1
        created += self._other_roads(options["seed"])
        operator = User.objects.get(username="operator2")
        to_decide = int(created * options["decided"])
        for _ in range(to_decide):
            item = do_get_work(operator)
            if item is None:
                break
            assert item.report is not None
            decision = _demo_decision(item.report, scenarios.get(item.report.pk))
            do_record_decision(operator, item, decision)
        self.stdout.write(
            f"Created {created} demo reports ({to_decide} already decided); "
            f"{Report.objects.count()} reports in all."
        )
        print_logins(self.stdout, logins)

    def _other_roads(self, seed: int) -> int:
        """A few reports by the Standard API and email, and some input held in quarantine."""
        filed = 0
        for i in range(10):
            document = sample_document(seed=seed * 1000 + i)
            if i % 4 == 0:  # the national form's reporter asked to be contacted by phone only
                for entity in document["included"]:
                    if entity["id"].startswith("person.victim"):
                        entity["attributes"]["contactPreference"] = ["CPNC_0002"]
            body = json.dumps(document).encode()
            filed += accept_json(DEMO_HUB, Channel.API, body).ok
        for i in range(5):
            raw = build_report_email(
                sample_document(seed=seed * 1000 + 500 + i), json_attachment=i % 2 == 0
            )
            filed += accept_email(DEMO_EMAIL, raw, source="demo").ok
        for i in range(3):  # the national form gained a field Peel does not know yet
            document = sample_document(seed=seed * 1000 + 900 + i)
            document["data"]["attributes"]["incidentReportedOnline"] = True
            accept_json(DEMO_HUB, Channel.API, json.dumps(document).encode())
        accept_email(
            DEMO_EMAIL,
            b"From: someone@example.org\nSubject: hi\n\nIs the station open?\n",
        )
        return filed


def print_logins(out: Any, logins: dict[str, str]) -> None:
    out.write("Demo logins (also in var/demo_logins.json):")
    for username, password in logins.items():
        out.write(f"  {username:<13} {password}")
    keys = json.loads(second_factors_file().read_text()) if second_factors_file().exists() else {}
    out.write(
        "Second factor: `peel demo_code USERNAME` prints the code to type now, or add an "
        "account's key to an authenticator app (time-based, 6 digits):"
    )
    for username, key in keys.items():
        out.write(f"  {username:<13} {key_as_text(key)}")
