"""A canonical report in words, for every screen and record a person reads.

Times are shown in Europe/London (the site's time zone) with the reporter's own words beside
them, and never with a time of day the reporter did not give. Codes and SDM names are shown as
words: link reasons, item kinds and vulnerability questions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peel.core.text import label_for
from peel.reports.choices import OccurredPrecision
from peel.reports.models import Report

WITHOUT_TIME = (OccurredPrecision.DATE,)


def has_time_of_day(report: Report) -> bool:
    """False when the reporter gave a day but no time: no time may be shown or written."""
    return report.occurred_from is not None and report.occurred_precision not in WITHOUT_TIME


def occurred_as_given(report: Report) -> str:
    """The reporter's own values, verbatim, in the order the form asks them."""
    given = report.occurred_given or {}
    return ", ".join(str(v) for v in given.values() if v not in (None, ""))


def occurred_derived(report: Report) -> str:
    """What Peel derived, in Europe/London: "Tue 14 Jul 2026 22:00", a range, or the day only."""
    if report.occurred_from is None:
        return ""
    start = timezone.localtime(report.occurred_from)
    if not has_time_of_day(report):
        return f"{start:%a} {start.day} {start:%b %Y} (no time given)"
    text = f"{start:%a} {start.day} {start:%b %Y %H:%M}"
    if report.occurred_to is not None:
        end = timezone.localtime(report.occurred_to)
        same_day = end.date() == start.date()
        text += f" to {end:%H:%M}" if same_day else f" to {end:%a} {end.day} {end:%b %Y %H:%M}"
    return text


def occurred_line(report: Report) -> str:
    """Both together, for records: "Tue 14 Jul 2026 22:00 (the reporter said: 2026-07-14, 10pm)"."""
    derived, given = occurred_derived(report), occurred_as_given(report)
    if given:
        return (
            f"{derived} (the reporter said: {given})" if derived else f"The reporter said: {given}"
        )
    return derived


def other_sections(report: Report) -> list[tuple[str, list[tuple[str, str]]]]:
    """Other information grouped by section, in the order it was given."""
    sections: dict[str, list[tuple[str, str]]] = {}
    for entry in report.other_information or []:
        sections.setdefault(str(entry["section"]), []).append(
            (str(entry["label"]), str(entry["value"]))
        )
    return list(sections.items())


def other_text(report: Report) -> str:
    """Other information as plain text, one "Section: label: value" line each."""
    return "\n".join(
        f"{section}: {label}: {value}"
        for section, entries in other_sections(report)
        for label, value in entries
    )


def items_text(report: Report) -> str:
    """Each item on one line, as the review screen lists it: "Stolen: bicycle: Raleigh"."""
    lines = []
    for item in report.items.order_by("id"):
        parts = [f"{words(item.link_reason)}: {words(item.kind).lower()}"]
        if item.description:
            parts[0] += f": {item.description}"
        parts += [f"{words(k)} {v}" for k, v in item.identifiers.items()]
        if item.value:
            parts.append(f"value {item.value}")
        lines.append(" · ".join(parts))
    return "\n".join(lines)


RISK_ANSWERS = (
    ("immediate_danger", "Anyone in immediate danger"),
    ("still_happening", "Still happening"),
    ("weapon_involved", "Weapon involved"),
    ("threat_or_assault", "Threatened or assaulted"),
    ("physically_assaulted", "Physically assaulted"),
    ("victim_under_18", "Victim under 18"),
    ("victim_vulnerable", "Victim vulnerable"),
    ("hate_crime", "Hate crime"),
    ("child_present", "Child present"),
    ("drugs_or_alcohol", "Drugs or alcohol involved"),
)


def yes_no(value: bool | None) -> str:
    """All three answers: Yes, No, and Not known (never "No" for "don't know")."""
    return "Not known" if value is None else ("Yes" if value else "No")


def people_text(report: Report) -> str:
    lines = []
    for link in report.involvements.select_related("person").order_by("id"):
        person = link.person
        parts = [f"{link.get_role_display()}: {person}"]
        if person.date_of_birth:
            parts.append(f"born {person.date_of_birth:%Y-%m-%d}")
        parts += [v for v in (person.email, person.phone, person.description) if v]
        if person.vulnerabilities:
            parts.append("vulnerability: " + ", ".join(vulnerability_words(person.vulnerabilities)))
        lines.append(" · ".join(parts))
    return "\n".join(lines)


def report_details(report: Report) -> str:
    """Everything but the reporter's description, as plain text, for a record a person reads
    downstream (the robots' `details`)."""
    blocks = []
    when = occurred_line(report)
    if when:
        blocks.append(f"When: {when}")
    facts = [
        ("What the reporter says it was", report.offence_hint),
        ("National category", report.category),
        ("Reporter's reference", report.customer_reference),
        ("High harm", "" if report.high_harm is None else yes_no(report.high_harm)),
        ("About the place", report.location.description if report.location else ""),
    ]
    blocks.append(
        "".join(f"{label}: {value}\n" for label, value in facts if value)
        + f"How the reporter is involved: {report.get_how_involved_display()}\n"
        f"Do they know who did it: {report.get_suspect_known_display()}\n"
        + "\n".join(f"{label}: {yes_no(getattr(report, name))}" for name, label in RISK_ANSWERS)
    )
    for title, text in (
        ("People", people_text(report)),
        ("Property", items_text(report)),
        ("Other information from the reporter", other_text(report)),
    ):
        if text:
            blocks.append(f"{title}:\n{text}")
    return "\n\n".join(blocks)


def words(name: str) -> str:
    """An SDM name in words: `weaponUsed` -> "Weapon used", `bankCard` -> "Bank card"."""
    return label_for(name) if name else ""


def vulnerability_words(names: list[Any]) -> list[str]:
    return [words(str(n)) for n in names]


def local_date(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}" if moment else ""
