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


def normalise_phone(value: str, region: str = "GB") -> str:
    """Any UK or international number -> E.164, '+441134960000' (POLE DS_053)."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentifier(f"'{value}' is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier(f"'{value}' is not a valid phone number.")
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
