"""Synthetic but realistic demo reports: UK names, West Yorkshire streets and valid identifiers.

Streets and districts come from the police.uk street-level data in ../shared/data/police-uk
when it is there. What happened comes from a small table of coherent scenarios
(demoscenarios.py): the story, risk answers, ages, injuries and items of a report always agree.
Every postcode, registration and phone number is checked by the same validators that guard the
public form, so the demo never shows an identifier the real system would refuse.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone
from faker import Faker

from peel.core.identifiers import (
    InvalidIdentifier,
    normalise_phone,
    normalise_postcode,
    normalise_vrm,
)
from peel.process.demoscenarios import SCENARIOS, Scenario
from peel.reports.choices import HowInvolved, Role, SuspectKnown
from peel.reports.drafts import ItemDraft, LocationDraft, PersonDraft, ReportDraft, VehicleDraft

REPO_DIR = Path(__file__).resolve().parents[3]
POLICE_UK_FILE = "police-uk/2018-07-west-yorkshire-street.csv"

# Local authority (from the LSOA name) -> post town and its postcode districts.
DISTRICTS = {
    "Leeds": ("Leeds", [f"LS{n}" for n in range(1, 30)]),
    "Bradford": ("Bradford", [f"BD{n}" for n in range(1, 25)]),
    "Kirklees": ("Huddersfield", [f"HD{n}" for n in range(1, 10)]),
    "Calderdale": ("Halifax", [f"HX{n}" for n in range(1, 8)]),
    "Wakefield": ("Wakefield", [f"WF{n}" for n in range(1, 18)]),
}
_STREET = re.compile(
    r"^On or near ([A-Z][A-Za-z' ]+ (Road|Street|Lane|Avenue|Close|Drive|Way|Crescent|Grove|"
    r"Place|Terrace|Gardens|Court|Mount|View|Walk|Rise|Green|Square|Hill))$"
)
# Used only when the shared police.uk data is not beside the repository.
FALLBACK_STREETS = [
    ("Leeds", "Kirkstall Road"), ("Leeds", "Harehills Lane"), ("Bradford", "Manningham Lane"),
    ("Bradford", "Leeds Road"), ("Kirklees", "Trinity Street"), ("Calderdale", "King Cross Road"),
    ("Wakefield", "Westgate"), ("Wakefield", "Denby Dale Road"),
]  # fmt: skip

_VRM_FIRST = "ABCDEFGHKLMNOPRSVWY"  # DVLA area letters in use
_VRM_OTHER = "ABCDEFGHJKLMNOPRSTUVWXY"
_VRM_RANDOM = "ABCDEFGHJKLMNPRSTUVWXYZ"
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass
class Street:
    district: str
    name: str


def shared_data_dir() -> Path:
    return Path(os.environ.get("PEEL_SHARED_DATA", REPO_DIR.parent / "shared" / "data"))


def load_streets(limit: int = 40_000) -> list[Street]:
    path = shared_data_dir() / POLICE_UK_FILE
    streets: set[tuple[str, str]] = set()
    if path.exists():
        with path.open(newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                if i >= limit:
                    break
                district = (row["LSOA name"] or " ").split(" ")[0]
                match = _STREET.match(row["Location"])
                if district in DISTRICTS and match:
                    streets.add((district, match.group(1)))
    return [Street(d, n) for d, n in sorted(streets or FALLBACK_STREETS)]


@dataclass
class DemoCase:
    """One generated report and the scenario it tells, so the demo can decide it as an
    operator would (seed_demo) and tests can check it agrees with itself."""

    scenario: Scenario
    draft: ReportDraft


class DemoReportFactory:
    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.streets = load_streets()
        self.weights = [s.weight for s in SCENARIOS]

    def postcode(self, district: str) -> str:
        outward = self.rng.choice(DISTRICTS[district][1])
        inward = f"{self.rng.randint(1, 9)}{self.rng.choice(_INWARD_LETTERS)}{self.rng.choice(_INWARD_LETTERS)}"
        return normalise_postcode(f"{outward} {inward}")

    def vrm(self) -> str:
        age = self.rng.choice([y for y in range(2, 26)] + [y + 50 for y in range(1, 26)])
        plate = (
            self.rng.choice(_VRM_FIRST) + self.rng.choice(_VRM_OTHER) + f"{age:02d}"
            + "".join(self.rng.choice(_VRM_RANDOM) for _ in range(3))
        )  # fmt: skip
        return normalise_vrm(plate)

    def phone(self) -> str:
        for _ in range(20):
            try:
                return normalise_phone(self.fake.phone_number())
            except InvalidIdentifier:
                continue
        return ""

    def born(self, ages: tuple[int, int], on: dt.date) -> dt.date:
        """A date of birth making someone between ages[0] and ages[1] years old on `on`."""
        age = self.rng.randint(*ages)
        latest = on.replace(year=on.year - age) if not (on.month == 2 and on.day == 29) else (
            dt.date(on.year - age, 2, 28)
        )  # fmt: skip
        return latest - dt.timedelta(days=self.rng.randint(0, 364))

    def person(
        self, roles: list[str], ages: tuple[int, int], on: dt.date, with_contact: bool,
        family_name: str = "", male: bool = False,
    ) -> PersonDraft:  # fmt: skip
        given = self.fake.first_name_male() if male else self.fake.first_name()
        family = family_name or self.fake.last_name()
        return PersonDraft(
            roles=roles,
            given_name=given,
            family_name=family,
            date_of_birth=self.born(ages, on),
            email=f"{given}.{family}@example.org".lower().replace("'", "") if with_contact else "",
            phone=self.phone() if with_contact else "",
        )

    def case(self, now: dt.datetime) -> DemoCase:
        scenario = self.rng.choices(SCENARIOS, self.weights)[0]
        street = self.rng.choice(self.streets)
        occurred = now - dt.timedelta(hours=self.rng.uniform(0.5, 24 * 10))
        day = timezone.localtime(occurred).date()
        item = self.rng.choice(scenario.items) if scenario.items else ""
        child_age = self.rng.randint(*scenario.victim_ages) if scenario.child_victim else (
            self.rng.randint(2, 12)
        )  # fmt: skip
        people = self._people(scenario, day, child_age)
        description = self.rng.choice(scenario.stories).format(
            street=street.name, item=item, child_age=child_age,
            amount=self.rng.choice([120, 250, 380, 600, 1500]),
            goods=self.rng.choice(["meat and cheese", "bottles of spirits", "razor blades"]),
        )  # fmt: skip
        victims = [p for p in people if Role.VICTIM.value in p.roles]
        draft = ReportDraft(
            how_involved=scenario.how,
            description=description,
            suspect_known=self._suspect_known(people),
            offence_hint=scenario.form_choice,
            occurred_from=occurred,
            immediate_danger=False,  # an online report: people in danger are sent to 999
            still_happening=False,
            weapon_involved=scenario.weapon,
            victim_under_18=any(_age(v.date_of_birth, day) < 18 for v in victims),
            victim_vulnerable=True if scenario.domestic else None,
            hate_crime=scenario.hate,
            threat_or_assault=scenario.threat,
            physically_assaulted=scenario.hurt,
            child_present=scenario.child_present,
            drugs_or_alcohol=True if scenario.drink and self.rng.random() < 0.6 else None,
            location=LocationDraft(
                address_line=f"{self.rng.randint(1, 240)} {street.name}",
                town=DISTRICTS[street.district][0],
                postcode=self.postcode(street.district),
            ),
            people=people,
            vehicles=[VehicleDraft(vrm=self.vrm())] if scenario.vehicle else [],
            items=self._items(scenario, item),
            **self._contact(scenario),
        )
        return DemoCase(scenario, draft)

    def _people(self, scenario: Scenario, day: dt.date, child_age: int) -> list[PersonDraft]:
        reporter_roles = [Role.PERSON_REPORTING.value]
        if scenario.how == HowInvolved.VICTIM:
            reporter_roles.append(Role.VICTIM.value)
        if scenario.child_victim:  # a parent reports for their child
            parent_ages = (child_age + 20, child_age + 45)
            parent = self.person(reporter_roles, parent_ages, day, with_contact=True)
            child = self.person(
                [Role.VICTIM.value], (child_age, child_age), day, False, parent.family_name,
                male=True,  # the story says "son"
            )  # fmt: skip
            people = [parent, child]
        else:
            people = [self.person(reporter_roles, scenario.victim_ages, day, with_contact=True)]
        if scenario.domestic:
            people[0].vulnerabilities = ["riskOfBeingVictimOfDomesticAbuse"]
        suspect = scenario.suspect
        known = self.rng.choices(list(SuspectKnown.values), suspect.weights)[0]
        if known == SuspectKnown.KNOWN:
            person = self.person(
                [Role.KNOWN_SUSPECT.value], suspect.ages, day, False, male=suspect.male
            )
            if suspect.relationship:
                person.description = f"The reporter's {suspect.relationship}."
            people.append(person)
        elif known == SuspectKnown.DESCRIBED:
            people.append(PersonDraft(roles=[Role.UNKNOWN_SUSPECT.value], description=(
                f"{self.rng.choice(suspect.kinds)}, about {self.rng.randint(*suspect.ages)}, "
                f"{self.rng.choice(['slim', 'stocky', 'medium'])} build, wearing a "
                f"{self.rng.choice(['black', 'grey', 'navy'])} {self.rng.choice(['hoodie', 'jacket', 'tracksuit top'])}."
            )))  # fmt: skip
        return people

    @staticmethod
    def _suspect_known(people: list[PersonDraft]) -> str:
        roles = {r for p in people for r in p.roles}
        if Role.KNOWN_SUSPECT.value in roles:
            return SuspectKnown.KNOWN.value
        if Role.UNKNOWN_SUSPECT.value in roles:
            return SuspectKnown.DESCRIBED.value
        return SuspectKnown.UNKNOWN.value

    def _items(self, scenario: Scenario, item: str) -> list[ItemDraft]:
        if not item or not scenario.item_link:
            return []
        kind = {"bicycle": "bicycle", "mobile phone": "mobile", "iPhone": "mobile",
                "Samsung phone": "mobile"}.get(item, "property")  # fmt: skip
        value = str(self.rng.choice([40, 85, 150, 300, 450, 900]))
        return [ItemDraft(kind=kind, link_reason=scenario.item_link, description=item, value=value)]

    def _contact(self, scenario: Scenario) -> dict[str, Any]:
        """Most reporters are happy to be emailed; one in a domestic-abuse case is not."""
        if scenario.domestic:
            return {
                "contact_email": False, "contact_phone": True,
                "contact_times": "Weekdays between 10am and 2pm", "contact_others_may_read": True,
            }  # fmt: skip
        return {
            "contact_email": self.rng.random() < 0.95,
            "contact_phone": self.rng.random() < 0.85,
            "contact_others_may_read": self.rng.random() < 0.05,
        }

    def report(self, now: dt.datetime) -> ReportDraft:
        return self.case(now).draft

    def cases(self, count: int) -> Iterator[DemoCase]:
        now = timezone.now()
        for _ in range(count):
            yield self.case(now)

    def reports(self, count: int) -> Iterator[ReportDraft]:
        for case in self.cases(count):
            yield case.draft


def _age(born: dt.date | None, on: dt.date) -> int:
    if born is None:
        return 99
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
