"""Every accepted test case of every shipped form renders to a valid PDF/A-3b."""

from __future__ import annotations

from typing import Any

import pytest

from forms_builder.library import library_documents
from forms_builder.model import FormDefinition, TestCase
from forms_builder.rendering import check_pdfa, render_html, render_pdf, resolve_layout
from forms_builder.validation import load_definition

CASES = [
    pytest.param(d, i, id=f"{d.ref}-case{i}")
    for d in (load_definition(doc) for doc in library_documents())
    for i, case in enumerate(d.test_cases, start=1)
    if case.accepted
]


@pytest.mark.parametrize(("definition", "number"), CASES)
def test_shipped_case_renders_in_its_own_layout(definition: FormDefinition, number: int) -> None:
    assert resolve_layout(definition).name != "generic"
    case = definition.test_cases[number - 1]
    rendered = render_pdf(
        definition, case.data, dossier_code="000.00.00.H56-261124-0009", base_url="https://x.vn"
    )
    assert check_pdfa(rendered.pdf, data_json=rendered.data_json) == []


ALL_DATA = [
    pytest.param(d, case.data, id=f"{d.ref}-{i}")
    for d in (load_definition(doc) for doc in library_documents())
    for i, case in enumerate((*d.test_cases, TestCase("empty", {}, False)), start=1)
]


@pytest.mark.parametrize(("definition", "data"), ALL_DATA)
def test_any_case_even_a_refused_one_prints_as_html(
    definition: FormDefinition, data: dict[str, Any]
) -> None:
    html = render_html(definition, data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html
