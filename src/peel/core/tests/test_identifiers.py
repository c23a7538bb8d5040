import pytest

from peel.core.identifiers import (
    InvalidIdentifier,
    normalise_phone,
    normalise_pnc_id,
    normalise_postcode,
    normalise_vrm,
    vrm_format,
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("ls1 4ap", "LS1 4AP"),
        ("BD11AA", "BD1 1AA"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_postcodes_are_stored_in_canonical_form(raw: str, canonical: str) -> None:
    assert normalise_postcode(raw) == canonical


@pytest.mark.parametrize("raw", ["QA1 1AA", "LS1 4CI", "12345", "LS1", ""])
def test_invalid_postcodes_are_refused_with_a_reason(raw: str) -> None:
    with pytest.raises(InvalidIdentifier, match="not a valid UK postcode"):
        normalise_postcode(raw)


@pytest.mark.parametrize(
    ("raw", "family"),
    [
        ("AB12 CDE", "current"),
        ("A123 BCD", "prefix"),
        ("ABC 123D", "suffix"),
        ("1234 AB", "dateless"),
    ],
)
def test_vrm_families_are_recognised(raw: str, family: str) -> None:
    assert vrm_format(raw) == family
    assert " " not in normalise_vrm(raw)


@pytest.mark.parametrize("raw", ["AB00 CDE", "AB50CDE", "IQ12 ABC", "HELLO WORLD"])
def test_impossible_registrations_are_refused(raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        normalise_vrm(raw)


def test_phone_numbers_are_stored_in_e164() -> None:
    assert normalise_phone("0113 496 0000") == "+441134960000"
    assert normalise_phone("07912 345678") == "+447912345678"
    with pytest.raises(InvalidIdentifier):
        normalise_phone("12")


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("07911 654321", "+447911654321"),
        ("07911654321", "+447911654321"),
        ("07911-654-321", "+447911654321"),
        ("07911.654.321", "+447911654321"),
        ("+44 7911 654321", "+447911654321"),
        ("+447911654321", "+447911654321"),
        ("+44 (0)7911 654321", "+447911654321"),
        ("+44(0)7911 654321", "+447911654321"),
        ("0044 7911 654321", "+447911654321"),
        ("0044 (0)7911 654321", "+447911654321"),
        ("447911654321", "+447911654321"),
        (" 07700 900982 ", "+447700900982"),  # Ofcom's range for fiction: unallocated, well formed
        ("(020) 7946 0018", "+442079460018"),
        ("020 7946 0018", "+442079460018"),
        ("0044 20 7946 0018", "+442079460018"),
        ("+44 (0) 20 7946 0018", "+442079460018"),
        ("0113 496 0000", "+441134960000"),
        ("(0113) 496 0000", "+441134960000"),
        ("0161 496 0000", "+441614960000"),
        ("01632 960001", "+441632960001"),
        ("016977 4567", "+44169774567"),  # a nine-digit Brampton number
        ("0800 123 4567", "+448001234567"),
        ("0300 123 4567", "+443001234567"),
        ("+33 1 23 45 67 89", "+33123456789"),
        ("+1 202 555 0143", "+12025550143"),
    ],
)
def test_phone_numbers_in_any_uk_format_are_accepted_and_normalised(
    written: str, e164: str
) -> None:
    assert normalise_phone(written) == e164


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("12", "11 digits"),
        ("999", "11 digits"),
        ("07911 65432", "11 digits"),  # a digit short
        ("0791165432109", "11 digits"),  # two too many
        ("04911 654321", "11 digits"),  # 04 is not used in the UK
        ("call me", "only numbers"),
        ("07911 654321 ext 2", "only numbers"),
        ("", "only numbers"),
    ],
)
def test_a_phone_number_that_cannot_be_one_is_refused_saying_what_to_enter(
    written: str, says: str
) -> None:
    with pytest.raises(InvalidIdentifier, match=says) as refused:
        normalise_phone(written)
    assert str(refused.value).startswith("Enter a")


@pytest.mark.parametrize(
    "pnc", ["1979/0163001B", "2002/0073319Z", "2008/0056560Z", "1981/0154257C", "2001/0171310W"]
)
def test_pnc_ids_pass_the_modulus_23_check(pnc: str) -> None:
    assert normalise_pnc_id(pnc, current_year=2026) == pnc


def test_short_pnc_ids_expand_and_wrong_check_characters_fail() -> None:
    assert normalise_pnc_id("79/163001B", current_year=2026) == "1979/0163001B"
    with pytest.raises(InvalidIdentifier, match="check character"):
        normalise_pnc_id("2001/0171310S", current_year=2026)
