"""Realistic Standard API documents for the demo, tests and benchmarks (Faker, en_GB)."""

from __future__ import annotations

import random
import uuid
from typing import Any

from faker import Faker

from peel.sdm.builder import SdmBuilder

OFFENCES = [
    ("Theft of a bicycle", "My bike was taken from outside the station while I was at work."),
    ("Theft from a vehicle", "Someone broke the window of my car and took a bag from the seat."),
    ("Criminal damage", "Our garden fence was kicked in overnight and the gate smashed."),
    ("Harassment", "A former partner keeps sending me messages saying he is watching me."),
    ("Theft of a mobile phone", "My phone was snatched from my hand on the high street."),
]


def sample_document(seed: int | None = None, submission_id: str | None = None) -> dict[str, Any]:
    rng = random.Random(seed)  # noqa: S311 (sample data, not secrets)
    fake = Faker("en_GB")
    fake.seed_instance(rng.randrange(2**32))
    offence, description = rng.choice(OFFENCES)
    occurred = fake.date_time_between("-10d", "-1h").replace(microsecond=0)
    submission_id = submission_id or str(uuid.UUID(int=rng.getrandbits(128), version=4))
    rng.random()  # once a random weapon (in a bike theft); drawn still so each seed is unchanged
    doc = SdmBuilder(
        submission_id,
        {
            "incidentDescription": description,
            "incidentInvolvement": "IVLD_0001",
            "crimeType": offence,
            "incidentStillHappening": False,
            "hadWeapon": False,  # none of these stories has one
            "incidentExactTimeKnown": True,
            "incidentStartDateTime": occurred.isoformat() + "Z",
            "subjectedToThreatAbuseOrAssault": offence == "Harassment",
        },
    )
    doc.submission.update(
        {
            "forceIdentifier": 42,
            "category": "OCR",
            "categorySubcode": "SOH",
            "externalReferenceId": "SingleOnlineHome",
            "highHarmFlag": "TRUE" if rng.random() < 0.15 else "FALSE",
            "howInvolvedInCrime": "IVLD_0001",
            "customerReferenceNumber": f"OCR-{rng.randint(1, 9)}-26-{rng.randint(0, 9999):04d}-IR01",
            "submitTime": occurred.isoformat() + "Z",
        }
    )
    victim = doc.add(
        "person", "victim",
        {
            "givenName": [fake.first_name()],
            "surname": fake.last_name(),
            "dateOfBirth": fake.date_of_birth(minimum_age=18, maximum_age=85).isoformat(),
            "under18": False,
            "riskOfBeingVictimOfDomesticAbuse": offence == "Harassment",
        },
        link="victim",
    )  # fmt: skip
    doc.link(doc.incident_id, "personReporting", victim)
    doc.link(
        victim, "personalEmail", doc.add("object", "emailAddress", {"emailAddress": fake.email()})
    )
    doc.link(
        victim,
        "personalTelephone",
        doc.add(
            "object", "phoneNumber", {"telephoneNumberFull": f"07400 {rng.randint(100000, 999999)}"}
        ),
    )
    doc.add(
        "location", "incidentLocation",
        {"buildingNumber": str(rng.randint(1, 200)), "street": fake.street_name(),
         "cityOrTown": fake.city(), "postcode": fake.postcode()},
        link="incidentLocation",
    )  # fmt: skip
    if "mobile" in offence:
        doc.add(
            "object",
            "mobile",
            {"propertyDescription": "Black smartphone in a red case"},
            link="stolen",
        )
    elif "bicycle" in offence:
        doc.add(
            "object",
            "bicycle",
            {"bicycleColour": "PCLR_0003", "bicycleDescription": "Road bike"},
            link="stolen",
        )
    if rng.random() < 0.5:
        doc.add(
            "person", "suspect",
            {"suspectKnown": "SKWN_0002", "personDescription": "Tall man in a grey hooded top"},
            link="unknownSuspect",
        )  # fmt: skip
    return doc.as_dict()
