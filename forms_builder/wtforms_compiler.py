"""Compile a definition to a WTForms form class (plain WTForms, no Flask).

The class renders the server-side HTML form and validates posted form data
the way :func:`forms_builder.submission.validate_submission` validates JSON:
hidden parts are skipped, empty table rows are ignored, every field gets
WTForms validators built from the same definition (lengths, patterns with
JSON Schema's search semantics, ranges, code lists, the shared format
predicates), and what depends on the answers goes through the same rule
engine. The portal wraps the class with Flask-WTF for CSRF.

Form-data names follow WTForms: ``key``, ``group-child``, ``table-0-child``,
``address-province``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from wtforms import Field as WTField
from wtforms import (
    FieldList,
    FormField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.form import Form
from wtforms.validators import Optional, StopValidation, ValidationError
from wtforms.widgets import DateInput, NumberInput

from forms_builder.codelists import CodeLists
from forms_builder.jsonschema_compiler import FORMATS, choice_codes, statically_required
from forms_builder.model import Field, FieldType
from forms_builder.submission import CompiledForm
from forms_builder.vn_formats import partial_date_pattern
from forms_builder.wtforms_form import DefinitionForm, parse_number

__all__ = ["compile_wtforms"]

Validator = Callable[[Any, WTField], None]


class _Required:
    """Input must be given (blank text counts as missing, as in the JSON path)."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __init__(self, lang: str) -> None:
        self.message = "This field is required." if lang == "en" else "Trường này là bắt buộc."

    def __call__(self, form: Any, field: WTField) -> None:
        raw = field.raw_data or []
        if not raw or all(isinstance(v, str) and not v.strip() for v in raw):
            field.errors[:] = []
            raise StopValidation(self.message)


def _check(predicate: Callable[[Any], bool], vi: str, en: str, lang: str) -> Validator:
    def run(form: Any, field: WTField) -> None:
        if not predicate(field.data):
            raise ValidationError(en if lang == "en" else vi)

    return run


def _text_validators(f: Field, lang: str) -> list[Validator]:
    out: list[Validator] = []
    if f.min_length is not None:
        low = f.min_length
        out.append(
            _check(
                lambda v: len(v) >= low,
                f"Cần ít nhất {low} ký tự.",
                f"At least {low} characters.",
                lang,
            )
        )
    if f.max_length is not None:
        high = f.max_length
        out.append(
            _check(
                lambda v: len(v) <= high,
                f"Tối đa {high} ký tự.",
                f"At most {high} characters.",
                lang,
            )
        )
    if f.pattern is not None:
        # JSON Schema patterns are unanchored (re.search), unlike wtforms.Regexp.
        compiled = re.compile(f.pattern)
        out.append(
            _check(
                lambda v: compiled.search(v) is not None,
                "Giá trị sai định dạng.",
                "The value has the wrong format.",
                lang,
            )
        )
    return out


def _number_ok(f: Field) -> Callable[[Any], bool]:
    def ok(raw: Any) -> bool:
        value = parse_number(raw) if isinstance(raw, str) else raw
        if isinstance(value, str):
            return False
        if f.integer and not float(value).is_integer():
            return False
        if f.minimum is not None and value < f.minimum:
            return False
        return f.maximum is None or value <= f.maximum

    return ok


def _format(name: str, lang: str) -> Validator:
    predicate = FORMATS[name]
    return _check(predicate, "Giá trị sai định dạng.", f"The value is not a valid {name}.", lang)


def _presence(f: Field, conditional: bool, lang: str) -> Validator:
    if statically_required(f, conditional_ancestor=conditional):
        return _Required(lang)
    return Optional()


