"""Search and retrieval: find packages, hand out DIPs, log every access.

Every opening of a package needs a reason and is written to the audit trail
(who, why, what) and as a PREMIS access event; the package's access mode is
enforced against the requester's clearance (public < restricted <
confidential). Reading verifies each file's SHA-256 against the index.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import or_, select

from archive.codes import AccessMode
from archive.dip import write_dip
from archive.errors import AccessDeniedError, ArchiveError, PackageNotFoundError
from archive.premis import EventType
from storage.audit import AuditEntry, Outcome, record_event
from storage.db import Database
from storage.errors import StorageError
from storage.ports import ObjectStore
from storage.schema.archive import ArchiveEventRow, ArchiveFileRow, ArchivePackageRow

_RANK = {AccessMode.PUBLIC: 1, AccessMode.RESTRICTED: 2, AccessMode.CONFIDENTIAL: 3}


@dataclass(frozen=True)
class PackageSummary:
    package_id: str
    title: str
    procedure_code: str
    applicant_id: str
    applicant_name: str
    start_date: str
    end_date: str
    access_mode: str
    retention_code: str
    expires_at: str
    """ISO date-time, or ``permanent``."""
    state: str
    files: int
    size: int


@dataclass(frozen=True)
class Requester:
    """Who asks, with which clearance, and why."""

    username: str
    clearance: AccessMode
    reason: str
    role: str | None = None


def _summary(row: ArchivePackageRow) -> PackageSummary:
    return PackageSummary(
        row.id,
        row.title,
        row.procedure_code,
        row.applicant_id,
        row.applicant_name,
        row.start_date,
        row.end_date,
        row.access_mode,
        row.retention_code,
        row.expires_at.isoformat() if row.expires_at else "permanent",
        row.state,
        row.file_count,
        row.total_size,
    )


def search(
    db: Database,
    *,
    dossier_code: str | None = None,
    procedure: str | None = None,
    applicant_id: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    keyword: str | None = None,
    limit: int = 100,
) -> list[PackageSummary]:
    """Packages matching every criterion given (dates bound the case's span)."""
    query = select(ArchivePackageRow).where(ArchivePackageRow.state != "deleted")
    if dossier_code:
        query = query.where(ArchivePackageRow.dossier_code == dossier_code)
    if procedure:
        query = query.where(
            or_(
                ArchivePackageRow.procedure_code == procedure,
                ArchivePackageRow.procedure_name.contains(procedure),
            )
        )
    if applicant_id:
        query = query.where(ArchivePackageRow.applicant_id == applicant_id)
    if date_from:
        query = query.where(ArchivePackageRow.end_date >= date_from.isoformat())
    if date_to:
        query = query.where(ArchivePackageRow.start_date <= date_to.isoformat())
    if keyword:
        like = f"%{keyword}%"
        query = query.where(
            or_(ArchivePackageRow.keywords.ilike(like), ArchivePackageRow.title.ilike(like))
        )
    with db.unit_of_work() as session:
        rows = session.scalars(query.order_by(ArchivePackageRow.id).limit(limit)).all()
        return [_summary(r) for r in rows]


def _open(db: Database, package_id: str, who: Requester, what: str) -> list[ArchiveFileRow]:
    """Check access, log it, and return the package's files."""
    if not who.reason.strip():
        raise ArchiveError(
            "Cần nêu lý do khai thác hồ sơ.",
            "A reason for the access is required.",
            code="archive.reason_required",
        )
    with db.unit_of_work() as session:
        row = session.get(ArchivePackageRow, package_id)
        if row is None or row.state in ("deleted", "deleting"):
            # A package whose final deletion was interrupted is partly gone.
            raise PackageNotFoundError(
                f"Không có hồ sơ lưu trữ {package_id}.", f"No archived package {package_id}."
            )
        allowed = _RANK[who.clearance] >= _RANK[AccessMode(row.access_mode)]
        entry = AuditEntry(
            actor=who.username,
            role=who.role,
            action="archive.access",
            outcome=Outcome.SUCCESS if allowed else Outcome.DENIED,
            object_type="archive_package",
            object_id=package_id,
            details={"reason": who.reason, "what": what, "access_mode": row.access_mode},
        )
        record_event(session, entry)
        if allowed:
            session.add(
                ArchiveEventRow(
                    package_id=package_id,
                    event_type=EventType.ACCESS.value,
                    outcome="success",
                    actor=who.username,
                    detail={"reason": who.reason, "what": what},
                )
            )
        files = list(
            session.scalars(
                select(ArchiveFileRow)
                .where(ArchiveFileRow.package_id == package_id)
                .order_by(ArchiveFileRow.path)
            )
        )
    if not allowed:
        raise AccessDeniedError(
            f"Hồ sơ {package_id} có chế độ sử dụng {row.access_mode}; bạn không được mở.",
            f"Package {package_id} has access mode {row.access_mode}; you may not open it.",
        )
    return files


def _read(store: ObjectStore, f: ArchiveFileRow) -> bytes:
    try:
        with store.get(f.object_key) as reader:
            data = reader.read()
    except StorageError as exc:
        raise ArchiveError(
            f"Không đọc được {f.path} từ kho lưu trữ ({exc.code}). Báo quản trị viên.",
            f"Cannot read {f.path} from the object store ({exc.code}). Tell the administrator.",
            code="archive.read_failed",
        ) from exc
    if hashlib.sha256(data).hexdigest() != f.sha256:
        raise ArchiveError(
            f"{f.path} đã bị thay đổi trong kho.",
            f"{f.path} has changed in storage.",
            code="archive.fixity_failed",
        )
    return data


def retrieve_dip(
    package_id: str, out: Path, *, db: Database, store: ObjectStore, who: Requester
) -> dict[str, str]:
    """Write the package as an E-ARK DIP zip to ``out``; return path -> SHA-256 in the zip.

    Documents and descriptive metadata keep their archived bytes (verified on
    reading); METS says DIP and PREMIS carries the events since ingest.
    """
    files = _open(db, package_id, who, "dip")
    with db.unit_of_work() as session:
        events = list(
            session.scalars(
                select(ArchiveEventRow)
                .where(ArchiveEventRow.package_id == package_id)
                .order_by(ArchiveEventRow.id)
            )
        )
    return write_dip(package_id, files, events, lambda f: _read(store, f), out)


def retrieve_document(
    package_id: str, order: int, *, db: Database, store: ObjectStore, who: Requester
) -> tuple[str, bytes]:
    """One document (by its order in the dossier): (file name, bytes)."""
    files = _open(db, package_id, who, f"document {order}")
    data_files = [f for f in files if "/data/" in f.path]
    wanted = [f for f in data_files if f.path.rsplit("/", 1)[-1].startswith(f"{order:02d}_")]
    if not wanted:
        raise PackageNotFoundError(
            f"Hồ sơ {package_id} không có văn bản số {order}.",
            f"Package {package_id} has no document {order}.",
        )
    return wanted[0].path.rsplit("/", 1)[-1], _read(store, wanted[0])
