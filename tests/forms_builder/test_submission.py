"""Validating submissions: hidden parts cleared, conditional requiredness, rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from forms_builder import compile_form, load_definition, validate_submission

TODAY = date(2026, 11, 24)


def _check(doc: dict[str, Any], data: dict[str, Any]) -> Any:
    return validate_submission(compile_form(load_definition(doc)), data, today=TODAY)


def test_hidden_fields_are_cleared_at_submit(small_doc: dict[str, Any]) -> None:
    outcome = _check(
        small_doc,
        {"kind": "person", "full_name": "A", "birth_date": "1990-01-01", "tax_code": "bad"},
    )
    assert outcome.accepted
    assert "tax_code" not in outcome.data


def test_conditionally_required_field(small_doc: dict[str, Any]) -> None:
    outcome = _check(small_doc, {"kind": "organisation", "full_name": "Công ty B"})
    assert outcome.error_paths() == {"tax_code"}
    assert outcome.errors[0].message("vi") == "Trường này là bắt buộc."


def test_required_when(small_doc: dict[str, Any]) -> None:
    small_doc["sections"][0]["fields"][4]["required_when"] = {"==": [{"var": "kind"}, "person"]}
    data = {"kind": "person", "full_name": "A", "birth_date": "1990-01-01"}
    assert _check(small_doc, data).error_paths() == {"ethnicity"}
    assert _check(small_doc, {**data, "ethnicity": "01"}).accepted


def test_cross_field_rule_and_today(small_doc: dict[str, Any]) -> None:
    data = {"kind": "person", "full_name": "A", "birth_date": "2027-01-01"}
    outcome = _check(small_doc, data)
    assert outcome.error_paths() == {"birth_date"}
    assert outcome.errors[0].code == "rule.birth_not_future"


def test_whole_section_hidden(small_doc: dict[str, Any]) -> None:
    small_doc["sections"][1]["visible_when"] = {"==": [{"var": "kind"}, "person"]}
    small_doc["sections"][1]["fields"][0]["required"] = True
    org = {"kind": "organisation", "full_name": "B", "tax_code": "0101234567"}
    outcome = _check(small_doc, {**org, "members": [{"name": "x"}]})
    assert outcome.accepted and "members" not in outcome.data
    person = {"kind": "person", "full_name": "A", "birth_date": "1990-01-01"}
    assert _check(small_doc, person).error_paths() == {"members"}


def test_empty_rows_are_dropped_and_row_errors_have_indexes(small_doc: dict[str, Any]) -> None:
    data = {
        "kind": "person",
        "full_name": "A",
        "birth_date": "1990-01-01",
        "members": [{"name": "", "birth": ""}, {"birth": "1990-13"}],
    }
    outcome = _check(small_doc, data)
    assert outcome.error_paths() == {"members.0.name", "members.0.birth"}


def test_row_level_visibility(small_doc: dict[str, Any]) -> None:
    row_fields = small_doc["sections"][1]["fields"][0]["fields"]
    row_fields.append(
        {
            "id": "f_member_note",
            "key": "note",
            "type": "text",
            "label": {"vi": "Ghi chú", "en": "Note"},
            "required": True,
            "visible_when": {"==": [{"var": "birth"}, "1990"]},
        }
    )
    base = {"kind": "person", "full_name": "A", "birth_date": "1990-01-01"}
    outcome = _check(small_doc, {**base, "members": [{"name": "x", "birth": "1990"}]})
    assert outcome.error_paths() == {"members.0.note"}
    hidden = _check(small_doc, {**base, "members": [{"name": "x", "birth": "1991", "note": "n"}]})
    assert hidden.accepted and hidden.data["members"] == [{"name": "x", "birth": "1991"}]


def test_address_commune_must_be_in_province(small_doc: dict[str, Any]) -> None:
    small_doc["sections"][0]["fields"].append(
        {"id": "f_addr", "key": "address", "type": "address", "required": True,
         "label": {"vi": "Nơi cư trú", "en": "Residence"}}
    )  # fmt: skip
    base = {"kind": "person", "full_name": "A", "birth_date": "1990-01-01"}
    good = {"province": "01", "commune": "00070", "street": "1 Tràng Tiền"}
    assert _check(small_doc, {**base, "address": good}).accepted
    wrong = {**good, "province": "79"}
    assert _check(small_doc, {**base, "address": wrong}).error_paths() == {"address.commune"}
    assert _check(small_doc, base).error_paths() == {"address"}


def test_unknown_data_keys_are_refused(small_doc: dict[str, Any]) -> None:
    data = {"kind": "person", "full_name": "A", "birth_date": "1990-01-01", "extra": 1}
    assert not _check(small_doc, data).accepted


def test_compiled_schema_is_2020_12(small_doc: dict[str, Any]) -> None:
    schema = compile_form(load_definition(small_doc)).json_schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["kind", "full_name"]
    assert schema["properties"]["birth_date"]["format"] == "date"
    assert len(schema["properties"]["ethnicity"]["enum"]) == 54
