"""Vietnamese identifiers and dates: format checks and the date in words.

Every check is a plain predicate shared by the compiled JSON Schema (as a
``format``) and the compiled WTForms validators, so both accept exactly the
same values. Check digits are not public in a citable form (DOMAIN.md): we
check the format, the province code and the date parts, nothing more.
"""

from __future__ import annotations

import re
from datetime import date

from forms_builder.identifiers import (
    is_valid_enterprise_code,
    is_valid_personal_id,
    parse_personal_id,
)
from forms_builder.model import DatePrecision

__all__ = [
    "date_in_words",
    "is_email",
    "is_iso_date",
    "is_partial_date",
    "is_personal_id",
    "is_phone",
    "is_tax_code",
    "partial_date_pattern",
    "personal_id_birth_year",
]

_PERSONAL_ID = re.compile(r"\d{12}")
_TAX_CODE = re.compile(r"\d{10}(-\d{3})?")
_PHONE = re.compile(r"(0|\+84)[1-9]\d{8,9}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_personal_id(value: str) -> bool:
    """Exactly 12 digits forming a valid personal identification number.

    The rules (birth-province code, sex and century digit, no birth year in
    the future) are those of :mod:`forms_builder.identifiers`; surrounding
    spaces are not accepted here because the data keeps the digits only.
    """
    return bool(_PERSONAL_ID.fullmatch(value)) and is_valid_personal_id(value)


def personal_id_birth_year(value: str) -> int | None:
    """The year of birth a personal identification number encodes, if well formed."""
    if not is_personal_id(value):
        return None
    return parse_personal_id(value).birth_year


def is_tax_code(value: str) -> bool:
    """Enterprise / tax code: 10 digits, or 10 digits, ``-`` and 3 digits (branch)."""
    return bool(_TAX_CODE.fullmatch(value)) and is_valid_enterprise_code(value)


def is_phone(value: str) -> bool:
    """A Vietnamese phone number: ``0`` or ``+84`` then 9 or 10 digits."""
    return bool(_PHONE.fullmatch(value))


def is_email(value: str) -> bool:
    """A plausible e-mail address (no spaces, one ``@``, a dotted domain), at most 254 chars."""
    return len(value) <= 254 and bool(_EMAIL.fullmatch(value))


def is_iso_date(value: str) -> bool:
    """Exactly ``YYYY-MM-DD`` and a real calendar day."""
    if not _ISO_DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_SHAPES = {
    DatePrecision.DAY: r"\d{4}-\d{2}-\d{2}",
    DatePrecision.MONTH: r"\d{4}-\d{2}",
    DatePrecision.YEAR: r"\d{4}",
}


def partial_date_pattern(precisions: tuple[DatePrecision, ...]) -> str:
    """Anchored regular expression for the allowed shapes, most precise first."""
    ordered = [
        p for p in (DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR) if p in precisions
    ]
    return "^(" + "|".join(_SHAPES[p] for p in ordered) + ")$"


def is_partial_date(value: str) -> bool:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` with real parts (year 1000 onwards)."""
    parts = value.split("-")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() and p.isascii() for p in parts):
        return False
    if len(parts[0]) != 4 or any(len(p) != 2 for p in parts[1:]):
        return False
    year, month, day = (int(p) for p in [*parts, "01", "01"][:3])
    try:
        date(year, month, day)
    except ValueError:
        return False
    return year >= 1000


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _tens(n: int) -> str:
    """0..99 in words, as read in Vietnamese (mười một, hai mươi mốt, hai mươi tư)."""
    if n < 10:
        return _DIGITS[n]
    tens, unit = divmod(n, 10)
    head = "mười" if tens == 1 else f"{_DIGITS[tens]} mươi"
    if unit == 0:
        return head
    if unit == 5:
        return f"{head} lăm"
    if unit == 1 and tens > 1:
        return f"{head} mốt"
    if unit == 4 and tens > 1:
        return f"{head} tư"
    return f"{head} {_DIGITS[unit]}"


def _number(n: int) -> str:
    """0..9999 in words: ``2005`` -> ``hai nghìn không trăm linh năm``."""
    thousands, rest = divmod(n, 1000)
    hundreds, below = divmod(rest, 100)
    words: list[str] = []
    if thousands:
        words.append(f"{_DIGITS[thousands]} nghìn")
    if hundreds or (thousands and below):
        words.append(f"{_DIGITS[hundreds]} trăm")
    if below:
        if below < 10 and (thousands or hundreds):
            words.append(f"linh {_DIGITS[below]}")
        else:
            words.append(_tens(below))
    return " ".join(words) or _DIGITS[0]


_MONTHS = {4: "tư"}


def date_in_words(value: str) -> str:
    """The "ghi bằng chữ" rendering of a date or partial date, in Vietnamese.

    ``2024-05-17`` -> ``Ngày mười bảy tháng năm năm hai nghìn không trăm hai
    mươi tư``; days 1 to 10 read ``mùng một`` ... ``mùng mười``, as civil-status
    books write them; ``2024-05`` and ``2024`` drop the missing parts.
    """
    if not is_partial_date(value):
        raise ValueError(f"not a date or partial date: {value!r}")
    parts = [int(p) for p in value.split("-")]
    year_words = f"năm {_number(parts[0])}"
    if len(parts) == 1:
        return year_words[0].upper() + year_words[1:]
    month = parts[1]
    month_words = f"tháng {_MONTHS.get(month, _tens(month))}"
    if len(parts) == 2:
        return f"Tháng {month_words[6:]} {year_words}"
    day = parts[2]
    day_words = f"mùng {_tens(day)}" if day <= 10 else _tens(day)
    return f"Ngày {day_words} {month_words} {year_words}"
