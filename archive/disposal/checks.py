"""What blocks a disposal step, how a refusal is worded, and the audit event of each step."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.errors import (
    DisposalNotPermittedError,
    DisposalRefusedError,
    PackageNotFoundError,
)
from storage.audit import AuditEntry, Outcome, record_event
from storage.schema.archive import ArchiveHoldPackageRow, ArchiveHoldRow, ArchivePackageRow

Reason = tuple[str, str]
"""Why a step is refused, in Vietnamese and English."""


STATES_VI = {
    "active": "đang lưu trữ",
    "in_bin": "chờ hủy",
    "deleting": "đang hủy dở",
    "deleted": "đã hủy",
}
ACTIONS_VI = {"retain": "bảo quản vĩnh viễn", "review": "xem xét lại", "destroy": "hủy"}


def refused(step: Reason, reasons: Sequence[Reason]) -> DisposalRefusedError:
    """The refusal of ``step`` listing every reason, each in its own language."""
    return DisposalRefusedError(
        f"Không thể {step[0]}: " + "; ".join(vi for vi, _ in reasons) + ".",
        f"Cannot {step[1]}: " + "; ".join(en for _, en in reasons) + ".",
        details={"reasons": [en for _, en in reasons]},
    )


def not_permitted(
    step: Reason, reasons: Sequence[Reason], *, outside: Sequence[tuple[str, str]]
) -> DisposalNotPermittedError:
    """Like :func:`refused`, for a person who may not take ``step`` on these packages;
    ``outside`` lists (package id, owning agency) for the audit trail."""
    base = refused(step, reasons)
    return DisposalNotPermittedError(
        base.message_vi,
        base.message_en,
        details={**base.details, "outside": [list(pair) for pair in outside]},
    )


PROPOSE = ("đề xuất hủy", "propose disposal")
APPROVE = ("phê duyệt hủy", "approve disposal")
RESTORE = ("khôi phục", "restore")
DELETE = ("hủy vĩnh viễn", "delete")
HOLD = ("đặt lệnh giữ", "place a legal hold")
LIFT = ("gỡ lệnh giữ", "lift the legal hold")


def now_utc() -> datetime:
    return datetime.now(UTC)


def held(session: Session, package_id: str) -> bool:
    """Whether an active (not lifted) legal hold covers the package."""
    query = (
        select(ArchiveHoldRow.id)
        .join(ArchiveHoldPackageRow, ArchiveHoldPackageRow.hold_id == ArchiveHoldRow.id)
        .where(ArchiveHoldPackageRow.package_id == package_id, ArchiveHoldRow.lifted_at.is_(None))
    )
    return session.scalars(query).first() is not None


def package_row(session: Session, package_id: str) -> ArchivePackageRow:
    """The package's row; ``PackageNotFoundError`` when unknown or already deleted."""
    row = session.get(ArchivePackageRow, package_id)
    if row is None or row.state == "deleted":
        raise PackageNotFoundError(
            f"Không có hồ sơ lưu trữ {package_id}.", f"No archived package {package_id}."
        )
    return row


def audit(
    session: Session,
    actor: str,
    action: str,
    object_id: str,
    *,
    outcome: Outcome = Outcome.SUCCESS,
    **details: object,
) -> None:
    """Write the audit event of a disposal step on ``object_id`` (a package)."""
    record_event(
        session,
        AuditEntry(
            actor=actor,
            action=action,
            outcome=outcome,
            object_type="archive_package",
            object_id=object_id,
            details=details,
        ),
    )
