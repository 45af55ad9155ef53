"""The disposal list, the proposal, the second person's approval, the bin and restoring."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.disposal.checks import (
    ACTIONS_VI,
    APPROVE,
    PROPOSE,
    RESTORE,
    STATES_VI,
    Reason,
    audit,
    held,
    not_permitted,
    now_utc,
    package_row,
    refused,
)
from archive.errors import DisposalNotPermittedError
from storage.audit import Outcome
from storage.db import Database
from storage.schema.archive import ArchiveDisposalRow, ArchivePackageRow


@dataclass(frozen=True)
class DisposalCandidate:
    package_id: str
    title: str
    expires_at: datetime
    action: str
    held: bool
    eligible: bool
    """Expired, action ``destroy``, not held, still active."""


def disposal_list(db: Database, *, now: datetime | None = None) -> list[DisposalCandidate]:
    """Active packages whose retention has ended, with whether each may be destroyed."""
    now = now or now_utc()
    with db.unit_of_work() as session:
        rows = session.scalars(
            select(ArchivePackageRow)
            .where(ArchivePackageRow.state == "active", ArchivePackageRow.expires_at <= now)
            .order_by(ArchivePackageRow.expires_at)
        ).all()
        out = []
        for row in rows:
            on_hold = held(session, row.id)
            out.append(
                DisposalCandidate(
                    row.id,
                    row.title,
                    row.expires_at,
                    row.action,
                    on_hold,
                    row.action == "destroy" and not on_hold,
                )
            )
        return out


def _reasons(session: Session, row: ArchivePackageRow, now: datetime) -> list[Reason]:
    reasons: list[Reason] = []
    if row.state != "active":
        state_vi = STATES_VI.get(row.state, row.state)
        reasons.append((f"{row.id}: đang ở trạng thái {state_vi}", f"{row.id}: state {row.state}"))
    if row.expires_at is None or row.expires_at > now:
        reasons.append(
            (f"{row.id}: chưa hết thời hạn bảo quản", f"{row.id}: retention has not expired")
        )
    if row.action != "destroy":
        reasons.append(
            (
                f"{row.id}: lịch bảo quản quy định {ACTIONS_VI.get(row.action, row.action)}, "
                "không phải hủy",
                f"{row.id}: schedule action is {row.action}, not destroy",
            )
        )
    if held(session, row.id):
        reasons.append((f"{row.id}: đang bị lệnh giữ", f"{row.id}: under a legal hold"))
    return reasons


def propose_disposal(
    db: Database, package_ids: Sequence[str], *, actor: str, now: datetime | None = None
) -> int:
    """An archivist proposes destroying ``package_ids``; returns the proposal id."""
    now = now or now_utc()
    with db.unit_of_work() as session:
        reasons = []
        for pid in package_ids:
            reasons += _reasons(session, package_row(session, pid), now)
        if reasons or not package_ids:
            raise refused(PROPOSE, reasons or [("danh sách trống", "empty list")])
        row = ArchiveDisposalRow(
            state="proposed", package_ids=list(package_ids), proposed_by=actor, proposed_at=now
        )
        session.add(row)
        session.flush()
        for pid in package_ids:
            audit(session, actor, "archive.disposal.propose", pid, disposal=row.id)
        return row.id


def approve_disposal(
    db: Database,
    disposal_id: int,
    *,
    actor: str,
    decision_ref: str,
    approver_agencies: Collection[str],
    now: datetime | None = None,
) -> list[str]:
    """A second person approves with the decision reference; packages go to the bin.

    ``approver_agencies`` are the agencies whose leadership ``actor`` belongs to:
    the head of the agency that owns the records decides their destruction, so
    every package of the proposal must belong to one of them. Otherwise
    :class:`DisposalNotPermittedError` (403) names the packages and their
    agencies, nothing changes, and a ``denied`` audit event is kept.
    """
    now = now or now_utc()
    try:
        with db.unit_of_work() as session:
            row = session.get(ArchiveDisposalRow, disposal_id)
            _check_approval(session, row, disposal_id, actor, decision_ref, approver_agencies)
            assert row is not None  # _check_approval refuses a missing proposal
            reasons = []
            for pid in row.package_ids:
                reasons += _reasons(session, package_row(session, pid), now)
            if reasons:
                raise refused(APPROVE, reasons)
            row.state, row.approved_by, row.approved_at = "approved", actor, now
            row.decision_ref = decision_ref
            for pid in row.package_ids:
                package_row(session, pid).state = "in_bin"
                audit(
                    session,
                    actor,
                    "archive.disposal.approve",
                    pid,
                    disposal=disposal_id,
                    decision_ref=decision_ref,
                )
            return list(row.package_ids)
    except DisposalNotPermittedError as exc:
        _record_denial(db, exc, actor, disposal_id, approver_agencies)
        raise


def _record_denial(
    db: Database,
    exc: DisposalNotPermittedError,
    actor: str,
    disposal_id: int,
    approver_agencies: Collection[str],
) -> None:
    """One ``denied`` event per package outside the approver's agencies (own transaction:
    the refused one was rolled back)."""
    with db.unit_of_work() as session:
        for pid, agency_id in exc.details["outside"]:
            audit(
                session,
                actor,
                "archive.disposal.approve",
                pid,
                outcome=Outcome.DENIED,
                disposal=disposal_id,
                agency_id=agency_id,
                approver_agencies=sorted(approver_agencies),
            )


def _check_approval(
    session: Session,
    row: ArchiveDisposalRow | None,
    disposal_id: int,
    actor: str,
    decision_ref: str,
    approver_agencies: Collection[str],
) -> None:
    """Refuse an approval of a missing proposal, by the proposer, by a leader of another
    agency than the packages', or without a decision reference."""
    if row is None or row.state != "proposed":
        raise refused(
            APPROVE,
            [(f"không có đề xuất {disposal_id} đang chờ duyệt", f"no open proposal {disposal_id}")],
        )
    if actor == row.proposed_by:
        raise refused(
            APPROVE,
            [("người phê duyệt phải khác người đề xuất", "the approver must not be the proposer")],
        )
    owners = {pid: package_row(session, pid).agency_id for pid in row.package_ids}
    outside = [(pid, agency) for pid, agency in owners.items() if agency not in approver_agencies]
    if outside:
        raise not_permitted(
            APPROVE,
            [
                (
                    f"{pid} thuộc cơ quan {agency}; chỉ lãnh đạo cơ quan {agency} "
                    "được phê duyệt hủy",
                    f"{pid} belongs to agency {agency}; only a leader of {agency} may "
                    "approve its disposal",
                )
                for pid, agency in outside
            ],
            outside=outside,
        )
    if not decision_ref.strip():
        raise refused(
            APPROVE, [("cần số, ký hiệu quyết định hủy", "a decision reference is required")]
        )


