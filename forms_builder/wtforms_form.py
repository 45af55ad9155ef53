"""The base class of compiled WTForms forms: typed data out, validation in step.

:class:`DefinitionForm` turns posted strings into the submission's JSON data
(:meth:`DefinitionForm.submission_data`) and validates in the order the JSON
path does: decide what is hidden, skip it and empty table rows, run each
shown field's validators, then the answer-dependent checks of
:func:`forms_builder.submission.dependent_errors`, whose errors land on the
field they name (or in :attr:`DefinitionForm.form_errors`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from wtforms import Field as WTField
from wtforms import FormField
from wtforms.form import Form

from forms_builder.jsonschema_compiler import statically_required
from forms_builder.model import Field, FieldType
from forms_builder.submission import CompiledForm, FieldError, dependent_errors
from forms_builder.visibility import (
    VisibilityGraph,
    clean_submission,
    hidden_in_row,
    is_empty,
)

__all__ = ["DefinitionForm", "FormInput", "encode_formdata", "local_today", "parse_number"]

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today() -> date:
    """Today in Vietnam (UTC+7): the day rules call ``today``."""
    return datetime.now(VIETNAM).date()


class FormInput(dict[str, list[str]]):
    """Posted form data as WTForms reads it (``getlist``), without Werkzeug."""

    def getlist(self, key: str) -> list[str]:
        """Every value posted under ``key``."""
        return list(self.get(key, []))


def parse_number(raw: str) -> int | float | str:
    """A typed number from form input; the raw text when it is not a finite number."""
    text = raw.strip()
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    try:
        value = float(text)
    except ValueError:
        return raw
    return value if value == value and abs(value) != float("inf") else raw


def _leaf_value(f: Field, bound: WTField) -> Any:
    value = bound.data
    if not isinstance(value, str):
        return None if value in ("None",) else value
    if f.type == FieldType.NUMBER and value.strip():
        return parse_number(value)
    if f.type == FieldType.YES_NO:
        return {"yes": True, "no": False}.get(value, value)
    return value


def _values(fields: tuple[Field, ...], form: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        if f.type in (FieldType.SIGNATURE, FieldType.ATTACHMENT):
            continue
        bound = form[f.key]
        if f.type == FieldType.GROUP:
            out[f.key] = _values(f.fields, bound.form)
        elif f.type == FieldType.REPEAT:
            out[f.key] = [_values(f.fields, entry.form) for entry in bound.entries]
        elif f.type == FieldType.ADDRESS:
            out[f.key] = {k: bound.form[k].data for k in ("province", "commune", "street")}
        else:
            out[f.key] = _leaf_value(f, bound)
    return out


class DefinitionForm(Form):
    """Base of every compiled form class (see ``compile_wtforms``)."""

    compiled: ClassVar[CompiledForm]
    lang: ClassVar[str] = "vi"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form_errors: list[str] = []
        self._kept_rows: dict[str, list[Any]] = {}

    def submission_data(self) -> dict[str, Any]:
        """The posted values as the submission's JSON data (before cleaning)."""
        out: dict[str, Any] = {}
        for section in self.compiled.definition.sections:
            out.update(_values(section.fields, self))
        return out

    def validate(
        self,
        extra_validators: Any = None,
        *,
        today: date | None = None,
        stored_files: bool = False,
    ) -> bool:
        """Validate like ``validate_submission``; ``today`` defaults to today in Vietnam.

        ``stored_files``: the files were uploaded earlier and kept (a draft), so
        attachment fields are left to the data schema, which sees them.
        """
        today = today or local_today()
        self._stored_files = stored_files
        d = self.compiled.definition
        graph = self.compiled.graph
        cleaned, hidden = clean_submission(d, self.submission_data(), today=today, graph=graph)
        self.form_errors = []
        self._kept_rows = {}
        ok = True
        for section in d.sections:
            if f"section:{section.id}" in hidden:
                continue
            scope = _Scope(graph, cleaned, hidden, today, section.visible_when is not None)
            ok = self._level(section.fields, self, "", scope) and ok
        for error in dependent_errors(d, cleaned, hidden, today=today):
            self._attach(error)
            ok = False
        return ok

    def _level(self, fields: tuple[Field, ...], container: Any, prefix: str, scope: _Scope) -> bool:
        ok = True
        for f in fields:
            if f.type == FieldType.SIGNATURE or (
                f.type == FieldType.ATTACHMENT and getattr(self, "_stored_files", False)
            ):
                continue
            path = f"{prefix}{f.key}"
            bound = container[f.key]
            if scope.is_hidden(path):
                bound.errors = []
                continue
            ok = self._field(f, bound, path, scope) and ok
        return ok

    def _field(self, f: Field, bound: Any, path: str, scope: _Scope) -> bool:
        if f.type == FieldType.GROUP:
            if is_empty(_strip(_values(f.fields, bound.form))):
                return self._absent(f, bound, scope)
            inner = scope.nested(f.visible_when is not None)
            return self._level(f.fields, bound.form, f"{path}.", inner)
        if f.type == FieldType.REPEAT:
            return self._rows(f, bound, path, scope)
        if f.type == FieldType.ADDRESS:
            parts = {k: bound.form[k].data for k in ("province", "commune", "street")}
            if is_empty(_strip(parts)):
                return self._absent(f, bound, scope)
            return bool(bound.validate(self))
        return bool(bound.validate(self))

    def _absent(self, f: Field, bound: Any, scope: _Scope) -> bool:
        if statically_required(f, conditional_ancestor=scope.conditional):
            bound.errors = [_required_message(self.lang)]
            return False
        return True

    def _rows(self, f: Field, bound: Any, path: str, scope: _Scope) -> bool:
        kept: list[Any] = []
        ok = True
        for entry in bound.entries:
            row = _values(f.fields, entry.form)
            row_hidden = hidden_in_row(scope.graph, path, row, scope.cleaned, today=scope.today)
            visible = {k: v for k, v in row.items() if f"{path}.{k}" not in row_hidden}
            if is_empty(_strip(visible)):
                continue
            kept.append(entry)
            row_scope = scope.for_row(frozenset(row_hidden))
            ok = self._level(f.fields, entry.form, f"{path}.", row_scope) and ok
        self._kept_rows[path] = kept
        return self._row_count(f, bound, kept, scope) and ok

    def _row_count(self, f: Field, bound: Any, kept: list[Any], scope: _Scope) -> bool:
        if not kept:
            return self._absent(f, bound, scope)
        low = max(f.min_items or 0, 1 if f.required else 0)
        if len(kept) < low or (f.max_items is not None and len(kept) > f.max_items):
            bound.errors = list(bound.errors) + [
                f"{low}-{f.max_items or '∞'} rows."
                if self.lang == "en"
                else f"Số dòng phải từ {low} đến {f.max_items or '∞'}."
            ]
            return False
        return True

    def _attach(self, error: FieldError) -> None:
        target: Any = self
        parts = error.path.split(".") if error.path else []
        table = ""
        for part in parts:
            if part.isdigit():
                rows = self._kept_rows.get(table, [])
                target = rows[int(part)].form if int(part) < len(rows) else None
            else:
                table = f"{table}.{part}" if table else part
                field = target[part] if target is not None and part in target else None
                target = field.form if isinstance(field, FormField) else field
            if target is None:
                break
        message = error.message(self.lang)
        if isinstance(target, WTField):
            target.errors = [*target.errors, message]
        else:
            self.form_errors.append(message)


