"""S3 object-lock rules, for stores that enforce them themselves.

The filesystem store applies these; S3 servers apply their own, and the S3
adapter uses :func:`check_overwrite` so that an overwrite of a locked key is
refused the same way on every adapter.
"""

from __future__ import annotations

from datetime import datetime

from storage.errors import InvalidRetentionError, ObjectHeldError, ObjectLockedError
from storage.objects import ObjectInfo, Retention, RetentionMode


def locked_error(
    key: str, retention: Retention, action_vi: str, action_en: str
) -> ObjectLockedError:
    """The refusal for an action that an active retention forbids."""
    until = retention.until.isoformat()
    return ObjectLockedError(
        f"Không thể {action_vi} '{key}': đối tượng đang được lưu giữ bắt buộc "
        f"({retention.mode.value}) đến {until}.",
        f"Cannot {action_en} '{key}': it is under {retention.mode.value} retention until {until}.",
        details={"key": key, "mode": retention.mode.value, "until": until},
    )


def held_error(key: str, action_vi: str, action_en: str) -> ObjectHeldError:
    """The refusal for an action that a legal hold forbids."""
    return ObjectHeldError(
        f"Không thể {action_vi} '{key}': đối tượng đang bị phong toả pháp lý (legal hold). "
        "Gỡ phong toả trước khi thử lại.",
        f"Cannot {action_en} '{key}': it is under a legal hold. Lift the hold first.",
        details={"key": key},
    )


def check_delete(info: ObjectInfo, *, now: datetime, bypass_governance: bool) -> None:
    """Raise unless ``info`` may be deleted now."""
    if info.legal_hold:
        raise held_error(info.key, "xoá", "delete")
    _check_retention_blocks(info, now=now, bypass_governance=bypass_governance, verb="delete")


def check_overwrite(info: ObjectInfo, *, now: datetime, bypass_governance: bool = False) -> None:
    """Raise unless the object under ``info.key`` may be replaced now."""
    if info.legal_hold:
        raise held_error(info.key, "ghi đè", "overwrite")
    _check_retention_blocks(info, now=now, bypass_governance=bypass_governance, verb="overwrite")


def _check_retention_blocks(
    info: ObjectInfo, *, now: datetime, bypass_governance: bool, verb: str
) -> None:
    retention = info.retention
    if retention is None or not retention.active(now):
        return
    if retention.mode is RetentionMode.GOVERNANCE and bypass_governance:
        return
    verb_vi = "xoá" if verb == "delete" else "ghi đè"
    raise locked_error(info.key, retention, verb_vi, verb)


def check_new_retention(key: str, retention: Retention, *, now: datetime) -> None:
    """A new retention must end in the future."""
    if not retention.active(now):
        raise InvalidRetentionError(
            f"Ngày hết hạn lưu giữ của '{key}' ({retention.until.isoformat()}) đã qua.",
            f"The retention date of '{key}' ({retention.until.isoformat()}) is in the past.",
            details={"key": key, "until": retention.until.isoformat()},
        )


def check_retention_change(
    key: str,
    old: Retention | None,
    new: Retention,
    *,
    now: datetime,
    bypass_governance: bool,
) -> None:
    """Raise unless ``old`` may become ``new`` (the rules of S3 and Ceph RGW).

    COMPLIANCE: only extended, never shortened or downgraded, bypass or not.
    GOVERNANCE: extended or upgraded freely; shortened or downgraded only
    with ``bypass_governance``.
    """
    check_new_retention(key, new, now=now)
    if old is None or not old.active(now):
        return
    shorter = new.until < old.until
    if old.mode is RetentionMode.COMPLIANCE:
        if new.mode is not RetentionMode.COMPLIANCE or shorter:
            raise locked_error(key, old, "rút ngắn hoặc hạ mức lưu giữ", "shorten or downgrade")
        return
    if shorter and not bypass_governance:
        raise locked_error(key, old, "rút ngắn thời hạn lưu giữ", "shorten the retention of")
