"""Checking a definition: the meta-schema first, then the semantic rules.

Every problem names the exact place (a JSON pointer into the document) and
says in Vietnamese and English what is wrong. :func:`load_definition` is the
one way from a JSON document to a :class:`~forms_builder.model.FormDefinition`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from forms_builder.codelists import CodeLists, default_code_lists
from forms_builder.document import parse_definition
from forms_builder.errors import DefinitionInvalid, Problem
from forms_builder.model import Field, FieldType, FormDefinition, RetentionCode
from forms_builder.patterns import pattern_problems
from forms_builder.rules import rule_problems, variables
from forms_builder.visibility import build_graph, resolve_variable
from schemas import load_json_schema

__all__ = [
    "KNOWN_PREFILL_SOURCES",
    "check_document",
    "load_definition",
    "meta_schema_problems",
    "non_finite_problems",
    "semantic_problems",
]

KNOWN_PREFILL_SOURCES = frozenset({"population", "enterprise", "citizen_store"})
"""Prefill sources a definition may bind to (provided by ``forms_builder.prefill``)."""

FIELD_TYPES = ", ".join(t.value for t in FieldType)


@cache
def _meta_validator() -> Draft202012Validator:
    return Draft202012Validator(load_json_schema("form-definition.schema.json"))


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _describe(error: ValidationError) -> tuple[str, str, str]:
    """``(code, message_vi, message_en)`` for one meta-schema error."""
    kind, value = error.validator, error.instance
    last = error.absolute_path[-1] if error.absolute_path else None
    if kind == "enum" and last == "type":
        return (
            "field.unknown_type",
            f"Loại trường {value!r} không được hỗ trợ. Các loại hợp lệ: {FIELD_TYPES}.",
            f"Unknown field type {value!r}. Valid types: {FIELD_TYPES}.",
        )
    if kind == "required":
        # jsonschema reports each missing property as its own error.
        found = re.match(r"^'([^']+)' is a required property", error.message)
        names = found.group(1) if found else ", ".join(error.validator_value)
        return (
            "schema.required",
            f"Thiếu mục bắt buộc: {names}.",
            f"Missing required property: {names}.",
        )
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = ", ".join(sorted(k for k in value if k not in allowed))
        return (
            "schema.unknown_property",
            f"Mục không được phép ở đây: {extra}.",
            f"Property not allowed here: {extra}.",
        )
    if kind == "pattern":
        return (
            "schema.bad_code" if last in ("code", "agency_id", "id", "key") else "schema.pattern",
            f"Giá trị {value!r} sai định dạng (mẫu {error.validator_value}).",
            f"Value {value!r} has the wrong format (pattern {error.validator_value}).",
        )
    if kind == "enum":
        allowed_values = ", ".join(map(str, error.validator_value))
        return (
            "schema.enum",
            f"Giá trị {value!r} không thuộc danh sách cho phép: {allowed_values}.",
            f"Value {value!r} is not one of: {allowed_values}.",
        )
    if kind == "type":
        return (
            "schema.type",
            f"Kiểu dữ liệu sai: cần {error.validator_value}.",
            f"Wrong type: expected {error.validator_value}.",
        )
    if kind == "oneOf" and isinstance(value, Mapping) and value.get("type") == "choice":
        return (
            "field.choice_source",
            "Trường lựa chọn cần đúng một trong hai: code_list hoặc options.",
            "A choice field needs exactly one of code_list or options.",
        )
    if kind == "not" and isinstance(value, Mapping):
        return (
            "field.children_not_allowed",
            "Chỉ nhóm (group) và bảng (repeat) mới được có 'fields'.",
            "Only group and repeat fields may have 'fields'.",
        )
    return ("schema.invalid", f"Không hợp lệ: {error.message}", f"Invalid: {error.message}")


def non_finite_problems(doc: Any, pointer: str = "") -> Iterator[Problem]:
    """Numbers JSON cannot hold: ``Infinity``, ``NaN``, or literals beyond a double (``1e400``).

    Python's ``json`` reads them without complaint, and the meta-schema's
    ``number`` accepts them, but a definition holding one exports as invalid
    JSON and breaks every comparison made with it.
    """
    if isinstance(doc, float) and not math.isfinite(doc):
        yield Problem(
            pointer,
            "json.non_finite",
            f"Số {doc} không hợp lệ: định nghĩa chỉ nhận số hữu hạn (không nhận Infinity, NaN "
            "hay số vượt giới hạn như 1e400); hãy ghi một số cụ thể.",
            f"Number {doc} is not allowed: a definition takes finite numbers only (no "
            "Infinity, NaN or out-of-range values such as 1e400); write an actual number.",
        )
    elif isinstance(doc, Mapping):
        for key, value in doc.items():
            yield from non_finite_problems(value, f"{pointer}/{_pointer([key])[1:]}")
    elif isinstance(doc, list | tuple):
        for index, value in enumerate(doc):
            yield from non_finite_problems(value, f"{pointer}/{index}")


def meta_schema_problems(doc: Any) -> list[Problem]:
    """Problems found by the meta-schema, in document order."""
    errors = sorted(_meta_validator().iter_errors(doc), key=lambda e: list(map(str, e.path)))
    problems = []
    for error in errors:
        code, vi, en = _describe(error)
        problems.append(Problem(_pointer(error.absolute_path), code, vi, en))
    return problems


def check_document(
    doc: Any,
    *,
    code_lists: CodeLists | None = None,
    prefill_sources: frozenset[str] = KNOWN_PREFILL_SOURCES,
) -> list[Problem]:
    """Every problem of ``doc``; an empty list means it is a valid definition."""
    problems = list(non_finite_problems(doc)) or meta_schema_problems(doc)
    if problems:
        return problems
    definition = parse_definition(doc)
    return semantic_problems(
        definition, code_lists=code_lists or default_code_lists(), prefill_sources=prefill_sources
    )


def load_definition(
    doc: Any,
    *,
    code_lists: CodeLists | None = None,
    prefill_sources: frozenset[str] = KNOWN_PREFILL_SOURCES,
) -> FormDefinition:
    """Check ``doc`` and build the model; raise :class:`DefinitionInvalid` with every problem."""
    problems = check_document(doc, code_lists=code_lists, prefill_sources=prefill_sources)
    if problems:
        raise DefinitionInvalid(problems)
    return parse_definition(doc)


def semantic_problems(
    d: FormDefinition,
    *,
    code_lists: CodeLists,
    prefill_sources: frozenset[str] = KNOWN_PREFILL_SOURCES,
) -> list[Problem]:
    """What the meta-schema cannot say: uniqueness, references, cycles, ranges."""
    problems: list[Problem] = []
    problems += _header_problems(d)
    problems += _identity_problems(d)
    for pointer, f, _ in _fields_with_pointers(d):
        problems += _field_problems(f, pointer, code_lists, prefill_sources)
    problems += _subject_field_problems(d)
    problems += _visibility_problems(d)
    problems += _rule_problems(d)
    problems += _layout_problems(d)
    return problems


def _header_problems(d: FormDefinition) -> Iterator[Problem]:
    if not d.code.startswith(d.procedure_code + "."):
        yield Problem(
            "/code",
            "form.code_mismatch",
            f"Mã biểu mẫu {d.code} phải bắt đầu bằng mã thủ tục {d.procedure_code}.",
            f"Form code {d.code} must start with the procedure code {d.procedure_code}.",
        )
    if d.retention_code == RetentionCode.OTHER and d.retention_years is None:
        yield Problem(
            "/retention",
            "form.retention_years",
            "Thời hạn bảo quản '07' (khác) cần ghi số năm (years).",
            "Retention code '07' (other) needs the number of years (years).",
        )
    if d.legal_basis.effective_from < d.legal_basis.issued_on:
        yield Problem(
            "/legal_basis/effective_from",
            "form.legal_basis_dates",
            "Ngày có hiệu lực không được trước ngày ban hành.",
            "The effective date cannot be before the issuing date.",
        )
    if d.effective_from is not None and d.effective_from < d.legal_basis.effective_from:
        yield Problem(
            "/effective_from",
            "form.scheduled_before_legal_basis",
            "Phiên bản không thể áp dụng trước ngày văn bản căn cứ có hiệu lực "
            f"({d.legal_basis.effective_from:%d/%m/%Y}).",
            "The version cannot apply before its legal basis takes effect "
            f"({d.legal_basis.effective_from.isoformat()}).",
        )


def _fields_with_pointers(d: FormDefinition) -> Iterator[tuple[str, Field, str | None]]:
    def walk(fields: tuple[Field, ...], pointer: str, parent: str | None) -> Iterator[Any]:
        for i, f in enumerate(fields):
            here = f"{pointer}/{i}"
            yield here, f, parent
            yield from walk(f.fields, f"{here}/fields", f"{here}:{f.type}")

    for i, s in enumerate(d.sections):
        yield from walk(s.fields, f"/sections/{i}/fields", None)


def _subject_field_problems(d: FormDefinition) -> Iterator[Problem]:
    """A binding's ``subject_field`` must name an identifier field outside tables."""
    kinds = {FieldType.PERSONAL_ID, FieldType.TAX_CODE, FieldType.TEXT}
    paths: dict[str, Field] = {}

    def walk(fields: tuple[Field, ...], prefix: str) -> None:
        for f in fields:
            paths[f"{prefix}{f.key}"] = f
            if f.type is FieldType.GROUP:
                walk(f.fields, f"{prefix}{f.key}.")

    for s in d.sections:
        walk(s.fields, "")
    for pointer, f, _ in _fields_with_pointers(d):
        target = f.prefill.subject_field if f.prefill else None
        if target is None:
            continue
        if target not in paths or paths[target].type not in kinds:
            yield Problem(
                f"{pointer}/prefill/subject_field",
                "field.bad_subject_field",
                f"'{target}' không phải là trường mã định danh của biểu mẫu (số định danh, "
                "mã số doanh nghiệp).",
                f"'{target}' is not an identifier field of the form (personal ID, "
                "enterprise code).",
            )


