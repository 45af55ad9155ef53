"""The national identifier rules: personal ID and enterprise code."""

from __future__ import annotations

from datetime import date

import pytest
from vietnam_provinces import Province

from forms_builder.identifiers import (
    BIRTH_PROVINCE_CODES,
    InvalidIdentifierError,
    Sex,
    is_valid_enterprise_code,
    is_valid_personal_id,
    mask_identifier,
    parse_enterprise_code,
    parse_personal_id,
    sex_century_digit,
)

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("value", "province", "sex", "year"),
    [
        ("001088012345", "001", Sex.MALE, 1988),
        ("001190054321", "001", Sex.FEMALE, 1990),
        ("079203012345", "079", Sex.MALE, 2003),
        ("034325000001", "034", Sex.FEMALE, 2025),
        (" 096000999999 ", "096", Sex.MALE, 1900),
    ],
)
def test_valid_personal_ids_give_their_parts(value, province, sex, year):
    parsed = parse_personal_id(value, today=TODAY)
    assert (parsed.birth_province_code, parsed.sex, parsed.birth_year) == (province, sex, year)
    assert parsed.value == value.strip()
    assert len(parsed.sequence) == 6


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("00108801234", "format"),
        ("0010880123456", "format"),
        ("00108801234a", "format"),
        ("", "format"),
        ("001 88012345", "format"),
        ("003088012345", "province"),  # 003 is not a province code
        ("099088012345", "province"),
        ("001227012345", "year"),  # male born 2027: in the future
        ("001488012345", "year"),  # 2188
    ],
)
def test_invalid_personal_ids_name_the_broken_rule(value, reason):
    with pytest.raises(InvalidIdentifierError) as info:
        parse_personal_id(value, today=TODAY)
    assert info.value.details == {"identifier": "personal_id", "reason": reason}
    assert "không hợp lệ" in info.value.message_vi
    assert "is not valid" in info.value.message_en
    assert not is_valid_personal_id(value, today=TODAY)


def test_non_string_is_refused_not_crashed():
    assert not is_valid_personal_id(1088012345)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sex", "year", "digit"),
    [
        (Sex.MALE, 1900, "0"),
        (Sex.FEMALE, 1999, "1"),
        (Sex.MALE, 2000, "2"),
        (Sex.FEMALE, 2099, "3"),
        (Sex.MALE, 2100, "4"),
        (Sex.FEMALE, 2399, "9"),
    ],
)
def test_sex_century_digit(sex, year, digit):
    assert sex_century_digit(sex, year) == digit


def test_sex_century_digit_refuses_years_outside_the_scheme():
    with pytest.raises(ValueError):
        sex_century_digit(Sex.MALE, 1899)


def test_the_63_codes_include_every_post_2025_province():
    assert len(BIRTH_PROVINCE_CODES) == 63
    current = {f"{int(p.code):03d}" for p in Province.iter_all()}
    assert len(current) == 34
    assert current <= set(BIRTH_PROVINCE_CODES)


@pytest.mark.parametrize(
    ("value", "base", "branch"),
    [("0101234567", "0101234567", None), ("0101234567-001", "0101234567", "001")],
)
def test_valid_enterprise_codes(value, base, branch):
    parsed = parse_enterprise_code(value)
    assert (parsed.base, parsed.branch) == (base, branch)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("010123456", "format"),
        ("01012345678", "format"),
        ("0101234567-01", "format"),
        ("0101234567_001", "format"),
        ("0101234567-000", "branch"),
    ],
)
def test_invalid_enterprise_codes(value, reason):
    with pytest.raises(InvalidIdentifierError) as info:
        parse_enterprise_code(value)
    assert info.value.details["reason"] == reason
    assert not is_valid_enterprise_code(value)


def test_mask_keeps_only_the_ends():
    assert mask_identifier("001088012345") == "001*******45"
    assert mask_identifier("0101234567-001") == "010*********01"
    assert mask_identifier("123") == "***"
