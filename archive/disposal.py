"""Retention expiry, disposal and legal holds.

Steps, each with its own audit event: the disposal list (expired packages);
a proposal by an archivist fixing the eligible packages (expired, schedule
action ``destroy``, no active hold); approval by a second person with the
decision reference, which moves them to the disposal bin; from the bin a
package is restored or finally deleted. Final deletion removes the content
from the object store (which itself refuses while a COMPLIANCE lock or a
legal hold lasts) and keeps a tombstone forever. Legal holds (title,
mandate) are set on the objects too, so the store blocks deletion as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.errors import DisposalRefusedError, PackageNotFoundError
from archive.premis import EventType
from storage.audit import AuditEntry, record_event
from storage.db import Database
from storage.errors import StorageError
from storage.ports import ObjectStore
from storage.schema.archive import (
    ArchiveDisposalRow,
    ArchiveEventRow,
    ArchiveFileRow,
    ArchiveHoldPackageRow,
    ArchiveHoldRow,
    ArchivePackageRow,
    ArchiveTombstoneRow,
)


@dataclass(frozen=True)
class DisposalCandidate:
    package_id: str
    title: str
    expires_at: datetime
    action: str
    held: bool
    eligible: bool
    """Expired, action ``destroy``, not held, still active."""


def _now() -> datetime:
    return datetime.now(UTC)


def _held(session: Session, package_id: str) -> bool:
    query = (
        select(ArchiveHoldRow.id)
        .join(ArchiveHoldPackageRow, ArchiveHoldPackageRow.hold_id == ArchiveHoldRow.id)
        .where(ArchiveHoldPackageRow.package_id == package_id, ArchiveHoldRow.lifted_at.is_(None))
    )
    return session.scalars(query).first() is not None


def _package(session: Session, package_id: str) -> ArchivePackageRow:
    row = session.get(ArchivePackageRow, package_id)
    if row is None or row.state == "deleted":
        raise PackageNotFoundError(
            f"Không có hồ sơ lưu trữ {package_id}.", f"No archived package {package_id}."
        )
    return row


def _audit(session: Session, actor: str, action: str, object_id: str, **details: object) -> None:
    record_event(
        session,
        AuditEntry(
            actor=actor,
            action=action,
            object_type="archive_package",
            object_id=object_id,
            details=details,
        ),
    )


def disposal_list(db: Database, *, now: datetime | None = None) -> list[DisposalCandidate]:
    """Active packages whose retention has ended, with whether each may be destroyed."""
    now = now or _now()
    with db.unit_of_work() as session:
        rows = session.scalars(
            select(ArchivePackageRow)
            .where(ArchivePackageRow.state == "active", ArchivePackageRow.expires_at <= now)
            .order_by(ArchivePackageRow.expires_at)
        ).all()
        out = []
        for row in rows:
            held = _held(session, row.id)
            out.append(
                DisposalCandidate(
                    row.id,
                    row.title,
                    row.expires_at,
                    row.action,
                    held,
                    row.action == "destroy" and not held,
                )
            )
        return out


def _reasons(session: Session, row: ArchivePackageRow, now: datetime) -> list[str]:
    reasons = []
    if row.state != "active":
        reasons.append(f"{row.id}: state {row.state}")
    if row.expires_at is None or row.expires_at > now:
        reasons.append(f"{row.id}: retention has not expired")
    if row.action != "destroy":
        reasons.append(f"{row.id}: schedule action is {row.action}, not destroy")
    if _held(session, row.id):
        reasons.append(f"{row.id}: under a legal hold")
    return reasons


def _refused(step: str, reasons: Sequence[str]) -> DisposalRefusedError:
    return DisposalRefusedError(
        f"Không thể {step}: " + "; ".join(reasons),
        f"Cannot {step}: " + "; ".join(reasons),
        details={"reasons": list(reasons)},
    )


def propose_disposal(
    db: Database, package_ids: Sequence[str], *, actor: str, now: datetime | None = None
) -> int:
    """An archivist proposes destroying ``package_ids``; returns the proposal id."""
    now = now or _now()
    with db.unit_of_work() as session:
        reasons = []
        for pid in package_ids:
            reasons += _reasons(session, _package(session, pid), now)
        if reasons or not package_ids:
            raise _refused("đề xuất hủy / propose disposal", reasons or ["empty list"])
        row = ArchiveDisposalRow(
            state="proposed", package_ids=list(package_ids), proposed_by=actor, proposed_at=now
        )
        session.add(row)
        session.flush()
        for pid in package_ids:
            _audit(session, actor, "archive.disposal.propose", pid, disposal=row.id)
        return row.id


def approve_disposal(
    db: Database,
    disposal_id: int,
    *,
    actor: str,
    decision_ref: str,
    now: datetime | None = None,
) -> list[str]:
    """A second person approves with the decision reference; packages go to the bin."""
    now = now or _now()
    with db.unit_of_work() as session:
        row = session.get(ArchiveDisposalRow, disposal_id)
        if row is None or row.state != "proposed":
            raise _refused("phê duyệt / approve", [f"no open proposal {disposal_id}"])
        if actor == row.proposed_by:
            raise _refused("phê duyệt / approve", ["the approver must not be the proposer"])
        if not decision_ref.strip():
            raise _refused("phê duyệt / approve", ["a decision reference is required"])
        reasons = []
        for pid in row.package_ids:
            reasons += _reasons(session, _package(session, pid), now)
        if reasons:
            raise _refused("phê duyệt / approve", reasons)
        row.state, row.approved_by, row.approved_at = "approved", actor, now
        row.decision_ref = decision_ref
        for pid in row.package_ids:
            _package(session, pid).state = "in_bin"
            _audit(
                session,
                actor,
                "archive.disposal.approve",
                pid,
                disposal=disposal_id,
                decision_ref=decision_ref,
            )
        return list(row.package_ids)


def restore_from_bin(db: Database, package_id: str, *, actor: str, reason: str) -> None:
    """Take a package out of the disposal bin; it becomes active again."""
    with db.unit_of_work() as session:
        row = _package(session, package_id)
        if row.state != "in_bin":
            raise _refused("khôi phục / restore", [f"{package_id} is not in the disposal bin"])
        row.state = "active"
        _audit(session, actor, "archive.disposal.restore", package_id, reason=reason)


def final_delete(
    db: Database, store: ObjectStore, package_id: str, *, actor: str, now: datetime | None = None
) -> None:
    """Remove a binned package's content for good, keeping a tombstone forever."""
    now = now or _now()
    with db.unit_of_work() as session:
        row = _package(session, package_id)
        reasons = [] if row.state == "in_bin" else [f"{package_id} is not in the disposal bin"]
        if _held(session, package_id):
            reasons.append(f"{package_id}: under a legal hold")
        files = list(
            session.scalars(select(ArchiveFileRow).where(ArchiveFileRow.package_id == package_id))
        )
        if reasons:
            _audit(session, actor, "archive.disposal.delete_refused", package_id, reasons=reasons)
        else:
            reasons = _store_blocks(store, files, now)
        if reasons:
            raise _refused("hủy vĩnh viễn / delete", reasons)
        disposal = session.scalars(
            select(ArchiveDisposalRow)
            .where(ArchiveDisposalRow.state == "approved")
            .order_by(ArchiveDisposalRow.id.desc())
        ).all()
        decision = next(d for d in disposal if package_id in d.package_ids)
        for f in files:
            store.delete(f.object_key)
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
        _audit(
            session,
            actor,
            "archive.disposal.delete",
            package_id,
            decision_ref=decision.decision_ref,
            files=len(files),
        )