def _identity_problems(d: FormDefinition) -> Iterator[Problem]:
    ids: dict[str, str] = {}
    for i, s in enumerate(d.sections):
        if s.id in ids:
            yield _duplicate_id(f"/sections/{i}/id", s.id, ids[s.id])
        ids.setdefault(s.id, f"/sections/{i}/id")
    keys: dict[str, str] = {}
    for pointer, f, parent in _fields_with_pointers(d):
        if f.id in ids:
            yield _duplicate_id(f"{pointer}/id", f.id, ids[f.id])
        ids.setdefault(f.id, f"{pointer}/id")
        scope = f"{parent or ''}|{f.key}"
        if scope in keys:
            yield Problem(
                f"{pointer}/key",
                "field.duplicate_key",
                f"Khóa dữ liệu {f.key!r} đã dùng ở {keys[scope]}; mỗi khóa chỉ dùng một lần.",
                f"Data key {f.key!r} is already used at {keys[scope]}; keys must be unique.",
            )
        keys.setdefault(scope, f"{pointer}/key")
        if f.type == FieldType.REPEAT and parent and "repeat" in parent:
            yield Problem(
                f"{pointer}/type",
                "field.nested_repeat",
                "Không được đặt bảng trong bảng.",
                "A table (repeat) cannot be nested in another table.",
            )


