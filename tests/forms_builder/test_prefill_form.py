"""From resolver values to the data a form opens with: groups, addresses, extra table rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from forms_builder import check_document, load_definition
from forms_builder.codelists import default_code_lists
from forms_builder.document import definition_to_document
from forms_builder.library import library_documents
from forms_builder.model import FormDefinition
from forms_builder.prefill.resolver import PrefilledValue
from forms_builder.prefill_form import (
    bindings_of,
    fill_empty,
    prefill_hints,
    prefilled_data,
    typed_subjects,
)

AT = datetime(2026, 11, 20, 9, tzinfo=UTC)
HOUSEHOLD = [
    {"full_name": "Nguyễn Văn Hùng", "date_of_birth": "1975-02-01", "sex": "Nam",
     "relation_to_head": "Chủ hộ"},
    {"full_name": "Nguyễn Văn An", "date_of_birth": "2003-03-15", "sex": "Nam",
     "relation_to_head": "Con"},
]  # fmt: skip
CERTIFICATE = {"child_name": "Nguyễn Minh Khôi", "date_of_birth": "2026-11-10", "sex": "male"}


def _library(code: str, version: int | None = None) -> FormDefinition:
    docs = [d for d in library_documents() if d["code"] == code]
    doc = docs[-1] if version is None else next(d for d in docs if d["version"] == version)
    return load_definition(doc)


def _value(field: str, value: Any, source: str, provenance: str | None = None) -> PrefilledValue:
    return PrefilledValue(field, value, source, AT, locked=False, provenance=provenance)


def test_fields_inside_groups_are_bound_by_their_dotted_path() -> None:
    birth = _library("1.001193.TKKS")
    names = [b.field for b in bindings_of(birth)]
    assert names[:3] == ["requester.full_name", "requester.personal_id", "requester.residence"]
    assert "mother.full_name" in names
    residence = {"street": "Số 12", "commune_code": "00004", "province_code": "01", "text": "x"}
    values = {
        "requester.full_name": _value("requester.full_name", "Nguyễn Văn An", "population"),
        "requester.residence": _value("requester.residence", residence, "population"),
    }
    data = prefilled_data(birth, values, default_code_lists())
    assert data == {
        "requester": {
            "full_name": "Nguyễn Văn An",
            "residence": {"province": "01", "commune": "00004", "street": "Số 12"},
        }
    }


def test_a_birth_certificate_adds_one_household_row_after_the_registry_rows() -> None:
    ct01 = _library("1.004222.CT01")
    assert [b.field for b in bindings_of(ct01)][-2:] == ["members", "members#1"]
    values = {
        "members": _value("members", HOUSEHOLD, "population"),
        "members#1": _value("members#1", CERTIFICATE, "citizen_store", "000.00.00.H56-0007"),
    }
    rows = prefilled_data(ct01, values, default_code_lists())["members"]
    names = [r["full_name"] for r in rows]
    assert names == ["Nguyễn Văn Hùng", "Nguyễn Văn An", "Nguyễn Minh Khôi"]
    assert rows[0]["relation"] == "self" and rows[1]["relation"] == "child"
    assert rows[2] == {"full_name": "Nguyễn Minh Khôi", "birth_date": "2026-11-10", "sex": "male"}
    hint = prefill_hints(ct01, values)["members"]
    assert hint.sources == ("population", "citizen_store")
    assert hint.provenance == ("000.00.00.H56-0007",) and not hint.locked


def test_a_person_already_in_the_table_is_not_added_twice() -> None:
    ct01 = _library("1.004222.CT01")
    registered = [*HOUSEHOLD, {"full_name": "Nguyễn  Minh Khôi", "date_of_birth": "2026-11-10",
                               "sex": "Nam", "relation_to_head": "Cháu"}]  # fmt: skip
    values = {
        "members": _value("members", registered, "population"),
        "members#1": _value("members#1", CERTIFICATE, "citizen_store"),
    }
    rows = prefilled_data(ct01, values, default_code_lists())["members"]
    assert len(rows) == 3


def test_the_certificate_alone_fills_the_table_when_the_registry_is_down() -> None:
    ct01 = _library("1.004222.CT01")
    values = {"members#1": _value("members#1", [CERTIFICATE, "not a row"], "citizen_store")}
    rows = prefilled_data(ct01, values, default_code_lists())["members"]
    assert [r["full_name"] for r in rows] == ["Nguyễn Minh Khôi"]


def _with_rows(small_doc: dict[str, Any], rows: Any, field: tuple[int, int] = (1, 0)) -> None:
    small_doc["sections"][field[0]]["fields"][field[1]]["prefill_rows"] = rows


ROWS = [{"source": "citizen_store", "path": "birth_certificate", "columns": {"name": "child_name"}}]


def test_extra_row_sources_round_trip(small_doc: dict[str, Any]) -> None:
    _with_rows(small_doc, ROWS)
    assert check_document(small_doc) == []
    back = definition_to_document(load_definition(small_doc))
    assert back["sections"][1]["fields"][0]["prefill_rows"] == [
        {**ROWS[0], "subject": "applicant", "on_unavailable": "manual"}
    ]


@pytest.mark.parametrize(
    ("rows", "field", "expected"),
    [
        (ROWS, (0, 1), ("/sections/0/fields/1/prefill_rows", "field.prefill_rows_not_repeat")),
        (
            [{**ROWS[0], "columns": {"age": "child_name"}}],
            (1, 0),
            ("/sections/1/fields/0/prefill_rows/0/columns/age", "field.unknown_column"),
        ),
        (
            [{**ROWS[0], "source": "tax_office"}],
            (1, 0),
            ("/sections/1/fields/0/prefill_rows/0/source", "field.unknown_prefill_source"),
        ),
        (
            [{**ROWS[0], "locked": True}],
            (1, 0),
            ("/sections/1/fields/0/prefill_rows/0", "schema.unknown_property"),
        ),
    ],
)
def test_bad_extra_row_sources_are_refused_with_a_pointer(
    small_doc: dict[str, Any], rows: Any, field: tuple[int, int], expected: tuple[str, str]
) -> None:
    _with_rows(small_doc, rows, field)
    problems = check_document(small_doc)
    assert [(p.pointer, p.code) for p in problems] == [expected]
    assert problems[0].message_vi and problems[0].message_en


def test_typed_ids_name_the_other_subjects_and_fill_only_empty_fields() -> None:
    birth = _library("1.001193.TKKS")
    data: dict[str, Any] = {
        "mother": {"personal_id": " 040199938414 ", "full_name": "Tên tự gõ", "ethnicity": ""},
        "father": {"personal_id": "12345"},
    }
    assert typed_subjects(birth, data) == {"mother": "040199938414"}
    values = {
        "mother.full_name": _value("mother.full_name", "Vũ Thị My", "population"),
        "mother.ethnicity": _value("mother.ethnicity", "Kinh", "population"),
        "mother.residence": _value(
            "mother.residence", {"province_code": "40", "commune_code": "16831"}, "population"
        ),
    }
    filled = fill_empty(birth, data, values, default_code_lists())
    assert filled["mother"] == {
        "personal_id": " 040199938414 ",
        "full_name": "Tên tự gõ",
        "ethnicity": "01",
        "residence": {"province": "40", "commune": "16831"},
    }
    assert data["mother"]["ethnicity"] == ""  # the input is not changed


def test_an_enterprise_is_looked_up_by_the_code_typed_in_its_subject_field() -> None:
    permit = _library("1.013225.MS01")
    data = {"applicant_kind": "organisation", "investor": {"enterprise_code": "0101234567"}}
    assert typed_subjects(permit, data) == {"enterprise": "0101234567"}
    assert typed_subjects(permit, {"investor": {"enterprise_code": "01012"}}) == {}


def test_a_subject_field_must_name_an_identifier_field(small_doc: dict[str, Any]) -> None:
    small_doc["sections"][0]["fields"][1]["prefill"] = {
        "source": "enterprise",
        "path": "name",
        "subject": "enterprise",
        "subject_field": "tax_id",
    }
    problems = check_document(small_doc)
    assert [(p.pointer, p.code) for p in problems] == [
        ("/sections/0/fields/1/prefill/subject_field", "field.bad_subject_field")
    ]
    small_doc["sections"][0]["fields"][1]["prefill"]["subject_field"] = "tax_code"
    assert check_document(small_doc) == []
