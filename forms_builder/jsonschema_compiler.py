"""Compile a definition to a JSON Schema 2020-12 for its submitted data.

The schema describes the data after :func:`forms_builder.visibility.clean_submission`
(hidden parts and empty values removed): types, lengths, patterns, ranges,
code-list membership, communes inside their province, table and attachment
counts, and the fields that are required whatever the answers. What depends
on the answers (conditional requiredness, cross-field rules) is checked by
:mod:`forms_builder.submission` with the rule language, the same way on
every path. Formats (``date``, ``partial-date``, ``vn-personal-id``, ...) are
asserted with :func:`format_checker`; the same predicates back the WTForms
validators.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from forms_builder.codelists import CodeList, CodeLists
from forms_builder.model import Field, FieldType, FormDefinition
from forms_builder.vn_formats import (
    is_email,
    is_iso_date,
    is_partial_date,
    is_personal_id,
    is_phone,
    is_tax_code,
    partial_date_pattern,
)

__all__ = [
    "FORMATS",
    "compile_json_schema",
    "data_validator",
    "format_checker",
    "statically_required",
]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

FORMATS: dict[str, Callable[[str], bool]] = {
    "date": is_iso_date,
    "partial-date": is_partial_date,
    "vn-personal-id": is_personal_id,
    "vn-tax-code": is_tax_code,
    "vn-phone": is_phone,
    "email": is_email,
}
"""Format name -> predicate on strings (other JSON types pass, as the spec says)."""


@cache
def format_checker() -> FormatChecker:
    """A checker that asserts exactly :data:`FORMATS`."""
    checker = FormatChecker(formats=())
    for name, predicate in FORMATS.items():
        checker.checks(name)(_strings_only(predicate))
    return checker


def _strings_only(predicate: Callable[[str], bool]) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        return not isinstance(value, str) or predicate(value)

    return check


def data_validator(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for data against a compiled schema, formats asserted."""
    return Draft202012Validator(schema, format_checker=format_checker())


def statically_required(f: Field, *, conditional_ancestor: bool) -> bool:
    """Required whatever the answers: the schema can say it."""
    return (
        f.required
        and f.required_when is None
        and f.visible_when is None
        and not conditional_ancestor
    )


