"""Build an E-ARK CSIP package (SIP) from a dossier record.

Layout (DOMAIN.md)::

    <dossier code>/METS.xml
    <dossier code>/metadata/descriptive/EAD.xml
    <dossier code>/metadata/preservation/PREMIS.xml
    <dossier code>/representations/rep1/METS.xml
    <dossier code>/representations/rep1/metadata/descriptive/EAD_doc_<n>.xml
    <dossier code>/representations/rep1/data/<nn>_<file name>
    <dossier code>/schemas/*.xsd

The package is written into a temporary folder next to the target and
renamed into place at the end, so a failed build leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from archive.codes import VN_TZ
from archive.descriptive import document_xml, dossier_xml
from archive.errors import ArchiveError
from archive.metadata import PackageMetadata, describe
from archive.mets import MetsContext, write_representation_mets, write_root_mets
from archive.ports import SignatureVerifier
from archive.premis import EventType, PremisAgent, PremisEvent, PremisObject, premis_xml
from archive.record import DossierRecord
from archive.xml_schemas import SCHEMA_FILES
from eforms import __version__
from schemas import xsd_path

SOFTWARE = "eforms"
REPRESENTATION = "rep1"


@dataclass(frozen=True)
class BuiltPackage:
    """Where a package was written and what it holds."""

    path: Path
    package_id: str
    documents: int
    files: int


def safe_name(name: str) -> str:
    """A file name object stores and zip readers accept: ASCII letters, digits, ``._-``."""
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_only = "".join(c for c in plain if c.isascii())
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in ascii_only).strip("._")
    return cleaned or "document"


def mets_context(record: DossierRecord, package_type: str, created: datetime) -> MetsContext:
    return MetsContext(
        objid=record.dossier_code,
        label=f"{record.procedure_name} — {record.dossier_code}",
        package_type=package_type,
        created=created,
        software=SOFTWARE,
        software_version=__version__,
        agency_name=record.agency_name,
        agency_id=record.agency_id,
    )


def software_agent() -> PremisAgent:
    return PremisAgent(f"software:{SOFTWARE}", SOFTWARE, "software", __version__)


def _write_documents(
    record: DossierRecord, metadata: PackageMetadata, rep: Path
) -> list[tuple[str, bytes, str]]:
    written = []
    for doc, meta in zip(record.documents, metadata.documents, strict=True):
        data = doc.read_bytes()
        name = f"{meta.order:02d}_{safe_name(doc.file_name)}"
        (rep / "data" / name).write_bytes(data)
        (rep / "metadata/descriptive" / f"EAD_doc_{meta.order}.xml").write_bytes(document_xml(meta))
        written.append((f"representations/{REPRESENTATION}/data/{name}", data, meta.format))
    return written


def _premis(
    record: DossierRecord,
    documents: list[tuple[str, bytes, str]],
    verifier: SignatureVerifier,
    created: datetime,
    shas: dict[str, str],
) -> bytes:
    agency = PremisAgent(f"agency:{record.agency_id}", record.agency_name, "organization")
    tool = software_agent()
    objects, events = [], []
    for path, data, fmt in documents:
        objects.append(PremisObject(path, shas[path], len(data), fmt))
        events.append(
            PremisEvent(
                f"event-{uuid.uuid4()}",
                EventType.FORMAT_IDENTIFICATION,
                created,
                "success",
                detail=fmt,
                agents=(tool.identifier,),
                objects=(path,),
            )
        )
        if fmt.startswith("application/pdf"):
            summary = verifier.verify_pdf(data)
            if summary.signed:
                events.append(
                    PremisEvent(
                        f"event-{uuid.uuid4()}",
                        EventType.SIGNATURE_VALIDATION,
                        created,
                        "success" if summary.indication == "TOTAL_PASSED" else "failure",
                        detail=summary.indication.value,
                        outcome_detail=dict(summary.report),
                        agents=(tool.identifier,),
                        objects=(path,),
                    )
                )
    for audit in record.audit_events:
        events.append(
            PremisEvent(
                f"event-{uuid.uuid4()}",
                audit.action,
                audit.at,
                audit.outcome,
                detail=f"actor: {audit.actor}",
                agents=(agency.identifier,),
            )
        )
    return premis_xml(objects, events, [tool, agency])


def _readme(record: DossierRecord, metadata: PackageMetadata) -> str:
    lines = [
        f"Hồ sơ / Dossier: {record.dossier_code}",
        f"Thủ tục / Procedure: {record.procedure_code} {record.procedure_name}",
        f"Cơ quan / Agency: {record.agency_name} ({record.agency_id})",
        f"Người nộp / Applicant: {record.applicant_name} ({record.applicant_id})",
        f"Thời hạn bảo quản / Retention code: {record.retention.value}",
        f"Chế độ sử dụng / Access mode: {record.access.value}",
        "",
        "Tài liệu / Documents:",
    ]
    lines += [
        f"  {d.order}. {d.title} ({d.file_name}, {d.page_count} tr.)" for d in metadata.documents
    ]
    lines += [
        "",
        "Siêu dữ liệu / Metadata: metadata/descriptive/EAD.xml (hồ sơ / dossier), "
        "representations/rep1/metadata/descriptive/EAD_doc_<n>.xml (văn bản / documents); "
        "schema: schemas/eforms-archive-metadata-1.xsd.",
    ]
    return "\n".join(lines) + "\n"


def build_package(
    record: DossierRecord,
    *,
    out_dir: Path,
    verifier: SignatureVerifier,
    metadata: PackageMetadata | None = None,
    created: datetime | None = None,
) -> BuiltPackage:
    """Write the SIP of ``record`` as ``out_dir/<dossier code>/`` and return it.

    ``metadata`` is what the archivist reviewed (default: :func:`describe`).
    Raises ``ArchiveError`` if the target folder already exists.
    """
    metadata = metadata or describe(record)
    created = (created or datetime.now(VN_TZ)).astimezone(VN_TZ)
    target = Path(out_dir) / safe_name(record.dossier_code)
    if target.exists():
        raise ArchiveError(
            f"Thư mục {target} đã tồn tại; chọn thư mục khác hoặc xoá nó.",
            f"The folder {target} already exists; choose another or remove it.",
            code="archive.target_exists",
        )
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".building-", dir=out_dir))
    try:
        rep = work / "representations" / REPRESENTATION
        for folder in ("data", "metadata/descriptive"):
            (rep / folder).mkdir(parents=True)
        for folder in ("metadata/descriptive", "metadata/preservation", "schemas", "documentation"):
            (work / folder).mkdir(parents=True)
        documents = _write_documents(record, metadata, rep)
        shas = {p: hashlib.sha256(d).hexdigest() for p, d, _ in documents}
        (work / "documentation" / "README.txt").write_text(_readme(record, metadata), "utf-8")
        (work / "metadata/descriptive/EAD.xml").write_bytes(dossier_xml(metadata.dossier, record))
        (work / "metadata/preservation/PREMIS.xml").write_bytes(
            _premis(record, documents, verifier, created, shas)
        )
        for name in sorted(set(SCHEMA_FILES.values()) | {"xml.xsd"}):
            shutil.copyfile(xsd_path(name), work / "schemas" / name)
        ctx = mets_context(record, "SIP", created)
        write_representation_mets(rep, ctx)
        write_root_mets(work, ctx)
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    files = sum(1 for p in target.rglob("*") if p.is_file())
    return BuiltPackage(target, record.dossier_code, len(documents), files)
