"""Citizen, leader and seal on one PDF/A-3b form: all valid, PDF/A kept, Decree 30 layout."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import datetime, timedelta, timezone

import pikepdf
import pytest

from signing import appearance as appearances
from signing.demo_images import seal_png, signature_png
from signing.demo_pki import identity
from signing.document import add_signature_fields
from signing.model import PadesLevel
from signing.pades import SignOptions, sign_document
from signing.pkcs12_signer import Pkcs12Signer
from signing.remote_signer import RemoteSigner

ICT = timezone(timedelta(hours=7))


@pytest.fixture(scope="module")
def three_signatures(pki, pki_server, pdfa, csc):
    from signing.csc_client import CscClient

    trust = pki.trust()
    client = CscClient(csc.url, "portal", "secret-for-tests")
    citizen = sign_document(
        pdfa,
        signer=RemoteSigner(client, "cred-citizen", "123456"),
        trust=trust,
        options=SignOptions(level=PadesLevel.B_T),
    )
    leader = identity("leader")
    signed_by_leader = sign_document(
        citizen.pdf,
        signer=Pkcs12Signer(pki.pkcs12_path("leader"), "123456"),
        trust=trust,
        options=SignOptions(
            level=PadesLevel.B_LT,
            appearance=appearances.leader(
                name=leader.common_name,
                title=leader.title,
                signature_png=signature_png(leader.common_name),
            ),
        ),
    )
    sealed = sign_document(
        signed_by_leader.pdf,
        signer=Pkcs12Signer(pki.pkcs12_path("000.00.00.H56"), "123456"),
        trust=trust,
        options=SignOptions(
            level=PadesLevel.B_LTA,
            appearance=appearances.seal(seal_png=seal_png(leader.organization)),
        ),
    )
    return sealed.pdf


@pytest.mark.integration
def test_all_three_signatures_validate(three_signatures, verdicts, assert_signed, check_pdfsig):
    found = verdicts(three_signatures)

    assert set(found) == {"signature_1", "leader_1", "seal_1"}
    assert all(v.intact and v.valid and v.trusted for v in found.values())
    assert_signed(three_signatures, "seal_1", PadesLevel.B_LTA)
    check_pdfsig(three_signatures, 3)


@pytest.mark.integration
def test_pdfa_identification_and_embedded_fonts_survive(three_signatures):
    with pikepdf.open(io.BytesIO(three_signatures)) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "3"
        assert meta["pdfaid:conformance"] == "B"
        # PDF/A: the Info entries that have XMP twins must agree.
        assert str(pdf.docinfo["/Producer"]) == meta["pdf:Producer"]
        fonts = list(_all_fonts(pdf))
        assert fonts, "the stamps and the form use fonts"
        assert all(_embedded(font) for font in fonts), [str(f.get("/BaseFont")) for f in fonts]
        names = {str(f.get("/BaseFont")) for f in fonts}
        assert any("LiberationSerif" in n or "Liberation-Serif" in n for n in names)
        assert not any("Courier" in n for n in names)


@pytest.mark.integration
def test_seal_overlaps_left_third_of_leader_signature_image(three_signatures):
    rects = _widget_rects(three_signatures)
    leader_box = appearances.Box(*rects["leader_1"])
    seal_box = appearances.Box(*rects["seal_1"])
    image = appearances.leader_image_box(leader_box)

    overlap = (seal_box.x2 - image.x1) / image.width
    assert overlap == pytest.approx(1 / 3, abs=0.02)
    assert seal_box.x1 < image.x1  # the seal sits on the left of the signature
    assert seal_box.y1 < (image.y1 + image.y2) / 2 < seal_box.y2


@pytest.mark.integration
def test_prepared_empty_fields_are_filled_in_place(pki, trust, pdfa):
    """A document made with empty leader/seal fields (a result) is signed in those fields."""
    region = appearances.Box(311.8, 193.9, 532.6, 318.6)  # a result's signing block
    leader_box, seal_box = appearances.signing_block(region)
    prepared = add_signature_fields(pdfa, {"leader_1": (2, leader_box), "seal_1": (2, seal_box)})
    leader = identity("leader")
    signed = sign_document(
        prepared,
        signer=Pkcs12Signer(pki.pkcs12_path("leader"), "123456"),
        trust=trust,
        options=SignOptions(
            appearance=appearances.leader(
                name=leader.common_name,
                title=leader.title,
                signature_png=signature_png(leader.common_name),
            )
        ),
    )
    sealed = sign_document(
        signed.pdf,
        signer=Pkcs12Signer(pki.pkcs12_path("000.00.00.H56"), "123456"),
        trust=trust,
        options=SignOptions(appearance=appearances.seal(seal_png=seal_png(leader.organization))),
    )

    assert (signed.field_name, sealed.field_name) == ("leader_1", "seal_1")
    rects = _widget_rects(sealed.pdf)
    assert rects == {
        "leader_1": tuple(float(v) for v in leader_box.as_tuple()),
        "seal_1": tuple(float(v) for v in seal_box.as_tuple()),
    }
    for rect in rects.values():
        assert region.x1 <= rect[0] and rect[2] <= region.x2
        assert region.y1 <= rect[1] and rect[3] <= region.y2
    image = appearances.leader_image_box(appearances.Box(*rects["leader_1"]))
    assert (rects["seal_1"][2] - image.x1) / image.width == pytest.approx(1 / 3, abs=0.02)
    with pikepdf.open(io.BytesIO(sealed.pdf)) as pdf:
        assert _page_of_widget(pdf, "leader_1") == _page_of_widget(pdf, "seal_1") == 2


@pytest.mark.integration
def test_attachment_stamp_top_right_of_first_page(pki, trust, pdfa, tmp_path, assert_signed):
    when = datetime(2026, 11, 22, 9, 30, tzinfo=ICT)
    signed = sign_document(
        pdfa,
        signer=Pkcs12Signer(pki.pkcs12_path("000.00.00.H56"), "123456"),
        trust=trust,
        options=SignOptions(
            appearance=appearances.attachment(agency_name="Sở Nội vụ tỉnh Demo", when=when)
        ),
    )

    assert_signed(signed.pdf, "attachment_1", PadesLevel.B_B)
    rect = appearances.Box(*_widget_rects(signed.pdf)["attachment_1"])
    with pikepdf.open(io.BytesIO(signed.pdf)) as pdf:
        width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
        assert _page_of_widget(pdf, "attachment_1") == 0
    assert rect.x1 > width / 2 and rect.y1 > height * 0.8
    path = tmp_path / "attachment.pdf"
    path.write_bytes(signed.pdf)
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "2026-11-22T09:30:00+07:00" in text
    assert re.search(r"Sở Nội vụ tỉnh Demo", text)


def _widget_rects(pdf_bytes: bytes) -> dict[str, tuple[float, ...]]:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        return {
            str(f.T): tuple(float(v) for v in f.Rect)
            for f in pdf.Root.AcroForm.Fields
            if "/Rect" in f
        }


def _page_of_widget(pdf: pikepdf.Pdf, name: str) -> int:
    for index, page in enumerate(pdf.pages):
        for annot in page.get("/Annots", []):
            if str(annot.get("/T", "")) == name:
                return index
    raise AssertionError(f"no widget {name}")


def _all_fonts(pdf: pikepdf.Pdf):
    seen: set[tuple[int, int]] = set()

    def walk(resources):
        if resources is None:
            return
        for font in (resources.get("/Font") or {}).values():
            if font.objgen not in seen:
                seen.add(font.objgen)
                yield font
        for xobj in (resources.get("/XObject") or {}).values():
            if xobj.get("/Subtype") == "/Form" and xobj.objgen not in seen:
                seen.add(xobj.objgen)
                yield from walk(xobj.get("/Resources"))

    for page in pdf.pages:
        yield from walk(page.get("/Resources"))
        for annot in page.get("/Annots", []):
            normal = annot.get("/AP", {}).get("/N")
            if normal is not None and normal.get("/Type", "/XObject") == "/XObject":
                yield from walk(normal.get("/Resources"))


def _embedded(font) -> bool:
    if font.get("/Subtype") == "/Type0":
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(
        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
    )
