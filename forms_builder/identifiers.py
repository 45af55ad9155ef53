"""Validation of the national identifiers a form carries.

Dependency-free (standard library and the project's root error only) so that
field types, the prefill sources and the command line can all use it.

Personal identification number (số định danh cá nhân, printed on the CCCD),
12 digits, structure set by Decree 137/2015/NĐ-CP and Circular
07/2016/TT-BCA (Article 7):

``PPP`` ``S`` ``YY`` ``NNNNNN``

- ``PPP``: code of the province (or centrally-run city) where the birth was
  registered, from the national list of administrative units. People keep
  the code they were given, so the 63 codes in force before the 2025 merger
  stay valid; the 34 provinces since 1 July 2025 kept codes from that list.
- ``S``: sex and century of birth: 0/1 = male/female born 1900-1999,
  2/3 = 2000-2099, 4/5 = 2100-2199, 6/7 = 2200-2299, 8/9 = 2300-2399.
- ``YY``: last two digits of the year of birth.
- ``NNNNNN``: a random sequence.

No check-digit rule is published in a form we can cite, so only the format,
the province code and the date parts are checked (see DOMAIN.md).

Enterprise code (mã số doanh nghiệp, also the tax code): 10 digits; a
branch or dependent unit adds ``-`` and 3 digits (``001``-``999``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from eforms.errors import EformsError

__all__ = [
    "BIRTH_PROVINCE_CODES",
    "EnterpriseCode",
    "InvalidIdentifierError",
    "PersonalId",
    "Sex",
    "is_valid_enterprise_code",
    "is_valid_personal_id",
    "mask_identifier",
    "parse_enterprise_code",
    "parse_personal_id",
    "sex_century_digit",
]

#: Province codes of the national list of administrative units (Decision
#: 124/2004/QĐ-TTg and its amendments) as used in personal identification
#: numbers: the 63 provinces in force until 30 June 2025. The 34 provinces
#: since 1 July 2025 (Resolution 202/2025/QH15) each kept one of these codes.
BIRTH_PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

_PERSONAL_ID = re.compile(r"\d{12}")
_ENTERPRISE_CODE = re.compile(r"(\d{10})(?:-(\d{3}))?")


class Sex(StrEnum):
    """Sex as the population database records it."""

    MALE = "male"
    FEMALE = "female"

    @property
    def label_vi(self) -> str:
        return "Nam" if self is Sex.MALE else "Nữ"


class InvalidIdentifierError(EformsError):
    """An identifier does not have the national format.

    ``details["reason"]`` names the broken rule (``format``, ``province``,
    ``year``, ``branch``) so a form can point at it.
    """

    code = "identifiers.invalid"
    http_status = 400


@dataclass(frozen=True)
class PersonalId:
    """The parts of a valid personal identification number."""

    value: str
    """The 12 digits."""
    birth_province_code: str
    """3-digit code of the province where the birth was registered."""
    sex: Sex
    birth_year: int
    sequence: str
    """The last 6 digits."""

    @property
    def birth_province_name(self) -> str:
        return BIRTH_PROVINCE_CODES[self.birth_province_code]


@dataclass(frozen=True)
class EnterpriseCode:
    """The parts of a valid enterprise (tax) code."""

    value: str
    """As written: ``0101234567`` or ``0101234567-001``."""
    base: str
    """The 10-digit code of the enterprise."""
    branch: str | None
    """The 3-digit branch suffix, or None for the enterprise itself."""


def sex_century_digit(sex: Sex, birth_year: int) -> str:
    """The 4th digit of a personal ID for ``sex`` and ``birth_year`` (1900-2399)."""
    if not 1900 <= birth_year <= 2399:
        raise ValueError(f"birth year {birth_year} is outside 1900-2399")
    century_index = (birth_year - 1900) // 100
    return str(century_index * 2 + (1 if sex is Sex.FEMALE else 0))


def parse_personal_id(value: str, *, today: date | None = None) -> PersonalId:
    """Check ``value`` and return its parts; raise :class:`InvalidIdentifierError`.

    Surrounding spaces are ignored. ``today`` (default: the current date)
    bounds the year of birth: nobody is born in the future.
    """
    text = value.strip() if isinstance(value, str) else ""
    if not _PERSONAL_ID.fullmatch(text):
        raise _invalid_personal_id(
            value,
            "format",
            "phải gồm đúng 12 chữ số",
            "must be exactly 12 digits",
        )
    province, digit, year2, sequence = text[:3], int(text[3]), int(text[4:6]), text[6:]
    if province not in BIRTH_PROVINCE_CODES:
        raise _invalid_personal_id(
            value,
            "province",
            f"có mã tỉnh nơi đăng ký khai sinh {province} không có trong danh mục",
            f"has the birth-province code {province}, which is not in the national list",
        )
    birth_year = 1900 + (digit // 2) * 100 + year2
    if birth_year > (today or date.today()).year:
        raise _invalid_personal_id(
            value,
            "year",
            f"có năm sinh {birth_year} ở tương lai (chữ số thứ 4 là thế kỷ và giới tính)",
            f"gives the birth year {birth_year}, which is in the future "
            "(the 4th digit encodes century and sex)",
        )
    sex = Sex.FEMALE if digit % 2 else Sex.MALE
    return PersonalId(text, province, sex, birth_year, sequence)


def is_valid_personal_id(value: str, *, today: date | None = None) -> bool:
    """Whether ``value`` is a well-formed personal identification number."""
    try:
        parse_personal_id(value, today=today)
    except InvalidIdentifierError:
        return False
    return True


def parse_enterprise_code(value: str) -> EnterpriseCode:
    """Check an enterprise/tax code (10 digits, or 10-3 for a branch)."""
    text = value.strip() if isinstance(value, str) else ""
    match = _ENTERPRISE_CODE.fullmatch(text)
    if match is None:
        raise InvalidIdentifierError(
            f"Mã số doanh nghiệp {value!r} không hợp lệ: phải gồm 10 chữ số, "
            "hoặc 10 chữ số, dấu '-' và 3 chữ số đối với chi nhánh (ví dụ 0101234567-001).",
            f"Enterprise code {value!r} is not valid: it must be 10 digits, or 10 digits, "
            "'-' and 3 digits for a branch (for example 0101234567-001).",
            details={"identifier": "enterprise_code", "reason": "format"},
        )
    base, branch = match.group(1), match.group(2)
    if branch == "000":
        raise InvalidIdentifierError(
            f"Mã số doanh nghiệp {value!r} không hợp lệ: mã chi nhánh bắt đầu từ 001.",
            f"Enterprise code {value!r} is not valid: branch numbers start at 001.",
            details={"identifier": "enterprise_code", "reason": "branch"},
        )
    return EnterpriseCode(text, base, branch)


def is_valid_enterprise_code(value: str) -> bool:
    """Whether ``value`` is a well-formed enterprise/tax code."""
    try:
        parse_enterprise_code(value)
    except InvalidIdentifierError:
        return False
    return True


def mask_identifier(value: str) -> str:
    """A form of ``value`` safe for logs: first 3 and last 2 characters kept.

    ``001088012345`` -> ``001*******45``. Short or odd values are fully masked.
    """
    text = str(value)
    if len(text) < 8:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 5) + text[-2:]


def _invalid_personal_id(value: str, reason: str, vi: str, en: str) -> InvalidIdentifierError:
    shown = value if isinstance(value, str) and len(value) <= 40 else "(giá trị quá dài)"
    return InvalidIdentifierError(
        f"Số định danh cá nhân {shown!r} không hợp lệ: {vi}.",
        f"Personal identification number {shown!r} is not valid: {en}.",
        details={"identifier": "personal_id", "reason": reason},
    )
