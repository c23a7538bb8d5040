"""The public online crime report as pages of questions, from a versioned definition.

The definition (`formdefs/online-crime-report.toml`) says what to ask; the national schema of each
question's target says what an answer may be (type, length, value list), so every field here is
built from the Standard Data Model. Pages whose `show_if` does not hold are skipped, so people
see only the questions that apply; everything works without JavaScript. The answers become the
same SDM document the national hub sends (`build_document`), filed by the same path.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django import forms
from django.utils import timezone

from peel.core.identifiers import (
    InvalidIdentifier,
    normalise_phone,
    normalise_postcode,
    normalise_vrm,
)
from peel.sdm.builder import SdmBuilder
from peel.sdm.destinations import OTHER, fact_destination
from peel.sdm.document import SCHEMA_BY_KIND, entity_kind
from peel.sdm.schemas import NATIONAL_DIR, SchemaSet, national_schemas

DEFINITION = Path(__file__).parent / "formdefs" / "online-crime-report.toml"
YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_UNKNOWN = [*YES_NO, ("unknown", "I don't know")]
OFFENCES = [
    ("Theft", "Theft"), ("Burglary", "Burglary (someone entered a building)"),
    ("Vehicle crime", "Vehicle crime"), ("Bicycle theft", "Bicycle theft"),
    ("Criminal damage", "Criminal damage"), ("Violence", "Assault or violence"),
    ("Harassment", "Harassment or threats"), ("Fraud", "Fraud"), ("Other", "Something else"),
]  # fmt: skip
NORMALISERS: dict[str, Callable[[str], str]] = {
    "postcode": normalise_postcode,
    "phone": normalise_phone,
    "vrm": normalise_vrm,
}

# What to do when an identifier is not one (the phone's own message already says what to enter).
HOW_TO_WRITE = {
    "postcode": "Enter a real postcode, like LS1 4AP, or leave it empty if you do not know it",
    "vrm": "Enter a registration number in the correct format, like AB12 CDE",
}


@dataclass(frozen=True)
class Question:
    name: str
    label: str
    target: str  # "slot.attribute", or "fact.name" for answers the SDM has no field for
    kind: str = ""
    required: bool = False
    hint: str = ""
    soh: str = ""  # the national form's field name (SDM simplified mapping)
    list: str = ""  # a value list under common/cvmapping/, for answers that are not one attribute
    error: str = ""  # what to do when it is left unanswered; derived from the label if not given

    @property
    def slot(self) -> str:
        return self.target.split(".", 1)[0]

    @property
    def attribute(self) -> str:
        return self.target.split(".", 1)[1]


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    questions: tuple[Question, ...]
    show_if: dict[str, Any] = field(default_factory=dict)
    # Answers that stop the form on the call-999 page: any one rule whose answers all match.
    stop_if: tuple[dict[str, str], ...] = ()

    def stops(self, answers: dict[str, Any]) -> bool:
        return any(all(answers.get(q) == a for q, a in rule.items()) for rule in self.stop_if)

    def applies(self, answers: dict[str, Any]) -> bool:
        if not self.show_if:
            return True
        answer = answers.get(self.show_if["question"])
        chosen = set(answer) if isinstance(answer, list) else {answer}
        if "in" in self.show_if:
            return answer in self.show_if["in"]
        if "contains" in self.show_if:
            return self.show_if["contains"] in chosen
        return bool(chosen & set(self.show_if.get("contains_any", [])))


@dataclass(frozen=True)
class FormDefinition:
    name: str
    version: str
    pages: tuple[Page, ...]

    def page(self, page_id: str) -> Page | None:
        return next((p for p in self.pages if p.id == page_id), None)

    def applicable(self, answers: dict[str, Any]) -> list[Page]:
        return [p for p in self.pages if p.applies(answers)]

    def next_page(self, after: Page, answers: dict[str, Any]) -> Page | None:
        pages = self.applicable(answers)
        later = pages[pages.index(after) + 1 :] if after in pages else pages
        return later[0] if later else None

    def danger(self, answers: dict[str, Any]) -> Page | None:
        """The page whose answers say someone needs help now, if any does."""
        return next((p for p in self.applicable(answers) if p.stops(answers)), None)

    def previous_page(self, before: Page, answers: dict[str, Any]) -> Page | None:
        pages = self.applicable(answers)
        earlier = pages[: pages.index(before)] if before in pages else []
        return earlier[-1] if earlier else None


@cache
def load_definition(path: Path = DEFINITION) -> FormDefinition:
    data = tomllib.loads(path.read_text())
    pages = tuple(
        Page(
            id=page["id"],
            title=page["title"],
            questions=tuple(Question(**q) for q in page.get("question", [])),
            show_if=page.get("show_if", {}),
            stop_if=tuple(page.get("stop_if", [])),
        )
        for page in data["page"]
    )
    return FormDefinition(data["name"], data["version"], pages)


# Where each slot's answers go: (POLE, kind, link reasons from its parent, parent slot).
# The reporter's kind and links, the victim and the suspect's link depend on earlier answers.
STATIC_SLOTS = {
    "reporterEmail": ("object", "emailAddress", ("personalEmail",), "reporter"),
    "reporterPhone": ("object", "phoneNumber", ("personalTelephone",), "reporter"),
    "location": ("location", "incidentLocation", ("incidentLocation",), "incident"),
    "stolenMobile": ("object", "mobile", ("stolen",), "incident"),
    "stolenBicycle": ("object", "bicycle", ("stolen",), "incident"),
    "stolenVehicle": ("object", "vehicle", ("stolen",), "incident"),
    "stolenBankCard": ("object", "bankCard", ("stolen",), "incident"),
    "stolenOther": ("object", "property", ("stolen",), "incident"),
    "damagedProperty": ("object", "property", ("damaged",), "incident"),
    "damagedVehicle": ("object", "vehicle", ("damaged",), "incident"),
    "evidence": ("object", "evidence", ("incidentEvidence",), "incident"),
    "witness": ("person", "witness", ("witness",), "incident"),
    "witnessPhone": ("object", "phoneNumber", ("personalTelephone",), "witness"),
}


def slot_spec(slot: str, answers: dict[str, Any]) -> tuple[str, str, tuple[str, ...], str]:
    involvement = answers.get("howInvolvedInCrime")
    if slot == "reporter" or (slot == "victim" and involvement == "IVLD_0001"):
        role = {"IVLD_0001": "victim", "IVLD_0002": "witness"}.get(str(involvement), "")
        return (
            "person",
            role or "personReporting",
            ("personReporting",) + ((role,) if role else ()),
            "incident",
        )
    if slot == "victim":
        return ("person", "victim", ("victim",), "incident")
    if slot == "suspect":
        link = "knownSuspect" if answers.get("suspectKnown") == "SKWN_0003" else "unknownSuspect"
        return ("person", "suspect", (link,), "incident")
    return STATIC_SLOTS[slot]


def schema_path(question: Question, answers: dict[str, Any]) -> str:
    if question.slot in ("incident", "submission"):
        return SCHEMA_BY_KIND[question.slot]
    pole, kind, _links, _parent = slot_spec(question.slot, answers)
    return SCHEMA_BY_KIND[entity_kind(f"{pole}.{kind}.1", pole)]


def value_list_csv(name: str) -> list[tuple[str, str]]:
    path = NATIONAL_DIR / "common" / "cvmapping" / f"{name}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            (row["Identifier"], html.unescape(row["Value_English"]))
            for row in csv.DictReader(handle)
            if not row.get("Deprecated")
        ]


def form_field(question: Question, schemas: SchemaSet, answers: dict[str, Any]) -> forms.Field:
    """A Django field for one question, shaped by the national schema of its target."""
    common: dict[str, Any] = {
        "label": question.label,
        "required": question.required,
        "help_text": question.hint,
    }
    if question.error:
        common["error_messages"] = {"required": question.error}
    if question.kind in ("yes_no", "yes_no_unknown"):
        choices = YES_NO if question.kind == "yes_no" else YES_NO_UNKNOWN
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if question.kind == "offence":
        return forms.ChoiceField(choices=[("", "Choose the closest"), *OFFENCES], **common)
    if question.kind == "multichoice":
        return forms.MultipleChoiceField(
            choices=value_list_csv(question.list), widget=forms.CheckboxSelectMultiple, **common
        )
    if question.kind == "email":
        return forms.EmailField(max_length=120, **common)
    if question.kind == "phone":  # a phone keypad on mobiles; any UK format is accepted
        tel = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
        return forms.CharField(max_length=35, widget=tel, **common)
    if question.slot == "fact":  # Peel's own question, with no national schema to shape it
        return forms.CharField(max_length=200, **common)
    path = schema_path(question, answers)
    codes = schemas.value_list(path, question.attribute)
    if codes:
        choices = [(code, html.unescape(text)) for code, text in codes.items()]
        if len(choices) <= 8:
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        return forms.ChoiceField(choices=[("", "Choose one"), *choices], **common)
    node = next(iter(schemas._property_schemas(path, question.attribute)), {})
    if node.get("type") == "boolean":
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    if node.get("format") == "date":
        common["error_messages"] = {
            "invalid": "Enter a real date, for example 27/03/2026",
            **common.get("error_messages", {}),
        }
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    max_length = node.get("maxLength") or (35 if node.get("type") == "array" else 4000)
    widget = forms.Textarea(attrs={"rows": 5}) if question.kind == "textarea" else None
    return forms.CharField(max_length=max_length, widget=widget, **common)


class PageForm(forms.Form):
    # A field people never see or fill (hidden by CSS, skipped by keyboard and screen readers).
    website = forms.CharField(
        required=False, label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )  # fmt: skip

    def __init__(self, page: Page, answers: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page = page
        schemas = national_schemas()
        for question in page.questions:
            self.fields[question.name] = form_field(question, schemas, answers)
            if question.name in answers:
                self.initial[question.name] = answers[question.name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for question in self.page.questions:
            value = data.get(question.name)
            if question.kind in NORMALISERS and value:
                try:
                    data[question.name] = NORMALISERS[question.kind](value)
                except InvalidIdentifier as exc:
                    self.add_error(question.name, HOW_TO_WRITE.get(question.kind, str(exc)))
            if isinstance(value, dt.date) and value > timezone.localdate():
                self.add_error(question.name, "The date must be today or in the past")
        return data

    def answers(self) -> dict[str, Any]:
        """This page's answers as stored in the session: strings, lists, ISO dates."""
        out: dict[str, Any] = {}
        for question in self.page.questions:
            value = self.cleaned_data.get(question.name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            out[question.name] = value if value not in (None, "") else ""
        return out


def display_answer(question: Question, value: Any) -> str:
    """How an answer reads on the check-your-answers page."""
    if value in ("", None, []):
        return "Not given"
    form = PageForm(Page("x", "x", (question,)), {})
    choices = dict(getattr(form.fields[question.name], "choices", []))
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value)
    return str(choices.get(value, value))


