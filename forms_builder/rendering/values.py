"""Submitted values as the printed form shows them.

The paper form prints dates as ``dd/mm/yyyy``, code-list answers by their
Vietnamese label, addresses as one line from street to province, and yes/no
as ticked boxes. :func:`display_values` walks a definition once and gives
every data path its printed text; a repeat becomes a list of rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forms_builder.codelists import CodeLists
from forms_builder.model import Field, FieldType, FormDefinition
from forms_builder.visibility import is_empty

__all__ = ["Shown", "display_values", "format_value"]


@dataclass(frozen=True)
class Shown:
    """One field as printed: its label, the text, and the raw value."""

    field: Field
    text: str
    """Empty when no value was given (the template prints a dotted leader)."""
    raw: Any = None
    rows: tuple[Mapping[str, Shown], ...] = ()
    """For a repeat: one mapping per row, keyed by the child's key and id."""
    children: Mapping[str, Shown] = field(default_factory=dict)
    """For a group: the children keyed by key and id."""

    @property
    def empty(self) -> bool:
        """No value given."""
        return not self.text and not self.rows


def _date(value: str) -> str:
    return "/".join(reversed(value.split("-")))


def _label(f: Field, code: str, code_lists: CodeLists) -> str:
    for option in f.options:
        if option.code == code:
            return option.label.vi
    listed = code_lists.get(f.code_list) if f.code_list else None
    if listed is not None:
        for option in listed.options:
            if option.code == code:
                return option.label.vi
    return code


def _address(value: Mapping[str, Any], code_lists: CodeLists) -> str:
    names = []
    for part, list_name in (("street", None), ("commune", "communes"), ("province", "provinces")):
        code = value.get(part)
        if is_empty(code):
            continue
        listed = code_lists.get(list_name) if list_name else None
        label = (
            next((o.label.vi for o in listed.options if o.code == code), code) if listed else code
        )
        names.append(str(label))
    return ", ".join(names)


def format_value(f: Field, value: Any, code_lists: CodeLists) -> str:
    """The printed text of ``value`` for field ``f`` (empty for no value)."""
    if is_empty(value):
        return ""
    kind = f.type
    if kind in (FieldType.DATE, FieldType.PARTIAL_DATE):
        return _date(str(value))
    if kind == FieldType.CHOICE:
        if isinstance(value, list):
            return ", ".join(_label(f, str(v), code_lists) for v in value)
        return _label(f, str(value), code_lists)
    if kind == FieldType.YES_NO:
        return "Có" if value else "Không"
    if kind == FieldType.ADDRESS and isinstance(value, Mapping):
        return _address(value, code_lists)
    if kind == FieldType.ATTACHMENT and isinstance(value, list):
        return "; ".join(str(item.get("name", "")) for item in value if isinstance(item, Mapping))
    if kind == FieldType.NUMBER and isinstance(value, float):
        # Vietnamese writes the decimal separator as a comma (80,5 m²).
        return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")
    return str(value)


def _shown(f: Field, value: Any, code_lists: CodeLists) -> Shown:
    if f.type == FieldType.REPEAT:
        rows = value if isinstance(value, list) else []
        return Shown(
            f,
            "",
            value,
            rows=tuple(_children(f, row, code_lists) for row in rows if isinstance(row, Mapping)),
        )
    if f.type == FieldType.GROUP:
        group = value if isinstance(value, Mapping) else {}
        return Shown(f, "", value, children=_children(f, group, code_lists))
    return Shown(f, format_value(f, value, code_lists), value)


def _children(f: Field, data: Mapping[str, Any], code_lists: CodeLists) -> dict[str, Shown]:
    shown: dict[str, Shown] = {}
    for child in f.fields:
        item = _shown(child, data.get(child.key), code_lists)
        shown[child.key] = shown[child.id] = item
    return shown


def display_values(
    definition: FormDefinition, data: Mapping[str, Any], code_lists: CodeLists
) -> dict[str, Shown]:
    """Every field of ``definition`` by stable id, with its printed value from ``data``."""
    shown: dict[str, Shown] = {}

    def walk(fields: tuple[Field, ...], scope: Mapping[str, Any]) -> None:
        for f in fields:
            item = _shown(f, scope.get(f.key), code_lists)
            shown[f.id] = item
            if f.type == FieldType.GROUP:
                group = scope.get(f.key)
                walk(f.fields, group if isinstance(group, Mapping) else {})

    for section in definition.sections:
        walk(section.fields, data)
    return shown
