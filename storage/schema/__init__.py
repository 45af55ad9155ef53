"""Persisted rows: every table of the project, one module per capability.

Domain objects are mapped from and to these rows in each package's
repository module; nothing else touches them directly.
"""

from storage.schema.accounts import AgencyRow, RoleGrantRow, UserRow
from storage.schema.audit import AuditEventRow, AuditHeadRow
from storage.schema.base import Base, UTCDateTime, utcnow
from storage.schema.verification import VerificationRow

__all__ = [
    "AgencyRow",
    "AuditEventRow",
    "AuditHeadRow",
    "Base",
    "RoleGrantRow",
    "UTCDateTime",
    "UserRow",
    "VerificationRow",
    "utcnow",
]
