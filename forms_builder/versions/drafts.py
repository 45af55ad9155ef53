"""Drafts in progress across versions: moving their data, and what they would re-enter.

A citizen's draft keeps the version it was started on when it is resumed
(``docs/citizen.md``). Before a new version is published the author sees,
for the open drafts of earlier versions, which answers would not carry
over if those drafts moved to it: their data is moved by field id
(:func:`migrate_data`) and validated against the new version, and only
errors on incompatibly changed fields or new/stricter rules count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from forms_builder.model import Field, FormDefinition, LocalText
from forms_builder.submission import CompiledForm, validate_submission
from forms_builder.versions.diff import VersionDiff

__all__ = [
    "AffectedDraft",
    "FieldToReenter",
    "OpenDraft",
    "affected_drafts",
    "fields_to_re_enter",
    "migrate_data",
]


@dataclass(frozen=True)
class OpenDraft:
    """A citizen's draft not yet submitted, as saved."""

    id: str
    version: int
    """The form version the draft was started on (and keeps when resumed)."""
    data: Mapping[str, Any]


@dataclass(frozen=True)
class AffectedDraft:
    """A draft in progress that must re-enter some fields after an incompatible switch."""

    index: int
    """Position of the draft in the list given."""
    field_ids: tuple[str, ...]
    rule_ids: tuple[str, ...] = ()
    """New or stricter rules the moved data fails (their fields are in ``field_ids``)."""
    draft_id: str | None = None
    from_version: int | None = None


@dataclass(frozen=True)
class FieldToReenter:
    """A field of the new version and how many open drafts would have to re-enter it."""

    field_id: str
    path: str
    label: LocalText
    drafts: int


def migrate_data(
    before: FormDefinition, after: FormDefinition, data: Mapping[str, Any]
) -> dict[str, Any]:
    """Move draft ``data`` of ``before`` to the keys of ``after``, following field ids.

    Top-level and group fields move; table rows keep their row fields by id
    too. Values of removed fields are dropped.
    """
    return _move(_fields_of(before), _fields_of(after), data)


def _fields_of(d: FormDefinition) -> tuple[Field, ...]:
    return tuple(f for s in d.sections for f in s.fields)


def _flat(fields: tuple[Field, ...], data: Mapping[str, Any]) -> dict[str, tuple[Field, Any]]:
    out: dict[str, tuple[Field, Any]] = {}
    for f in fields:
        if f.key not in data:
            continue
        value = data[f.key]
        if f.fields and isinstance(value, Mapping):
            out.update(_flat(f.fields, value))
        else:
            out[f.id] = (f, value)
    return out


def _move(old: tuple[Field, ...], new: tuple[Field, ...], data: Mapping[str, Any]) -> dict:
    values = _flat(old, data)
    return _place(new, values)


def _place(fields: tuple[Field, ...], values: dict[str, tuple[Field, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        if f.fields and f.type != "repeat":
            inner = _place(f.fields, values)
            if inner:
                out[f.key] = inner
        elif f.id in values:
            old_field, value = values[f.id]
            if f.type == "repeat" and isinstance(value, list):
                value = [
                    _move(old_field.fields, f.fields, r) for r in value if isinstance(r, Mapping)
                ]
            out[f.key] = value
    return out


def affected_drafts(
    diff: VersionDiff,
    before: FormDefinition,
    after: CompiledForm,
    drafts: Iterable[Mapping[str, Any]],
    *,
    today: date,
) -> list[AffectedDraft]:
    """Drafts whose data, moved to the new version, fails on an incompatible change.

    That is an error on an incompatibly changed field, or on a new or
    stricter cross-field rule (reported on the rule's fields).
    """
    incompatible, rules = diff.incompatible_ids(), diff.incompatible_rules()
    if not incompatible and not rules:
        return []
    ids_by_path = {path: fid for fid, (path, _f) in after.definition.field_by_id().items()}
    watched = {p: i for p, i in ids_by_path.items() if i in incompatible}
    affected = []
    for index, data in enumerate(drafts):
        moved = migrate_data(before, after.definition, data)
        outcome = validate_submission(after, moved, today=today)
        fields: set[str] = set()
        hit_rules: set[str] = set()
        for e in outcome.errors:
            path = _schema_path(e.path)
            rule = e.code.removeprefix("rule.") if e.code.startswith("rule.") else None
            if rule in rules:
                hit_rules.add(rule)
                if path in ids_by_path:
                    fields.add(ids_by_path[path])
            elif path in watched:
                fields.add(watched[path])
        if fields or hit_rules:
            affected.append(AffectedDraft(index, tuple(sorted(fields)), tuple(sorted(hit_rules))))
    return affected


def _schema_path(path: str) -> str:
    return ".".join(p for p in path.split(".") if not p.isdigit())


def fields_to_re_enter(
    affected: Iterable[AffectedDraft], after: FormDefinition
) -> tuple[FieldToReenter, ...]:
    """Each field of ``after`` that affected drafts must re-enter, with how many, by path."""
    counts = Counter(fid for a in affected for fid in a.field_ids)
    fields = after.field_by_id()
    found = [
        FieldToReenter(fid, fields[fid][0], fields[fid][1].label, n)
        for fid, n in counts.items()
        if fid in fields
    ]
    return tuple(sorted(found, key=lambda f: f.path))