def restore_from_bin(db: Database, package_id: str, *, actor: str, reason: str) -> None:
    """Take a package out of the disposal bin; it becomes active again."""
    with db.unit_of_work() as session:
        row = package_row(session, package_id)
        if row.state == "deleting":
            raise refused(
                RESTORE,
                [
                    (
                        f"{package_id} đang hủy dở (một phần nội dung đã bị xóa); "
                        "chạy lại lệnh hủy vĩnh viễn để hoàn tất",
                        f"{package_id} is partly deleted; run the final deletion again "
                        "to finish it",
                    )
                ],
            )
        if row.state != "in_bin":
            raise refused(
                RESTORE,
                [
                    (
                        f"{package_id} không ở danh sách chờ hủy",
                        f"{package_id} is not in the disposal bin",
                    )
                ],
            )
        row.state = "active"
        audit(session, actor, "archive.disposal.restore", package_id, reason=reason)


@dataclass(frozen=True)
class Proposal:
    id: int
    package_ids: tuple[str, ...]
    proposed_by: str
    proposed_at: datetime
    agency_ids: frozenset[str] = frozenset()
    """Agencies owning the packages: a leader of each must approve (``approve_disposal``)."""


def open_proposals(db: Database) -> list[Proposal]:
    """Disposal proposals waiting for a second person's approval."""
    with db.unit_of_work() as session:
        rows = session.scalars(
            select(ArchiveDisposalRow)
            .where(ArchiveDisposalRow.state == "proposed")
            .order_by(ArchiveDisposalRow.id)
        ).all()
        return [
            Proposal(
                r.id,
                tuple(r.package_ids),
                r.proposed_by,
                r.proposed_at,
                frozenset(
                    session.scalars(
                        select(ArchivePackageRow.agency_id).where(
                            ArchivePackageRow.id.in_(r.package_ids)
                        )
                    )
                ),
            )
            for r in rows
        ]


def disposal_bin(db: Database) -> list[str]:
    """Packages approved for destruction, awaiting restore or final deletion.

    Also those whose deletion was interrupted (``deleting``): deleting again finishes them.
    """
    with db.unit_of_work() as session:
        return list(
            session.scalars(
                select(ArchivePackageRow.id)
                .where(ArchivePackageRow.state.in_(("in_bin", "deleting")))
                .order_by(ArchivePackageRow.id)
            )
        )
