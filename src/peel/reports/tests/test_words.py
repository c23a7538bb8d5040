"""A report in words (display.py) and the reporter's contact preference in words (contact.py):
what operators, legacy records and robots read."""

from __future__ import annotations

import datetime as dt

import pytest

from peel.process.testing import file_report
from peel.reports.choices import Role
from peel.reports.contact import (
    contact_panel,
    contact_sentences,
    contact_summary,
    email_withheld_reason,
)
from peel.reports.display import (
    items_text,
    occurred_line,
    other_text,
    people_text,
    report_details,
    words,
    yes_no,
)
from peel.reports.drafts import ItemDraft, PersonDraft
from peel.reports.models import ContactPreference

pytestmark = pytest.mark.django_db


def test_three_answers_stay_three() -> None:
    assert [yes_no(True), yes_no(False), yes_no(None)] == ["Yes", "No", "Not known"]


def test_sdm_names_read_as_words() -> None:
    assert words("weaponUsed") == "Weapon used"
    assert words("bankCard") == "Bank card"
    assert words("") == ""


def test_a_day_without_a_time_is_never_given_one() -> None:
    report = file_report(
        occurred_from=dt.datetime(2026, 7, 14, 0, 0, tzinfo=dt.UTC),
        occurred_given={"incidentDate": "2026-07-14"}, occurred_precision="date",
    )  # fmt: skip
    line = occurred_line(report)
    assert line == "Tue 14 Jul 2026 (no time given) (the reporter said: 2026-07-14)"
    assert "01:00" not in line and "00:00" not in line


def test_a_time_is_shown_in_london_beside_the_reporters_words() -> None:
    report = file_report(
        occurred_from=dt.datetime(2026, 7, 14, 21, 0, tzinfo=dt.UTC),
        occurred_to=dt.datetime(2026, 7, 14, 22, 30, tzinfo=dt.UTC),
        occurred_given={"incidentDate": "2026-07-14", "incidentTime": "10pm"},
        occurred_precision="range",
    )  # fmt: skip
    assert occurred_line(report) == (
        "Tue 14 Jul 2026 22:00 to 23:30 (the reporter said: 2026-07-14, 10pm)"
    )


def test_people_items_and_other_information_read_as_lines() -> None:
    report = file_report(
        people=[
            PersonDraft(
                roles=[Role.VICTIM], given_name="Amira", family_name="Khan",
                date_of_birth=dt.date(1990, 2, 3), email="amira@example.org",
                vulnerabilities=["riskOfSelfHarm"],
            )
        ],
        items=[ItemDraft("mobile", "stolen", "Black phone", {"IMEI": "3567"}, "200")],
        other_information=[{"section": "Phone", "label": "Case", "value": "Red"}],
    )  # fmt: skip
    assert people_text(report) == (
        "Victim: Amira Khan · born 1990-02-03 · amira@example.org · "
        "vulnerability: Risk of self harm"
    )
    assert items_text(report) == "Stolen: mobile: Black phone · IMEI 3567 · value 200"
    assert other_text(report) == "Phone: Case: Red"


def test_the_details_for_a_downstream_record_leave_out_the_reporters_description() -> None:
    report = file_report(description="Only the reporter's words", offence_hint="Bicycle theft")
    details = report_details(report)
    assert "Only the reporter's words" not in details
    assert "What the reporter says it was: Bicycle theft" in details
    assert "Anyone in immediate danger: No" in details
    assert "People:\nPerson reporting: Amira Khan" in details


@pytest.mark.parametrize(
    ("answers", "sentences"),
    [
        ({}, []),
        (
            {"email_ok": False, "phone_ok": True, "safe_times": "Weekdays 9am to 5pm.",
             "others_may_read": True},
            ["Do not email.", "Someone else may read or hear messages.",
             "Safe to phone: Weekdays 9am to 5pm."],
        ),
        ({"email_ok": True, "post_ok": True}, ["Safe to email.", "Safe to write by post."]),
        (
            {"email_ok": True, "phone_ok": False, "post_ok": False, "safe_times": "evenings"},
            ["Do not phone.", "Safe to email.", "Safe times to call: evenings.",
             "Do not write by post."],
        ),
    ],
)  # fmt: skip
def test_contact_preferences_in_words(answers: dict[str, object], sentences: list[str]) -> None:
    assert contact_sentences(ContactPreference(**answers)) == sentences


def test_only_an_explicit_no_withholds_email_and_the_panel_warns() -> None:
    unsaid = file_report()
    assert email_withheld_reason(unsaid) == ""
    assert contact_panel(unsaid) == {"summary": "", "restricted": False, "not_stated": True}
    unsafe = file_report(contact_email=False, contact_others_may_read=True)
    assert email_withheld_reason(unsafe) == "The reporter said it is not safe to email them."
    assert contact_summary(unsafe) == "Do not email. Someone else may read or hear messages."
    assert contact_panel(unsafe)["restricted"] is True
