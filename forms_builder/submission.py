"""Validating submitted data against a compiled definition.

One path for every caller (the web form, the JSON API, test cases, imports):
clear hidden parts and empty values, validate against the compiled JSON
Schema, then apply what depends on the answers: fields required only when
shown or when ``required_when`` holds, and the cross-field rules. A rule is
skipped while a value it reads is absent (requiredness reports those).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from forms_builder.codelists import CodeLists, default_code_lists
from forms_builder.jsonschema_compiler import compile_json_schema, data_validator
from forms_builder.model import Field, FieldType, FormDefinition
from forms_builder.rules import evaluate, variables
from forms_builder.visibility import (
    VisibilityGraph,
    build_graph,
    clean_submission,
    is_empty,
    lookup,
)

__all__ = [
    "CompiledForm",
    "FieldError",
    "Outcome",
    "compile_form",
    "dependent_errors",
    "validate_submission",
]


@dataclass(frozen=True)
class FieldError:
    """One error on submitted data; ``path`` is dotted with row indexes (``members.0.name``)."""

    path: str
    """Empty for a form-level error."""
    code: str
    message_vi: str
    message_en: str

    def message(self, lang: str) -> str:
        """The message in ``lang``."""
        return self.message_en if lang == "en" else self.message_vi


@dataclass(frozen=True)
class Outcome:
    """Result of validating one submission."""

    data: dict[str, Any]
    """The cleaned data (hidden parts and empty values removed)."""
    errors: tuple[FieldError, ...]
    hidden: frozenset[str] = frozenset()
    """Data paths hidden by the answers (their values were removed)."""

    @property
    def accepted(self) -> bool:
        """No errors."""
        return not self.errors

    def error_paths(self) -> frozenset[str]:
        """The paths that carry an error."""
        return frozenset(e.path for e in self.errors)


@dataclass(frozen=True)
class CompiledForm:
    """A definition with its compiled data schema and validator."""

    definition: FormDefinition
    json_schema: dict[str, Any]
    validator: Draft202012Validator
    code_lists: CodeLists
    graph: VisibilityGraph


def compile_form(
    d: FormDefinition, *, code_lists: CodeLists | None = None, check_schema: bool = False
) -> CompiledForm:
    """Compile ``d`` once; the result validates any number of submissions.

    ``check_schema`` also validates the compiled schema against the 2020-12
    meta-schema: the tests do it for every shipped and generated definition;
    at run time it would cost more than the compiling (about 0.3 s for a
    form with five addresses).
    """
    lists = code_lists or default_code_lists()
    schema = compile_json_schema(d, code_lists=lists)
    if check_schema:
        Draft202012Validator.check_schema(schema)
    return CompiledForm(d, schema, data_validator(schema), lists, build_graph(d))


def validate_submission(compiled: CompiledForm, data: Mapping[str, Any], *, today: date) -> Outcome:
    """Clean ``data`` and check it; ``today`` is the date rules call ``today``."""
    cleaned, hidden = clean_submission(compiled.definition, data, today=today, graph=compiled.graph)
    errors = [_schema_error(e) for e in compiled.validator.iter_errors(cleaned)]
    errors += dependent_errors(compiled.definition, cleaned, hidden, today=today)
    unique = {(e.path, e.code): e for e in errors}
    return Outcome(cleaned, tuple(unique.values()), hidden)


_REQUIRED = re.compile(r"^'([^']+)' is a required property")


def _dotted(path: Any) -> str:
    return ".".join(str(p) for p in path)


def _schema_error(error: ValidationError) -> FieldError:
    path = list(error.absolute_path)
    kind = error.validator
    if kind == "required":
        # One error per missing property; its name is the quoted start of the message.
        match = _REQUIRED.match(error.message)
        path.append(match.group(1) if match else "")
        return FieldError(
            _dotted(path), "required", "Trường này là bắt buộc.", "This field is required."
        )
    return FieldError(
        _dotted(path), f"invalid.{kind}", *_schema_messages(kind, error.validator_value)
    )


def _schema_messages(kind: Any, expected: Any) -> tuple[str, str]:
    messages: dict[str, tuple[str, str]] = {
        "type": ("Giá trị không đúng kiểu.", "The value has the wrong type."),
        "enum": ("Giá trị không có trong danh mục.", "The value is not in the list."),
        "format": ("Giá trị sai định dạng.", f"The value is not a valid {expected}."),
        "pattern": ("Giá trị sai định dạng.", "The value has the wrong format."),
        "minLength": (f"Cần ít nhất {expected} ký tự.", f"At least {expected} characters."),
        "maxLength": (f"Tối đa {expected} ký tự.", f"At most {expected} characters."),
        "minimum": (f"Giá trị phải từ {expected} trở lên.", f"Must be at least {expected}."),
        "maximum": (f"Giá trị không được quá {expected}.", f"Must be at most {expected}."),
        "minItems": (f"Cần ít nhất {expected} dòng/tệp.", f"At least {expected} rows/files."),
        "maxItems": (f"Tối đa {expected} dòng/tệp.", f"At most {expected} rows/files."),
        "additionalProperties": ("Có trường không thuộc biểu mẫu.", "Unknown field in the data."),
    }
    return messages.get(str(kind), ("Giá trị không hợp lệ.", "The value is not valid."))


def dependent_errors(
    d: FormDefinition, cleaned: Mapping[str, Any], hidden: frozenset[str], *, today: date
) -> list[FieldError]:
    """Errors that depend on the answers: conditional requiredness, cross-field rules."""
    errors = list(_conditional_required(d, cleaned, hidden, today))
    errors += _cross_field(d, cleaned, today)
    return errors


def _conditional_required(
    d: FormDefinition, data: Mapping[str, Any], hidden: frozenset[str], today: date
) -> Iterator[FieldError]:
    for section in d.sections:
        if f"section:{section.id}" in hidden:
            continue
        conditional = section.visible_when is not None
        yield from _required_in(section.fields, data, data, "", hidden, conditional, today)


def _required_in(
    fields: tuple[Field, ...],
    root: Mapping[str, Any],
    scope_data: Mapping[str, Any],
    prefix: str,
    hidden: frozenset[str],
    conditional: bool,
    today: date,
) -> Iterator[FieldError]:
    for f in fields:
        path = f"{prefix}{f.key}"
        if _schema_path(path) in hidden or f.type == FieldType.SIGNATURE:
            continue
        value = lookup(scope_data, f.key)
        dynamic = conditional or f.visible_when is not None or f.required_when is not None
        needed = f.required and dynamic
        if f.required_when is not None:
            needed = needed or _holds(f.required_when, root, scope_data, today)
        if needed and is_empty(value):
            yield FieldError(path, "required", "Trường này là bắt buộc.", "This field is required.")
        if f.type == FieldType.GROUP:
            # An absent group still has children whose required_when may hold.
            inner = value if isinstance(value, Mapping) else {}
            child_conditional = conditional or f.visible_when is not None
            yield from _required_in(
                f.fields, root, inner, f"{path}.", hidden, child_conditional, today
            )
        if f.type == FieldType.REPEAT and isinstance(value, list):
            for i, row in enumerate(value):
                if isinstance(row, Mapping):
                    yield from _rows(f, root, row, f"{path}.{i}.", hidden, today)


def _rows(
    table: Field,
    root: Mapping[str, Any],
    row: Mapping[str, Any],
    prefix: str,
    hidden: frozenset[str],
    today: date,
) -> Iterator[FieldError]:
    # Hidden row fields were removed while cleaning; evaluating the row's rules
    # on the cleaned row gives the same answers as then.
    for f in table.fields:
        if not is_empty(row.get(f.key)) or f.type == FieldType.SIGNATURE:
            continue
        if f.visible_when is not None and not _holds(f.visible_when, root, row, today):
            continue
        needed = f.required and f.visible_when is not None
        if f.required_when is not None:
            needed = needed or _holds(f.required_when, root, row, today)
        if needed:
            yield FieldError(
                f"{prefix}{f.key}", "required", "Trường này là bắt buộc.", "This field is required."
            )


def _schema_path(path: str) -> str:
    return ".".join(p for p in path.split(".") if not p.isdigit())


def _holds(
    logic: Mapping[str, Any], root: Mapping[str, Any], local: Mapping[str, Any], today: date
) -> bool:
    def scope(var: str) -> Any:
        value = lookup(local, var)
        return lookup(root, var) if value is None else value

    return bool(evaluate(logic, scope, today=today))


def _cross_field(d: FormDefinition, data: Mapping[str, Any], today: date) -> Iterator[FieldError]:
    def scope(var: str) -> Any:
        return lookup(data, var)

    for rule in d.rules:
        names = set(variables(rule.check)) | set(variables(rule.when or {}))
        if "missing" not in str(rule.check) and any(is_empty(scope(n)) for n in names):
            continue
        if rule.when is not None and not evaluate(rule.when, scope, today=today):
            continue
        if evaluate(rule.check, scope, today=today):
            continue
        for path in rule.fields or ("",):
            yield FieldError(path, f"rule.{rule.id}", rule.message.vi, rule.message.en)
