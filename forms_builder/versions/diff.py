"""The diff between two versions of a form, and whether drafts in progress carry over.

Fields are matched by their stable id, so a renamed key or a moved field is
a change of that field, not a removal and an addition. Besides fields the
diff covers the sections (title, ``visible_when``), the cross-field rules,
the legal basis and the print layout. Each change is classified:

- **compatible**: drafts in progress carry over (labels, help, a looser
  constraint, a new optional field, a renamed key, a removed rule, a new
  legal basis or print layout: the data stays valid);
- **incompatible**: drafts in progress must re-enter the field (a new
  required field, a different type, a tighter constraint, a removed option,
  a new or stricter cross-field rule, a visibility change that can show a
  required field or hide one that was required).

Visibility is compared as a field's whole chain of conditions (its
section's, its groups' and its own), so moving a field into a conditional
section is a visibility change of that field too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from forms_builder.model import Field, FormDefinition, Logic, Section

__all__ = ["ChangeKind", "FieldChange", "Part", "PartChange", "VersionDiff", "diff_definitions"]


class ChangeKind(StrEnum):
    """What happened to a field (or a rule, a section...) between two versions."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class Part(StrEnum):
    """The parts of a definition other than fields that a diff follows."""

    SECTION = "section"
    RULE = "rule"
    LEGAL_BASIS = "legal_basis"
    PRINT_LAYOUT = "print_layout"


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
class PartChange:
    """A change of a section, a rule, the legal basis or the print layout."""

    part: Part
    id: str
    """Section or rule id; ``legal_basis``; ``template`` or ``<field id> -> <place>``."""
    kind: ChangeKind
    properties: tuple[str, ...]
    compatible: bool
    reason_vi: str
    reason_en: str


@dataclass(frozen=True)
class VersionDiff:
    """Every change from ``before`` to ``after``."""

    before: str
    after: str
    changes: tuple[FieldChange, ...]
    """Field changes, matched by stable id."""
    parts: tuple[PartChange, ...] = ()
    """Changes of sections, rules, legal basis and print layout."""

    @property
    def compatible(self) -> bool:
        """Whether drafts in progress carry over unchanged."""
        return all(c.compatible for c in self.changes) and all(p.compatible for p in self.parts)

    def incompatible_ids(self) -> frozenset[str]:
        """Ids of fields drafts must re-enter."""
        return frozenset(c.field_id for c in self.changes if not c.compatible)

    def incompatible_rules(self) -> frozenset[str]:
        """Ids of new or stricter rules drafts may fail."""
        return frozenset(p.id for p in self.parts if p.part == Part.RULE and not p.compatible)


# -- fields -------------------------------------------------------------------

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
_VISIBILITY = ("visible_when", "parent_visible_when")


@dataclass(frozen=True)
class _Placed:
    path: str
    field: Field
    conditions: tuple[Logic, ...]
    """``visible_when`` of the section and the groups around the field, outermost first."""


def _placed(d: FormDefinition) -> dict[str, _Placed]:
    out: dict[str, _Placed] = {}

    def walk(fields: tuple[Field, ...], prefix: str, conditions: tuple[Logic, ...]) -> None:
        for f in fields:
            path = f"{prefix}{f.key}"
            out[f.id] = _Placed(path, f, conditions)
            if f.fields:
                inner = conditions + ((f.visible_when,) if f.visible_when is not None else ())
                walk(f.fields, f"{path}.", inner)

    for s in d.sections:
        walk(s.fields, "", (s.visible_when,) if s.visible_when is not None else ())
    return out


def _needed(f: Field) -> bool:
    """Whether the field (or a row, a file) must be given, always or under a condition."""
    return (
        f.required
        or f.required_when is not None
        or (f.min_items or 0) > 0
        or (f.attachment is not None and f.attachment.min_count > 0)
    )


def _describe(p: _Placed) -> dict[str, Any]:
    f = p.field
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
        "parent_visible_when": p.conditions,
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
    return prop in ("option_labels", "children", "signer")


def _blocking(
    props: tuple[str, ...], before: dict[str, Any], after: dict[str, Any], old: Field, new: Field
) -> list[str]:
    if "type" in props:
        return ["type"]
    # Another condition can show a required field that drafts left empty
    # while it was hidden, or hide (and clear) a required answer.
    required = _needed(old) or _needed(new)
    return [
        p
        for p in props
        if p not in _COSMETIC
        and (required if p in _VISIBILITY else not _looser(p, before[p], after[p]))
    ]


