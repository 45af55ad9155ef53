"""Diffs by stable field id, compatibility, draft migration, version in force."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from forms_builder import Status, compile_form, diff_definitions, load_definition
from forms_builder.versions import affected_drafts, migrate_data, version_in_force

TODAY = date(2026, 11, 24)


def _field(doc: dict[str, Any], index: int) -> dict[str, Any]:
    return doc["sections"][0]["fields"][index]


@pytest.mark.parametrize(
    ("index", "change", "compatible"),
    [
        (1, {"label": {"vi": "Tên", "en": "Name"}}, True),
        (1, {"max_length": 200}, True),  # looser
        (1, {"max_length": 20}, False),  # tighter
        (1, {"pattern": "^[A-Z]"}, False),
        (1, {"key": "ten"}, True),  # the value moves with the id
        (1, {"type": "long_text"}, False),
        (4, {"required": True}, False),
        (4, {"code_list": "nationalities"}, False),
        (0, {"options": [{"code": "person", "label": {"vi": "Cá nhân", "en": "Person"}}]}, False),
    ],
)
def test_change_classification(
    small_doc: dict[str, Any], index: int, change: dict[str, Any], compatible: bool
) -> None:
    before = load_definition(small_doc)
    doc = copy.deepcopy(small_doc)
    _field(doc, index).update(change)
    diff = diff_definitions(before, load_definition(doc))
    assert [c.field_id for c in diff.changes] == [_field(doc, index)["id"]]
    assert diff.compatible is compatible


def test_added_and_removed_fields(small_doc: dict[str, Any]) -> None:
    before = load_definition(small_doc)
    doc = copy.deepcopy(small_doc)
    removed = doc["sections"][0]["fields"].pop(4)
    doc["sections"][0]["fields"].append(
        {
            "id": "f_phone",
            "key": "phone",
            "type": "phone",
            "required": True,
            "label": {"vi": "Điện thoại", "en": "Phone"},
        }
    )
    diff = diff_definitions(before, load_definition(doc))
    kinds = {(c.field_id, c.kind, c.compatible) for c in diff.changes}
    assert kinds == {(removed["id"], "removed", True), ("f_phone", "added", False)}


def test_migrate_follows_ids_through_renames_and_groups(small_doc: dict[str, Any]) -> None:
    before = load_definition(small_doc)
    doc = copy.deepcopy(small_doc)
    name = doc["sections"][0]["fields"].pop(1)
    name["key"] = "name"
    doc["sections"][0]["fields"].append(
        {
            "id": "f_person",
            "key": "person",
            "type": "group",
            "label": {"vi": "Người khai", "en": "Declarant"},
            "fields": [name],
        }
    )
    doc["rules"] = []
    after = load_definition(doc)
    data = {"kind": "person", "full_name": "A", "members": [{"name": "B", "birth": "1990"}]}
    moved = migrate_data(before, after, data)
    assert moved == {
        "kind": "person",
        "person": {"name": "A"},
        "members": [{"name": "B", "birth": "1990"}],
    }
    change = next(c for c in diff_definitions(before, after).changes if c.field_id == "f_name")
    assert change.compatible and change.path_after == "person.name"


def test_affected_drafts_name_the_fields_to_re_enter(small_doc: dict[str, Any]) -> None:
    before = load_definition(small_doc)
    doc = copy.deepcopy(small_doc)
    _field(doc, 1)["max_length"] = 3
    after = compile_form(load_definition(doc))
    diff = diff_definitions(before, after.definition)
    drafts = [{"kind": "person", "full_name": "Nguyễn"}, {"kind": "person", "full_name": "An"}]
    found = affected_drafts(diff, before, after, drafts, today=TODAY)
    assert [(a.index, a.field_ids) for a in found] == [(0, ("f_name",))]


def test_version_in_force(small_doc: dict[str, Any]) -> None:
    first = replace(load_definition(small_doc), status=Status.PUBLISHED)
    second = replace(first, version=2, effective_from=date(2026, 12, 1))
    draft = replace(first, version=3, status=Status.DRAFT, effective_from=date(2026, 1, 1))
    versions = [first, second, draft]
    assert version_in_force(versions, date(2026, 11, 30)).version == 1
    assert version_in_force(versions, date(2026, 12, 1)).version == 2
