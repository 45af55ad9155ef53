"""Benchmark: compile a 300-field definition and validate one submission.

Prints, all measured in this run:

- compile time (definition check + JSON Schema + WTForms class);
- validating one valid submission against the compiled schema, against a
  hand-written equivalent schema (both with ``jsonschema``), and the ratio
  (the target is at most 1.5x);
- the full ``validate_submission`` (cleaning hidden parts, schema, rules);
- the same hand-written schema compiled with ``fastjsonschema``, for comparison.

Run from the repository root: ``.venv/bin/python -m benchmarks.forms_compile`` (as a
path, ``benchmarks/storage.py`` would shadow the ``storage`` package).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator

from forms_builder import compile_form, compile_wtforms, load_definition, validate_submission
from forms_builder.codelists import default_code_lists
from forms_builder.jsonschema_compiler import FORMATS, format_checker

KINDS = (
    "text",
    "number",
    "date",
    "choice",
    "partial_date",
    "personal_id",
    "phone",
    "email",
    "yes_no",
    "long_text",
)
FIELDS_PER_SECTION = 30
SECTIONS = 10


def _field(i: int) -> dict[str, Any]:
    kind = KINDS[i % len(KINDS)]
    f: dict[str, Any] = {
        "id": f"f{i}",
        "key": f"k{i}",
        "type": kind,
        "required": i % 3 == 0,
        "label": {"vi": f"Trường {i}", "en": f"Field {i}"},
    }
    if kind in ("text", "long_text"):
        f.update(max_length=200, pattern="^[^<>]*$")
    elif kind == "number":
        f.update(minimum=0, maximum=1_000_000, integer=True)
    elif kind == "choice":
        f["code_list"] = "ethnicities"
    elif kind == "partial_date":
        f["precisions"] = ["day", "month", "year"]
    return f


def definition() -> dict[str, Any]:
    """A valid 300-field definition document."""
    sections = [
        {
            "id": f"s{s}",
            "title": {"vi": f"Phần {s}", "en": f"Part {s}"},
            "fields": [_field(s * FIELDS_PER_SECTION + i) for i in range(FIELDS_PER_SECTION)],
        }
        for s in range(SECTIONS)
    ]
    return {
        "format": "eforms.form-definition/1",
        "code": "1.000300.BENCH",
        "procedure": {"code": "1.000300", "name": {"vi": "Đo", "en": "Benchmark"}},
        "agency_id": "000.00.00.H56",
        "title": {"vi": "Biểu mẫu 300 trường", "en": "300-field form"},
        "version": 1,
        "status": "draft",
        "legal_basis": {
            "document": "00/2026/TT-BENCH",
            "title": "Đo hiệu năng",
            "issued_on": "2026-01-01",
            "effective_from": "2026-01-01",
        },
        "sections": sections,
    }


SAMPLE = {
    "text": "Nguyễn Văn A",
    "long_text": "Nội dung đề nghị đăng ký thường trú.",
    "number": 42,
    "date": "2024-05-17",
    "choice": "01",
    "partial_date": "1990",
    "personal_id": "001203012345",
    "phone": "0912345678",
    "email": "a@example.vn",
    "yes_no": True,
}


def submission() -> dict[str, Any]:
    """A valid submission filling every field."""
    return {f"k{i}": SAMPLE[KINDS[i % len(KINDS)]] for i in range(SECTIONS * FIELDS_PER_SECTION)}


def hand_written_schema() -> dict[str, Any]:
    """The same constraints written directly, field by field, without the compiler."""
    ethnicities = [f"{i:02d}" for i in range(1, 55)]
    by_kind: dict[str, dict[str, Any]] = {
        "text": {"type": "string", "maxLength": 200, "pattern": "^[^<>]*$"},
        "long_text": {"type": "string", "maxLength": 200, "pattern": "^[^<>]*$"},
        "number": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
        "date": {"type": "string", "format": "date"},
        "choice": {"type": "string", "enum": ethnicities},
        "partial_date": {
            "type": "string",
            "pattern": r"^(\d{4}-\d{2}-\d{2}|\d{4}-\d{2}|\d{4})$",
            "format": "partial-date",
        },
        "personal_id": {"type": "string", "pattern": r"^\d{12}$", "format": "vn-personal-id"},
        "phone": {"type": "string", "format": "vn-phone"},
        "email": {"type": "string", "format": "email"},
        "yes_no": {"type": "boolean"},
    }
    count = SECTIONS * FIELDS_PER_SECTION
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {f"k{i}": by_kind[KINDS[i % len(KINDS)]] for i in range(count)},
        "required": [f"k{i}" for i in range(count) if i % 3 == 0],
        "additionalProperties": False,
    }


def measure(run: Callable[[], object], *, repeat: int = 7, number: int = 50) -> float:
    """Best seconds per call over ``repeat`` batches of ``number`` calls.

    The minimum is the least disturbed by other work on a shared machine.
    """
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            run()
        samples.append((time.perf_counter() - start) / number)
    return min(samples)


def compare(first: Callable[[], object], second: Callable[[], object]) -> tuple[float, float]:
    """Both timings, measured in alternation so that load changes hit both alike."""
    a, b = [], []
    for _ in range(15):
        a.append(measure(first, repeat=1, number=40))
        b.append(measure(second, repeat=1, number=40))
    return min(a), min(b)


def main() -> None:
    doc, data, today = definition(), submission(), date(2026, 11, 24)
    default_code_lists()  # built once per process; not part of compiling a form

    def compile_all() -> object:
        compiled = compile_form(load_definition(doc))
        return compile_wtforms(compiled)

    compile_time = measure(compile_all, repeat=5, number=5)
    compiled = compile_form(load_definition(doc))
    assert compiled.validator.is_valid(data), "the sample must be valid"
    hand = Draft202012Validator(hand_written_schema(), format_checker=format_checker())
    assert hand.is_valid(data)

    ours, theirs = compare(lambda: compiled.validator.is_valid(data), lambda: hand.is_valid(data))
    full = measure(lambda: validate_submission(compiled, data, today=today), number=20)
    draft7 = {k: v for k, v in hand_written_schema().items() if k != "$schema"}
    fast = fastjsonschema.compile(draft7, formats=dict(FORMATS))
    fast(data)
    fast_time = measure(lambda: fast(data))

    print(f"fields: {len(data)}")
    print(f"compile (check + JSON Schema + WTForms class): {compile_time * 1000:.1f} ms")
    print(f"validate, compiled schema (jsonschema):     {ours * 1e6:8.0f} us")
    print(f"validate, hand-written schema (jsonschema): {theirs * 1e6:8.0f} us")
    print(f"ratio compiled / hand-written: {ours / theirs:.2f}x (target <= 1.5x)")
    print(f"validate_submission (clean + schema + rules): {full * 1e6:8.0f} us")
    print(
        f"fastjsonschema, hand-written schema:         {fast_time * 1e6:8.0f} us "
        f"({theirs / fast_time:.0f}x faster than jsonschema)"
    )


if __name__ == "__main__":
    main()
