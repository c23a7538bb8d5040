import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from peel.review.reference import (
    ReferenceDataError,
    incident_codes,
    offences,
    parse_incident_codes,
    parse_offences,
    search_offences,
    suggest_category,
    suggest_offence,
)

HEADER = "code,description,group,subgroup,police_uk_category,recordable,keywords\n"


def test_the_shipped_tables_load() -> None:
    assert len(offences()) == 128
    assert not offences()["28A"].recordable  # outcome only
    assert incident_codes().categories["502"].opening is False
    assert "DA" in incident_codes().qualifiers


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("bike", "44"),
        ("burg att", "28F"),
        ("car keyed", "58C"),
        ("58J", "58J"),
        ("shoplifting", "46"),
    ],
)
def test_offences_are_found_by_words(query: str, first: str) -> None:
    assert search_offences(query)[0].code == first


def test_suggestions_only_when_one_offence_is_clearly_meant() -> None:
    offence = suggest_offence("Bicycle theft")
    assert offence is not None and offence.code == "44"
    category = suggest_category(offence)
    assert category is not None and category.code == "108"
    assert suggest_offence("Theft") is None  # nine kinds of theft: the operator chooses
    assert suggest_offence("Vehicle crime") is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (HEADER + "99Z9,Thing,G,S,C,yes,\n", "line 2: '99Z9' is not an offence code"),
        (
            HEADER + "49,Other theft,G,S,C,yes,\n49,Again,G,S,C,yes,\n",
            "line 3: offence 49 is listed twice",
        ),
        (HEADER + "49,Other theft,G,S,C,maybe,\n", "recordable must be yes or no"),
        ("code,description\n49,x\n", "missing column(s) group"),
    ],
)
def test_a_bad_offence_table_is_named(text: str, problem: str) -> None:
    with pytest.raises(ReferenceDataError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        parse_offences(text, "force.csv")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[category]]\ncode = "12"\nlabel = "x"\n', "category 1: code '12' is not three digits"),
        ('[[category]]\ncode = "101"\n', "code 101 has no label"),
        ('[[category]]\ncode = "101"\nlabel = "x"\n[[qualifier]]\ncode = "DA"\n', "qualifier 1"),
        ("version = ", "not valid TOML"),
    ],
)
def test_bad_incident_codes_are_named(text: str, problem: str) -> None:
    with pytest.raises(ReferenceDataError, match=problem):
        parse_incident_codes(text, "force.toml")


def test_peel_check_fails_on_a_bad_force_file(settings, tmp_path) -> None:
    bad = tmp_path / "codes.toml"
    bad.write_text('[[category]]\ncode = "1"\nlabel = "x"\n')
    settings.PEEL = {**settings.PEEL, "INCIDENT_CODES": str(bad)}
    try:
        with pytest.raises(SystemCheckError, match="not three digits"):
            call_command("check")
    finally:
        incident_codes.cache_clear()
