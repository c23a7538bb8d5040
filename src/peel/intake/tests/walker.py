"""Answer the public form page by page through the real views, as a browser without JS would."""

from __future__ import annotations

from typing import Any

from django.test import Client

from peel.intake.wizard import load_definition

ANSWERS: dict[str, Any] = {
    "immediateDanger": "no", "incidentStillHappening": "no", "hadWeapon": "yes", "childPresent": "no",
    "howInvolvedInCrime": "IVLD_0003",
    "reporterGivenName": "Joan", "reporterSurname": "Barker",
    "reporterEmail": "joan.barker@example.org", "reporterPhone": "0113 496 0000", "emailReceipt": "no",
    "phoneSafe": "yes", "safeTimes": "Weekdays 9am to 5pm", "othersMayRead": "yes",
    "victimGivenName": "Alfie", "victimSurname": "Barker", "victimDateOfBirth": "2012-03-04",
    "under18": "yes", "disability": "no", "riskOfBeingVictimOfDomesticAbuse": "no",
    "riskOfSelfHarm": "no", "welfareRisk": "no", "welfareRiskDetails": "",
    "crimeType": "Violence",
    "incidentDescription": "A man threatened my son with a knife outside the shop.",
    "incidentApproximateDate": "2026-11-01", "incidentApproximateTime": "6.30pm",
    "street": "12 Kirkgate", "cityOrTown": "Wakefield", "postcode": "wf1 1ab",
    "subjectedToThreatAbuseOrAssault": "yes", "physicallyAssaulted": "no",
    "physicallyAssaultedDetails": "", "subjectedToHateCrime": "no",
    "suspectKnown": "SKWN_0002", "suspectDescription": "Tall man in a red jacket.",
    "suspectAgeRange": "ARNG_0006", "suspectClothing": "",
    "stolenItemType": ["SITP_0004"],
    "mobileMake": "Samsung", "mobileModel": "Galaxy A54", "mobileImei": "", "mobileApproxValue": "300",
    "anythingDamaged": "yes", "damagedPropertyDescription": "The shop window",
    "damagedPropertyDamageDescription": "Cracked across", "damagedVehicleVrm": "yx21 abc",
    "evidenceAtScene": "yes", "evidenceAtSceneDetails": "The shop has CCTV over the door.",
    "incidentAnyWitnesses": "yes", "witnessGivenName": "Priya", "witnessSurname": "Shah", "witnessPhone": "",
}  # fmt: skip


def answer_pages(client: Client, **overrides: Any) -> list[str]:
    """Answer every page that applies; return the page ids visited. Stops at check-your-answers."""
    answers = {**ANSWERS, **overrides}
    definition = load_definition()
    response = client.get("/report/")
    visited = []
    while response.status_code == 302 and "/report/check/" not in response["Location"]:
        url = response["Location"]
        if url == "/report/call-999/":  # told to call 999; carry on as a record
            visited.append("call-999")
            response = client.post(url, {"choice": answers.get("dangerAdvice", "called_999")})
            continue
        page = definition.page(url.rstrip("/").rsplit("/", 1)[-1])
        assert page is not None, url
        visited.append(page.id)
        data = {q.name: answers.get(q.name, "") for q in page.questions}
        response = client.post(url, {k: v for k, v in data.items() if v != []})
        assert response.status_code == 302, (page.id, response.content.decode()[:3000])
    return visited


def send_report(client: Client, **overrides: Any) -> Any:
    answer_pages(client, **overrides)
    return client.post("/report/check/")
