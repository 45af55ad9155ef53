"""Edits an author makes to a definition document, one step at a time.

Each function takes a document and returns a changed deep copy; none checks
the result: the caller saves through :meth:`FormService.update_draft`, which
validates the whole definition and reports problems with their pointers.
Fields are addressed by their stable id; a field's parent is a section id or
the id of a group or table field.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from forms_builder.document import FORMAT
from forms_builder.errors import EditTargetMissing

__all__ = [
    "add_field",
    "add_section",
    "add_test_case",
    "find_field",
    "move_field",
    "new_document",
    "remove_field",
    "set_legal_basis",
    "update_field",
]

Doc = dict[str, Any]


def new_document(
    *,
    code: str,
    agency_id: str,
    procedure_name: tuple[str, str],
    title: tuple[str, str],
    legal_document: str,
    legal_title: str,
    issued_on: date,
    effective_from: date,
) -> Doc:
    """A new draft document with one empty section."""
    return {
        "format": FORMAT,
        "code": code,
        "procedure": {
            "code": code.rsplit(".", 1)[0],
            "name": {"vi": procedure_name[0], "en": procedure_name[1]},
        },
        "agency_id": agency_id,
        "title": {"vi": title[0], "en": title[1]},
        "version": 1,
        "status": "draft",
        "legal_basis": {
            "document": legal_document,
            "title": legal_title,
            "issued_on": issued_on.isoformat(),
            "effective_from": effective_from.isoformat(),
        },
        "retention": {"code": "06"},
        "sections": [
            {"id": "s_main", "title": {"vi": "Thông tin chung", "en": "General"}, "fields": []}
        ],
    }


def _field_lists(doc: Mapping[str, Any]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """``(owner id, list of fields)`` for every section and container field."""

    def walk(fields: list[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        for f in fields:
            if "fields" in f:
                yield f["id"], f["fields"]
                yield from walk(f["fields"])

    for section in doc["sections"]:
        yield section["id"], section["fields"]
        yield from walk(section["fields"])


def _missing(what: str) -> EditTargetMissing:
    return EditTargetMissing(
        f"Không tìm thấy {what} trong biểu mẫu.", f"{what} is not in the form."
    )


def find_field(doc: Mapping[str, Any], field_id: str) -> dict[str, Any]:
    """The field with ``field_id`` (the document's own dict)."""
    for _, fields in _field_lists(doc):
        for f in fields:
            if f["id"] == field_id:
                return f
    raise _missing(field_id)


def add_section(doc: Mapping[str, Any], *, section_id: str, title: tuple[str, str]) -> Doc:
    """Append a section."""
    out = copy.deepcopy(dict(doc))
    out["sections"].append(
        {"id": section_id, "title": {"vi": title[0], "en": title[1]}, "fields": []}
    )
    return out


def add_field(doc: Mapping[str, Any], *, parent: str, field: Mapping[str, Any]) -> Doc:
    """Append ``field`` to the section or container ``parent``."""
    out = copy.deepcopy(dict(doc))
    for owner, fields in _field_lists(out):
        if owner == parent:
            fields.append(copy.deepcopy(dict(field)))
            return out
    raise _missing(parent)


def update_field(doc: Mapping[str, Any], field_id: str, changes: Mapping[str, Any]) -> Doc:
    """Set properties of a field; a ``None`` value removes the property."""
    out = copy.deepcopy(dict(doc))
    target = find_field(out, field_id)
    for key, value in changes.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = copy.deepcopy(value)
    return out


def remove_field(doc: Mapping[str, Any], field_id: str) -> Doc:
    """Remove a field (and its children)."""
    out = copy.deepcopy(dict(doc))
    for _, fields in _field_lists(out):
        for i, f in enumerate(fields):
            if f["id"] == field_id:
                del fields[i]
                return out
    raise _missing(field_id)


def move_field(doc: Mapping[str, Any], field_id: str, offset: int) -> Doc:
    """Move a field ``offset`` places among its siblings (clamped to the ends)."""
    out = copy.deepcopy(dict(doc))
    for _, fields in _field_lists(out):
        for i, f in enumerate(fields):
            if f["id"] == field_id:
                j = max(0, min(len(fields) - 1, i + offset))
                fields.insert(j, fields.pop(i))
                return out
    raise _missing(field_id)


def add_test_case(
    doc: Mapping[str, Any],
    *,
    name: str,
    data: Mapping[str, Any],
    accepted: bool,
    errors: tuple[str, ...] = (),
) -> Doc:
    """Append a test case (a sample with the outcome it must have)."""
    out = copy.deepcopy(dict(doc))
    expect: dict[str, Any] = {"accepted": accepted}
    if errors:
        expect["errors"] = list(errors)
    out.setdefault("test_cases", []).append(
        {"name": name, "data": copy.deepcopy(dict(data)), "expect": expect}
    )
    return out


def set_legal_basis(
    doc: Mapping[str, Any],
    *,
    document: str,
    title: str,
    issued_on: date,
    effective_from: date,
    scheduled_from: date | None = None,
) -> Doc:
    """Set the legal document a version follows, and optionally a later start for the version.

    A confidence mark belongs to the document it was given for, so it is
    dropped when the document changes. ``scheduled_from`` (the version's own
    ``effective_from``) is removed when ``None``.
    """
    out = copy.deepcopy(dict(doc))
    old = out.get("legal_basis") or {}
    basis: Doc = {
        "document": document,
        "title": title,
        "issued_on": issued_on.isoformat(),
        "effective_from": effective_from.isoformat(),
    }
    if old.get("confidence") and old.get("document") == document:
        basis["confidence"] = old["confidence"]
    out["legal_basis"] = basis
    if scheduled_from is None:
        out.pop("effective_from", None)
    else:
        out["effective_from"] = scheduled_from.isoformat()
    return out
