"""The individual identification number (IIN) that identifies every attestee and heads Annex 5.

Layout: YYMMDD birth date, one digit for century and sex, a four-digit serial, one check digit.
The check digit is a weighted sum mod 11 with weights 1..11; a result of 10 is recomputed with
weights 3..11, 1, 2, and a second 10 means no such IIN is ever issued.

Note what the check cannot see: the eleventh digit has weight 11, which is 0 mod 11, so a typo in
that serial digit keeps the first-pass sum and usually yields another valid IIN. The parse
therefore includes the serial, so that any single changed digit either invalidates the number or
changes what it says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_WEIGHTS_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")  # not str.isdigit(), which accepts non-ASCII digits
# Digit 7: (century start, sex).
_CENTURY_SEX = {
    "1": (1800, "male"),
    "2": (1800, "female"),
    "3": (1900, "male"),
    "4": (1900, "female"),
    "5": (2000, "male"),
    "6": (2000, "female"),
}
_CENTURY_DIGIT = {value: digit for digit, value in _CENTURY_SEX.items()}

_MESSAGES = {
    "not_12_digits": "an IIN is exactly 12 digits 0-9, with no spaces or other characters",
    "bad_century_digit": "the 7th digit of an IIN (century and sex) must be 1 to 6",
    "bad_birth_date": "the first 6 digits of an IIN (YYMMDD) are not a real date",
    "bad_check_digit": "the check digit (12th) of the IIN does not match the other digits",
}


class InvalidIin(ValueError):
    """A rejected IIN; ``code`` is stable for translation, the message is English."""

    def __init__(self, code: str) -> None:
        super().__init__(_MESSAGES[code])
        self.code = code


@dataclass(frozen=True)
class IinInfo:
    birth_date: date
    sex: str  # "male" | "female"
    serial: str  # digits 8-11, kept so that every digit but the check digit shows in the parse


def check_digit(first_eleven: str) -> int | None:
    """The twelfth digit for these eleven, or None when both passes give 10 (never issued)."""
    digits = [int(c) for c in first_eleven]
    for weights in (_WEIGHTS_FIRST, _WEIGHTS_SECOND):
        rest = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11
        if rest != 10:
            return rest
    return None


def parse_iin(value: str) -> IinInfo:
    if not isinstance(value, str) or not _TWELVE_DIGITS.fullmatch(value):
        raise InvalidIin("not_12_digits")
    century_sex = _CENTURY_SEX.get(value[6])
    if century_sex is None:
        raise InvalidIin("bad_century_digit")
    century, sex = century_sex
    try:
        birth = date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise InvalidIin("bad_birth_date") from None
    if check_digit(value[:11]) != int(value[11]):
        raise InvalidIin("bad_check_digit")
    return IinInfo(birth_date=birth, sex=sex, serial=value[7:11])


def is_valid_iin(value: str) -> bool:
    try:
        parse_iin(value)
    except InvalidIin:
        return False
    return True


def make_iin(birth_date: date, sex: str, serial: int) -> str:
    """Build a valid IIN, moving the serial upward past the serials no IIN can carry.

    Used for demo data and tests, so it refuses inputs that could not occur rather than
    wrapping them silently.
    """
    key = (birth_date.year // 100 * 100, sex)
    if key not in _CENTURY_DIGIT:
        raise ValueError(f"cannot encode birth year {birth_date.year} and sex {sex!r} in an IIN")
    if not 0 <= serial <= 9999:
        raise ValueError(f"IIN serial must be 0-9999, got {serial}")
    head = f"{birth_date:%y%m%d}{_CENTURY_DIGIT[key]}"
    for candidate in range(serial, 10000):
        first_eleven = f"{head}{candidate:04d}"
        check = check_digit(first_eleven)
        if check is not None:
            return f"{first_eleven}{check}"
    raise ValueError(f"no valid IIN serial from {serial} to 9999 for {birth_date} {sex}")
