"""Versions of a form: life cycle, field-by-field diff, compatibility, version in force.

A published version never changes; editing makes a new draft version. A
diff follows fields by their stable id, so a renamed key or a moved field
is a change of that field, not a removal and an addition. Each change is
classified:

- **compatible**: drafts in progress carry over (labels, help, a looser
  constraint, a new optional field, a renamed key: the value moves with
  the id);
- **incompatible**: drafts in progress must re-enter the field (a new
  required field, a different type, a tighter constraint, a removed option).

The version in force on a date is the published version with the latest
``in_force_from`` not after that date (legal-basis scheduling).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from forms_builder.errors import DefinitionImmutable, InvalidTransition, NoVersionInForce
from forms_builder.model import EDITABLE_STATUSES, Field, FormDefinition, Status
from forms_builder.submission import CompiledForm, validate_submission

__all__ = [
    "AffectedDraft",
    "ChangeKind",
    "FieldChange",
    "VersionDiff",
    "affected_drafts",
    "check_transition",
    "diff_definitions",
    "ensure_editable",
    "migrate_data",
    "next_draft",
    "version_in_force",
]


class ChangeKind(StrEnum):
    """What happened to a field between two versions."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class FieldChange:
    """One field's change; ``properties`` names what changed."""

    field_id: str
    kind: ChangeKind
    path_before: str | None
    path_after: str | None
    properties: tuple[str, ...]
    compatible: bool
    reason_vi: str
    reason_en: str


@dataclass(frozen=True)
class VersionDiff:
    """Every field change from ``before`` to ``after``."""

    before: str
    after: str
    changes: tuple[FieldChange, ...]

    @property
    def compatible(self) -> bool:
        """Whether drafts in progress carry over unchanged."""
        return all(c.compatible for c in self.changes)

    def incompatible_ids(self) -> frozenset[str]:
        """Ids of fields drafts must re-enter."""
        return frozenset(c.field_id for c in self.changes if not c.compatible)


_ALLOWED = {
    Status.DRAFT: {Status.TESTING, Status.PUBLISHED},
    Status.TESTING: {Status.DRAFT, Status.PUBLISHED},
    Status.PUBLISHED: {Status.RETIRED},
    Status.RETIRED: set(),
}


def check_transition(current: Status, target: Status) -> None:
    """Refuse a status change the life cycle does not allow."""
    if target not in _ALLOWED[current]:
        raise InvalidTransition(
            f"Không thể chuyển trạng thái từ '{current}' sang '{target}'.",
            f"Cannot change the status from '{current}' to '{target}'.",
            details={"from": str(current), "to": str(target)},
        )


def ensure_editable(d: FormDefinition) -> None:
    """Refuse to edit a published or retired version."""
    if d.status not in EDITABLE_STATUSES:
        raise DefinitionImmutable(
            f"Phiên bản {d.ref} đã {'ban hành' if d.status == Status.PUBLISHED else 'ngừng'} "
            "và không thể sửa; hãy tạo phiên bản nháp mới.",
            f"Version {d.ref} is {d.status} and cannot be changed; create a new draft version.",
            details={"code": d.code, "version": d.version, "status": str(d.status)},
        )


def next_draft(d: FormDefinition, *, version: int) -> FormDefinition:
    """A new draft ``version`` with the content of ``d`` (the way to edit a published form)."""
    return replace(d, version=version, status=Status.DRAFT)


_COSMETIC = (
    "label",
    "help",
    "note",
    "confidence",
    "sensitive",
    "prefill",
    "prefill_rows",
    "key",
    "path",
)


def _describe(f: Field) -> dict[str, Any]:
    return {
        "type": f.type,
        "label": f.label,
        "help": f.help,
        "note": f.note,
        "confidence": f.confidence,
        "sensitive": f.sensitive,
        "prefill": f.prefill,
        "prefill_rows": f.prefill_rows,
        "key": f.key,
        "required": (f.required, f.required_when is not None),
        "visible_when": f.visible_when,
        "required_when": f.required_when,
        "min_length": f.min_length,
        "max_length": f.max_length,
        "pattern": f.pattern,
        "minimum": f.minimum,
        "maximum": f.maximum,
        "integer": f.integer,
        "code_list": f.code_list,
        "options": tuple(o.code for o in f.options),
        "option_labels": tuple(o.label for o in f.options),
        "precisions": frozenset(f.precisions),
        "min_items": f.min_items,
        "max_items": f.max_items,
        "attachment": f.attachment,
        "signer": f.signer,
        "children": tuple(c.id for c in f.fields),
    }


