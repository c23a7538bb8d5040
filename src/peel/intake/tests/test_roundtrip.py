"""Round trips: what the public sends, through each channel, reaches every place a person reads it.

Hypothesis draws SDM documents across the whole national model and answers across the whole
public form, files them through the real channels (POST /process and the worker's filing; an
email with the SDM JSON attached, or with only its text rendering; the public form's pages) and
checks every value - unchanged, or as its national description - on the review screen of the
operator holding the item, on the report page, in the decision's outbound record and (a few
examples: it drives Chromium) in the sandbox CHS's record as the robot wrote it.

The expected values are derived here from the raw submission and the national schemas, not
from Peel's canonical report. Example counts per channel: `examples()`; `make fuzz` runs the
same tests with the "fuzz" Hypothesis profile.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings

from peel.accounts.testing import sign_in
from peel.audit.actors import Robot
from peel.intake.email import accept_email, build_report_email
from peel.intake.pipeline import file_pending
from peel.intake.tests.strategies import POSTCODES, form_answers, sdm_documents
from peel.intake.wizard import form_field, load_definition
from peel.process.testing import api_client_headers
from peel.reports.models import Report
from peel.review.actions import do_record_decision
from peel.review.robot_handover import decision_record
from peel.review.testing import decision_input
from peel.robots.record import canonical_record
from peel.sdm.destinations import OTHER, destination
from peel.sdm.document import SCHEMA_BY_KIND, entity_kind
from peel.sdm.schemas import national_schemas
from peel.sdm.text import label_for
from peel.sdm.when import read_clock
from peel.workqueue.actions import do_get_work

pytestmark = [pytest.mark.django_db, pytest.mark.fidelity]
LONDON = ZoneInfo("Europe/London")
FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
# Examples per channel: `make test` (modest) and `make fuzz`.
EXAMPLES = {"api": 30, "email-json": 10, "email-text": 10, "email-pdf": 10, "web": 12, "sandbox": 3}
FUZZ_EXAMPLES = {
    "api": 1000,
    "email-json": 300,
    "email-text": 300,
    "email-pdf": 300,
    "web": 300,
    "sandbox": 25,
}
PHONE_LINKS = ("personalTelephone",)


def examples(channel: str) -> int:
    """PEEL_EXAMPLES_API=500 (say) runs one channel with more examples."""
    override = os.environ.get("PEEL_EXAMPLES_" + channel.upper().replace("-", "_"))
    return int(override) if override else (FUZZ_EXAMPLES if FUZZ else EXAMPLES)[channel]


def run(channel: str) -> Any:
    return settings(
        max_examples=examples(channel),
        deadline=None,
        # No shrinking: a failure names the value and place; shrinking a filed report through
        # every screen takes minutes.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


@pytest.fixture(autouse=True)
def _people_take_their_time(settings: Any) -> None:
    settings.PEEL = {**settings.PEEL, "FORM_MIN_SECONDS": 0, "FORM_RATE": "100000/h"}


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each example starts from an empty queue: its writes are undone when it ends."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def read_everywhere(operator: Any, supervisor: Any, report: Report) -> dict[str, str]:
    """The review screen (operator holding the item), report page and the outbound record."""
    item = do_get_work(operator)
    assert item is not None and item.report_id == report.pk
    staff = Client()
    sign_in(staff, operator)
    review = staff.get(f"/staff/work/{item.pk}/").content.decode()
    sign_in(staff, supervisor)
    page = staff.get(f"/staff/reports/{report.pk}/").content.decode()
    decision = do_record_decision(operator, item, decision_input())
    record = canonical_record(decision_record(decision))
    return {
        "review screen": readable(review),
        "report page": readable(page),
        "outbound record": lines("\n".join(record.values())),
    }


def readable(page: str) -> str:
    """A page's text: markup between a label and its value (<dt>/<dd>, <strong>) is a line
    break, then entities are decoded (so the reporter's own "<" and "&" are text)."""
    return lines(html.unescape(re.sub(r"<[^>]+>", "\n", page)))


def lines(text: str) -> str:
    squashed = "\n".join(line.strip() for line in text.split("\n") if line.strip())
    return squashed.replace(":\n", ": ")


# ----- what the reporter gave, derived from the raw submission ------------------------------

RISK_LABELS = {
    "incidentStillHappening": "Still happening",
    "hadWeapon": "Weapon involved",
    "subjectedToHateCrime": "Hate crime",
    "subjectedToThreatAbuseOrAssault": "Threatened or assaulted",
    "physicallyAssaulted": "Physically assaulted",
    "childPresent": "Child present",
    "incidentInfluencedByDrugsOrAlcohol": "Drugs or alcohol involved",
}
TIME_ATTRIBUTES = ("incidentStartDateTime", "incidentEndDateTime", "incidentApproximateDate",
                   "incidentApproximateTime")  # fmt: skip


def words(path: str, name: str, value: Any) -> list[str]:
    """The value as a person reads it: codes as their national descriptions."""
    schemas = national_schemas()
    if isinstance(value, bool):
        return ["Yes" if value else "No"]
    if isinstance(value, list):
        codes = schemas.item_value_list(path, name)
        return [html.unescape(codes.get(str(v), str(v))) for v in value]
    codes = schemas.value_list(path, name)
    if isinstance(value, str) and value in codes:
        return [html.unescape(codes[value])]
    return [str(value)]


def contact_warning(codes: set[str]) -> list[str]:
    """CPNC codes (email, phone, post) as the sentences of the contact warning."""
    email, phone, post = ("CPNC_0001" in codes, "CPNC_0002" in codes, "CPNC_0003" in codes)
    return [
        "Safe to email." if email else "Do not email.",
        "Safe to phone." if phone else "Do not phone.",
        "Safe to write by post." if post else "Do not write by post.",
    ]


def expectations(document: dict[str, Any]) -> list[tuple[str, list[list[str]]]]:
    """For each attribute given: what must appear, as alternatives of all-of lists."""
    out: list[tuple[str, list[list[str]]]] = []
    entities = [document["data"], *document.get("included", [])]
    incoming = {
        target["id"]: reason
        for entity in entities
        for reason, relation in entity.get("relationships", {}).items()
        for target in relation["data"]
    }
    for entity in entities:
        kind = entity_kind(entity["id"], entity["type"])
        path = SCHEMA_BY_KIND[kind]
        for name, value in entity["attributes"].items():
            where = f"{entity['id']}.{name}={value!r}"
            shown = words(path, name, value)
            # Other information: "Label: value" in records, label then value on a page.
            others = (
                [[f"{label_for(name)}: {shown[0]}"], [f"{label_for(name)}\n{shown[0]}"]]
                if len(shown) == 1
                else [shown]
            )
            options: list[list[str]] = [shown]
            if name in TIME_ATTRIBUTES:
                options = [[str(value)]]  # verbatim, beside the derived time
            elif name == "bankCardLongNumber":
                digits = "".join(c for c in value if c.isdigit())
                if not digits:
                    continue  # no card number in it to keep (PCI DSS: only the last four)
                options = [[f"Card ending {digits[-4:]}"]]
            elif name == "postcode" and incoming.get(entity["id"]) == "incidentLocation":
                canonical = next(
                    p for p in POSTCODES if p.replace(" ", "") == value.replace(" ", "").upper()
                )
                options = [[canonical]]
            elif name == "telephoneNumberFull" and incoming.get(entity["id"]) in PHONE_LINKS:
                e164 = "+44" + value.replace(" ", "")[1:]
                options = [[e164], *others]  # others: the phone of a person with no role
            elif (
                name == "contactPreference"
                and value
                and incoming.get(entity["id"]) == ("personReporting")
            ):
                # The reporter's stated ways become the contact warning every place shows.
                options = [contact_warning(set(value)), *others]
            elif name == "dateOfBirth":
                day = dt.date.fromisoformat(value)
                options = [[str(value)], [f"born {day.day} {day:%b %Y}"]]
            elif isinstance(value, bool) and name in RISK_LABELS:
                options = [[f"{RISK_LABELS[name]}: {shown[0]}"], *others]
            elif isinstance(value, bool) or destination(path, name).where == OTHER:
                options = list(others)
                if isinstance(value, bool) and value:
                    options.append([label_for(name)])  # a "yes" vulnerability, in words
                if name == "under18" and kind == "victim":
                    options.append([f"Victim under 18: {shown[0]}"])
            out.append((where, options))
    return out


def check(
    document: dict[str, Any],
    texts: dict[str, str],
    places: tuple[str, ...],
    loose: bool = False,
) -> None:
    """Every value given, on every place. `loose`: a PDF's line wrapping may turn a space in a
    long value into a line break (the characters must still all be there, in order)."""
    fold = (lambda t: " ".join(t.split())) if loose else (lambda t: t)
    for where, options in expectations(document):
        for place in places:
            text = fold(texts[place])
            assert any(all(fold(lines(s)) in text for s in option) for option in options), (
                f"{where} not on the {place}: expected one of {options}\n"
                f"document: {json.dumps(document, ensure_ascii=False)[:3000]}\n"
                f"text: {text[text.find('What happened') :][:4000]}"
            )
    for entity in [document["data"], *document["included"]]:
        card = entity["attributes"].get("bankCardLongNumber") or ""
        if sum(c.isdigit() for c in card) > 4:
            for place in places:
                assert card not in texts[place], f"a full card number was shown on the {place}"
    incident = document["data"]["attributes"]
    check_time(incident, {p: texts[p] for p in places})


def check_time(incident: dict[str, Any], texts: dict[str, str]) -> None:
    """The derived time is what the reporter said, in Europe/London; never invented."""
    start = incident.get("incidentStartDateTime")
    day = incident.get("incidentApproximateDate")
    words_given = incident.get("incidentApproximateTime", "")
    if start:
        moment = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
        local = moment.astimezone(LONDON) if moment.tzinfo else moment
        expected = f"{local:%a} {local.day} {local:%b %Y %H:%M}"
    elif day:
        date = dt.date.fromisoformat(day)
        clock = read_clock(words_given) if words_given else None
        if clock is None:
            expected = f"{date:%a} {date.day} {date:%b %Y} (no time given)"
        else:
            expected = f"{date:%a} {date.day} {date:%b %Y} {clock[0]:%H:%M}"
    else:
        return
    for place in ("review screen", "report page"):
        if place in texts:
            assert expected in texts[place], f"{expected!r} not on the {place}"


# ----- the channels ---------------------------------------------------------------------------


@run("api")
@given(document=sdm_documents())
def test_the_standard_api_keeps_every_value(document, operator, supervisor) -> None:
    with rolled_back():
        response = Client().post(
            "/process", json.dumps(document), content_type="application/json",
            headers=api_client_headers(),
        )  # fmt: skip
        assert response.status_code in (200, 201, 202), response.content[:2000]
        assert file_pending() == 1
        report = Report.objects.get()
        texts = read_everywhere(operator, supervisor, report)
        check(document, texts, ("review screen", "report page", "outbound record"))


EVERYWHERE = ("review screen", "report page", "outbound record")


def email_keeps_every_value(
    document: dict[str, Any], operator: Any, supervisor: Any, loose: bool = False, **email: Any
) -> None:
    """File the document as an email built with these parts; every value reaches every place."""
    with rolled_back():
        outcome = accept_email(Robot("test"), build_report_email(document, **email))
        assert outcome.ok, outcome
        texts = read_everywhere(operator, supervisor, outcome.submission.report)
        check(document, texts, EVERYWHERE, loose=loose)


@run("email-json")
@given(document=sdm_documents(people=2, objects=2))
def test_an_email_with_the_sdm_json_keeps_every_value(document, operator, supervisor) -> None:
    email_keeps_every_value(document, operator, supervisor)


@run("email-text")
@given(document=sdm_documents(people=2, objects=2))
def test_an_email_with_only_the_text_rendering_keeps_every_value(
    document, operator, supervisor
) -> None:
    email_keeps_every_value(
        document, operator, supervisor,
        json_attachment=False, pdf=False, service_info=False, body=True,
    )  # fmt: skip


@run("email-pdf")
@given(document=sdm_documents(people=2, objects=1))
def test_an_email_with_only_the_pdf_rendering_keeps_every_value(
    document, operator, supervisor
) -> None:
    # The PDF's line wrapping may turn a space into a line break: compared with space folded.
    email_keeps_every_value(
        document, operator, supervisor, loose=True,
        json_attachment=False, pdf=True, service_info=False,
    )  # fmt: skip


# ----- the public form ------------------------------------------------------------------------

FORM_RISK = {
    "immediateDanger": "Anyone in immediate danger",
    "incidentStillHappening": "Still happening",
    "hadWeapon": "Weapon involved",
    "under18": "Victim under 18",
    "subjectedToHateCrime": "Hate crime",
    "physicallyAssaulted": "Physically assaulted",
    "subjectedToThreatAbuseOrAssault": "Threatened or assaulted",
    "childPresent": "Child present",
    "incidentInfluencedByDrugsOrAlcohol": "Drugs or alcohol involved",
}
ANSWER_WORDS = {"yes": "Yes", "no": "No", "unknown": "Not known"}


CONTACT_QUESTIONS = ("emailReceipt", "phoneSafe", "safeTimes", "othersMayRead")


def contact_expectations(answers: dict[str, Any]) -> list[str]:
    """The reporter's contact answers, as the warning every place shows them."""
    out = []
    if answers.get("emailReceipt") == "no":
        out.append("Do not email.")
    if answers.get("phoneSafe") == "no":
        out.append("Do not phone.")
    if answers.get("othersMayRead") == "yes":
        out.append("Someone else may read or hear messages.")
    if answers.get("safeTimes", "").strip():
        out.append(answers["safeTimes"].strip().rstrip("."))
    return out


def form_expectations(answers: dict[str, Any]) -> list[tuple[str, list[list[str]]]]:
    """What each answer must look like wherever it is shown, from the answers alone."""
    definition = load_definition()
    schemas = national_schemas()
    out: list[tuple[str, list[list[str]]]] = []
    for page in definition.applicable(answers):
        for question in page.questions:
            value = answers.get(question.name)
            if value in (None, "", []) or question.name in CONTACT_QUESTIONS:
                continue  # contact preferences: contact_expectations
            if question.name in ("incidentApproximateDate", "incidentApproximateTime"):
                continue  # check_time
            unknown_suspect = answers.get("suspectKnown") == "SKWN_0001"
            if question.slot == "suspect" and question.name != "suspectKnown" and unknown_suspect:
                continue  # "I don't know anything about them": no person to describe
            field = form_field(question, schemas, answers)
            choices = {k: html.unescape(str(v)) for k, v in getattr(field, "choices", [])}
            label = label_for(question.attribute)
            options: list[list[str]]
            if question.name in FORM_RISK:
                word = ANSWER_WORDS[value]
                options = [[f"{FORM_RISK[question.name]}: {word}"], [f"{label}: {word}"],
                           [f"{label}\n{word}"]]  # fmt: skip
                if question.name == "subjectedToThreatAbuseOrAssault" and value == "unknown":
                    options.append([f"{FORM_RISK[question.name]}: "])  # yes if hurt, else not known
            elif value in ("yes", "no") and set(choices) <= {"yes", "no", "unknown"}:
                word = ANSWER_WORDS[value]
                options = [
                    [f"{label}: {word}"], [f"{label}\n{word}"],
                    [f"{question.label}: {word}"], [f"{question.label}\n{word}"],
                ]  # fmt: skip
                if value == "yes":
                    options.append([label])  # a vulnerability, in words
            elif question.kind == "multichoice":
                options = [[", ".join(choices[v] for v in value)]]
            elif question.kind == "offence":
                options = [[value], [choices[value]]]  # the offence's short name is its key
            elif choices:
                options = [[choices[value]]]
            elif question.kind == "postcode":
                options = [[next(p for p in POSTCODES if p.replace(" ", "") ==
                                 value.replace(" ", "").upper())]]  # fmt: skip
            elif question.kind == "phone":
                options = [["+44" + value.replace(" ", "")[1:]]]
            elif question.kind == "vrm":
                options = [[value.replace(" ", "").upper()]]  # as the form checked it
            elif question.name == "victimDateOfBirth":
                day = dt.date.fromisoformat(value)
                options = [[value], [f"born {day.day} {day:%b %Y}"]]
            else:
                options = [[str(value)]]
            out.append((f"{page.id}.{question.name}={value!r}", options))
    return out


def walk_form(client: Client, answers: dict[str, Any]) -> Any:
    """Answer every page that applies through the real views, then send the report."""
    definition = load_definition()
    response = client.get("/report/")
    while response.status_code == 302 and "/report/check/" not in response["Location"]:
        url = response["Location"]
        if url == "/report/call-999/":  # told to call 999; carries on as a record
            response = client.post(url, {"choice": "called_999"})
            continue
        page = definition.page(url.rstrip("/").rsplit("/", 1)[-1])
        assert page is not None, url
        data = {q.name: answers.get(q.name, "") for q in page.questions}
        response = client.post(url, {k: v for k, v in data.items() if v != []})
        assert response.status_code == 302, (page.id, response.content.decode()[:3000])
    return client.post("/report/check/")


@run("web")
@given(answers=form_answers())
def test_the_public_form_keeps_every_answer(answers, operator, supervisor) -> None:
    with rolled_back():
        response = walk_form(Client(), answers)
        assert response.status_code == 302, response.content.decode()[:2000]
        report = Report.objects.get()
        texts = read_everywhere(operator, supervisor, report)
        for where, options in form_expectations(answers):
            for place, text in texts.items():
                assert any(all(lines(s) in text for s in option) for option in options), (
                    f"{where} not on the {place}: expected one of {options}\n"
                    f"text: {text[text.find('What happened') :][:4000]}"
                )
        for sentence in contact_expectations(answers):
            for place, text in texts.items():
                assert lines(sentence) in text, f"contact {sentence!r} not on the {place}"
        if answers.get("incidentApproximateDate"):
            when = {"incidentApproximateDate": answers["incidentApproximateDate"]}
            if answers.get("incidentApproximateTime"):
                when["incidentApproximateTime"] = answers["incidentApproximateTime"]
            check_time(when, texts)


# ----- the legacy system, as the robot wrote it ------------------------------------------------


@pytest.mark.browser
@run("sandbox")
@given(document=sdm_documents(people=2, objects=2))
def test_the_legacy_record_the_robot_writes_keeps_every_value(
    document, operator, supervisor, robot_env, targets_file
) -> None:
    from peel.robots.testing import run_robot_until_idle

    targets_file(only=("chs",))
    robot_env.reset()
    with rolled_back():
        response = Client().post(
            "/process", json.dumps(document), content_type="application/json",
            headers=api_client_headers(),
        )  # fmt: skip
        assert response.status_code in (200, 201, 202), response.content[:2000]
        assert file_pending() == 1
        texts = read_everywhere(operator, supervisor, Report.objects.get())
        run_robot_until_idle()
        [contact] = robot_env.state()["contacts"]
        written = contact["fields"]
        check(document, {"legacy record": lines("\n".join(written.values()))}, ("legacy record",))
        incident = document["data"]["attributes"]
        expected_time = ""
        if incident.get("incidentStartDateTime"):
            moment = dt.datetime.fromisoformat(
                incident["incidentStartDateTime"].replace("Z", "+00:00")
            )
            expected_time = f"{(moment.astimezone(LONDON) if moment.tzinfo else moment):%H:%M}"
        elif incident.get("incidentApproximateDate") and incident.get("incidentApproximateTime"):
            clock = read_clock(incident["incidentApproximateTime"])
            expected_time = f"{clock[0]:%H:%M}" if clock else ""
        assert written["occurred_time"] == expected_time, (written, incident)
        assert texts["outbound record"]  # the same decision the robot wrote
