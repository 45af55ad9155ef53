"""The archive's input from the dossier package: a closed dossier as a ``DossierRecord``.

The archive does not import ``dossiers`` (DESIGN.md), so the mapping lives
here, where both are wired. Documents are read from the object store when
the package is built, each checked against the SHA-256 the dossier recorded;
draft results are left out.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from archive.builder import build_package
from archive.codes import AccessMode, DocumentRole, RetentionCode
from archive.errors import ArchiveError
from archive.ingest import IngestResult, ingest
from archive.ports import SignatureVerifier
from archive.record import AuditEvent, DocumentRecord, DossierRecord, StatusChange
from dossiers import Document, DocumentKind, Status, get_dossier
from eforms.errors import EformsError
from portal.services import Services, archive_verifier
from storage.audit import AuditEntry, Outcome, record_event
from storage.ports import JobReporter, ObjectStore
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


WAITING = ("pending", "failed")
"""Queue states an archivist can still ingest: not tried yet, or refused last time."""


@dataclass(frozen=True)
class QueuedDossier:
    """A closed dossier waiting in the archive queue, as the archivist's page lists it."""

    code: str
    procedure_code: str
    procedure_name_vi: str
    procedure_name_en: str
    agency_id: str
    closed_at: datetime | None
    outcome: Status
    """The status the dossier was closed from: result issued, rejected or withdrawn."""
    signed_result: bool
    """Whether a signed result is among its documents (it is re-verified at ingest)."""
    queue_state: str
    """``pending``, or ``failed`` (refused last time; ``detail`` says why)."""
    detail: str | None


def _queued(session: Session, row: ArchiveQueueRow) -> QueuedDossier:
    dossier = get_dossier(session, row.dossier_code)
    procedure = session.get(ProcedureRow, dossier.procedure_code)
    closing = [h for h in dossier.history if h.to_status is Status.CLOSED]
    return QueuedDossier(
        code=dossier.code,
        procedure_code=dossier.procedure_code,
        procedure_name_vi=procedure.name_vi if procedure else dossier.procedure_code,
        procedure_name_en=procedure.name_en if procedure else dossier.procedure_code,
        agency_id=dossier.agency_id,
        closed_at=dossier.closed_at,
        outcome=(closing[-1].from_status or Status.CLOSED) if closing else dossier.status,
        signed_result=any(d.signed for d in dossier.documents_of(DocumentKind.RESULT)),
        queue_state=row.state,
        detail=row.detail,
    )


def waiting_dossiers(built: Services) -> list[str]:
    """Codes of the dossiers an archivist can ingest (pending or refused before), oldest first."""
    with built.db.unit_of_work() as session:
        return list(
            session.scalars(
                select(ArchiveQueueRow.dossier_code)
                .where(ArchiveQueueRow.state.in_(WAITING))
                .order_by(ArchiveQueueRow.queued_at)
            )
        )


def waiting_count(built: Services) -> int:
    """How many dossiers wait in the archive queue (counted in the database)."""
    with built.db.unit_of_work() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(ArchiveQueueRow)
                .where(ArchiveQueueRow.state.in_(WAITING))
            )
            or 0
        )


def archive_queue(built: Services, *, limit: int = 200) -> list[QueuedDossier]:
    """Closed dossiers waiting to be archived (pending or refused before), oldest first."""
    with built.db.unit_of_work() as session:
        rows = session.scalars(
            select(ArchiveQueueRow)
            .where(ArchiveQueueRow.state.in_(WAITING))
            .order_by(ArchiveQueueRow.queued_at)
            .limit(limit)
        ).all()
        return [_queued(session, row) for row in rows]


