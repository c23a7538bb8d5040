"""Synthetic but realistic demo reports: UK names, West Yorkshire streets and valid identifiers.

Streets, districts and the mix of crime types come from the police.uk street-level data in
../shared/data/police-uk when it is there. Every postcode, registration and phone number is
checked by the same validators that guard the public form, so the demo never shows an
identifier the real system would refuse.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from faker import Faker

from peel.core.identifiers import (
    InvalidIdentifier,
    normalise_phone,
    normalise_postcode,
    normalise_vrm,
)
from peel.reports.choices import HowInvolved, Role, SuspectKnown
from peel.reports.drafts import LocationDraft, PersonDraft, ReportDraft, VehicleDraft

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
FALLBACK_CRIME_MIX = {"Vehicle crime": 3, "Other theft": 3, "Burglary": 2, "Criminal damage and arson": 2,
                      "Violence and sexual offences": 3, "Bicycle theft": 1, "Public order": 1}  # fmt: skip

# police.uk category -> what the reporter picks on the form, and a few ways people describe it.
STORIES: dict[str, tuple[str, list[str]]] = {
    "Vehicle crime": (
        "Vehicle crime",
        [
            "My car was parked outside my house on {street} overnight. In the morning the driver's window "
            "was smashed and my {item} had been taken from the glovebox.",
            "Someone tried to force the lock on my van on {street}. There are scratches round the door and "
            "the ignition barrel is damaged.",
        ],
    ),
    "Other theft": (
        "Theft",
        [
            "I left my {item} on a bench near {street} for a couple of minutes and when I came back it "
            "had gone. There were two lads hanging about who walked off quickly.",
            "A parcel containing a {item} was delivered to my doorstep on {street} and taken before I got home. "
            "The courier's photo shows it on the step.",
        ],
    ),
    "Bicycle theft": (
        "Bicycle theft",
        [
            "My bike was locked to the railings on {street}. When I came back the lock had been cut and the "
            "bike was gone. It is a grey hybrid with a child seat.",
        ],
    ),
    "Burglary": (
        "Burglary",
        [
            "We came home to find the back door of our house on {street} forced open. A {item} and some "
            "jewellery were taken from the bedroom.",
            "Our shed on {street} was broken into overnight and power tools were taken. The padlock was cut.",
        ],
    ),
    "Criminal damage and arson": (
        "Criminal damage",
        [
            "Someone has sprayed graffiti across the front of my house on {street} and kicked the fence panels in.",
            "The wing mirror and windscreen of my car were smashed while it was parked on {street}.",
        ],
    ),
    "Violence and sexual offences": (
        "Violence",
        [
            "I was pushed over and punched outside a takeaway on {street} by a man I don't know. "
            "I have a cut lip and bruising.",
            "My ex-partner came to my home on {street}, shouted at me and grabbed my arm hard enough to leave "
            "marks. This has happened before.",
        ],
    ),
    "Public order": (
        "Harassment",
        [
            "My neighbour on {street} keeps shouting threats at me over the fence and has said he will "
            "smash my windows.",
        ],
    ),
}
ITEMS = [
    "mobile phone",
    "laptop",
    "handbag",
    "wallet",
    "tablet",
    "sat nav",
    "games console",
    "watch",
]
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


def load_streets_and_mix(limit: int = 40_000) -> tuple[list[Street], Counter[str]]:
    path = shared_data_dir() / POLICE_UK_FILE
    streets: set[tuple[str, str]] = set()
    mix: Counter[str] = Counter()
    if path.exists():
        with path.open(newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                if i >= limit:
                    break
                district = (row["LSOA name"] or " ").split(" ")[0]
                match = _STREET.match(row["Location"])
                if district in DISTRICTS and match:
                    streets.add((district, match.group(1)))
                if row["Crime type"] in STORIES:
                    mix[row["Crime type"]] += 1
    if not streets:
        streets, mix = set(FALLBACK_STREETS), Counter(FALLBACK_CRIME_MIX)
    return [Street(d, n) for d, n in sorted(streets)], mix


class DemoReportFactory:
    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.streets, mix = load_streets_and_mix()
        self.crime_types = list(mix)
        self.crime_weights = [mix[c] for c in self.crime_types]

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

    def person(self, roles: list[str], with_contact: bool) -> PersonDraft:
        given, family = self.fake.first_name(), self.fake.last_name()
        return PersonDraft(
            roles=roles,
            given_name=given,
            family_name=family,
            date_of_birth=self.fake.date_of_birth(minimum_age=16, maximum_age=85),
            email=f"{given}.{family}@example.org".lower().replace("'", "") if with_contact else "",
            phone=self.phone() if with_contact else "",
        )

    def report(self, now: dt.datetime) -> ReportDraft:
        crime = self.rng.choices(self.crime_types, self.crime_weights)[0]
        hint, stories = STORIES[crime]
        street = self.rng.choice(self.streets)
        town = DISTRICTS[street.district][0]
        how = self.rng.choices(list(HowInvolved.values), [70, 15, 12, 3])[0]
        reporter_roles = [Role.PERSON_REPORTING.value]
        if how == HowInvolved.VICTIM:
            reporter_roles.append(Role.VICTIM.value)
        elif how == HowInvolved.WITNESS:
            reporter_roles.append(Role.WITNESS.value)
        people = [self.person(reporter_roles, with_contact=True)]
        if how == HowInvolved.ON_BEHALF_OF_VICTIM:
            people.append(self.person([Role.VICTIM.value], with_contact=False))
        suspect_known = self.rng.choices(list(SuspectKnown.values), [55, 30, 15])[0]
        if suspect_known == SuspectKnown.KNOWN:
            people.append(self.person([Role.KNOWN_SUSPECT.value], with_contact=False))
        elif suspect_known == SuspectKnown.DESCRIBED:
            people.append(PersonDraft(roles=[Role.UNKNOWN_SUSPECT.value], description=(
                f"{self.rng.choice(['Man', 'Woman', 'Teenage boy'])}, about {self.rng.randint(16, 50)}, "
                f"{self.rng.choice(['slim', 'stocky', 'medium'])} build, wearing a "
                f"{self.rng.choice(['black', 'grey', 'navy'])} {self.rng.choice(['hoodie', 'jacket', 'tracksuit'])}."
            )))  # fmt: skip
        violent = crime == "Violence and sexual offences"
        occurred = now - dt.timedelta(hours=self.rng.uniform(0.5, 24 * 10))
        return ReportDraft(
            how_involved=how,
            description=self.rng.choice(stories).format(
                street=street.name, item=self.rng.choice(ITEMS)
            ),
            suspect_known=suspect_known,
            offence_hint=hint,
            occurred_from=occurred,
            immediate_danger=self.rng.random() < (0.06 if violent else 0.01),
            still_happening=self.rng.random() < (0.10 if violent else 0.03),
            weapon_involved=self.rng.random() < (0.15 if violent else 0.02),
            victim_under_18=self.rng.random() < 0.08,
            victim_vulnerable=self.rng.random() < 0.12,
            location=LocationDraft(
                address_line=f"{self.rng.randint(1, 240)} {street.name}",
                town=town,
                postcode=self.postcode(street.district),
            ),
            people=people,
            vehicles=[VehicleDraft(vrm=self.vrm())] if crime == "Vehicle crime" else [],
        )

    def reports(self, count: int) -> Iterator[ReportDraft]:
        now = timezone.now()
        for _ in range(count):
            yield self.report(now)