def _change(old: _Placed, new: _Placed) -> FieldChange | None:
    before, after = _describe(old), _describe(new)
    props = tuple(k for k in before if before[k] != after[k])
    if old.path != new.path and "key" not in props:
        props += ("path",)  # moved into or out of a group: the value moves with the id
    if not props:
        return None
    blocking = _blocking(props, before, after, old.field, new.field)
    compatible = not blocking
    return FieldChange(
        old.field.id,
        ChangeKind.CHANGED,
        old.path,
        new.path,
        props,
        compatible,
        "Không ảnh hưởng hồ sơ đang soạn."
        if compatible
        else f"Hồ sơ đang soạn phải nhập lại trường này ({', '.join(blocking)}).",
        "Drafts in progress carry over."
        if compatible
        else f"Drafts in progress must re-enter this field ({', '.join(blocking)}).",
    )


def _field_changes(before: FormDefinition, after: FormDefinition) -> Iterator[FieldChange]:
    old, new = _placed(before), _placed(after)
    for fid, p in old.items():
        if fid not in new:
            yield FieldChange(
                fid,
                ChangeKind.REMOVED,
                p.path,
                None,
                (),
                True,
                "Trường bị bỏ; giá trị đã nhập không còn dùng.",
                "Field removed; any value entered is dropped.",
            )
    for fid, p in new.items():
        if fid in old:
            if change := _change(old[fid], p):
                yield change
            continue
        needed = _needed(p.field)
        yield FieldChange(
            fid,
            ChangeKind.ADDED,
            None,
            p.path,
            (),
            not needed,
            "Trường mới bắt buộc: hồ sơ đang soạn phải bổ sung."
            if needed
            else "Trường mới không bắt buộc.",
            "New required field: drafts in progress must fill it in."
            if needed
            else "New optional field.",
        )


# -- sections -------------------------------------------------------------------


def _section_needs(s: Section) -> bool:
    def walk(fields: tuple[Field, ...]) -> bool:
        return any(_needed(f) or walk(f.fields) for f in fields)

    return walk(s.fields)


def _section_changes(before: FormDefinition, after: FormDefinition) -> Iterator[PartChange]:
    old = {s.id: s for s in before.sections}
    new = {s.id: s for s in after.sections}
    for sid in (s.id for s in before.sections if s.id not in new):
        yield PartChange(
            Part.SECTION,
            sid,
            ChangeKind.REMOVED,
            (),
            True,
            "Phần bị bỏ (các trường của phần được liệt kê riêng).",
            "Section removed (its fields are listed one by one).",
        )
    for s in after.sections:
        if s.id not in old:
            yield PartChange(
                Part.SECTION,
                s.id,
                ChangeKind.ADDED,
                (),
                True,
                "Phần mới (các trường của phần được liệt kê riêng).",
                "New section (its fields are listed one by one).",
            )
            continue
        was = old[s.id]
        props = tuple(
            name
            for name, a, b in (
                ("title", was.title, s.title),
                ("visible_when", was.visible_when, s.visible_when),
                ("fields", tuple(f.id for f in was.fields), tuple(f.id for f in s.fields)),
            )
            if a != b
        )
        if not props:
            continue
        blocking = "visible_when" in props and (_section_needs(was) or _section_needs(s))
        yield PartChange(
            Part.SECTION,
            s.id,
            ChangeKind.CHANGED,
            props,
            not blocking,
            "Điều kiện hiển thị đổi trên phần có trường bắt buộc: hồ sơ đang soạn phải "
            "nhập lại các trường đó."
            if blocking
            else "Không ảnh hưởng hồ sơ đang soạn.",
            "The visibility of a section with required fields changed: drafts in progress "
            "must re-enter them."
            if blocking
            else "Drafts in progress carry over.",
        )


# -- rules ----------------------------------------------------------------------


