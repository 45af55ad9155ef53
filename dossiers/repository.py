"""Mapping between dossier rows and domain objects; the only place that does it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossiers.errors import DossierNotFoundError, ProcedureError
from dossiers.model import (
    Applicant,
    ApplicantKind,
    Channel,
    Document,
    DocumentKind,
    Dossier,
    HistoryEntry,
    Procedure,
)
from dossiers.status import Status
from storage.db import lock_for_write
from storage.schema.dossiers import DossierRow, ProcedureRow


def to_procedure(row: ProcedureRow) -> Procedure:
    return Procedure(
        code=row.code,
        name_vi=row.name_vi,
        name_en=row.name_en,
        agency_id=row.agency_id,
        processing_days=row.processing_days,
        form_code=row.form_code,
        result_title_vi=row.result_title_vi,
        result_title_en=row.result_title_en,
        retention_code=row.retention_code,
    )


def to_dossier(row: DossierRow, *, with_details: bool = True) -> Dossier:
    history = ()
    documents = ()
    if with_details:
        history = tuple(
            HistoryEntry(
                occurred_at=e.occurred_at,
                actor=e.actor,
                actor_role=e.actor_role,
                action=e.action,
                from_status=Status(e.from_status) if e.from_status else None,
                to_status=Status(e.to_status),
                note=e.note,
                backfilled=e.backfilled,
            )
            for e in row.history
        )
        documents = tuple(
            Document(
                id=d.id,
                kind=DocumentKind(d.kind),
                title=d.title,
                file_name=d.file_name,
                media_type=d.media_type,
                object_key=d.object_key,
                sha256=d.sha256,
                size=d.size,
                created_at=d.created_at,
                created_by=d.created_by,
                signed=d.signed,
            )
            for d in row.documents
        )
    return Dossier(
        code=row.code,
        procedure_code=row.procedure_code,
        agency_id=row.agency_id,
        applicant=Applicant(
            kind=ApplicantKind(row.applicant_kind),
            identifier=row.applicant_identifier,
            name=row.applicant_name,
            user_id=row.applicant_user_id,
        ),
        status=Status(row.status),
        channel=Channel(row.channel),
        submitted_at=row.submitted_at,
        data=dict(row.data or {}),
        form_code=row.form_code,
        form_version=row.form_version,
        received_at=row.received_at,
        due_at=row.due_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        supplement_count=row.supplement_count,
        backfilled=row.backfilled,
        history=history,
        documents=documents,
    )


def load_procedure(session: Session, code: str) -> ProcedureRow:
    row = session.get(ProcedureRow, code)
    if row is None or not row.active:
        raise ProcedureError(
            f"Không có thủ tục hành chính mã {code} đang áp dụng.",
            f"No active administrative procedure with code {code}.",
            details={"procedure_code": code},
        )
    return row


def load_dossier_row(session: Session, code: str, *, for_update: bool = False) -> DossierRow:
    query = select(DossierRow).where(DossierRow.code == code)
    if for_update:
        lock_for_write(session)
        query = query.with_for_update().execution_options(populate_existing=True)
    row = session.scalar(query)
    if row is None:
        raise DossierNotFoundError(
            f"Không tìm thấy hồ sơ mã {code}. Kiểm tra lại mã hồ sơ.",
            f"No dossier with code {code}. Check the dossier code.",
            details={"code": code},
        )
    return row
