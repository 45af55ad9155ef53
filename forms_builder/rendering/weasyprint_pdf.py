"""HTML to PDF/A-3b with WeasyPrint, the submitted data embedded as ``data.json``.

WeasyPrint's ``pdf/a-3b`` variant embeds the fonts, adds the sRGB output
intent and lists attachments in the catalog's ``/AF`` with their
relationship. A finisher then replaces its Info and XMP with ours (see
:mod:`forms_builder.rendering.pdfa_metadata`) before the file is written,
so nothing is rewritten after WeasyPrint.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pydyf
from weasyprint import HTML, Attachment
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from forms_builder.rendering.errors import RenderFailed
from forms_builder.rendering.pdfa_metadata import DocumentInfo, info_entries, xmp_packet

__all__ = ["DATA_NAME", "PageRegion", "PdfOutput", "html_to_pdfa"]

DATA_NAME = "data.json"
"""Name of the embedded submitted data."""

_log = logging.getLogger(__name__)
PT_PER_PX = 0.75
"""CSS pixels are 1/96 inch, PDF points 1/72 inch."""


@dataclass(frozen=True)
class PageRegion:
    """Where an element was laid out: its page and its border box in PDF points
    (origin bottom left, as PDF annotations and signature fields use)."""

    page: int
    """Page index, from 0."""
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class PdfOutput:
    """The PDF bytes, how many pages they hold, and the regions asked for."""

    pdf: bytes
    pages: int
    regions: Mapping[str, PageRegion] = field(default_factory=dict)
    """By element ``id``: the first page each element appears on (absent when not rendered)."""


def _finisher(info: DocumentInfo) -> Any:
    def finish(_document: Any, pdf: pydyf.PDF) -> None:
        pdf.info.clear()
        for key, value in info_entries(info).items():
            pdf.info[key] = pydyf.String(value)
        # WeasyPrint lists each attachment twice in /AF (from the name tree and
        # from the file specification); keep one entry per file.
        unique = list(dict.fromkeys(bytes(ref) for ref in pdf.catalog.get("AF", [])))
        if unique:
            pdf.catalog["AF"] = pydyf.Array(unique)
        number = int(bytes(pdf.catalog["Metadata"]).split()[0])
        stream = pdf.objects[number]
        # PDF/A readers must find the XMP without decoding filters.
        stream.stream = [xmp_packet(info)]
        stream.compress = False

    return finish


def html_to_pdfa(
    html: str, *, data_json: bytes, info: DocumentInfo, regions: Sequence[str] = ()
) -> PdfOutput:
    """Render ``html`` to PDF/A-3b carrying ``data_json`` (relationship ``Data``).

    ``regions`` names element ids whose laid-out position the caller needs
    (where a result's signatures go, for example).
    """
    attachment = Attachment(
        string=data_json,
        name=DATA_NAME,
        description="Dữ liệu biểu mẫu đã nộp / Submitted form data (JSON)",
        relationship="Data",
        created=info.created,
        modified=info.created,
    )
    try:
        # Our templates only use data: URIs (the QR code); anything else in
        # the HTML is refused rather than fetched from the network or disk.
        fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
        document = HTML(string=html, base_url=None, url_fetcher=fetcher).render()
        out = io.BytesIO()
        document.write_pdf(
            out,
            pdf_variant="pdf/a-3b",
            attachments=[attachment],
            finisher=_finisher(info),
            uncompressed_pdf=False,
        )
    except FatalURLFetchingError as exc:
        raise RenderFailed(
            "Bản in tham chiếu tài nguyên bên ngoài; chỉ cho phép dữ liệu nhúng (data:).",
            "The print layout refers to an external resource; only embedded data: URIs are "
            "allowed.",
            details={"cause": str(exc)},
        ) from exc
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as exc:
        _log.exception("WeasyPrint failed to render a form")
        raise RenderFailed(
            "Không tạo được tệp PDF của biểu mẫu; lỗi đã được ghi lại, vui lòng báo quản trị.",
            "The form's PDF could not be produced; the error was logged, tell the administrator.",
            details={"cause": f"{type(exc).__name__}: {exc}"},
        ) from exc
    return PdfOutput(out.getvalue(), len(document.pages), _regions(document, regions))


def _regions(document: Any, ids: Sequence[str]) -> dict[str, PageRegion]:
    """Positions from WeasyPrint's anchors: every element with an ``id`` is one, given as
    its border box ``(x1, y1, x2, y2)`` in CSS pixels from the page's top left."""
    found: dict[str, PageRegion] = {}
    for index, page in enumerate(document.pages):
        for name in ids:
            if name in found or name not in page.anchors:
                continue
            x1, y1, x2, y2 = page.anchors[name]
            found[name] = PageRegion(
                index,
                x1 * PT_PER_PX,
                (page.height - y2) * PT_PER_PX,
                x2 * PT_PER_PX,
                (page.height - y1) * PT_PER_PX,
            )
    return found