def _leaf(f: Field, lists: CodeLists, conditional: bool, lang: str) -> Any:
    label = f.label.get(lang)
    checks: list[Validator] = [_presence(f, conditional, lang)]
    bad = ("Giá trị sai định dạng.", "The value has the wrong format.")
    match f.type:
        case FieldType.TEXT:
            return StringField(label, checks + _text_validators(f, lang))
        case FieldType.LONG_TEXT:
            return TextAreaField(label, checks + _text_validators(f, lang))
        case FieldType.NUMBER:
            checks.append(
                _check(
                    _number_ok(f),
                    "Số không hợp lệ hoặc ngoài giới hạn.",
                    "Not a number, or out of range.",
                    lang,
                )
            )
            return StringField(label, checks, widget=NumberInput(step="any"))
        case FieldType.DATE:
            return StringField(label, [*checks, _format("date", lang)], widget=DateInput())
        case FieldType.PARTIAL_DATE:
            shape = re.compile(partial_date_pattern(f.precisions))
            checks += [
                _check(lambda v: shape.search(v) is not None, *bad, lang),
                _format("partial-date", lang),
            ]
            return StringField(label, checks)
        case FieldType.CHOICE:
            return _select(f, lists, checks, lang)
        case FieldType.YES_NO:
            yes_no = [
                SelectChoice("yes", "Yes" if lang == "en" else "Có"),
                SelectChoice("no", "No" if lang == "en" else "Không"),
            ]
            checks.append(_check(lambda v: v in ("yes", "no"), *bad, lang))
            return RadioField(label, checks, choices=yes_no, validate_choice=False)
        case FieldType.PERSONAL_ID:
            pid = re.compile(r"^\d{12}$")
            checks += [
                _check(lambda v: pid.search(v) is not None, *bad, lang),
                _format("vn-personal-id", lang),
            ]
            return StringField(label, checks)
        case FieldType.TAX_CODE:
            return StringField(label, [*checks, _format("vn-tax-code", lang)])
        case FieldType.PHONE:
            return StringField(label, [*checks, _format("vn-phone", lang)])
        case FieldType.EMAIL:
            return StringField(label, [*checks, _format("email", lang)])
    raise ValueError(f"not a leaf field type: {f.type}")


def _select(f: Field, lists: CodeLists, checks: list[Validator], lang: str) -> Any:
    codes, pattern = choice_codes(f, lists)
    labels = {o.code: o.label.get(lang) for o in f.options}
    if not labels and f.code_list:
        found = lists.get(f.code_list)
        labels = {o.code: o.label.get(lang) for o in found.options} if found else {}
    if codes:
        allowed = frozenset(codes)
        checks.append(
            _check(
                lambda v: v in allowed,
                "Giá trị không có trong danh mục.",
                "The value is not in the list.",
                lang,
            )
        )
    else:
        # An open list (e.g. agencies not loaded): a text input checked by pattern.
        open_pattern = re.compile(pattern or "^.+$")
        checks.append(
            _check(
                lambda v: open_pattern.search(v) is not None,
                "Giá trị sai định dạng.",
                "The value has the wrong format.",
                lang,
            )
        )
        return StringField(f.label.get(lang), checks)
    choices = [SelectChoice("", "—")] + [SelectChoice(c, labels.get(c, c)) for c in codes]
    return SelectField(f.label.get(lang), checks, choices=choices, validate_choice=False)


