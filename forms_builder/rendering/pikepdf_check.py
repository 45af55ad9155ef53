"""PDF/A-3b checks on a rendered form, read back with pikepdf.

Not a full validator (veraPDF cannot be installed here): it checks what our
documents must carry and what breaks archiving or signing most often. Every
problem has a stable code and a message in Vietnamese and English, so the
publishing gate and the tests report the same things.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pikepdf
from pikepdf import Name

__all__ = ["PdfaProblem", "check_pdfa"]

_A4 = (595.28, 841.89)
_PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
_INFO_XMP = {
    "/Title": "dc:title",
    "/Subject": "dc:description",
    "/Keywords": "pdf:Keywords",
    "/Creator": "xmp:CreatorTool",
    "/Producer": "pdf:Producer",
}


@dataclass(frozen=True)
class PdfaProblem:
    """One way the PDF falls short of our PDF/A-3b profile."""

    code: str
    message_vi: str
    message_en: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.message_vi} / {self.message_en}"


def check_pdfa(pdf: bytes, *, data_json: bytes | None = None) -> list[PdfaProblem]:
    """Problems of ``pdf`` (empty when it passes); ``data_json``: the expected ``data.json``."""
    try:
        doc = pikepdf.open(io.BytesIO(pdf))
    except pikepdf.PdfError as exc:
        return [PdfaProblem("pdf.unreadable", f"Không đọc được PDF: {exc}", f"Unreadable: {exc}")]
    with doc:
        problems = [
            *_identification(doc),
            *_output_intent(doc),
            *_fonts(doc),
            *_forbidden(doc),
            *_structure(doc),
            *_pages(doc),
        ]
        if data_json is not None:
            problems += _data(doc, data_json)
    return problems


def _identification(doc: pikepdf.Pdf) -> Iterator[PdfaProblem]:
    if "/Metadata" not in doc.Root:
        yield PdfaProblem("xmp.missing", "Thiếu siêu dữ liệu XMP.", "No XMP metadata.")
        return
    if "/Filter" in doc.Root.Metadata:
        yield PdfaProblem("xmp.filtered", "XMP bị nén.", "The XMP stream is compressed.")
    meta = doc.open_metadata(set_pikepdf_as_editor=False)
    part, conformance = meta.get(f"{_PDFAID}part"), meta.get(f"{_PDFAID}conformance")
    if (part, conformance) != ("3", "B"):
        yield PdfaProblem(
            "xmp.pdfaid",
            f"XMP không khai báo PDF/A-3B (part={part}, conformance={conformance}).",
            f"XMP does not declare PDF/A-3B (part={part}, conformance={conformance}).",
        )
    info = doc.docinfo
    for key, prop in _INFO_XMP.items():
        in_info = str(info[key]) if key in info else None
        in_xmp = meta.get(prop)
        if isinstance(in_xmp, set | list):
            in_xmp = ", ".join(sorted(in_xmp))
        if in_info is not None and in_info != in_xmp:
            yield PdfaProblem(
                "xmp.info_mismatch",
                f"{key} trong Info khác XMP {prop}.",
                f"Info {key} differs from XMP {prop}.",
            )


def _output_intent(doc: pikepdf.Pdf) -> Iterator[PdfaProblem]:
    intents = doc.Root.get("/OutputIntents", [])
    for intent in intents:
        if intent.get("/S") == Name.GTS_PDFA1 and "/DestOutputProfile" in intent:
            profile = intent.DestOutputProfile
            if profile.get("/N") == 3 and b"sRGB" in profile.read_bytes()[:2048]:
                return
    yield PdfaProblem(
        "output_intent.missing",
        "Thiếu OutputIntent GTS_PDFA1 với hồ sơ màu sRGB.",
        "No GTS_PDFA1 OutputIntent with an sRGB ICC profile.",
    )


def _fonts(doc: pikepdf.Pdf) -> Iterator[PdfaProblem]:
    seen: set[tuple[int, int]] = set()
    for page in doc.pages:
        fonts = page.Resources.get("/Font", {})
        for name in fonts.keys():
            font = fonts[name]
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            descendants = font.get("/DescendantFonts", [font])
            for part in descendants:
                descriptor = part.get("/FontDescriptor")
                embedded = descriptor is not None and any(
                    k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
                )
                if not embedded:
                    base = str(font.get("/BaseFont", name))
                    yield PdfaProblem(
                        "font.not_embedded",
                        f"Phông {base} không được nhúng.",
                        f"Font {base} is not embedded.",
                    )


def _forbidden(doc: pikepdf.Pdf) -> Iterator[PdfaProblem]:
    if "/Encrypt" in doc.trailer:
        yield PdfaProblem("pdf.encrypted", "PDF bị mã hóa.", "The PDF is encrypted.")
    names = doc.Root.get("/Names", {})
    if "/JavaScript" in names or "/AA" in doc.Root:
        yield PdfaProblem("pdf.javascript", "PDF chứa JavaScript.", "The PDF holds JavaScript.")
    action = doc.Root.get("/OpenAction")
    if isinstance(action, pikepdf.Dictionary) and "/JS" in action:
        yield PdfaProblem("pdf.javascript", "PDF chứa JavaScript.", "The PDF holds JavaScript.")
    for page in doc.pages:
        for annot in page.get("/Annots", []):
            act = annot.get("/A")
            if isinstance(act, pikepdf.Dictionary) and act.get("/S") == Name.JavaScript:
                yield PdfaProblem(
                    "pdf.javascript", "Liên kết chạy JavaScript.", "A link runs JavaScript."
                )


def _structure(doc: pikepdf.Pdf) -> Iterator[PdfaProblem]:
    if "/ID" not in doc.trailer:
        yield PdfaProblem("pdf.no_id", "Thiếu mã định danh tệp (/ID).", "No file identifier (/ID).")
    for number, page in enumerate(doc.pages, start=1):
        for annot in page.get("/Annots", []):
            flags = int(annot.get("/F", 0))
            # PDF/A: the Print flag (bit 3) set, Hidden (1), Invisible (0) and NoView (6) not.
            if not flags & 4 or flags & 0b100011:
                yield PdfaProblem(
                    "annot.not_printable",
                    f"Chú thích trên trang {number} không được đánh dấu để in.",
                    f"An annotation on page {number} is not marked printable.",
                )


def _pages(doc: pikepdf.Pdf) -> Iterator[PdfaProblem]:
    for number, page in enumerate(doc.pages, start=1):
        box = [float(v) for v in page.MediaBox]
        size = (box[2] - box[0], box[3] - box[1])
        if any(abs(a - b) > 1.0 for a, b in zip(size, _A4, strict=True)):
            yield PdfaProblem(
                "page.not_a4",
                f"Trang {number} không phải khổ A4 ({size[0]:.0f}x{size[1]:.0f} pt).",
                f"Page {number} is not A4 ({size[0]:.0f}x{size[1]:.0f} pt).",
            )


def _data(doc: pikepdf.Pdf, expected: bytes) -> list[PdfaProblem]:
    for spec in doc.Root.get("/AF", []):
        if str(spec.get("/UF", spec.get("/F", ""))) != "data.json":
            continue
        problems = []
        if spec.get("/AFRelationship") != Name.Data:
            problems.append(
                PdfaProblem(
                    "data.relationship",
                    "data.json không có quan hệ /Data.",
                    "data.json is not marked /AFRelationship /Data.",
                )
            )
        if "/Subtype" not in spec.EF.F:
            problems.append(
                PdfaProblem(
                    "data.no_media_type",
                    "data.json không khai báo kiểu MIME (/Subtype).",
                    "data.json has no MIME type (/Subtype).",
                )
            )
        if spec.EF.F.read_bytes() != expected:
            problems.append(
                PdfaProblem(
                    "data.mismatch",
                    "data.json khác dữ liệu đã nộp.",
                    "data.json differs from the submitted data.",
                )
            )
        return problems
    return [
        PdfaProblem(
            "data.missing",
            "PDF không mang tệp data.json (tệp liên kết trong /AF).",
            "The PDF carries no data.json associated file in /AF.",
        )
    ]