def _rule_changes(before: FormDefinition, after: FormDefinition) -> Iterator[PartChange]:
    old = {r.id: r for r in before.rules}
    kept = {r.id for r in after.rules}
    for rid in (r.id for r in before.rules if r.id not in kept):
        yield PartChange(
            Part.RULE,
            rid,
            ChangeKind.REMOVED,
            (),
            True,
            "Quy tắc bị bỏ: dữ liệu đã nhập vẫn hợp lệ.",
            "Rule removed: data entered stays valid.",
        )
    for r in after.rules:
        was = old.get(r.id)
        if was is None:
            kind, props, blocking = ChangeKind.ADDED, (), True
        else:
            kind = ChangeKind.CHANGED
            props = tuple(
                name
                for name, a, b in (
                    ("check", was.check, r.check),
                    ("when", was.when, r.when),
                    ("fields", was.fields, r.fields),
                    ("message", was.message, r.message),
                )
                if a != b
            )
            if not props:
                continue
            # A condition added where there was none applies the rule less often.
            looser_when = was.when is None and r.when is not None
            blocking = "check" in props or ("when" in props and not looser_when)
        where = ", ".join(r.fields) or "/"
        yield PartChange(
            Part.RULE,
            r.id,
            kind,
            props,
            not blocking,
            f"Quy tắc mới hoặc chặt hơn: hồ sơ đang soạn có thể phải sửa {where}."
            if blocking
            else "Không ảnh hưởng hồ sơ đang soạn.",
            f"New or stricter rule: drafts in progress may have to correct {where}."
            if blocking
            else "Drafts in progress carry over.",
        )


# -- legal basis and print layout ------------------------------------------------

_PRINT_ONLY_VI = "Chỉ thay đổi bản in; dữ liệu đã nhập giữ nguyên."
_PRINT_ONLY_EN = "Print only; data entered carries over."


def _legal_changes(before: FormDefinition, after: FormDefinition) -> Iterator[PartChange]:
    a, b = before.legal_basis, after.legal_basis
    props = tuple(
        name
        for name, x, y in (
            ("document", a.document, b.document),
            ("title", a.title, b.title),
            ("issued_on", a.issued_on, b.issued_on),
            ("effective_from", a.effective_from, b.effective_from),
            ("confidence", a.confidence, b.confidence),
            ("in_force_from", before.in_force_from, after.in_force_from),
        )
        if x != y
    )
    if props:
        yield PartChange(
            Part.LEGAL_BASIS,
            "legal_basis",
            ChangeKind.CHANGED,
            props,
            True,
            f"Căn cứ pháp lý: {a.document} → {b.document}, hiệu lực từ "
            f"{after.in_force_from:%d/%m/%Y}; dữ liệu đã nhập giữ nguyên.",
            f"Legal basis: {a.document} -> {b.document}, in force from "
            f"{after.in_force_from.isoformat()}; data entered carries over.",
        )


def _places(d: FormDefinition) -> dict[str, tuple[Any, ...]]:
    layout = d.print_layout
    if layout is None:
        return {}
    return {f"{p.field_id} -> {p.place}": (p.render, p.note) for p in layout.places}


def _layout_changes(before: FormDefinition, after: FormDefinition) -> Iterator[PartChange]:
    def change(pid: str, kind: ChangeKind, props: tuple[str, ...] = ()) -> PartChange:
        return PartChange(Part.PRINT_LAYOUT, pid, kind, props, True, _PRINT_ONLY_VI, _PRINT_ONLY_EN)

    old_t = before.print_layout.template if before.print_layout else None
    new_t = after.print_layout.template if after.print_layout else None
    if old_t != new_t:
        kind = (
            ChangeKind.ADDED
            if old_t is None
            else ChangeKind.REMOVED
            if new_t is None
            else ChangeKind.CHANGED
        )
        yield change("template", kind, ("template",) if kind == ChangeKind.CHANGED else ())
    old, new = _places(before), _places(after)
    for pid in (p for p in old if p not in new):
        yield change(pid, ChangeKind.REMOVED)
    for pid, (render, note) in new.items():
        if pid not in old:
            yield change(pid, ChangeKind.ADDED)
        elif old[pid] != (render, note):
            props = tuple(
                name
                for name, x, y in (("render", old[pid][0], render), ("note", old[pid][1], note))
                if x != y
            )
            yield change(pid, ChangeKind.CHANGED, props)


def diff_definitions(before: FormDefinition, after: FormDefinition) -> VersionDiff:
    """Changes from ``before`` to ``after``: fields by stable id, then the other parts."""
    parts = (
        *_section_changes(before, after),
        *_rule_changes(before, after),
        *_legal_changes(before, after),
        *_layout_changes(before, after),
    )
    return VersionDiff(before.ref, after.ref, tuple(_field_changes(before, after)), parts)
