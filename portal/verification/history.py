"""The verification history table: store a report, list and fetch them (no Flask)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from signing.validation import VerificationReport
from storage.schema.verification import VerificationRow


def record_verification(
    session: Session,
    *,
    actor: str,
    filename: str,
    report: VerificationReport,
    etsi_xml: bytes | None = None,
) -> VerificationRow:
    """Keep ``report`` and the ETSI XML if any (not the PDF) in the history; returns the row."""
    row = VerificationRow(
        verified_at=report.verification_time,
        actor=actor,
        filename=filename[:255] or "document.pdf",
        document_sha256=report.document_sha256,
        document_size=report.document_size,
        indication=report.indication.value,
        signature_count=len(report.signatures),
        report=report.to_dict(),
        etsi_xml=etsi_xml.decode() if etsi_xml is not None else None,
    )
    session.add(row)
    session.flush()
    return row


def list_verifications(
    session: Session, *, limit: int = 50, offset: int = 0
) -> tuple[list[VerificationRow], int]:
    """The newest first, and how many there are in all."""
    total = session.scalar(select(func.count()).select_from(VerificationRow)) or 0
    rows = session.scalars(
        select(VerificationRow)
        .order_by(VerificationRow.verified_at.desc(), VerificationRow.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)


def get_verification(session: Session, verification_id: int) -> VerificationRow | None:
    return session.get(VerificationRow, verification_id)
