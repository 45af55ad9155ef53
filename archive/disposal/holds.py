"""Legal holds: recorded in the database and set on every stored object."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.disposal.checks import HOLD, LIFT, audit, held, now_utc, refused
from archive.errors import PackageNotFoundError
from storage.db import Database
from storage.errors import ObjectNotFoundError, StorageError
from storage.ports import ObjectStore
from storage.schema.archive import (
    ArchiveFileRow,
    ArchiveHoldPackageRow,
    ArchiveHoldRow,
    ArchivePackageRow,
)


def place_hold(
    db: Database,
    store: ObjectStore,
    *,
    title: str,
    mandate: str,
    package_ids: Sequence[str],
    actor: str,
) -> int:
    """Put a legal hold on packages (database and every stored object).

    Every code is checked before anything is set; if the store fails on one
    object, the holds this call set are lifted again and nothing is recorded.
    """
    set_keys: list[str] = []
    try:
        with db.unit_of_work() as session:
            rows = _packages_to_hold(session, package_ids)
            hold = ArchiveHoldRow(title=title, mandate=mandate, created_by=actor)
            session.add(hold)
            session.flush()
            for row in rows:
                already = held(session, row.id)
                session.add(ArchiveHoldPackageRow(hold_id=hold.id, package_id=row.id))
                for key in _keys(session, row.id):
                    if _set_hold(store, key, gone_ok=row.state == "deleting") and not already:
                        set_keys.append(key)
                audit(
                    session,
                    actor,
                    "archive.hold.place",
                    row.id,
                    hold=hold.id,
                    title=title,
                    mandate=mandate,
                )
            return hold.id
    except BaseException:
        for key in set_keys:
            _set_hold(store, key, on=False, gone_ok=True)
        raise


def _packages_to_hold(session: Session, package_ids: Sequence[str]) -> list[ArchivePackageRow]:
    """The rows of every code, or one refusal naming all the unknown ones."""
    if not package_ids:
        raise refused(HOLD, [("danh sách hồ sơ trống", "no package given")])
    rows = {pid: session.get(ArchivePackageRow, pid) for pid in dict.fromkeys(package_ids)}
    unknown = [pid for pid, row in rows.items() if row is None or row.state == "deleted"]
    if unknown:
        raise PackageNotFoundError(
            f"Không có hồ sơ lưu trữ: {', '.join(unknown)}. Chưa đặt lệnh giữ nào; "
            "sửa mã hồ sơ rồi thử lại.",
            f"No archived package: {', '.join(unknown)}. No hold was placed; "
            "correct the codes and try again.",
            details={"unknown": unknown},
        )
    return [row for row in rows.values() if row is not None]


def _keys(session: Session, package_id: str) -> list[str]:
    return list(
        session.scalars(
            select(ArchiveFileRow.object_key).where(ArchiveFileRow.package_id == package_id)
        )
    )


def _set_hold(store: ObjectStore, key: str, *, on: bool = True, gone_ok: bool = False) -> bool:
    """Set or lift the store's hold on ``key``; False when the object is gone and that is ok."""
    try:
        store.set_legal_hold(key, on)
    except ObjectNotFoundError:
        if not gone_ok:
            raise
        return False
    except StorageError:
        if on:
            raise
        return False  # undoing after a failure: the first error is the one to report
    return True


def lift_hold(db: Database, store: ObjectStore, hold_id: int, *, actor: str) -> None:
    """Lift a hold; objects stay held while another active hold covers their package."""
    with db.unit_of_work() as session:
        hold = session.get(ArchiveHoldRow, hold_id)
        if hold is None or hold.lifted_at is not None:
            raise refused(
                LIFT,
                [(f"không có lệnh giữ {hold_id} đang hiệu lực", f"no active hold {hold_id}")],
            )
        hold.lifted_at, hold.lifted_by = now_utc(), actor
        session.flush()
        pids = session.scalars(
            select(ArchiveHoldPackageRow.package_id).where(ArchiveHoldPackageRow.hold_id == hold_id)
        ).all()
        for pid in pids:
            if not held(session, pid):
                for key in _keys(session, pid):
                    store.set_legal_hold(key, False)
            audit(session, actor, "archive.hold.lift", pid, hold=hold_id)
