"""The archive's input from the dossier package: a closed dossier as a ``DossierRecord``.

The archive does not import ``dossiers`` (DESIGN.md), so the mapping lives
here, where both are wired. Documents are read from the object store when
the package is built, each checked against the SHA-256 the dossier recorded;
draft results are left out.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from sqlalchemy import select

from archive.builder import build_package
from archive.codes import AccessMode, DocumentRole, RetentionCode
from archive.errors import ArchiveError
from archive.ingest import ingest
from archive.ports import SignatureVerifier
from archive.record import AuditEvent, DocumentRecord, DossierRecord, StatusChange
from dossiers import Document, DocumentKind, Status, get_dossier
from eforms.errors import EformsError
from portal.services import Services
from storage.ports import ObjectStore
from storage.schema import AgencyRow, ArchiveQueueRow, ProcedureRow

_ROLES = {
    DocumentKind.FORM: DocumentRole.FORM,
    DocumentKind.ATTACHMENT: DocumentRole.ATTACHMENT,
    DocumentKind.RESULT: DocumentRole.RESULT,
}


def _reader(store: ObjectStore, doc: Document):  # noqa: ANN202 (a zero-argument callable)
    def read() -> bytes:
        with store.get(doc.object_key) as reader:
            data = reader.read()
        if hashlib.sha256(data).hexdigest() != doc.sha256:
            raise ArchiveError(
                f"Tệp {doc.file_name} của hồ sơ đã bị thay đổi trong kho.",
                f"File {doc.file_name} of the dossier has changed in storage.",
                code="archive.source_changed",
            )
        return data

    return read


def dossier_record(built: Services, code: str) -> DossierRecord:
    """The closed dossier ``code`` as the archive's input; refuses one still open."""
    with built.db.unit_of_work() as session:
        dossier = get_dossier(session, code)
        procedure = session.get(ProcedureRow, dossier.procedure_code)
        agency = session.get(AgencyRow, dossier.agency_id)
    if dossier.status is not Status.CLOSED or dossier.closed_at is None:
        raise ArchiveError(
            f"Hồ sơ {code} chưa kết thúc (trạng thái {dossier.status.value}); chỉ lưu trữ "
            "hồ sơ đã kết thúc.",
            f"Dossier {code} is not closed (status {dossier.status.value}); only closed "
            "dossiers are archived.",
            code="archive.dossier_open",
        )
    documents = tuple(
        DocumentRecord(
            role=_ROLES[doc.kind],
            title=doc.title,
            file_name=doc.file_name,
            mime_type=doc.media_type,
            read_bytes=_reader(built.object_store, doc),
            document_type=doc.title,
            issued=doc.created_at.date(),
            issuing_agency=agency.name_vi if agency and doc.kind is DocumentKind.RESULT else "",
            summary=doc.title,
        )
        for doc in dossier.documents
        if doc.kind in _ROLES
    )
    return DossierRecord(
        dossier_code=dossier.code,
        procedure_code=dossier.procedure_code,
        procedure_name=procedure.name_vi if procedure else dossier.procedure_code,
        agency_id=dossier.agency_id,
        agency_name=agency.name_vi if agency else dossier.agency_id,
        applicant_kind="person" if dossier.applicant.kind.value == "person" else "organisation",
        applicant_id=dossier.applicant.identifier,
        applicant_name=dossier.applicant.name,
        submitted=dossier.submitted_at,
        closed=dossier.closed_at,
        retention=RetentionCode(procedure.retention_code if procedure else "06"),
        access=AccessMode.RESTRICTED,
        keywords=(procedure.name_vi,) if procedure else (),
        history=tuple(
            StatusChange(h.to_status.value, h.occurred_at, h.actor, h.note or "")
            for h in dossier.history
        ),
        documents=documents,
        audit_events=tuple(
            AuditEvent(f"dossier.{h.action}", h.occurred_at, h.actor) for h in dossier.history
        ),
    )


def pending_dossiers(built: Services) -> list[str]:
    """Codes of closed dossiers waiting in the archive queue (oldest first)."""
    with built.db.unit_of_work() as session:
        rows = session.scalars(
            select(ArchiveQueueRow)
            .where(ArchiveQueueRow.state == "pending")
            .order_by(ArchiveQueueRow.queued_at)
        ).all()
        return [r.dossier_code for r in rows]


def archive_pending(
    built: Services, verifier: SignatureVerifier, *, actor: str, limit: int | None = None
) -> list[tuple[str, str]]:
    """Package and ingest queued dossiers; return (code, outcome) for each.

    A refused or failing dossier is reported and the others go on; ingest
    marks the queue entry ``ingested`` or ``failed``.
    """
    outcomes = []
    for code in pending_dossiers(built)[:limit]:
        with tempfile.TemporaryDirectory(prefix="eforms-sip-") as tmp:
            try:
                sip = build_package(
                    dossier_record(built, code), out_dir=Path(tmp), verifier=verifier
                )
                ingest(
                    sip.path, db=built.db, store=built.object_store, verifier=verifier, actor=actor
                )
            except EformsError as exc:
                outcomes.append((code, f"{exc.code}: {exc.message_en}"))
                continue
        outcomes.append((code, "ingested"))
    return outcomes