def compile_json_schema(d: FormDefinition, *, code_lists: CodeLists) -> dict[str, Any]:
    """The JSON Schema 2020-12 of the data submitted with ``d``."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for section in d.sections:
        conditional = section.visible_when is not None
        _object_members(section.fields, properties, required, code_lists, conditional)
    return {
        "$schema": DIALECT,
        "$id": f"urn:eforms:form:{d.code}:v{d.version}",
        "title": d.title.vi,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _object_members(
    fields: tuple[Field, ...],
    properties: dict[str, Any],
    required: list[str],
    code_lists: CodeLists,
    conditional: bool,
) -> None:
    for f in fields:
        if f.type == FieldType.SIGNATURE:
            continue
        properties[f.key] = _field_schema(f, code_lists, conditional)
        if statically_required(f, conditional_ancestor=conditional):
            required.append(f.key)


def _field_schema(f: Field, code_lists: CodeLists, conditional: bool) -> dict[str, Any]:
    builder = _BUILDERS.get(f.type)
    if builder is not None:
        schema = builder(f, code_lists)
    elif f.type == FieldType.GROUP:
        schema = _container(f, code_lists, conditional or f.visible_when is not None)
    elif f.type == FieldType.REPEAT:
        schema = _table(f, code_lists)
    else:
        schema = _attachment(f)
    schema["title"] = f.label.vi
    return schema


def _text(f: Field, _: CodeLists) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if f.min_length is not None:
        schema["minLength"] = f.min_length
    if f.max_length is not None:
        schema["maxLength"] = f.max_length
    if f.pattern is not None:
        schema["pattern"] = f.pattern
    return schema


def _number(f: Field, _: CodeLists) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer" if f.integer else "number"}
    if f.minimum is not None:
        schema["minimum"] = f.minimum
    if f.maximum is not None:
        schema["maximum"] = f.maximum
    return schema


def _formatted(name: str, pattern: str | None = None) -> Callable[[Field, CodeLists], dict]:
    def build(f: Field, _: CodeLists) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "format": name}
        if pattern:
            schema["pattern"] = pattern
        return schema

    return build


def _partial_date(f: Field, _: CodeLists) -> dict[str, Any]:
    return {
        "type": "string",
        "pattern": partial_date_pattern(f.precisions),
        "format": "partial-date",
    }


def choice_codes(f: Field, code_lists: CodeLists) -> tuple[list[str], str | None]:
    """The codes a choice field accepts, or a pattern when the list is open."""
    if f.options:
        return [o.code for o in f.options], None
    code_list = code_lists.get(f.code_list or "")
    if code_list is None:
        raise KeyError(f"unknown code list {f.code_list!r}")
    return code_list.codes(), code_list.pattern


def _choice(f: Field, code_lists: CodeLists) -> dict[str, Any]:
    codes, pattern = choice_codes(f, code_lists)
    if codes:
        return {"type": "string", "enum": codes}
    return {"type": "string", "pattern": pattern or "^.+$"}


def _yes_no(f: Field, _: CodeLists) -> dict[str, Any]:
    return {"type": "boolean"}


def _address(f: Field, code_lists: CodeLists) -> dict[str, Any]:
    provinces = _list(code_lists, "provinces")
    communes = _list(code_lists, "communes")
    by_province: dict[str, list[str]] = {}
    for code, parent in communes.parents.items():
        by_province.setdefault(parent, []).append(code)
    return {
        "type": "object",
        "properties": {
            "province": {"type": "string", "enum": provinces.codes()},
            "commune": {"type": "string", "pattern": r"^\d{5}$"},
            "street": {"type": "string", "maxLength": f.max_length or 200},
        },
        "required": ["province", "commune", "street"],
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"properties": {"province": {"const": p}}, "required": ["province"]},
                "then": {"properties": {"commune": {"enum": sorted(codes)}}},
            }
            for p, codes in sorted(by_province.items())
        ],
    }


def _list(code_lists: CodeLists, name: str) -> CodeList:
    found = code_lists.get(name)
    if found is None:
        raise KeyError(f"code list {name!r} is missing")
    return found


def _container(f: Field, code_lists: CodeLists, conditional: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    _object_members(f.fields, properties, required, code_lists, conditional)
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _table(f: Field, code_lists: CodeLists) -> dict[str, Any]:
    row = _container(f, code_lists, False)
    schema: dict[str, Any] = {"type": "array", "items": row}
    low = max(f.min_items or 0, 1 if f.required else 0)
    if low:
        schema["minItems"] = low
    if f.max_items is not None:
        schema["maxItems"] = f.max_items
    return schema


def _attachment(f: Field) -> dict[str, Any]:
    rule = f.attachment
    assert rule is not None  # the meta-schema requires it for attachments
    schema: dict[str, Any] = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 255},
                "media_type": {"type": "string", "enum": list(rule.media_types)},
                "size": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": int(rule.max_size_mb * 1024 * 1024),
                },
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            },
            "required": ["name", "media_type", "size", "sha256"],
            "additionalProperties": False,
        },
        "maxItems": rule.max_count,
    }
    low = max(rule.min_count, 1 if f.required else 0)
    if low:
        schema["minItems"] = low
    return schema


_BUILDERS: dict[FieldType, Callable[[Field, CodeLists], dict[str, Any]]] = {
    FieldType.TEXT: _text,
    FieldType.LONG_TEXT: _text,
    FieldType.NUMBER: _number,
    FieldType.DATE: _formatted("date"),
    FieldType.PARTIAL_DATE: _partial_date,
    FieldType.CHOICE: _choice,
    FieldType.YES_NO: _yes_no,
    FieldType.PERSONAL_ID: _formatted("vn-personal-id", r"^\d{12}$"),
    FieldType.TAX_CODE: _formatted("vn-tax-code"),
    FieldType.PHONE: _formatted("vn-phone"),
    FieldType.EMAIL: _formatted("email"),
    FieldType.ADDRESS: _address,
}
