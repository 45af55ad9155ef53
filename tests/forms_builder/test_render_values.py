"""Submitted values as the printed form shows them."""

from __future__ import annotations

from typing import Any

import pytest

from forms_builder.codelists import default_code_lists
from forms_builder.model import Field, FieldType, LocalText, Option
from forms_builder.rendering.qr import lookup_url
from forms_builder.rendering.values import format_value


def _field(kind: FieldType, **extra: Any) -> Field:
    return Field(id="f", key="f", type=kind, label=LocalText("Nhãn", "Label"), **extra)


@pytest.mark.parametrize(
    ("field", "value", "printed"),
    [
        (_field(FieldType.DATE), "1990-05-17", "17/05/1990"),
        (_field(FieldType.PARTIAL_DATE), "1990-05", "05/1990"),
        (_field(FieldType.PARTIAL_DATE), "1990", "1990"),
        (_field(FieldType.CHOICE, code_list="sexes"), "female", "Nữ"),
        (_field(FieldType.CHOICE, code_list="ethnicities"), "01", "Kinh"),
        (_field(FieldType.CHOICE, code_list="nationalities"), "VN", "Việt Nam"),
        (_field(FieldType.CHOICE, options=(Option("a", LocalText("Ánh", "A")),)), "a", "Ánh"),
        (_field(FieldType.YES_NO), True, "Có"),
        (_field(FieldType.YES_NO), False, "Không"),
        (_field(FieldType.NUMBER), 2.0, "2"),
        (_field(FieldType.NUMBER), 80.5, "80,5"),
        (_field(FieldType.NUMBER), 3, "3"),
        (_field(FieldType.TEXT), "  ", ""),
        (_field(FieldType.TEXT), None, ""),
        (
            _field(FieldType.ATTACHMENT),
            [{"name": "so-do.pdf"}, {"name": "ban-ve.pdf"}],
            "so-do.pdf; ban-ve.pdf",
        ),
    ],
)
def test_format_value(field: Field, value: Any, printed: str) -> None:
    assert format_value(field, value, default_code_lists()) == printed


def test_address_reads_from_street_to_province() -> None:
    lists = default_code_lists()
    commune = next(iter(lists.get("communes").parents.items()))  # type: ignore[union-attr]
    printed = format_value(
        _field(FieldType.ADDRESS),
        {"street": "Số 1 phố Tràng Tiền", "commune": commune[0], "province": commune[1]},
        lists,
    )
    parts = printed.split(", ")
    assert parts[0] == "Số 1 phố Tràng Tiền" and len(parts) == 3
    assert not any(p.isdigit() for p in parts)


def test_lookup_url_quotes_the_code() -> None:
    assert lookup_url("https://dvc.example.vn/", "000.00.00.H56-261124-0001") == (
        "https://dvc.example.vn/tra-cuu/000.00.00.H56-261124-0001"
    )
    assert lookup_url("https://x", "a b/c") == "https://x/tra-cuu/a%20b%2Fc"
