"""Normalise and validate the identifiers POLE records carry (DOMAIN.md section 8.2).

Each `normalise_*` returns the canonical stored form or raises `InvalidIdentifier` with a message
a member of the public or an operator can act on.
"""

from __future__ import annotations

import re

import phonenumbers


class InvalidIdentifier(ValueError):
    pass


# Royal Mail structure rules; structural validity is not existence (that needs PAF).
_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]([0-9]|[ABEHMNPRV-Y])?|[0-9][A-HJKPSTUW])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def normalise_postcode(value: str) -> str:
    """'ls1 4ap' -> 'LS1 4AP'."""
    compact = re.sub(r"\s+", "", value).upper()
    if not _POSTCODE.match(compact):
        raise InvalidIdentifier(f"'{value}' is not a valid UK postcode, for example LS1 4AP.")
    return f"{compact[:-3]} {compact[-3:]}"


# DVLA format families; stored without spaces (POLE DS_065).
_VRM_FORMATS = {
    "current": re.compile(r"^[A-HJ-PR-Y]{2}(?!00|01|50)[0-9]{2}[A-HJ-PR-Z]{3}$"),
    "prefix": re.compile(r"^[A-HJ-NPR-Y](?!0)[0-9]{1,3}[A-HJ-PR-Y]{3}$"),
    "suffix": re.compile(r"^[A-HJ-PR-Y]{3}(?!0)[0-9]{1,3}[A-HJ-NPR-Y]$"),
    "dateless": re.compile(r"^(?=.{2,6}$)([0-9]{1,4}[A-Z]{1,3}|[A-Z]{1,3}[0-9]{1,4})$"),
}


def vrm_format(value: str) -> str | None:
    compact = re.sub(r"\s+", "", value).upper()
    for name, pattern in _VRM_FORMATS.items():
        if pattern.match(compact):
            return name
    return None


def normalise_vrm(value: str) -> str:
    """'ab12 cde' -> 'AB12CDE'."""
    compact = re.sub(r"\s+", "", value).upper()
    if vrm_format(compact) is None:
        raise InvalidIdentifier(
            f"'{value}' is not a UK vehicle registration, for example AB12 CDE."
        )
    return compact


# UK national significant numbers: 10 digits (9 for a few 01 areas), never starting 0, 4 or 6.
_UK_NSN = re.compile(r"^(1\d{8,9}|[235789]\d{9})$")


def normalise_phone(value: str, region: str = "GB") -> str:
    """Any UK or international number, as people write it -> E.164, '+441134960000' (POLE DS_053).

    '07911 654321', '+44 7911 654321', '(020) 7946 0018', '0044 20 7946 0018' and
    '+44 (0)20 7946 0018' are all accepted. A UK number is checked against the national numbering
    plan's shape, not the library's list of allocated ranges: ranges are allocated faster than
    any list is updated, and a reporter's real number must never be refused.
    """
    cleaned = re.sub(r"\(0\)", "", value.strip())  # '+44 (0)20 ...': the trunk 0 is not dialled
    cleaned = re.sub(r"^00", "+", re.sub(r"[\s().\-/]", "", cleaned))
    if not cleaned or not re.fullmatch(r"\+?[0-9]+", cleaned):
        raise InvalidIdentifier(
            f"Enter a phone number using only numbers, spaces and + ( ) -, like 07700 900982 "
            f"or +44 113 496 0000 ('{value}' has other characters)."
        )
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentifier(
            f"Enter a phone number, like 07700 900982 or +44 113 496 0000 ('{value}' is not one)."
        ) from exc
    national = str(number.national_number)
    if number.country_code == 44:
        if not _UK_NSN.match(national):
            raise InvalidIdentifier(
                f"Enter a UK phone number with 11 digits, like 07700 900982 or 0113 496 0000 "
                f"('{value}' is not one)."
            )
    elif not phonenumbers.is_possible_number(number):
        raise InvalidIdentifier(
            f"Enter a phone number, like 07700 900982 or, from abroad, +33 1 23 45 67 89 "
            f"('{value}' is not a possible number)."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_PNC_ALPHABET = "ZABCDEFGHJKLMNPQRTUVWXY"  # modulus 23; I, O and S are never used
_PNC = re.compile(r"^(\d{2}|\d{4})/(\d{1,7})([A-Z])$")


def normalise_pnc_id(value: str, current_year: int) -> str:
    """'79/163001B' -> '1979/0163001B', checking the modulus-23 check character."""
    match = _PNC.match(value.strip().upper())
    if not match:
        raise InvalidIdentifier(f"'{value}' is not a PNC ID, for example 2002/0073319Z.")
    year, serial, check = match.groups()
    if len(year) == 2:
        century = 2000 if int(year) <= current_year % 100 else 1900
        year = str(century + int(year))
    serial = serial.zfill(7)
    expected = _PNC_ALPHABET[int(year[2:] + serial) % 23]
    if check != expected:
        raise InvalidIdentifier(f"'{value}' has the wrong check character for a PNC ID.")
    return f"{year}/{serial}{check}"
