"""Disposal schedules: what happens to a package when its retention ends.

Modelled on the disposal schedules of established archives: each schedule
has a title, a legal mandate, an action (retain permanently, review, or
destroy) and a trigger (the case's closing date) plus a period. A package
gets the schedule of its retention code at ingest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from archive.codes import RetentionCode

PERMANENT_LOCK_UNTIL = datetime(2999, 12, 31, tzinfo=UTC)
"""Object-lock date for permanent records: S3 has no 'forever', so a
COMPLIANCE lock ends here (nine centuries); the database says 'permanent'."""


class DisposalAction(StrEnum):
    RETAIN = "retain"
    REVIEW = "review"
    DESTROY = "destroy"


@dataclass(frozen=True)
class Schedule:
    code: str
    title: str
    mandate: str
    action: DisposalAction
    trigger: str = "closing date of the case (1 January of the following year)"


_MANDATE = "Thông tư 13/2023/TT-BNV; Luật Lưu trữ 2024"
DEFAULT_SCHEDULES: dict[RetentionCode, Schedule] = {
    RetentionCode.PERMANENT: Schedule(
        "TTHC-VV", "Hồ sơ TTHC bảo quản vĩnh viễn", _MANDATE, DisposalAction.RETAIN
    ),
    RetentionCode.YEARS_70: Schedule(
        "TTHC-70", "Hồ sơ TTHC 70 năm", _MANDATE, DisposalAction.REVIEW
    ),
    RetentionCode.YEARS_50: Schedule(
        "TTHC-50", "Hồ sơ TTHC 50 năm", _MANDATE, DisposalAction.REVIEW
    ),
    RetentionCode.YEARS_30: Schedule(
        "TTHC-30", "Hồ sơ TTHC 30 năm", _MANDATE, DisposalAction.DESTROY
    ),
    RetentionCode.YEARS_20: Schedule(
        "TTHC-20", "Hồ sơ TTHC 20 năm", _MANDATE, DisposalAction.DESTROY
    ),
    RetentionCode.YEARS_10: Schedule(
        "TTHC-10", "Hồ sơ TTHC 10 năm", _MANDATE, DisposalAction.DESTROY
    ),
    RetentionCode.OTHER: Schedule(
        "TTHC-KH", "Hồ sơ TTHC thời hạn khác", _MANDATE, DisposalAction.REVIEW
    ),
}
"""Schedule per retention code (assumption: long periods are reviewed, not destroyed)."""
