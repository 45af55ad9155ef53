"""From a definition's prefill bindings to the values the citizen's form opens with.

Registries answer in their own words ("Con", ``date_of_birth``); a form
speaks codes of its code lists (``child``) and its own keys (``birth_date``).
This module bridges the two so the compiled WTForms class can show the
values: choices are matched by code or by Vietnamese label, and the rows of
a repeating group are matched by key with a few known aliases.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

from forms_builder.codelists import CodeLists
from forms_builder.model import Field, FieldType, FormDefinition
from forms_builder.prefill import FieldBinding, OnUnavailable

#: Registry row keys that mean a form's row key.
ROW_ALIASES: Mapping[str, tuple[str, ...]] = {
    "birth_date": ("date_of_birth",),
    "relation": ("relation_to_head",),
}
#: Registry words that are not a code list label but mean one of its codes.
CHOICE_ALIASES: Mapping[str, str] = {"chủ hộ": "self"}


def bound_fields(definition: FormDefinition) -> Iterator[Field]:
    """The top-level fields of ``definition`` that carry a prefill binding."""
    for section in definition.sections:
        for f in section.fields:
            if f.prefill is not None:
                yield f


def bindings_of(definition: FormDefinition) -> list[FieldBinding]:
    """The resolver's bindings for the definition's bound fields."""
    out: list[FieldBinding] = []
    for f in bound_fields(definition):
        assert f.prefill is not None
        out.append(
            FieldBinding(
                f.key,
                f.prefill.source,
                f.prefill.path,
                subject=f.prefill.subject,
                locked=f.prefill.locked,
                on_unavailable=OnUnavailable(str(f.prefill.on_unavailable)),
            )
        )
    return out


def form_value(f: Field, value: Any, code_lists: CodeLists) -> Any:
    """``value`` from a registry as field ``f`` holds it, or None when it does not fit."""
    if f.type is FieldType.REPEAT:
        if not isinstance(value, list):
            return None
        return [_row(f, item, code_lists) for item in value if isinstance(item, Mapping)]
    if f.type is FieldType.CHOICE:
        return _choice(f, value, code_lists)
    return value


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


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split())).casefold()
