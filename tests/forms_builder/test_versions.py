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


def _diff_after(small_doc: dict[str, Any], change: Any) -> Any:
    before = load_definition(small_doc)
    doc = copy.deepcopy(small_doc)
    change(doc)
    return diff_definitions(before, load_definition(doc))


def _set(target: dict[str, Any], **values: Any) -> None:
    for key, value in values.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value


ORGANISATION = {"==": [{"var": "kind"}, "organisation"]}


@pytest.mark.parametrize(
    ("index", "visible_when", "compatible"),
    [
        (2, ORGANISATION, False),  # required birth date shown on other answers
        (3, None, False),  # required tax code no longer hidden: drafts must fill it
        (4, ORGANISATION, True),  # optional ethnicity: nothing to re-enter
    ],
)
def test_visibility_changes_of_required_fields_are_incompatible(
    small_doc: dict[str, Any], index: int, visible_when: Any, compatible: bool
) -> None:
    diff = _diff_after(small_doc, lambda d: _set(_field(d, index), visible_when=visible_when))
    (change,) = diff.changes
    assert change.properties == ("visible_when",) and change.compatible is compatible
    assert diff.compatible is compatible


def test_a_required_field_hidden_by_a_new_condition_is_incompatible(
    small_doc: dict[str, Any],
) -> None:
    diff = _diff_after(small_doc, lambda d: _set(_field(d, 1), visible_when=ORGANISATION))
    assert not diff.compatible and diff.incompatible_ids() == {"f_name"}


def test_section_visibility_is_followed_to_its_fields(small_doc: dict[str, Any]) -> None:
    condition = {"==": [{"var": "kind"}, "person"]}
    diff = _diff_after(small_doc, lambda d: _set(d["sections"][1], visible_when=condition))
    (section,) = diff.parts
    assert (section.part, section.id, section.properties) == (
        "section",
        "s_members",
        ("visible_when",),
    )
    assert not section.compatible  # the table's rows need a name
    by_id = {c.field_id: c for c in diff.changes}
    assert not by_id["f_member_name"].compatible
    assert by_id["f_member_name"].properties == ("parent_visible_when",)
    assert by_id["f_member_birth"].compatible  # optional


def test_moving_a_field_into_a_conditional_section(small_doc: dict[str, Any]) -> None:
    def move(d: dict[str, Any], index: int) -> None:
        field = d["sections"][0]["fields"].pop(index)
        d["sections"].append(
            {
                "id": "s_extra",
                "title": {"vi": "Thêm", "en": "Extra"},
                "visible_when": ORGANISATION,
                "fields": [field],
            }
        )

    optional = _diff_after(small_doc, lambda d: move(d, 4))
    assert optional.compatible
    assert [(p.part, p.id, p.kind) for p in optional.parts] == [
        ("section", "s_applicant", "changed"),
        ("section", "s_extra", "added"),
    ]
    required = _diff_after(small_doc, lambda d: move(d, 1))
    assert required.incompatible_ids() == {"f_name"}


NOT_X = {"!=": [{"var": "full_name"}, "X"]}


@pytest.mark.parametrize(
    ("change", "kind", "properties", "compatible"),
    [
        (
            lambda rules: rules.append(
                {
                    "id": "not_x",
                    "check": NOT_X,
                    "fields": ["full_name"],
                    "message": {"vi": "x", "en": "x"},
                }
            ),
            "added",
            (),
            False,
        ),  # fmt: skip
        (lambda rules: rules.clear(), "removed", (), True),
        (
            lambda rules: rules[0].update(message={"vi": "Sai", "en": "Wrong"}),
            "changed",
            ("message",),
            True,
        ),  # fmt: skip
        (lambda rules: rules[0].update(fields=["kind"]), "changed", ("fields",), True),
        (
            lambda rules: rules[0].update(check={"<": [{"var": "birth_date"}, {"today": []}]}),
            "changed",
            ("check",),
            False,
        ),  # fmt: skip
        (lambda rules: rules[0].update(when=ORGANISATION), "changed", ("when",), True),
    ],
)
def test_rule_changes(
    small_doc: dict[str, Any], change: Any, kind: str, properties: tuple[str, ...], compatible: bool
) -> None:
    diff = _diff_after(small_doc, lambda d: change(d["rules"]))
    assert diff.changes == ()
    (part,) = diff.parts
    assert (part.part, part.kind, part.properties) == ("rule", kind, properties)
    assert part.compatible is compatible and diff.compatible is compatible


def test_removing_a_rule_condition_is_stricter(small_doc: dict[str, Any]) -> None:
    small_doc["rules"][0]["when"] = ORGANISATION
    diff = _diff_after(small_doc, lambda d: d["rules"][0].pop("when"))
    assert diff.incompatible_rules() == {"birth_not_future"}


def test_drafts_failing_a_new_rule_are_affected(small_doc: dict[str, Any]) -> None:
    before = load_definition(small_doc)
    doc = copy.deepcopy(small_doc)
    doc["rules"].append(
        {"id": "not_x", "check": NOT_X, "fields": ["full_name"], "message": {"vi": "x", "en": "x"}}
    )
    after = compile_form(load_definition(doc))
    diff = diff_definitions(before, after.definition)
    drafts = [{"kind": "person", "full_name": "Y"}, {"kind": "person", "full_name": "X"}]
    found = affected_drafts(diff, before, after, drafts, today=TODAY)
    assert [(a.index, a.field_ids, a.rule_ids) for a in found] == [(1, ("f_name",), ("not_x",))]


def test_legal_basis_and_print_layout_are_diffed(small_doc: dict[str, Any]) -> None:
    small_doc["print_layout"] = {
        "template": "tk01-2026",
        "places": [{"field": "f_name", "place": "item-1"}, {"field": "f_birth", "place": "item-2"}],
    }

    def change(d: dict[str, Any]) -> None:
        d["legal_basis"].update(document="02/2027/TT-TEST", effective_from="2027-03-01")
        d["print_layout"]["template"] = "tk01-2027"
        d["print_layout"]["places"] = [
            {"field": "f_name", "place": "item-1", "render": "digit_boxes"},
            {"field": "f_birth", "place": "item-3"},
        ]

    diff = _diff_after(small_doc, change)
    assert diff.compatible and diff.changes == ()
    found = {(p.part, p.id, p.kind, p.properties) for p in diff.parts}
    assert found == {
        ("legal_basis", "legal_basis", "changed", ("document", "effective_from", "in_force_from")),
        ("print_layout", "template", "changed", ("template",)),
        ("print_layout", "f_name -> item-1", "changed", ("render",)),
        ("print_layout", "f_birth -> item-2", "removed", ()),
        ("print_layout", "f_birth -> item-3", "added", ()),
    }
    legal = next(p for p in diff.parts if p.part == "legal_basis")
    assert "01/2026/TT-TEST -> 02/2027/TT-TEST" in legal.reason_en
