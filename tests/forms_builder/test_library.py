"""The shipped official forms: valid, tested, installable, versioned by legal basis."""

from __future__ import annotations

from datetime import date

import pytest

from forms_builder import (
    FormService,
    Status,
    compile_form,
    diff_definitions,
    load_definition,
    run_test_cases,
)
from forms_builder.library import install_library, library_documents
from forms_builder.wtforms_compiler import compile_wtforms
from forms_builder.wtforms_form import encode_formdata

TODAY = date(2026, 11, 24)
DOCS = library_documents()


@pytest.mark.parametrize("doc", DOCS, ids=[f"{d['code']}@{d['version']}" for d in DOCS])
def test_every_shipped_form_is_valid_and_passes_its_test_cases(doc: dict) -> None:
    definition = load_definition(doc)
    results = run_test_cases(compile_form(definition, check_schema=True), today=TODAY)
    assert len(results) >= 5
    assert [r.name for r in results if not r.passed] == []
    assert definition.provenance["follows"]
    assert all(f.confidence for _, f in definition.iter_fields() if f.type != "group")


def test_the_three_demo_procedures_are_shipped() -> None:
    assert {(d["code"], d["version"]) for d in DOCS} == {
        ("1.001193.TKKS", 1),
        ("1.004222.CT01", 1),
        ("1.004222.CT01", 2),
        ("1.013225.MS01", 1),
    }


def test_install_library_is_idempotent_and_versions_follow_the_legal_basis(
    service: FormService,
) -> None:
    assert install_library(service) == [
        "1.001193.TKKS@1",
        "1.004222.CT01@1",
        "1.004222.CT01@2",
        "1.013225.MS01@1",
    ]
    assert install_library(service) == []
    assert {s.status for s in service.list_forms()} == {Status.PUBLISHED}
    in_2025 = service.in_force("1.004222.CT01", date(2026, 7, 1))
    in_2026 = service.in_force("1.004222.CT01", date(2026, 11, 24))
    assert in_2025.legal_basis.document == "53/2025/TT-BCA"
    assert in_2026.legal_basis.document == "116/2026/TT-BCA"
    diff = diff_definitions(in_2025, in_2026)
    assert diff.compatible and diff.changes
    assert {c.properties for c in diff.changes} <= {("help",), ("label",), ("label", "help")}


@pytest.mark.parametrize(
    "doc",
    [d for d in DOCS if d["code"] != "1.013225.MS01"],  # MS01 needs uploaded files
    ids=lambda d: f"{d['code']}@{d['version']}",
)
def test_the_html_form_agrees_with_every_test_case(doc: dict) -> None:
    compiled = compile_form(load_definition(doc))
    form_class = compile_wtforms(compiled)
    for case in compiled.definition.test_cases:
        form = form_class(formdata=encode_formdata(compiled, case.data))
        assert form.validate(today=TODAY) is case.accepted, case.name


def test_the_html_form_renders_every_shipped_form() -> None:
    for doc in DOCS:
        form = compile_wtforms(compile_form(load_definition(doc)))()
        html = "".join(str(field()) for field in form)
        assert "<select" in html and "<input" in html


def _prefill_objects(fields: list[dict]) -> list[tuple[str, dict]]:
    found = []
    for f in fields:
        if "prefill" in f:
            found.append((f["key"], f["prefill"]))
        found += _prefill_objects(f.get("fields", []))
    return found


@pytest.mark.parametrize("doc", DOCS, ids=[f"{d['code']}@{d['version']}" for d in DOCS])
def test_prefill_bindings_are_what_the_prefill_resolver_reads(doc: dict) -> None:
    from forms_builder.prefill.bindings import FieldBinding

    bindings = [
        FieldBinding.from_dict(key, raw)
        for section in doc["sections"]
        for key, raw in _prefill_objects(section["fields"])
    ]
    assert bindings and {b.source for b in bindings} <= {"population", "enterprise"}