def _duplicate_id(pointer: str, ident: str, first: str) -> Problem:
    return Problem(
        pointer,
        "field.duplicate_id",
        f"Mã định danh {ident!r} đã dùng ở {first}.",
        f"Identifier {ident!r} is already used at {first}.",
    )


def _field_problems(
    f: Field, pointer: str, code_lists: CodeLists, prefill_sources: frozenset[str]
) -> Iterator[Problem]:
    if f.code_list and code_lists.get(f.code_list) is None:
        names = ", ".join(code_lists.names())
        yield Problem(
            f"{pointer}/code_list",
            "field.unknown_code_list",
            f"Danh mục {f.code_list!r} không tồn tại. Các danh mục có: {names}.",
            f"Code list {f.code_list!r} does not exist. Available: {names}.",
        )
    codes = [o.code for o in f.options]
    if len(codes) != len(set(codes)):
        yield Problem(
            f"{pointer}/options",
            "field.duplicate_option",
            "Danh sách lựa chọn có mã trùng nhau.",
            "The options list has duplicate codes.",
        )
    if f.prefill and f.prefill.source not in prefill_sources:
        known = ", ".join(sorted(prefill_sources))
        yield Problem(
            f"{pointer}/prefill/source",
            "field.unknown_prefill_source",
            f"Nguồn điền sẵn {f.prefill.source!r} không tồn tại. Các nguồn có: {known}.",
            f"Prefill source {f.prefill.source!r} does not exist. Available: {known}.",
        )
    yield from _row_prefill_problems(f, pointer, prefill_sources)
    if f.pattern is not None:
        yield from pattern_problems(f.pattern, f"{pointer}/pattern")
    yield from _range_problems(f, pointer)


