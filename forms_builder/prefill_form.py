"""From a definition's prefill bindings to the values the citizen's form opens with.

Registries answer in their own words ("Con", ``date_of_birth``); a form
speaks codes of its code lists (``child``) and its own keys (``birth_date``).
This module bridges the two so the compiled WTForms class can show the
values: choices are matched by code or by Vietnamese label, addresses are
turned into the province/commune/street the form asks for, and the rows of
a repeating group are matched by key with a few known aliases, or through
the ``columns`` of a :class:`~forms_builder.model.RowPrefill`.

Bound fields may sit inside groups: their binding is named by the dotted
data path (``requester.full_name``). A repeating group's extra row sources
are named ``<path>#<n>`` (``members#1``); they never lock anything.

Subjects other than the applicant (``mother``, ``father``) are looked up by
the personal ID the citizen typed in the group of that name
(``mother.personal_id``): :func:`typed_subjects` finds them and
:func:`fill_empty` adds what the registry holds to the fields still empty.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from eforms.errors import EformsError
from forms_builder.codelists import CodeLists
from forms_builder.identifiers import parse_enterprise_code, parse_personal_id
from forms_builder.model import Field, FieldType, FormDefinition, RowPrefill
from forms_builder.prefill import FieldBinding, OnUnavailable
from forms_builder.prefill.bindings import extract_path, normalise_value
from forms_builder.prefill.resolver import PrefilledValue
from forms_builder.visibility import is_empty

__all__ = [
    "BoundField",
    "PrefillHint",
    "bindings_of",
    "bound_fields",
    "fill_empty",
    "form_value",
    "prefill_hints",
    "prefilled_data",
    "put_path",
    "row_binding_key",
    "typed_subjects",
    "with_locked",
]

APPLICANT = "applicant"

#: Registry row keys that mean a form's row key.
ROW_ALIASES: Mapping[str, tuple[str, ...]] = {
    "birth_date": ("date_of_birth",),
    "relation": ("relation_to_head",),
}
#: Registry words that are not a code list label but mean one of its codes.
CHOICE_ALIASES: Mapping[str, str] = {"chủ hộ": "self"}


@dataclass(frozen=True)
class BoundField:
    """A field with a prefill binding, and where its value sits in the data."""

    path: str
    """Dotted data path (``requester.full_name``); the binding's field name."""
    field: Field


@dataclass(frozen=True)
class PrefillHint:
    """What the page says next to a prefilled field."""

    sources: tuple[str, ...]
    """Source names that gave the value (several for a table with extra rows)."""
    provenance: tuple[str, ...]
    """Dossier codes the values came from (citizen data store results)."""
    locked: bool


def row_binding_key(path: str, index: int) -> str:
    """The binding name of the ``index``-th (from 1) extra row source of table ``path``."""
    return f"{path}#{index}"


def bound_fields(definition: FormDefinition) -> Iterator[BoundField]:
    """Every field of ``definition`` with a binding, groups included, rows of tables not."""

    def walk(fields: tuple[Field, ...], prefix: str) -> Iterator[BoundField]:
        for f in fields:
            path = f"{prefix}{f.key}"
            if f.prefill is not None or f.prefill_rows:
                yield BoundField(path, f)
            if f.type is FieldType.GROUP:
                yield from walk(f.fields, f"{path}.")

    for section in definition.sections:
        yield from walk(section.fields, "")


def bindings_of(definition: FormDefinition) -> list[FieldBinding]:
    """The resolver's bindings for the definition's bound fields."""
    out: list[FieldBinding] = []
    for bound in bound_fields(definition):
        p = bound.field.prefill
        if p is not None:
            out.append(
                FieldBinding(
                    bound.path,
                    p.source,
                    p.path,
                    subject=p.subject,
                    locked=p.locked,
                    on_unavailable=OnUnavailable(str(p.on_unavailable)),
                )
            )
        for i, rows in enumerate(bound.field.prefill_rows, start=1):
            out.append(
                FieldBinding(
                    row_binding_key(bound.path, i),
                    rows.source,
                    rows.path,
                    subject=rows.subject,
                    on_unavailable=OnUnavailable(str(rows.on_unavailable)),
                )
            )
    return out


def prefilled_data(
    definition: FormDefinition, values: Mapping[str, PrefilledValue], code_lists: CodeLists
) -> dict[str, Any]:
    """The form data the resolver's ``values`` give, nested as the definition's data is."""
    data: dict[str, Any] = {}
    for bound in bound_fields(definition):
        value = _bound_value(bound, values, code_lists)
        if value is not None:
            put_path(data, bound.path, value)
    return data


def prefill_hints(
    definition: FormDefinition, values: Mapping[str, PrefilledValue]
) -> dict[str, PrefillHint]:
    """For each prefilled field path, where its value came from."""
    hints: dict[str, PrefillHint] = {}
    for bound in bound_fields(definition):
        keys = [bound.path] + [
            row_binding_key(bound.path, i) for i in range(1, len(bound.field.prefill_rows) + 1)
        ]
        items = [values[k] for k in keys if k in values]
        if items:
            hints[bound.path] = PrefillHint(
                sources=tuple(dict.fromkeys(item.source for item in items)),
                provenance=tuple(dict.fromkeys(i.provenance for i in items if i.provenance)),
                locked=any(item.locked for item in items),
            )
    return hints


