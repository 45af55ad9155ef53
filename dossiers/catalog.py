"""The procedure catalogue: which agency handles which TTHC, in how many working days."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossiers.errors import ProcedureError
from dossiers.model import Procedure
from dossiers.repository import to_procedure
from storage.schema.dossiers import ProcedureRow

TTHC_CODE = re.compile(r"^[1-9]\.\d{6}$")


def save_procedure(session: Session, procedure: Procedure) -> Procedure:
    """Create or update a catalogue entry; the TTHC code format is checked."""
    if not TTHC_CODE.match(procedure.code):
        raise ProcedureError(
            f"Mã thủ tục '{procedure.code}' không đúng định dạng (ví dụ: 1.001193).",
            f"Procedure code '{procedure.code}' is malformed (example: 1.001193).",
            code="dossiers.bad_procedure_code",
        )
    if not 1 <= procedure.processing_days <= 365:
        raise ProcedureError(
            "Thời hạn giải quyết phải từ 1 đến 365 ngày làm việc.",
            "The processing time must be 1 to 365 working days.",
            code="dossiers.bad_processing_days",
        )
    row = session.get(ProcedureRow, procedure.code) or ProcedureRow(code=procedure.code)
    row.name_vi = procedure.name_vi
    row.name_en = procedure.name_en
    row.agency_id = procedure.agency_id
    row.processing_days = procedure.processing_days
    row.form_code = procedure.form_code
    row.result_title_vi = procedure.result_title_vi
    row.result_title_en = procedure.result_title_en
    row.retention_code = procedure.retention_code
    row.active = True
    session.add(row)
    session.flush()
    return to_procedure(row)


def list_procedures(session: Session, *, agency_id: str | None = None) -> list[Procedure]:
    query = select(ProcedureRow).where(ProcedureRow.active.is_(True)).order_by(ProcedureRow.code)
    if agency_id:
        query = query.where(ProcedureRow.agency_id == agency_id)
    return [to_procedure(r) for r in session.scalars(query)]