def _looser(prop: str, old: Any, new: Any) -> bool:
    """Whether changing ``prop`` from ``old`` to ``new`` accepts everything it accepted."""
    if new is None and prop in (
        "min_length",
        "max_length",
        "minimum",
        "maximum",
        "pattern",
        "min_items",
        "max_items",
    ):
        return True
    if prop in ("max_length", "maximum", "max_items"):
        return old is not None and new >= old
    if prop in ("min_length", "minimum", "min_items"):
        return old is not None and new <= old
    if prop == "options":
        return set(old) <= set(new)
    if prop == "precisions":
        return old <= new
    if prop == "required":
        return not new[0] and not new[1]
    if prop == "integer":
        return old and not new
    return prop in ("option_labels", "children", "visible_when", "signer")


def _change(old: Field, old_path: str, new: Field, new_path: str) -> FieldChange | None:
    before, after = _describe(old), _describe(new)
    props = tuple(k for k in before if before[k] != after[k])
    if old_path != new_path and "key" not in props:
        props += ("path",)  # moved into or out of a group: the value moves with the id
    if not props:
        return None
    if "type" in props:
        blocking = ["type"]
    else:
        blocking = [p for p in props if p not in _COSMETIC and not _looser(p, before[p], after[p])]
    compatible = not blocking
    return FieldChange(
        old.id,
        ChangeKind.CHANGED,
        old_path,
        new_path,
        props,
        compatible,
        "Không ảnh hưởng hồ sơ đang soạn."
        if compatible
        else f"Hồ sơ đang soạn phải nhập lại trường này ({', '.join(blocking)}).",
        "Drafts in progress carry over."
        if compatible
        else f"Drafts in progress must re-enter this field ({', '.join(blocking)}).",
    )


def diff_definitions(before: FormDefinition, after: FormDefinition) -> VersionDiff:
    """Field-by-field changes from ``before`` to ``after``, matched by stable id."""
    old, new = before.field_by_id(), after.field_by_id()
    changes: list[FieldChange] = []
    for fid, (path, _f) in old.items():
        if fid not in new:
            changes.append(
                FieldChange(
                    fid,
                    ChangeKind.REMOVED,
                    path,
                    None,
                    (),
                    True,
                    "Trường bị bỏ; giá trị đã nhập không còn dùng.",
                    "Field removed; any value entered is dropped.",
                )
            )
    for fid, (path, f) in new.items():
        if fid not in old:
            needed = f.required or f.required_when is not None
            changes.append(
                FieldChange(
                    fid,
                    ChangeKind.ADDED,
                    None,
                    path,
                    (),
                    not needed,
                    "Trường mới bắt buộc: hồ sơ đang soạn phải bổ sung."
                    if needed
                    else "Trường mới không bắt buộc.",
                    "New required field: drafts in progress must fill it in."
                    if needed
                    else "New optional field.",
                )
            )
            continue
        if fid in old and (change := _change(old[fid][1], old[fid][0], f, path)):
            changes.append(change)
    return VersionDiff(before.ref, after.ref, tuple(changes))


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


@dataclass(frozen=True)
class AffectedDraft:
    """A draft in progress that must re-enter some fields after an incompatible switch."""

    index: int
    """Position of the draft in the list given."""
    field_ids: tuple[str, ...]


def affected_drafts(
    diff: VersionDiff,
    before: FormDefinition,
    after: CompiledForm,
    drafts: Iterable[Mapping[str, Any]],
    *,
    today: date,
) -> list[AffectedDraft]:
    """Drafts whose data, moved to the new version, fails on an incompatibly changed field."""
    incompatible = diff.incompatible_ids()
    if not incompatible:
        return []
    paths = after.definition.field_by_id()
    watched = {paths[i][0]: i for i in incompatible if i in paths}
    affected = []
    for index, data in enumerate(drafts):
        moved = migrate_data(before, after.definition, data)
        outcome = validate_submission(after, moved, today=today)
        hit = {watched[p] for p in (_schema_path(e.path) for e in outcome.errors) if p in watched}
        if hit:
            affected.append(AffectedDraft(index, tuple(sorted(hit))))
    return affected


def _schema_path(path: str) -> str:
    return ".".join(p for p in path.split(".") if not p.isdigit())


def version_in_force(versions: Iterable[FormDefinition], on: date) -> FormDefinition:
    """The published version in force ``on`` that date (latest start not after it)."""
    candidates = [v for v in versions if v.status == Status.PUBLISHED and v.in_force_from <= on]
    if not candidates:
        raise NoVersionInForce(
            f"Không có phiên bản nào của biểu mẫu có hiệu lực vào ngày {on:%d/%m/%Y}.",
            f"No published version of the form is in force on {on.isoformat()}.",
            details={"date": on.isoformat()},
        )
    return max(candidates, key=lambda v: (v.in_force_from, v.version))