def _row_prefill_problems(
    f: Field, pointer: str, prefill_sources: frozenset[str]
) -> Iterator[Problem]:
    if f.prefill_rows and f.type is not FieldType.REPEAT:
        yield Problem(
            f"{pointer}/prefill_rows",
            "field.prefill_rows_not_repeat",
            "Chỉ bảng (nhóm lặp) mới có 'prefill_rows' (các dòng điền sẵn thêm).",
            "Only a repeating group (a table) may have 'prefill_rows' (extra prefilled rows).",
        )
        return
    row_keys = {sub.key for sub in f.fields}
    known = ", ".join(sorted(prefill_sources))
    for i, rows in enumerate(f.prefill_rows):
        if rows.source not in prefill_sources:
            yield Problem(
                f"{pointer}/prefill_rows/{i}/source",
                "field.unknown_prefill_source",
                f"Nguồn điền sẵn {rows.source!r} không tồn tại. Các nguồn có: {known}.",
                f"Prefill source {rows.source!r} does not exist. Available: {known}.",
            )
        for column, _ in rows.columns:
            if column not in row_keys:
                yield Problem(
                    f"{pointer}/prefill_rows/{i}/columns/{column}",
                    "field.unknown_column",
                    f"Bảng không có cột {column!r}. Các cột: {', '.join(sorted(row_keys))}.",
                    f"The table has no column {column!r}. Columns: {', '.join(sorted(row_keys))}.",
                )


def _range_problems(f: Field, pointer: str) -> Iterator[Problem]:
    pairs = [
        ("min_length", f.min_length, f.max_length),
        ("minimum", f.minimum, f.maximum),
        ("min_items", f.min_items, f.max_items),
    ]
    if f.attachment:
        pairs.append(("attachment/min_count", f.attachment.min_count, f.attachment.max_count))
    for name, low, high in pairs:
        if low is not None and high is not None and low > high:
            yield Problem(
                f"{pointer}/{name}",
                "field.bad_range",
                f"Giới hạn dưới ({low}) lớn hơn giới hạn trên ({high}).",
                f"The lower bound ({low}) is greater than the upper bound ({high}).",
            )


def _visibility_problems(d: FormDefinition) -> Iterator[Problem]:
    graph = build_graph(d)
    for node in graph.nodes.values():
        if node.visible_when is not None:
            for pointer, vi, en in rule_problems(node.visible_when, f"{node.pointer}/visible_when"):
                yield Problem(pointer, "rule.bad_operator", vi, en)
    for node, var in graph.unresolved:
        yield _missing_field(f"{node.pointer}/visible_when", var)
    cycle = graph.find_cycle()
    if cycle:
        names = " -> ".join([*cycle, cycle[0]])
        first = graph.nodes[next(n for n in cycle if graph.nodes[n].visible_when is not None)]
        yield Problem(
            f"{first.pointer}/visible_when",
            "rule.cycle",
            f"Quy tắc hiển thị phụ thuộc vòng tròn: {names}.",
            f"Visibility rules depend on each other in a cycle: {names}.",
        )
    for node in graph.nodes.values():
        required_when = node.field.required_when if node.field else None
        if required_when is None:
            continue
        here = f"{node.pointer}/required_when"
        for pointer, vi, en in rule_problems(required_when, here):
            yield Problem(pointer, "rule.bad_operator", vi, en)
        for var in variables(required_when):
            if resolve_variable(var, node.repeat, graph.nodes) is None:
                yield _missing_field(here, var)


def _missing_field(pointer: str, var: str) -> Problem:
    return Problem(
        pointer,
        "rule.unknown_field",
        f"Quy tắc tham chiếu trường không tồn tại: {var!r}.",
        f"The rule refers to a field that does not exist: {var!r}.",
    )


def _rule_problems(d: FormDefinition) -> Iterator[Problem]:
    nodes = build_graph(d).nodes
    for i, rule in enumerate(d.rules):
        base = f"/rules/{i}"
        for part, logic in (("check", rule.check), ("when", rule.when)):
            if logic is None:
                continue
            for pointer, vi, en in rule_problems(logic, f"{base}/{part}"):
                yield Problem(pointer, "rule.bad_operator", vi, en)
            for var in variables(logic):
                if resolve_variable(var, None, nodes) is None:
                    yield _missing_field(f"{base}/{part}", var)
        for j, path in enumerate(rule.fields):
            if path not in nodes or nodes[path].field is None:
                yield _missing_field(f"{base}/fields/{j}", path)


def _layout_problems(d: FormDefinition) -> Iterator[Problem]:
    if d.print_layout is None:
        return
    ids = d.field_by_id()
    for i, place in enumerate(d.print_layout.places):
        if place.field_id not in ids:
            yield Problem(
                f"/print_layout/places/{i}/field",
                "layout.unknown_field",
                f"Bố cục in tham chiếu trường không tồn tại: {place.field_id!r}.",
                f"The print layout refers to a field that does not exist: {place.field_id!r}.",
            )
