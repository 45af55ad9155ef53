"""Archival metadata of a dossier (18 items) and of each document (21 items).

The items follow the archival metadata circular (05/2025/TT-BNV, which
replaced 02/2019/TT-BNV) as listed in DOMAIN.md. :func:`describe` fills them
from a :class:`~archive.record.DossierRecord`, counting pages from the PDFs
with pikepdf; :func:`complete` applies an archivist's corrections before
ingest and refuses unknown items.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pikepdf

from archive.codes import AccessMode, RetentionCode, TrustLevel
from archive.errors import InvalidRecordError
from archive.record import DocumentRecord, DossierRecord


@dataclass(frozen=True)
class DocumentMetadata:
    """Document-level items, in the order of the circular."""

    identifier: str
    """Mã định danh văn bản: ``<dossier code>.<order, 3 digits>``."""
    dossier_code: str
    order: int
    """Số thứ tự văn bản trong hồ sơ, from 1."""
    document_type: str
    number_symbol: str
    issued: date | None
    issuing_agency: str
    summary: str
    language: str
    page_count: int
    keywords: tuple[str, ...]
    access: AccessMode
    signer_name: str
    signer_position: str
    trust_level: TrustLevel
    format: str
    """MIME type (``application/pdf``) and, for PDFs, the PDF/A part if declared."""
    physical_condition: str
    description: str
    file_name: str
    sha256: str
    size: int
    """Bytes."""
    role: str = "other"
    title: str = ""


@dataclass(frozen=True)
class DossierMetadata:
    """Dossier-level items (18), in the order of the circular."""

    archive_code: str
    """Mã hồ sơ lưu trữ; we use the dossier code."""
    title: str
    retention: RetentionCode
    retention_years: int | None
    access: AccessMode
    language: str
    start_date: date
    end_date: date
    keywords: tuple[str, ...]
    document_count: int
    sheet_count: int
    """Số lượng tờ: one sheet per page for born-digital records (assumption)."""
    page_count: int
    physical_condition: str
    information_sign: str
    """Ký hiệu thông tin: procedure code, agency id and applicant id."""
    trust_level: TrustLevel
    paper_original_code: str
    backup_status: str
    backup_mode: str
    description: str


@dataclass(frozen=True)
class PackageMetadata:
    """Everything written into the descriptive metadata of one package."""

    dossier: DossierMetadata
    documents: tuple[DocumentMetadata, ...]


def count_pages(data: bytes, mime_type: str) -> int:
    """Pages of a PDF (pikepdf); 1 for an image or any other single file."""
    if mime_type != "application/pdf":
        return 1
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except pikepdf.PdfError as exc:
        raise InvalidRecordError(
            "Một tài liệu PDF của hồ sơ bị hỏng, không đếm được số trang.",
            "A PDF document of the dossier is damaged; its pages cannot be counted.",
        ) from exc


def pdfa_part(data: bytes) -> str:
    """The PDF/A conformance declared in the XMP (``1B``, ``2B``, ``3B``...) or ``""``."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            meta = pdf.open_metadata()
            part = meta.get("pdfaid:part", "")
            level = meta.get("pdfaid:conformance", "")
    except pikepdf.PdfError:
        return ""
    return f"{part}{level}".upper() if part else ""


def _describe_document(record: DossierRecord, doc: DocumentRecord, order: int) -> DocumentMetadata:
    data = doc.read_bytes()
    pages = doc.page_count or count_pages(data, doc.mime_type)
    part = pdfa_part(data) if doc.mime_type == "application/pdf" else ""
    return DocumentMetadata(
        identifier=f"{record.dossier_code}.{order:03d}",
        dossier_code=record.dossier_code,
        order=order,
        document_type=doc.document_type,
        number_symbol=doc.number_symbol,
        issued=doc.issued,
        issuing_agency=doc.issuing_agency,
        summary=doc.summary or doc.title,
        language=doc.language,
        page_count=pages,
        keywords=record.keywords,
        access=record.access,
        signer_name=doc.signer_name,
        signer_position=doc.signer_position,
        trust_level=TrustLevel.BORN_DIGITAL,
        format=f"{doc.mime_type}; PDF/A-{part}" if part else doc.mime_type,
        physical_condition="Bình thường",
        description=doc.title,
        file_name=doc.file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        role=doc.role.value,
        title=doc.title,
    )