def _store_blocks(store: ObjectStore, files: Sequence[ArchiveFileRow], now: datetime) -> list:
    blocks = []
    for f in files:
        try:
            info = store.head(f.object_key)
        except StorageError as exc:
            blocks.append(f"{f.path}: {exc.code}")
            continue
        if info.legal_hold:
            blocks.append(f"{f.path}: legal hold in the store")
        if info.retention is not None and info.retention.active(now):
            blocks.append(f"{f.path}: locked until {info.retention.until.isoformat()}")
    return blocks


def place_hold(
    db: Database,
    store: ObjectStore,
    *,
    title: str,
    mandate: str,
    package_ids: Sequence[str],
    actor: str,
) -> int:
    """Put a legal hold on packages (database and every stored object)."""
    with db.unit_of_work() as session:
        hold = ArchiveHoldRow(title=title, mandate=mandate, created_by=actor)
        session.add(hold)
        session.flush()
        for pid in package_ids:
            _package(session, pid)
            session.add(ArchiveHoldPackageRow(hold_id=hold.id, package_id=pid))
            for f in session.scalars(
                select(ArchiveFileRow).where(ArchiveFileRow.package_id == pid)
            ):
                store.set_legal_hold(f.object_key, True)
            _audit(
                session,
                actor,
                "archive.hold.place",
                pid,
                hold=hold.id,
                title=title,
                mandate=mandate,
            )
        return hold.id


def lift_hold(db: Database, store: ObjectStore, hold_id: int, *, actor: str) -> None:
    """Lift a hold; objects stay held while another active hold covers their package."""
    with db.unit_of_work() as session:
        hold = session.get(ArchiveHoldRow, hold_id)
        if hold is None or hold.lifted_at is not None:
            raise _refused("gỡ lệnh giữ / lift hold", [f"no active hold {hold_id}"])
        hold.lifted_at, hold.lifted_by = _now(), actor
        session.flush()
        pids = session.scalars(
            select(ArchiveHoldPackageRow.package_id).where(ArchiveHoldPackageRow.hold_id == hold_id)
        ).all()
        for pid in pids:
            if not _held(session, pid):
                for f in session.scalars(
                    select(ArchiveFileRow).where(ArchiveFileRow.package_id == pid)
                ):
                    store.set_legal_hold(f.object_key, False)
            _audit(session, actor, "archive.hold.lift", pid, hold=hold_id)


@dataclass(frozen=True)
class Proposal:
    id: int
    package_ids: tuple[str, ...]
    proposed_by: str
    proposed_at: datetime


def open_proposals(db: Database) -> list[Proposal]:
    """Disposal proposals waiting for a second person's approval."""
    with db.unit_of_work() as session:
        rows = session.scalars(
            select(ArchiveDisposalRow)
            .where(ArchiveDisposalRow.state == "proposed")
            .order_by(ArchiveDisposalRow.id)
        ).all()
        return [Proposal(r.id, tuple(r.package_ids), r.proposed_by, r.proposed_at) for r in rows]


def disposal_bin(db: Database) -> list[str]:
    """Packages approved for destruction, awaiting restore or final deletion."""
    with db.unit_of_work() as session:
        return list(
            session.scalars(
                select(ArchivePackageRow.id)
                .where(ArchivePackageRow.state == "in_bin")
                .order_by(ArchivePackageRow.id)
            )
        )
