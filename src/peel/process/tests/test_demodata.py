import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from peel.audit.actors import Robot
from peel.core.identifiers import normalise_phone, normalise_postcode, normalise_vrm
from peel.intake.actions import do_accept_draft
from peel.intake.models import QuarantineItem
from peel.process.demodata import DemoCase, DemoReportFactory
from peel.process.demoscenarios import SCENARIOS
from peel.reports.choices import Role
from peel.reports.models import Location, Person, Report, Vehicle
from peel.review.choices import Outcome
from peel.review.models import Decision
from peel.review.reference import offences
from peel.workqueue.models import WorkItem


def test_demo_identifiers_pass_the_same_validation_as_the_public_form() -> None:
    factory = DemoReportFactory(seed=7)
    drafts = list(factory.reports(200))
    postcodes = [d.location.postcode for d in drafts if d.location]
    vrms = [v.vrm for d in drafts for v in d.vehicles]
    phones = [p.phone for d in drafts for p in d.people if p.phone]
    assert len(postcodes) == 200 and vrms and phones
    assert all(normalise_postcode(p) == p for p in postcodes)
    assert all(normalise_vrm(v) == v for v in vrms)
    assert all(normalise_phone(p) == p for p in phones)
    assert len({d.offence_hint for d in drafts}) >= 4


@pytest.mark.django_db
def test_seed_demo_files_reports_through_intake_and_decides_some(capsys) -> None:
    call_command("seed_demo", reports=20, decided=0.25)
    # 20 drafts, plus 10 by the Standard API and 5 by email; 4 inputs held in quarantine.
    assert Report.objects.count() == 35
    assert set(Report.objects.values_list("channel", flat=True)) == {"web", "api", "email"}
    assert QuarantineItem.objects.count() == 4
    assert WorkItem.objects.filter(status="queued", kind="review_report").count() == 35 - 8
    assert Location.objects.count() == 35 and Person.objects.exists()
    assert Vehicle.objects.filter(vrm="").count() == 0
    out = capsys.readouterr().out
    assert "operator1" in out and "supervisor" in out
    # Decided as an operator would: the scenario's own offence, never a guess such as homicide.
    recorded = set(Decision.objects.values_list("offence_code", flat=True)) - {""}
    assert recorded and recorded <= {s.offence_code for s in SCENARIOS} | {
        "44",
        "45",
        "58A",
        "8L",
        "39",
    }


@pytest.mark.django_db
def test_demo_accounts_have_a_second_factor_a_newcomer_can_use(settings, capsys) -> None:
    from django.test import Client

    from peel.process.management.commands.seed_demo import ensure_demo_users, second_factors_file

    logins = ensure_demo_users()
    assert second_factors_file().stat().st_mode & 0o777 == 0o600
    keys = second_factors_file().read_text()
    assert ensure_demo_users() == logins and second_factors_file().read_text() == keys  # kept
    call_command("demo_code", "operator1")
    code = capsys.readouterr().out.strip()
    assert re.fullmatch(r"\d{6}", code)
    client = Client()
    client.post("/staff/login/", {"username": "operator1", "password": logins["operator1"]})
    assert client.post("/staff/login/second-factor/", {"code": code})["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    with pytest.raises(Exception, match="not a demo account"):
        call_command("demo_code", "someone-real")


# ---- Every generated report agrees with itself ---------------------------------------------------

INJURY_WORDS = ("cut lip", "bruis", "grazed")
VIOLENT_SUBGROUPS_WITH_INJURY = {"Violence with injury", "Robbery of personal property"}


def age_on(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def many_cases(seeds: range = range(1, 6), each: int = 400) -> list[DemoCase]:
    return [case for seed in seeds for case in DemoReportFactory(seed=seed).cases(each)]


def test_every_scenario_is_drawn_and_names_a_real_offence_that_fits_its_injuries() -> None:
    cases = many_cases()
    assert {c.scenario.key for c in cases} == {s.key for s in SCENARIOS}
    for scenario in SCENARIOS:
        if scenario.outcome != Outcome.CRIME:
            assert scenario.offence_code == "" and scenario.rationale and scenario.closing_code
            continue
        offence = offences()[scenario.offence_code]
        assert offence.recordable and offence.subgroup != "Homicide", scenario.key
        if scenario.hurt:  # an injury makes it "with injury" (or a robbery), never less or more
            assert offence.subgroup in VIOLENT_SUBGROUPS_WITH_INJURY, scenario.key
        if offence.subgroup == "Violence without injury":
            assert not scenario.hurt, scenario.key


def test_ages_injuries_and_answers_agree_in_every_generated_report() -> None:
    for case in many_cases():
        draft, scenario = case.draft, case.scenario
        assert draft.occurred_from is not None
        day = timezone.localtime(draft.occurred_from).date()
        victims = [p for p in draft.people if Role.VICTIM.value in p.roles]
        reporter = next(p for p in draft.people if Role.PERSON_REPORTING.value in p.roles)
        assert reporter.date_of_birth and age_on(reporter.date_of_birth, day) >= 18
        ages = [age_on(v.date_of_birth, day) for v in victims if v.date_of_birth]
        # "Is the victim under 18?" matches the victim's date of birth, both ways.
        assert draft.victim_under_18 == any(a < 18 for a in ages), (scenario.key, ages)
        if scenario.child_victim:
            assert ages and all(a < 18 for a in ages) and f"{ages[0]}-year-old" in draft.description
        # Injuries: said hurt exactly when the story describes an injury.
        described_injury = any(w in draft.description for w in INJURY_WORDS)
        assert bool(draft.physically_assaulted) == described_injury, draft.description
        if draft.physically_assaulted or draft.weapon_involved:
            assert draft.threat_or_assault
        assert draft.weapon_involved == ("knife" in draft.description)
        assert draft.child_present == ("-year-old was in the room" in draft.description)
        assert draft.hate_crime == ("racist" in draft.description)
        if scenario.domestic:
            assert reporter.vulnerabilities == ["riskOfBeingVictimOfDomesticAbuse"]
            assert draft.contact_email is False  # the demo shows a reporter who must not be emailed
        for suspect in draft.people:
            if Role.UNKNOWN_SUSPECT.value in suspect.roles:
                kind, about = re.match(r"(.+?), about (\d+),", suspect.description).groups()
                low, high = (13, 19) if kind == "Teenage boy" else (18, 90)
                assert low <= int(about) <= high, suspect.description
            if Role.KNOWN_SUSPECT.value in suspect.roles:
                assert suspect.date_of_birth and age_on(suspect.date_of_birth, day) >= 14


@pytest.mark.django_db
def test_triage_grades_each_scenario_as_its_risk_answers_say() -> None:
    cases = list(DemoReportFactory(seed=5).cases(120))
    for case in cases:
        report = do_accept_draft(Robot("test"), case.draft).report
        assert report is not None
        grade = report.assessments.first().grade
        scenario, draft = case.scenario, case.draft
        if scenario.high_risk:
            assert grade in ("P1", "P2"), (scenario.key, grade)
        elif not (draft.threat_or_assault or draft.victim_under_18):
            # Thefts, damage and fraud: standard or low (a repeat victim or place may add one).
            assert grade in ("P3", "P4"), (scenario.key, grade)
        referrals = WorkItem.objects.filter(report=report, kind="safeguarding_referral")
        assert referrals.count() == (1 if scenario.domestic or draft.victim_under_18 else 0)
