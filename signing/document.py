"""Opening a PDF for an incremental signature, and what is already on it."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign.fields import SigFieldSpec, append_signature_field, enumerate_sig_fields

from signing.appearance import Box
from signing.errors import FieldAlreadySignedError, UnsupportedPdfError
from signing.model import AppearanceKind


def open_for_signing(pdf: bytes) -> IncrementalPdfFileWriter:
    """A writer appending an incremental update to ``pdf``; refuses what cannot be signed."""
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise _unsupported("not_pdf", "Tệp không phải là PDF.", "The file is not a PDF.")
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=True)
        encrypted = writer.prev.encrypted
        if not encrypted:
            writer.root["/Pages"]["/Count"]  # noqa: B018 (forces the page tree to load)
    except (PdfError, KeyError, ValueError, TypeError) as exc:
        raise _unsupported(
            "damaged",
            "Tệp PDF bị hỏng (bảng xref hoặc cấu trúc không đọc được); hãy tạo lại tệp.",
            f"The PDF is damaged (unreadable xref table or structure: {exc}); "
            "produce the file again.",
        ) from exc
    if encrypted:
        raise _unsupported(
            "encrypted",
            "Tệp PDF được mã hóa/đặt mật khẩu; hãy gỡ mã hóa trước khi ký.",
            "The PDF is encrypted; remove the encryption before signing.",
        )
    _align_producer(writer)
    return writer


def _align_producer(writer: IncrementalPdfFileWriter) -> None:
    """Keep Info and XMP consistent, as PDF/A requires.

    pyHanko writes ``pdf:Producer = pyHanko x.y`` into the XMP but appends
    "; pyHanko x.y" to an existing Info ``/Producer``, so the two differ.
    Dropping the old Info entry lets pyHanko write the same value in both.
    """
    info_ref = (
        writer.prev.trailer_view.raw_get("/Info") if "/Info" in writer.prev.trailer_view else None
    )
    if info_ref is None or "/Metadata" not in writer.root:
        return
    info = info_ref.get_object()
    if "/Producer" in info:
        del info["/Producer"]


def _unsupported(reason: str, vi: str, en: str) -> UnsupportedPdfError:
    return UnsupportedPdfError(vi, en, details={"reason": reason})


@dataclass(frozen=True)
class ExistingField:
    name: str
    signed: bool
    page: int | None
    box: Box | None


def signature_fields(writer: IncrementalPdfFileWriter) -> list[ExistingField]:
    """Signature fields already in the document, signed or empty."""
    page_refs = _page_refs(writer)
    found = []
    for name, value, ref in enumerate_sig_fields(writer):
        field = ref.get_object()
        rect = field.get("/Rect")
        page_ref = field.raw_get("/P") if "/P" in field else None
        page = page_refs.get(page_ref.idnum) if page_ref is not None else None
        box = Box(*(float(v) for v in rect)) if rect is not None else None
        found.append(ExistingField(name=name, signed=value is not None, page=page, box=box))
    return found


def choose_field_name(
    fields: list[ExistingField], requested: str | None, kind: AppearanceKind
) -> str:
    """``requested`` if free (an empty field is fine), else the first empty ``<kind>_<n>``
    field of the document, else the next free ``<kind>_<n>`` name."""
    taken = {f.name: f for f in fields}
    if requested:
        if requested in taken and taken[requested].signed:
            raise FieldAlreadySignedError(
                f"Trường chữ ký '{requested}' đã có chữ ký; chọn tên trường khác.",
                f"The signature field '{requested}' already holds a signature; "
                "choose another field name.",
                details={"field": requested},
            )
        return requested
    prefix = "signature" if kind is AppearanceKind.NONE else kind.value
    # An empty field the document was prepared with (a result's signing block) comes first.
    for f in fields:
        if not f.signed and re.fullmatch(rf"{prefix}_\d+", f.name):
            return f.name
    n = 1
    while f"{prefix}_{n}" in taken:
        n += 1
    return f"{prefix}_{n}"


def add_signature_fields(pdf: bytes, fields: Mapping[str, tuple[int, Box]]) -> bytes:
    """``pdf`` with empty signature fields ``{name: (page index, rectangle)}`` added.

    A document made to be signed (a result) carries its fields where its layout
    wants the signatures; signing then fills them (:func:`choose_field_name`).
    The fields are printable widgets with an empty appearance, as PDF/A asks, and
    come as one incremental update.
    """
    writer = open_for_signing(pdf)
    for name, (page, box) in fields.items():
        append_signature_field(
            writer, SigFieldSpec(sig_field_name=name, on_page=page, box=box.as_tuple())
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def leader_box_on(fields: list[ExistingField], page: int) -> Box | None:
    """The rectangle of the last leader signature on ``page``, if any."""
    boxes = [
        f.box
        for f in fields
        if f.name.startswith(AppearanceKind.LEADER.value) and f.page == page and f.box
    ]
    return boxes[-1] if boxes else None


def page_count(writer: IncrementalPdfFileWriter) -> int:
    return int(writer.root["/Pages"]["/Count"])


def page_size(writer: IncrementalPdfFileWriter, page: int) -> tuple[float, float]:
    page_obj = writer.find_page_for_modification(page)[0].get_object()
    x1, y1, x2, y2 = (float(v) for v in _inherited(writer, page_obj, "/MediaBox"))
    return (x2 - x1, y2 - y1)


def _inherited(writer: IncrementalPdfFileWriter, node, key: str):  # type: ignore[no-untyped-def]
    while key not in node:
        node = node["/Parent"]
    return node[key]


def _page_refs(writer: IncrementalPdfFileWriter) -> dict[int, int]:
    refs = {}
    for index in range(page_count(writer)):
        ref = writer.find_page_for_modification(index)[0]
        refs[ref.idnum] = index
    return refs
