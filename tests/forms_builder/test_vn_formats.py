"""Vietnamese identifiers and the date in words."""

from __future__ import annotations

import pytest

from forms_builder.vn_formats import (
    date_in_words,
    is_partial_date,
    is_personal_id,
    is_phone,
    is_tax_code,
    personal_id_birth_year,
)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("001203012345", True),  # Hà Nội, woman born 2003
        ("079090000001", True),  # TP HCM, man born 1990
        ("003203012345", False),  # 003 is no province code
        ("001403012345", False),  # born in the 2100s
        ("00120301234", False),
        ("00120301234a", False),
    ],
)
def test_personal_id(value: str, ok: bool) -> None:
    assert is_personal_id(value) is ok


def test_personal_id_birth_year() -> None:
    assert personal_id_birth_year("079090000001") == 1990
    assert personal_id_birth_year("bad") is None


@pytest.mark.parametrize(
    ("value", "ok"), [("0101234567", True), ("0101234567-001", True), ("010123456", False)]
)
def test_tax_code(value: str, ok: bool) -> None:
    assert is_tax_code(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"), [("0912345678", True), ("+84912345678", True), ("12345", False)]
)
def test_phone(value: str, ok: bool) -> None:
    assert is_phone(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [("2024", True), ("2024-02", True), ("2024-02-29", True), ("2023-02-29", False),
     ("2024-13", False), ("24", False), ("0999", False)],
)  # fmt: skip
def test_partial_date(value: str, ok: bool) -> None:
    assert is_partial_date(value) is ok


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2024-05-17", "Ngày mười bảy tháng năm năm hai nghìn không trăm hai mươi tư"),
        ("2005-01-01", "Ngày mùng một tháng một năm hai nghìn không trăm linh năm"),
        ("1990-12-31", "Ngày ba mươi mốt tháng mười hai năm một nghìn chín trăm chín mươi"),
        ("2010-04-21", "Ngày hai mươi mốt tháng tư năm hai nghìn không trăm mười"),
        ("2000-11-15", "Ngày mười lăm tháng mười một năm hai nghìn"),
        ("2024-05", "Tháng năm năm hai nghìn không trăm hai mươi tư"),
        ("1975", "Năm một nghìn chín trăm bảy mươi lăm"),
    ],
)
def test_date_in_words(value: str, words: str) -> None:
    assert date_in_words(value) == words


def test_date_in_words_refuses_bad_dates() -> None:
    with pytest.raises(ValueError):
        date_in_words("2023-02-29")
