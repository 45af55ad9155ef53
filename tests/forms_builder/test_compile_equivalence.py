"""The compiled JSON Schema path and the compiled WTForms path agree.

Hypothesis generates definitions (every data field type, random constraints,
required or not, conditional visibility) and submissions mixing valid and
invalid values; JSON data is posted to the WTForms class as form strings
(:func:`encode_formdata`) and both verdicts must be the same.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from forms_builder.submission import compile_form, validate_submission
from forms_builder.validation import load_definition
from forms_builder.wtforms_compiler import compile_wtforms
from forms_builder.wtforms_form import encode_formdata

TODAY = date(2026, 11, 24)

TEXT = st.text(alphabet=st.sampled_from("aAbZ ạễ1-\t"), max_size=8)
DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)).map(date.isoformat)
BAD_DATES = st.sampled_from(["2024-02-30", "2024-1-5", "20240105", "x", "2024-13-01", "2023"])
PARTIAL = st.sampled_from(["2024", "2024-05", "2024-05-17", "2024-13", "24", "2024-02-30", "0999"])
PIDS = st.sampled_from(["001203012345", "079090000001", "003203012345", "001803012345", "12345"])
TAX = st.from_regex(r"\d{9,11}(-\d{2,4})?", fullmatch=True)
PHONES = st.from_regex(r"(0|\+84)\d{8,11}", fullmatch=True)
EMAILS = st.sampled_from(["a@b.vn", "x.y@co.com.vn", "no-at.vn", "a@b", "a b@c.vn"])
NUMBERS = st.one_of(
    st.integers(-2000, 2000),
    st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False),
    st.just("abc"),
)


def _field(index: int, kind: str, draw: Any) -> dict[str, Any]:
    f: dict[str, Any] = {
        "id": f"f{index}",
        "key": f"k{index}",
        "type": kind,
        "label": {"vi": f"Trường {index}", "en": f"Field {index}"},
        "required": draw(st.booleans()),
    }
    if kind in ("text", "long_text"):
        if draw(st.booleans()):
            f["max_length"] = draw(st.integers(1, 6))
        if draw(st.booleans()):
            f["min_length"] = draw(st.integers(0, min(2, f.get("max_length", 2))))
        if draw(st.booleans()):
            f["pattern"] = draw(st.sampled_from(["^[a-z]", "\\d", "ạ", "^[^ ]+$"]))
    if kind == "number":
        f["integer"] = draw(st.booleans())
        if draw(st.booleans()):
            f["minimum"] = draw(st.integers(-100, 0))
        if draw(st.booleans()):
            f["maximum"] = draw(st.integers(1, 500))
    if kind == "partial_date":
        f["precisions"] = draw(
            st.lists(st.sampled_from(["day", "month", "year"]), min_size=1, unique=True)
        )
    if kind == "choice":
        if draw(st.booleans()):
            f["code_list"] = draw(st.sampled_from(["ethnicities", "sexes", "agencies"]))
        else:
            f["options"] = [{"code": c, "label": {"vi": c, "en": c}} for c in ("a", "b", "c")]
    return f


def _value(field: dict[str, Any], draw: Any) -> Any:
    kind = field["type"]
    strategies: dict[str, Any] = {
        "text": TEXT,
        "long_text": TEXT,
        "number": NUMBERS,
        "date": st.one_of(DATES, BAD_DATES),
        "partial_date": PARTIAL,
        "choice": st.sampled_from(["a", "b", "zz", "01", "54", "55", "male", "000.00.00.H56"]),
        "yes_no": st.one_of(st.booleans(), st.just("maybe")),
        "personal_id": PIDS,
        "tax_code": TAX,
        "phone": PHONES,
        "email": EMAILS,
    }
    return draw(strategies[kind])


KINDS = [
    "text",
    "long_text",
    "number",
    "date",
    "partial_date",
    "choice",
    "yes_no",
    "personal_id",
    "tax_code",
    "phone",
    "email",
]


def _agree(doc: dict[str, Any], data: dict[str, Any]) -> None:
    compiled = compile_form(load_definition(doc), check_schema=True)
    _agree_compiled(compiled, compile_wtforms(compiled), data)


def _agree_compiled(compiled: Any, form_class: Any, data: dict[str, Any]) -> None:
    outcome = validate_submission(compiled, data, today=TODAY)
    form = form_class(formdata=encode_formdata(compiled, data))
    verdict = form.validate(today=TODAY)
    event(f"accepted={outcome.accepted}")
    assert verdict == outcome.accepted, (data, outcome.errors, _form_errors(form))


def _form_errors(form: Any) -> dict[str, Any]:
    return {name: field.errors for name, field in form._fields.items() if field.errors}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_flat_definitions_agree(
    small_doc_template: dict[str, Any], data: st.DataObject
) -> None:
    doc = copy.deepcopy(small_doc_template)
    kinds = data.draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    fields = [_field(i, kind, data.draw) for i, kind in enumerate(kinds)]
    if len(fields) > 1 and data.draw(st.booleans()):
        fields[-1]["visible_when"] = {"!!": [{"var": fields[0]["key"]}]}
    doc["sections"] = [{"id": "s1", "title": {"vi": "Phần", "en": "Part"}, "fields": fields}]
    doc.pop("rules")
    doc.pop("test_cases")
    submission = {
        f["key"]: _value(f, data.draw) for f in fields if data.draw(st.integers(0, 4)) > 0
    }
    _agree(doc, submission)


ROW = st.fixed_dictionaries(
    {"name": st.one_of(st.just("Lê Thị C"), TEXT)},
    optional={"birth": st.one_of(st.just("1990"), PARTIAL)},
)
GOOD_ADDRESS = st.sampled_from(
    [
        {"province": "01", "commune": "00070", "street": "1 Tràng Tiền"},
        {"province": "79", "commune": "26506", "street": "Tổ 3"},
    ]
)
ADDRESS = st.one_of(
    GOOD_ADDRESS,
    st.just({}),
    st.fixed_dictionaries(
        {},
        optional={
            "province": st.sampled_from(["01", "79", "99", ""]),
            "commune": st.sampled_from(["00070", "26506", "99999", ""]),
            "street": TEXT,
        },
    ),
)


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["person", "person", "organisation", "other", ""]),
    name=st.one_of(st.just("Nguyễn Văn A"), TEXT),
    birth=st.one_of(st.just("1990-05-17"), DATES, BAD_DATES),
    tax=st.one_of(st.just("0101234567"), TAX),
    members=st.lists(ROW, max_size=6),
    address=ADDRESS,
)
def test_structured_definition_agrees(
    structured_form: tuple[Any, Any],
    kind: str,
    name: str,
    birth: str,
    tax: str,
    members: list[dict[str, Any]],
    address: dict[str, Any],
) -> None:
    compiled, form_class = structured_form
    submission = {
        "kind": kind,
        "full_name": name,
        "birth_date": birth,
        "tax_code": tax,
        "members": members,
        "address": address,
    }
    _agree_compiled(compiled, form_class, submission)


@pytest.fixture(scope="module")
def structured_form(small_doc_template: dict[str, Any]) -> tuple[Any, Any]:
    """The small definition plus an address, compiled once (3,321 communes are slow)."""
    doc = copy.deepcopy(small_doc_template)
    doc["sections"][0]["fields"].append(
        {
            "id": "f_address",
            "key": "address",
            "type": "address",
            "label": {"vi": "Địa chỉ", "en": "Address"},
        }
    )
    compiled = compile_form(load_definition(doc))
    return compiled, compile_wtforms(compiled)
