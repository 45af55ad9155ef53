"""Invalid definitions are refused with a JSON pointer and a bilingual message."""

from __future__ import annotations

from typing import Any

import pytest

from forms_builder import DefinitionInvalid, check_document, load_definition
from forms_builder.document import definition_to_document


def _codes(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p.pointer, p.code) for p in check_document(doc)]


def test_small_definition_is_valid_and_round_trips(small_doc: dict[str, Any]) -> None:
    assert check_document(small_doc) == []
    assert definition_to_document(load_definition(small_doc)) == small_doc


def test_unknown_field_type(small_doc: dict[str, Any]) -> None:
    small_doc["sections"][0]["fields"][1]["type"] = "signature_pad"
    problems = check_document(small_doc)
    assert [(p.pointer, p.code) for p in problems] == [
        ("/sections/0/fields/1/type", "field.unknown_type")
    ]
    assert "signature_pad" in problems[0].message_vi
    assert "Unknown field type" in problems[0].message_en


def test_duplicate_field_key(small_doc: dict[str, Any]) -> None:
    small_doc["sections"][0]["fields"][4]["key"] = "full_name"
    assert _codes(small_doc) == [("/sections/0/fields/4/key", "field.duplicate_key")]


def test_same_key_in_different_scopes_is_fine(small_doc: dict[str, Any]) -> None:
    # "name" inside the members table does not clash with a top-level "name".
    small_doc["sections"][0]["fields"][1]["key"] = "name"
    assert _codes(small_doc) == []


def test_duplicate_field_id(small_doc: dict[str, Any]) -> None:
    small_doc["sections"][1]["fields"][0]["fields"][0]["id"] = "f_name"
    assert _codes(small_doc) == [("/sections/1/fields/0/fields/0/id", "field.duplicate_id")]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("code",), "1.000001.tk01", ("/code", "schema.bad_code")),
        (("agency_id",), "H56", ("/agency_id", "schema.bad_code")),
        (("procedure", "code"), "0.12", ("/procedure/code", "schema.bad_code")),
        (("retention", "code"), "09", ("/retention/code", "schema.enum")),
    ],
)
def test_bad_codes(
    small_doc: dict[str, Any], path: tuple[str, ...], value: str, expected: tuple[str, str]
) -> None:
    target = small_doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    assert _codes(small_doc) == [expected]


def test_form_code_must_start_with_procedure_code(small_doc: dict[str, Any]) -> None:
    small_doc["code"] = "1.000002.TK01"
    assert _codes(small_doc) == [("/code", "form.code_mismatch")]


def test_unknown_code_list(small_doc: dict[str, Any]) -> None:
    small_doc["sections"][0]["fields"][4]["code_list"] = "religions"
    problems = check_document(small_doc)
    assert [(p.pointer, p.code) for p in problems] == [
        ("/sections/0/fields/4/code_list", "field.unknown_code_list")
    ]
    assert "ethnicities" in problems[0].message_en


def test_rule_referring_to_missing_field(small_doc: dict[str, Any]) -> None:
    small_doc["sections"][0]["fields"][2]["visible_when"] = {"==": [{"var": "knd"}, "person"]}
    small_doc["rules"][0]["check"] = {"<=": [{"var": "birth_day"}, {"today": []}]}
    assert _codes(small_doc) == [
        ("/sections/0/fields/2/visible_when", "rule.unknown_field"),
        ("/rules/0/check", "rule.unknown_field"),
    ]


def test_table_fields_cannot_be_read_from_outside(small_doc: dict[str, Any]) -> None:
    small_doc["sections"][0]["fields"][4]["visible_when"] = {"!!": [{"var": "members.name"}]}
    assert _codes(small_doc) == [("/sections/0/fields/4/visible_when", "rule.unknown_field")]


def test_cyclic_visibility_rule(small_doc: dict[str, Any]) -> None:
    fields = small_doc["sections"][0]["fields"]
    fields[0]["visible_when"] = {"!!": [{"var": "ethnicity"}]}
    fields[4]["visible_when"] = {"==": [{"var": "kind"}, "person"]}
    problems = check_document(small_doc)
    assert [p.code for p in problems] == ["rule.cycle"]
    assert problems[0].pointer in (
        "/sections/0/fields/0/visible_when",
        "/sections/0/fields/4/visible_when",
    )
    assert "kind" in problems[0].message_en and "ethnicity" in problems[0].message_en


def test_section_depending_on_its_own_field_is_a_cycle(small_doc: dict[str, Any]) -> None:
    small_doc["sections"][1]["visible_when"] = {"!!": [{"var": "members"}]}
    assert [p.code for p in check_document(small_doc)] == ["rule.cycle"]


def test_disallowed_operator(small_doc: dict[str, Any]) -> None:
    small_doc["rules"][0]["check"] = {"eval": ["__import__('os')"]}
    assert _codes(small_doc) == [("/rules/0/check/eval", "rule.bad_operator")]


def test_bad_range_and_pattern(small_doc: dict[str, Any]) -> None:
    name = small_doc["sections"][0]["fields"][1]
    name["min_length"] = 50
    name["max_length"] = 10
    name["pattern"] = "([a-z"
    assert sorted(_codes(small_doc)) == [
        ("/sections/0/fields/1/min_length", "field.bad_range"),
        ("/sections/0/fields/1/pattern", "field.bad_pattern"),
    ]


def test_choice_needs_a_code_source(small_doc: dict[str, Any]) -> None:
    del small_doc["sections"][0]["fields"][0]["options"]
    assert _codes(small_doc) == [("/sections/0/fields/0", "field.choice_source")]


def test_unknown_property_is_refused(small_doc: dict[str, Any]) -> None:
    small_doc["sections"][0]["fields"][1]["maxlength"] = 5
    problems = check_document(small_doc)
    assert [(p.pointer, p.code) for p in problems] == [
        ("/sections/0/fields/1", "schema.unknown_property")
    ]
    assert "maxlength" in problems[0].message_vi


def test_load_definition_raises_with_every_problem(small_doc: dict[str, Any]) -> None:
    small_doc["sections"][0]["fields"][1]["type"] = "nope"
    small_doc["sections"][0]["fields"][2]["type"] = "nope"
    with pytest.raises(DefinitionInvalid) as caught:
        load_definition(small_doc)
    assert len(caught.value.problems) == 2
    assert caught.value.details["problems"][0]["pointer"] == "/sections/0/fields/1/type"
    assert "/sections/0/fields/1/type" in caught.value.message_vi


@pytest.mark.parametrize("literal", ["Infinity", "-Infinity", "NaN", "1e400"])
def test_non_finite_numbers_are_refused(small_doc: dict[str, Any], literal: str) -> None:
    """Python's json reads these (an API body, an imported file); JSON cannot write them."""
    import json

    from forms_builder.exchange import import_definition

    small_doc["sections"][0]["fields"][1]["type"] = "number"
    small_doc["sections"][0]["fields"][1].pop("max_length")
    small_doc["sections"][0]["fields"][1]["minimum"] = "MARK"
    small_doc["test_cases"][0]["data"]["ratio"] = "MARK"
    raw = json.dumps(small_doc).replace('"MARK"', literal)
    with pytest.raises(DefinitionInvalid) as caught:
        import_definition(raw.encode(), require_checksum=False)
    problems = caught.value.problems
    assert [(p.pointer, p.code) for p in problems] == [
        ("/sections/0/fields/1/minimum", "json.non_finite"),
        ("/test_cases/0/data/ratio", "json.non_finite"),
    ]
    assert "số hữu hạn" in problems[0].message_vi and "finite numbers" in problems[0].message_en
