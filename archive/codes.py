"""Code lists of the archival metadata (Circular 05/2025/TT-BNV) and retention rules.

Retention is counted from the year the case closed: expiry is 1 January of
(closing year + 1 + N years) at 00:00 in Vietnam (UTC+07:00). Permanent
records never expire (DOMAIN.md; our reading, kept in one function).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

from archive.errors import InvalidRecordError

VN_TZ = timezone(timedelta(hours=7), "ICT")
"""Vietnam time; every date written into a package carries +07:00."""


class RetentionCode(StrEnum):
    """Thời hạn bảo quản: retention period codes."""

    PERMANENT = "01"
    YEARS_70 = "02"
    YEARS_50 = "03"
    YEARS_30 = "04"
    YEARS_20 = "05"
    YEARS_10 = "06"
    OTHER = "07"
    """A number of years given separately (``retention_years``)."""

    @property
    def years(self) -> int | None:
        """Years of the fixed codes; None for permanent and ``07``."""
        return {"02": 70, "03": 50, "04": 30, "05": 20, "06": 10}.get(self.value)


class AccessMode(StrEnum):
    """Chế độ sử dụng: who may open the package."""

    PUBLIC = "01"
    RESTRICTED = "02"
    CONFIDENTIAL = "03"


class TrustLevel(StrEnum):
    """Mức độ tin cậy: how the documents came to be electronic."""

    BORN_DIGITAL = "01"
    DIGITISED = "02"
    MIXED = "03"


class DocumentRole(StrEnum):
    """The part a document plays in the dossier."""

    FORM = "form"
    ATTACHMENT = "attachment"
    RESULT = "result"
    OTHER = "other"


def retention_years(code: RetentionCode, other_years: int | None = None) -> int | None:
    """Years to keep, or None for permanent; ``07`` needs ``other_years`` (1-200)."""
    if code is RetentionCode.PERMANENT:
        return None
    if code is RetentionCode.OTHER:
        if other_years is None or not 1 <= other_years <= 200:
            raise InvalidRecordError(
                "Mã thời hạn bảo quản 07 cần số năm (1-200).",
                "Retention code 07 needs a number of years (1-200).",
            )
        return other_years
    return code.years


def retention_expiry(
    closed: date, code: RetentionCode, other_years: int | None = None
) -> datetime | None:
    """When retention ends (aware, +07:00), or None when the record is permanent."""
    years = retention_years(code, other_years)
    if years is None:
        return None
    return datetime(closed.year + 1 + years, 1, 1, tzinfo=VN_TZ)


def iso(moment: datetime) -> str:
    """ISO 8601 in Vietnam time with offset, seconds precision (``...+07:00``)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(VN_TZ).replace(microsecond=0).isoformat()