def fact_information(definition: FormDefinition, answers: dict[str, Any]) -> list[dict[str, str]]:
    """Answers with no SDM attribute whose destination is other information, in words."""
    out = []
    for page in definition.applicable(answers):
        for question in page.questions:
            destination = fact_destination(question.attribute) if question.slot == "fact" else None
            if destination is None or destination.canonical or destination.where != OTHER:
                continue
            if answers.get(question.name) in (None, "", []):
                continue
            value = display_answer(question, answers[question.name])
            out.append({"section": page.title, "label": question.label, "value": value})
    return out


def build_document(
    definition: FormDefinition, answers: dict[str, Any], submission_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The SDM document for these answers, and the answers the SDM has no field for."""
    schemas = national_schemas()
    doc = SdmBuilder(submission_id)
    doc.submission.update(
        {
            "externalReferenceId": f"Peel {definition.name} {definition.version}",
            "howInvolvedInCrime": answers.get("howInvolvedInCrime"),
        }
    )
    facts: dict[str, Any] = {}
    values: dict[str, dict[str, Any]] = {}
    for page in definition.applicable(answers):
        for question in page.questions:
            value = answers.get(question.name)
            if value in (None, "", [], "unknown"):
                continue
            if question.slot == "fact":
                facts[question.attribute] = (
                    {"yes": True, "no": False}.get(value, value)
                    if isinstance(value, str)
                    else value
                )
                continue
            values.setdefault(question.slot, {})[question.attribute] = _sdm_value(
                schemas, schema_path(question, answers), question.attribute, value
            )
    if answers.get("suspectKnown") == "SKWN_0001":
        values.pop("suspect", None)  # "I don't know anything about them": no person to record
    doc.incident.update({k: v for k, v in values.pop("incident", {}).items()})
    ids = {"incident": doc.incident_id}
    for slot in _ordered_slots(values, answers):
        pole, kind, links, parent = slot_spec(slot, answers)
        if slot == "victim" and answers.get("howInvolvedInCrime") == "IVLD_0001":
            doc.attributes(ids["reporter"]).update(values[slot])  # the reporter is the victim
            continue
        ids[slot] = doc.add(pole, kind, values[slot])
        for reason in links:
            doc.link(ids.get(parent, doc.incident_id), reason, ids[slot])
    return doc.as_dict(), facts


def _ordered_slots(values: dict[str, Any], answers: dict[str, Any]) -> list[str]:
    """Parents before children; the reporter first (the victim may be the reporter)."""
    order = ["reporter", "victim", "witness"]
    slots = [s for s in order if s in values] + [s for s in values if s not in order]
    return [s for s in slots if slot_spec(s, answers)[3] in ("incident", *slots)]


def _sdm_value(schemas: SchemaSet, path: str, attribute: str, value: Any) -> Any:
    kind = schemas.property_type(path, attribute)
    if kind == "boolean":
        return value == "yes"
    if kind == "array":
        return str(value).split()
    return value