def archive_dossier(
    built: Services, verifier: SignatureVerifier, code: str, *, actor: str
) -> IngestResult:
    """Package the closed dossier ``code`` and ingest it; all or nothing.

    The SIP is built in a temporary folder and removed afterwards. Ingest
    refuses with every problem (marking the queue entry ``failed``) and never
    leaves part of a package stored or indexed; a dossier that cannot even be
    packaged (open, a file changed in storage) is marked ``failed`` and audited
    here.
    """
    with tempfile.TemporaryDirectory(prefix="eforms-sip-") as tmp:
        try:
            sip = build_package(dossier_record(built, code), out_dir=Path(tmp), verifier=verifier)
        except EformsError as exc:
            _packaging_failed(built, code, actor, exc)
            raise
        return ingest(
            sip.path, db=built.db, store=built.object_store, verifier=verifier, actor=actor
        )


def _packaging_failed(built: Services, code: str, actor: str, exc: EformsError) -> None:
    with built.db.unit_of_work() as session:
        queued = session.get(ArchiveQueueRow, code)
        if queued is not None:
            queued.state, queued.detail = "failed", f"{exc.code}: {exc.message_en}"[:2000]
        record_event(
            session,
            AuditEntry(
                actor=actor,
                action="archive.ingest",
                outcome=Outcome.FAILURE,
                object_type="archive_package",
                object_id=code,
                details={"stage": "build", "error": exc.code, "message": exc.message_en},
            ),
        )


def archive_pending(
    built: Services, verifier: SignatureVerifier, *, actor: str, limit: int | None = None
) -> list[tuple[str, str]]:
    """Package and ingest queued dossiers; return (code, outcome) for each.

    A refused or failing dossier is reported and the others go on; the queue
    entry is marked ``ingested`` or ``failed``.
    """
    outcomes = []
    for code in pending_dossiers(built)[:limit]:
        try:
            archive_dossier(built, verifier, code, actor=actor)
        except EformsError as exc:
            outcomes.append((code, f"{exc.code}: {exc.message_en}"))
            continue
        outcomes.append((code, "ingested"))
    return outcomes


INGEST_JOB = "archive.ingest_queue"
"""Background job the archivist's queue page starts: package and ingest chosen dossiers."""

MAX_PROBLEMS_SHOWN = 20


def _failure(code: str, exc: EformsError) -> dict[str, object]:
    problems = exc.details.get("problems", [])
    return {
        "code": code,
        "error": exc.code,
        "vi": exc.message_vi,
        "en": exc.message_en,
        "problems": [
            {"vi": p["message_vi"], "en": p["message_en"], "path": p["path"]}
            for p in problems[:MAX_PROBLEMS_SHOWN]
        ],
    }


def _success(code: str, result: IngestResult) -> dict[str, object]:
    return {
        "code": code,
        "package_id": result.package_id,
        "files": result.files,
        "expires_at": result.expires_at.isoformat() if result.expires_at else "permanent",
    }


def _not_waiting(code: str) -> EformsError:
    return ArchiveError(
        f"Hồ sơ {code} không còn trong hàng đợi lưu trữ (đã nộp lưu, hoặc chưa kết thúc).",
        f"Dossier {code} is no longer waiting in the archive queue (already ingested, "
        "or not closed).",
        code="archive.not_queued",
    )


def ingest_queue_job(built: Services) -> Callable[..., dict[str, object]]:
    """The job ``archive.ingest_queue``: ``codes`` (empty: every waiting dossier), ``actor``.

    One dossier at a time, progress after each; a refused dossier is listed
    with its reasons in both languages and the others go on. The result is
    ``{"ingested": [{code, package_id, files, expires_at}], "failed": [...]}``.
    """

    def run(progress: JobReporter, *, codes: list[str], actor: str) -> dict[str, object]:
        waiting = set(waiting_dossiers(built))
        todo = list(dict.fromkeys(codes)) if codes else waiting_dossiers(built)
        verifier = archive_verifier(built)
        ingested: list[dict[str, object]] = []
        failed: list[dict[str, object]] = []
        progress.report(0, len(todo), "")
        for done, code in enumerate(todo, 1):
            try:
                if code not in waiting:
                    raise _not_waiting(code)
                result = archive_dossier(built, verifier, code, actor=actor)
            except EformsError as exc:
                failed.append(_failure(code, exc))
            else:
                ingested.append(_success(code, result))
            progress.report(done, len(todo), code)
        return {"ingested": ingested, "failed": failed}

    return run