class _AddressParts(Form):
    """Province, commune and street; the commune must lie in the province.

    The commune list offers only the communes of the chosen province (3,321
    options in every address would make a page of several hundred KB); with
    no province chosen yet it offers none, and the page says so.
    """

    communes_by_province: ClassVar[dict[str, list[SelectChoice]]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        commune = self["commune"]
        chosen = self.communes_by_province.get(self["province"].data or "", [])
        commune.choices = [SelectChoice("", "—"), *chosen]


def _address(f: Field, lists: CodeLists, lang: str) -> Any:
    provinces = lists.get("provinces")
    communes = lists.get("communes")
    assert provinces is not None and communes is not None
    bad_list = ("Giá trị không có trong danh mục.", "The value is not in the list.")
    province_codes = frozenset(provinces.codes())
    parents = communes.parents

    def commune_in_province(form: Any, field: WTField) -> None:
        if parents.get(field.data) != form.province.data:
            raise ValidationError(bad_list[1] if lang == "en" else bad_list[0])

    required = _Required(lang)
    by_province: dict[str, list[SelectChoice]] = {}
    for o in communes.options:
        by_province.setdefault(parents[o.code], []).append(SelectChoice(o.code, o.label.get(lang)))
    attrs: dict[str, Any] = {
        "communes_by_province": by_province,
        "province": SelectField(
            "Province" if lang == "en" else "Tỉnh, thành phố",
            [required, _check(lambda v: v in province_codes, *bad_list, lang)],
            choices=[SelectChoice("", "—")]
            + [SelectChoice(o.code, o.label.get(lang)) for o in provinces.options],
            validate_choice=False,
        ),
        "commune": SelectField(
            "Commune" if lang == "en" else "Xã, phường, đặc khu",
            [required, commune_in_province],
            description="Chọn tỉnh, thành phố trước."
            if lang != "en"
            else "Choose the province first.",
            validate_choice=False,
        ),
        "street": StringField(
            "Street" if lang == "en" else "Số nhà, đường, thôn, tổ",
            [
                required,
                *_text_validators(
                    Field(f.id, f.key, FieldType.TEXT, f.label, max_length=f.max_length or 200),
                    lang,
                ),
            ],
        ),
    }
    return FormField(type("AddressForm", (_AddressParts,), attrs), f.label.get(lang))


def _attachment(f: Field, conditional: bool, lang: str) -> Any:
    rule = f.attachment
    assert rule is not None
    low = max(rule.min_count, 1 if statically_required(f, conditional_ancestor=conditional) else 0)
    limit = int(rule.max_size_mb * 1024 * 1024)

    types = ", ".join(rule.media_types)
    counts = f"{rule.min_count}-{rule.max_count}"
    message = (
        f"Allowed: {types}, {counts} files, at most {rule.max_size_mb} MB each."
        if lang == "en"
        else f"Chấp nhận: {types}, {counts} tệp, mỗi tệp tối đa {rule.max_size_mb} MB."
    )

    def files_ok(form: Any, field: WTField) -> None:
        files = [x for x in (field.data or []) if getattr(x, "filename", None)]
        sizes = [_size(x) for x in files]
        types_ok = all(getattr(x, "mimetype", None) in rule.media_types for x in files)
        count_ok = low <= len(files) <= rule.max_count
        if not count_ok or not types_ok or max(sizes or [0]) > limit:
            raise ValidationError(message)

    return MultipleFileField(f.label.get(lang), [files_ok])


def _size(upload: Any) -> int:
    length = getattr(upload, "content_length", None)
    if length:
        return int(length)
    stream = getattr(upload, "stream", None)
    if stream is None:
        return 0
    position = stream.tell()
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(position)
    return int(size)


def _members(
    fields: tuple[Field, ...], lists: CodeLists, conditional: bool, lang: str
) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for f in fields:
        if f.type == FieldType.SIGNATURE:
            continue
        if f.type == FieldType.GROUP:
            inner = _members(f.fields, lists, conditional or f.visible_when is not None, lang)
            attrs[f.key] = FormField(type(f"Group_{f.key}", (Form,), inner), f.label.get(lang))
        elif f.type == FieldType.REPEAT:
            row = type(f"Row_{f.key}", (Form,), _members(f.fields, lists, False, lang))
            attrs[f.key] = FieldList(FormField(row), f.label.get(lang), min_entries=1)
        elif f.type == FieldType.ADDRESS:
            attrs[f.key] = _address(f, lists, lang)
        elif f.type == FieldType.ATTACHMENT:
            attrs[f.key] = _attachment(f, conditional, lang)
        else:
            attrs[f.key] = _leaf(f, lists, conditional, lang)
    return attrs


def compile_wtforms(compiled: CompiledForm, *, lang: str = "vi") -> type[DefinitionForm]:
    """A :class:`DefinitionForm` subclass for ``compiled``, labels in ``lang``."""
    d = compiled.definition
    attrs: dict[str, Any] = {"compiled": compiled, "lang": lang}
    for section in d.sections:
        conditional = section.visible_when is not None
        attrs.update(_members(section.fields, compiled.code_lists, conditional, lang))
    name = "Form_" + re.sub(r"\W", "_", d.code) + f"_v{d.version}"
    return type(name, (DefinitionForm,), attrs)