def describe(record: DossierRecord) -> PackageMetadata:
    """Fill every item from the record; pages are counted from the files."""
    documents = tuple(
        _describe_document(record, doc, n) for n, doc in enumerate(record.documents, 1)
    )
    pages = sum(d.page_count for d in documents)
    dossier = DossierMetadata(
        archive_code=record.dossier_code,
        title=f"Hồ sơ {record.procedure_name} của {record.applicant_name}",
        retention=record.retention,
        retention_years=record.retention_years,
        access=record.access,
        language=record.language,
        start_date=record.submitted.date(),
        end_date=record.closed.date(),
        keywords=record.keywords or (record.procedure_name,),
        document_count=len(documents),
        sheet_count=pages,
        page_count=pages,
        physical_condition="Bình thường",
        information_sign=f"{record.procedure_code}/{record.agency_id}/{record.applicant_id}",
        trust_level=TrustLevel.BORN_DIGITAL,
        paper_original_code="",
        backup_status="Không",
        backup_mode="",
        description=(
            f"Thủ tục {record.procedure_code} {record.procedure_name}; "
            f"cơ quan {record.agency_name} ({record.agency_id})."
        ),
    )
    return PackageMetadata(dossier=dossier, documents=documents)


_FIXED = {"archive_code", "identifier", "dossier_code", "order", "sha256", "size", "file_name"}


def _replace(obj: Any, changes: Mapping[str, Any], what: str) -> Any:
    names = {f.name for f in dataclasses.fields(obj)}
    unknown = sorted(set(changes) - names)
    fixed = sorted(set(changes) & _FIXED)
    if unknown or fixed:
        raise InvalidRecordError(
            f"Không sửa được mục {', '.join(unknown + fixed)} của {what}.",
            f"Cannot set item(s) {', '.join(unknown + fixed)} of {what} "
            "(unknown, or computed from the files).",
            details={"unknown": unknown, "fixed": fixed},
        )
    types = {f.name: str(f.type) for f in dataclasses.fields(obj)}
    try:
        converted = {k: _convert(getattr(obj, k), v, types[k]) for k, v in changes.items()}
    except ValueError as exc:
        raise InvalidRecordError(
            f"Giá trị không hợp lệ cho {what}: {exc}.", f"Invalid value for {what}: {exc}."
        ) from exc
    return dataclasses.replace(obj, **converted)


def _convert(current: Any, value: Any, type_name: str) -> Any:
    """Turn form/JSON values (strings, lists) into the item's type."""
    for enum in (RetentionCode, AccessMode, TrustLevel):
        if type_name == enum.__name__:
            return enum(value)
    if isinstance(current, tuple) and isinstance(value, list | tuple):
        return tuple(value)
    if type_name.startswith("date") and isinstance(value, str):
        return date.fromisoformat(value) if value else None
    if type_name.startswith("int") and isinstance(value, str):
        return int(value) if value else None
    return value


def complete(
    metadata: PackageMetadata,
    *,
    dossier: Mapping[str, Any] | None = None,
    documents: Mapping[int, Mapping[str, Any]] | None = None,
) -> PackageMetadata:
    """Apply an archivist's corrections (documents keyed by order, from 1).

    Items computed from the files (identifiers, checksums, sizes, names) cannot
    be changed; unknown items are refused.
    """
    new_dossier = _replace(metadata.dossier, dossier or {}, "hồ sơ / the dossier")
    by_order = dict(documents or {})
    missing = sorted(set(by_order) - {d.order for d in metadata.documents})
    if missing:
        raise InvalidRecordError(
            f"Hồ sơ không có văn bản số {missing}.", f"The dossier has no document {missing}."
        )
    new_docs = tuple(
        _replace(d, by_order[d.order], f"văn bản {d.order} / document {d.order}")
        if d.order in by_order
        else d
        for d in metadata.documents
    )
    return PackageMetadata(dossier=new_dossier, documents=new_docs)
