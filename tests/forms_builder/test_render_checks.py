"""The PDF/A checks find real defects, and the publishing gate uses them."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pikepdf
import pytest
from weasyprint import HTML

from forms_builder import Author, FormService
from forms_builder.errors import PublishRefused
from forms_builder.model import Status
from forms_builder.rendering import (
    VIETNAM_TZ,
    RenderFailed,
    check_pdfa,
    check_renders,
    render_pdf,
)
from forms_builder.rendering.pdfa_metadata import DocumentInfo
from forms_builder.rendering.weasyprint_pdf import html_to_pdfa
from forms_builder.validation import load_definition
from tests.forms_builder.layout_samples import CT01_DATA, ct01_doc

AUTHOR = Author("tac.gia", "000.00.00.H56")


@pytest.fixture(scope="module")
def good_pdf() -> bytes:
    return render_pdf(load_definition(ct01_doc()), CT01_DATA).pdf


def _codes(pdf: bytes, **kwargs: Any) -> set[str]:
    return {p.code for p in check_pdfa(pdf, **kwargs)}


def _edit(pdf: bytes, change: Any, **save: Any) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        change(doc)
        out = io.BytesIO()
        doc.save(out, **save)
    return out.getvalue()


def test_plain_weasyprint_output_is_not_pdfa() -> None:
    plain = HTML(string="<p style='font-family: Liberation Serif'>Xin chào</p>").write_pdf()
    codes = _codes(plain, data_json=b"{}")
    assert {"xmp.missing", "output_intent.missing", "data.missing"} <= codes


def test_encryption_is_reported(good_pdf: bytes) -> None:
    locked = _edit(good_pdf, lambda d: None, encryption=pikepdf.Encryption(owner="chu", user=""))
    assert "pdf.encrypted" in _codes(locked)


def test_javascript_open_action_is_reported(good_pdf: bytes) -> None:
    def add_js(doc: pikepdf.Pdf) -> None:
        doc.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")

    assert "pdf.javascript" in _codes(_edit(good_pdf, add_js))


def test_letter_pages_and_mismatched_metadata_are_reported(good_pdf: bytes) -> None:
    def damage(doc: pikepdf.Pdf) -> None:
        doc.pages[0].MediaBox = [0, 0, 612, 792]
        doc.docinfo["/Title"] = "Một tiêu đề khác"

    codes = _codes(_edit(good_pdf, damage))
    assert {"page.not_a4", "xmp.info_mismatch"} <= codes


def test_unreadable_bytes_are_one_problem() -> None:
    assert _codes(b"not a pdf") == {"pdf.unreadable"}


def test_check_renders_passes_a_good_definition() -> None:
    assert check_renders(load_definition(ct01_doc()), CT01_DATA) == []


def test_check_renders_names_an_unknown_layout() -> None:
    problems = check_renders(load_definition(ct01_doc("ct99-2030")), CT01_DATA)
    assert len(problems) == 1 and "forms.layout_unknown" in problems[0]
    assert "ct99-2030" in problems[0]


def test_publishing_runs_the_render_check(database: Any) -> None:
    service = FormService(database, render_check=check_renders, today=lambda: date(2026, 11, 24))
    service.create_draft(ct01_doc(), AUTHOR)
    report = service.publish("1.004222.CT01", 1, AUTHOR)
    assert report.published and service.get("1.004222.CT01", 1).status == Status.PUBLISHED

    service.create_draft(ct01_doc("ct99-2030"), AUTHOR)
    with pytest.raises(PublishRefused) as caught:
        service.publish("1.004222.CT01", 2, AUTHOR)
    assert "forms.layout_unknown" in caught.value.details["render_problems"][0]
    assert service.get("1.004222.CT01", 2).status == Status.DRAFT


def test_external_resources_are_refused_not_fetched() -> None:
    info = DocumentInfo("t", "s", ("k",), "eforms", datetime(2026, 11, 24, tzinfo=VIETNAM_TZ))
    html = '<p>x</p><img src="http://127.0.0.1:9/logo.png">'
    with pytest.raises(RenderFailed) as caught:
        html_to_pdfa(html, data_json=b"{}", info=info)
    assert caught.value.code == "forms.render_failed"
    assert "data:" in caught.value.message_en


def test_regions_are_reported_in_pdf_points_from_the_bottom_left() -> None:
    info = DocumentInfo("t", "s", ("k",), "eforms", datetime(2026, 11, 24, tzinfo=VIETNAM_TZ))
    html = (
        "<style>@page { size: A4; margin: 0 } body { margin: 0 }"
        " .box { margin: 72pt 0 0 144pt; width: 216pt; height: 36pt }</style>"
        '<div style="break-after: page">x</div><div class="box" id="here"></div>'
    )
    out = html_to_pdfa(html, data_json=b"{}", info=info, regions=("here", "absent"))
    assert out.pages == 2 and set(out.regions) == {"here"}
    region = out.regions["here"]
    height = 841.89  # A4
    assert region.page == 1
    assert (region.x1, region.x2) == (pytest.approx(144), pytest.approx(360))
    assert (region.y1, region.y2) == (
        pytest.approx(height - 108, abs=0.1),
        pytest.approx(height - 72, abs=0.1),
    )


def test_hidden_link_and_untyped_data_are_reported() -> None:
    rendered = render_pdf(
        load_definition(ct01_doc()), CT01_DATA, dossier_code="X-1", base_url="https://x.vn"
    )

    def damage(doc: pikepdf.Pdf) -> None:
        for annot in doc.pages[0].Annots:
            annot.F = 2  # hidden, not printed
        del doc.Root.AF[0].EF.F.Subtype

    codes = _codes(_edit(rendered.pdf, damage), data_json=rendered.data_json)
    assert codes == {"annot.not_printable", "data.no_media_type"}


def test_a_table_with_only_some_columns_bound_still_renders() -> None:
    doc = ct01_doc()
    doc["print_layout"]["places"] = [
        p for p in doc["print_layout"]["places"] if p["place"] in ("table-11", "table-11.col-2")
    ]
    assert check_renders(load_definition(doc), CT01_DATA) == []