def typed_subjects(definition: FormDefinition, data: Mapping[str, Any]) -> dict[str, str]:
    """Subjects other than the applicant whose well-formed identifier the form holds.

    A binding with ``subject: "mother"`` is looked up by ``mother.personal_id``
    in the data, or by its ``subject_field`` (``investor.enterprise_code`` for
    an enterprise). Identifiers that are not well formed are left out (the
    field's own validation tells the citizen).
    """
    out: dict[str, str] = {}
    for bound in bound_fields(definition):
        p = bound.field.prefill
        if p is None or p.subject == APPLICANT or p.subject in out:
            continue
        found, typed = extract_path(data, p.subject_field or f"{p.subject}.personal_id")
        if not found or not isinstance(typed, str):
            continue
        parse = parse_enterprise_code if p.source == "enterprise" else parse_personal_id
        try:
            out[p.subject] = parse(typed).value
        except EformsError:
            continue
    return out


def fill_empty(
    definition: FormDefinition,
    data: Mapping[str, Any],
    values: Mapping[str, PrefilledValue],
    code_lists: CodeLists,
) -> dict[str, Any]:
    """``data`` with the prefilled ``values`` put into the fields still empty.

    What the citizen typed is never overwritten.
    """
    merged = json_copy(data)
    for bound in bound_fields(definition):
        value = _bound_value(bound, values, code_lists)
        if value is None:
            continue
        found, current = extract_path(merged, bound.path)
        if not found or _blank(current):
            put_path(merged, bound.path, value)
    return merged


def with_locked(
    definition: FormDefinition,
    data: Mapping[str, Any],
    values: Mapping[str, PrefilledValue],
    code_lists: CodeLists,
) -> dict[str, Any]:
    """``data`` with every locked field set to what its source holds now.

    A draft saved before the registry changed (or a value changed in the
    browser) shows the current value again, so the citizen is not stuck with
    a submission the locked check would refuse.
    """
    merged = json_copy(data)
    locked = {k: v for k, v in values.items() if v.locked}
    for bound in bound_fields(definition):
        value = _bound_value(bound, locked, code_lists)
        if value is not None:
            put_path(merged, bound.path, value)
    return merged


def _blank(value: Any) -> bool:
    """Nothing typed: empty, or an object (an address) whose parts are all empty."""
    if isinstance(value, Mapping):
        return all(_blank(v) for v in value.values())
    return is_empty(value)


def json_copy(data: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of JSON-like ``data`` (dicts and lists copied, leaves shared)."""

    def copy(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: copy(v) for k, v in value.items()}
        if isinstance(value, list):
            return [copy(v) for v in value]
        return value

    return copy(data)


def form_value(f: Field, value: Any, code_lists: CodeLists) -> Any:
    """``value`` from a registry as field ``f`` holds it, or None when it does not fit."""
    if f.type is FieldType.REPEAT:
        if not isinstance(value, list):
            return None
        return [_row(f, item, code_lists) for item in value if isinstance(item, Mapping)]
    if f.type is FieldType.CHOICE:
        return _choice(f, value, code_lists)
    if f.type is FieldType.ADDRESS:
        return _address(value)
    return value


def _bound_value(
    bound: BoundField, values: Mapping[str, PrefilledValue], code_lists: CodeLists
) -> Any:
    f = bound.field
    item = values.get(bound.path)
    value = form_value(f, item.value, code_lists) if item is not None else None
    if f.type is not FieldType.REPEAT or not f.prefill_rows:
        return value
    rows: list[dict[str, Any]] = list(value or [])
    for i, source in enumerate(f.prefill_rows, start=1):
        extra = values.get(row_binding_key(bound.path, i))
        if extra is None:
            continue
        for row in _extra_rows(f, source, extra.value, code_lists):
            if row and not any(_same_row(row, existing) for existing in rows):
                rows.append(row)
    if f.max_items is not None:
        rows = rows[: f.max_items]
    return rows or value


def _extra_rows(
    f: Field, source: RowPrefill, value: Any, code_lists: CodeLists
) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    rows = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        if source.columns:
            item = {
                column: found
                for column, key in source.columns
                for ok, found in [extract_path(item, key)]
                if ok
            }
        rows.append(_row(f, item, code_lists))
    return rows


def _same_row(new: Mapping[str, Any], existing: Mapping[str, Any]) -> bool:
    """Whether ``existing`` already says everything ``new`` says (the same person)."""
    return all(normalise_value(existing.get(k)) == normalise_value(v) for k, v in new.items())


def _row(f: Field, item: Mapping[str, Any], code_lists: CodeLists) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for sub in f.fields:
        for key in (sub.key, *ROW_ALIASES.get(sub.key, ())):
            if item.get(key) is not None:
                converted = form_value(sub, item[key], code_lists)
                if converted is not None:
                    row[sub.key] = converted
                break
    return row


def _address(value: Any) -> dict[str, str] | None:
    """A registry address (``province_code``, ``commune_code``, ``street``) as the form's."""
    if not isinstance(value, Mapping):
        return None
    parts = {
        "province": value.get("province_code", value.get("province")),
        "commune": value.get("commune_code", value.get("commune")),
        "street": value.get("street"),
    }
    out = {k: str(v) for k, v in parts.items() if v not in (None, "")}
    return out or None


def _choice(f: Field, value: Any, code_lists: CodeLists) -> str | None:
    code_list = code_lists.get(f.code_list) if f.code_list else None
    options = code_list.options if code_list else f.options
    text = _fold(str(value))
    for option in options:
        if _fold(option.code) == text or _fold(option.label.vi) == text:
            return option.code
    alias = CHOICE_ALIASES.get(text)
    if alias and any(o.code == alias for o in options):
        return alias
    return None


def put_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at dotted ``path`` in ``data``, making the groups on the way."""
    *parents, last = path.split(".")
    target = data
    for key in parents:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[last] = value


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split())).casefold()
