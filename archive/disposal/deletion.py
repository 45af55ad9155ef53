"""Final deletion: resumable, ending with a tombstone kept forever."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.disposal.checks import DELETE, Reason, audit, held, now_utc, package_row, refused
from archive.errors import DeletionIncompleteError, DisposalRefusedError
from archive.premis import EventType
from storage.audit import Outcome
from storage.db import Database
from storage.errors import ObjectNotFoundError, StorageError
from storage.ports import ObjectStore
from storage.schema.archive import (
    ArchiveDisposalRow,
    ArchiveEventRow,
    ArchiveFileRow,
    ArchiveTombstoneRow,
)


def final_delete(
    db: Database, store: ObjectStore, package_id: str, *, actor: str, now: datetime | None = None
) -> None:
    """Remove a binned package's content for good, keeping a tombstone forever.

    Resumable: the package is first marked ``deleting`` (committed), then its
    objects are deleted outside any transaction, an object already gone
    counting as deleted, and a second transaction writes the tombstone. If
    the store fails part-way the package stays ``deleting`` and
    :class:`DeletionIncompleteError` says to run this again, which finishes
    the job.
    """
    now = now or now_utc()
    try:
        keys = _begin_deletion(db, store, package_id, actor=actor, now=now)
    except DisposalRefusedError as exc:
        _record_failure(db, actor, package_id, Outcome.DENIED, reasons=exc.details["reasons"])
        raise
    try:
        _delete_objects(store, keys)
    except StorageError as exc:
        _record_failure(db, actor, package_id, Outcome.FAILURE, cause=exc.code)
        raise DeletionIncompleteError(
            f"Hủy hồ sơ {package_id} chưa xong: kho lưu trữ báo lỗi ({exc.message_vi}). "
            "Hồ sơ ở trạng thái 'đang hủy dở'; chạy lại lệnh hủy vĩnh viễn để hoàn tất.",
            f"Deleting {package_id} did not finish: the object store failed "
            f"({exc.message_en}). The package stays 'deleting'; run the final deletion "
            "again to finish it.",
            details={"package": package_id, "cause": exc.code},
        ) from exc
    _finish_deletion(db, package_id, actor=actor, now=now)


def _record_failure(
    db: Database, actor: str, package_id: str, outcome: Outcome, **details: object
) -> None:
    """The audit event of a refused or interrupted deletion (its own transaction)."""
    with db.unit_of_work() as session:
        audit(session, actor, "archive.disposal.delete", package_id, outcome=outcome, **details)


def _begin_deletion(
    db: Database, store: ObjectStore, package_id: str, *, actor: str, now: datetime
) -> list[str]:
    """Check that nothing blocks the deletion, mark the package ``deleting``; its keys."""
    with db.unit_of_work() as session:
        row = package_row(session, package_id)
        reasons: list[Reason] = []
        if row.state not in ("in_bin", "deleting"):
            reasons.append(
                (
                    f"{package_id} không ở danh sách chờ hủy",
                    f"{package_id} is not in the disposal bin",
                )
            )
        if held(session, package_id):
            reasons.append((f"{package_id}: đang bị lệnh giữ", f"{package_id}: under a legal hold"))
        if _decision(session, package_id) is None:
            reasons.append(
                (
                    f"{package_id}: không có quyết định hủy đã phê duyệt",
                    f"{package_id}: no approved disposal decision",
                )
            )
        files = list(
            session.scalars(select(ArchiveFileRow).where(ArchiveFileRow.package_id == package_id))
        )
        if not reasons:
            reasons = _store_blocks(store, files, now)
        if reasons:
            raise refused(DELETE, reasons)
        if row.state != "deleting":
            row.state = "deleting"
            audit(session, actor, "archive.disposal.delete_started", package_id)
        return [f.object_key for f in files]


def _decision(session: Session, package_id: str) -> ArchiveDisposalRow | None:
    """The latest approved disposal that covers ``package_id``."""
    approved = session.scalars(
        select(ArchiveDisposalRow)
        .where(ArchiveDisposalRow.state == "approved")
        .order_by(ArchiveDisposalRow.id.desc())
    ).all()
    return next((d for d in approved if package_id in d.package_ids), None)


def _delete_objects(store: ObjectStore, keys: Sequence[str]) -> None:
    """Delete every key; one already missing was deleted by an earlier, interrupted run."""
    for key in keys:
        try:
            store.delete(key)
        except ObjectNotFoundError:
            continue


def _finish_deletion(db: Database, package_id: str, *, actor: str, now: datetime) -> None:
    """The tombstone, the deletion event and audit record; the file rows go."""
    with db.unit_of_work() as session:
        row = package_row(session, package_id)
        if row.state != "deleting":
            return  # another run finished it meanwhile
        decision = _decision(session, package_id)
        assert decision is not None  # checked by _begin_deletion; approvals are never undone
        files = list(
            session.scalars(select(ArchiveFileRow).where(ArchiveFileRow.package_id == package_id))
        )
        session.add(
            ArchiveTombstoneRow(
                package_id=package_id,
                dossier_code=row.dossier_code,
                title=row.title,
                metadata_json={
                    "procedure_code": row.procedure_code,
                    "applicant_id": row.applicant_id,
                    "start_date": row.start_date,
                    "end_date": row.end_date,
                    "retention_code": row.retention_code,
                    "schedule": row.schedule,
                },
                files=[{"path": f.path, "sha256": f.sha256, "size": f.size} for f in files],
                disposal_id=decision.id,
                decision_ref=decision.decision_ref or "",
                deleted_by=actor,
                deleted_at=now,
            )
        )
        for f in files:
            session.delete(f)
        row.state = "deleted"
        session.add(
            ArchiveEventRow(
                package_id=package_id,
                event_type=EventType.DELETION.value,
                occurred_at=now,
                outcome="success",
                actor=actor,
                detail={"decision_ref": decision.decision_ref},
            )
        )
        audit(
            session,
            actor,
            "archive.disposal.delete",
            package_id,
            decision_ref=decision.decision_ref,
            files=len(files),
        )


def _store_blocks(
    store: ObjectStore, files: Sequence[ArchiveFileRow], now: datetime
) -> list[Reason]:
    blocks: list[Reason] = []
    for f in files:
        try:
            info = store.head(f.object_key)
        except ObjectNotFoundError:
            continue  # already deleted by an interrupted run
        except StorageError as exc:
            blocks.append((f"{f.path}: {exc.message_vi}", f"{f.path}: {exc.message_en}"))
            continue
        if info.legal_hold:
            blocks.append(
                (f"{f.path}: đang bị giữ trong kho lưu trữ", f"{f.path}: legal hold in the store")
            )
        if info.retention is not None and info.retention.active(now):
            until = info.retention.until.isoformat()
            blocks.append((f"{f.path}: bị khóa đến {until}", f"{f.path}: locked until {until}"))
    return blocks