def _strip(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _strip(v) for k, v in value.items() if not is_empty(_strip(v))}
    if isinstance(value, list):
        return [v for v in (_strip(x) for x in value) if not is_empty(v)]
    return value


def _required_message(lang: str) -> str:
    return "This field is required." if lang == "en" else "Trường này là bắt buộc."


class _Scope:
    """What the validation walk needs to know at one level."""

    def __init__(
        self,
        graph: VisibilityGraph,
        cleaned: dict[str, Any],
        hidden: frozenset[str],
        today: date,
        conditional: bool,
    ) -> None:
        self.graph, self.cleaned, self.hidden = graph, cleaned, hidden
        self.today, self.conditional = today, conditional

    def is_hidden(self, path: str) -> bool:
        return path in self.hidden

    def nested(self, conditional: bool) -> _Scope:
        return _Scope(
            self.graph, self.cleaned, self.hidden, self.today, self.conditional or conditional
        )

    def for_row(self, row_hidden: frozenset[str]) -> _Scope:
        return _Scope(self.graph, self.cleaned, self.hidden | row_hidden, self.today, False)


def encode_formdata(compiled: CompiledForm, data: Mapping[str, Any]) -> FormInput:
    """Posted form data equivalent to JSON ``data`` (for tests and re-display)."""
    out = FormInput()
    for section in compiled.definition.sections:
        _encode(section.fields, data, "", out)
    return out


def _encode(
    fields: tuple[Field, ...], data: Mapping[str, Any], prefix: str, out: FormInput
) -> None:
    for f in fields:
        if f.key not in data or f.type in (FieldType.SIGNATURE, FieldType.ATTACHMENT):
            continue
        value, name = data[f.key], f"{prefix}{f.key}"
        if f.type in (FieldType.GROUP, FieldType.ADDRESS) and isinstance(value, Mapping):
            children = f.fields or tuple(
                Field(k, k, FieldType.TEXT, f.label) for k in ("province", "commune", "street")
            )
            _encode(children, value, f"{name}-", out)
        elif f.type == FieldType.REPEAT and isinstance(value, list):
            for i, row in enumerate(value):
                if isinstance(row, Mapping):
                    _encode(f.fields, row, f"{name}-{i}-", out)
        elif isinstance(value, bool):
            out[name] = ["yes" if value else "no"]
        elif value is not None:
            out[name] = [value if isinstance(value, str) else repr(value)]
