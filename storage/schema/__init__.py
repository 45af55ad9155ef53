"""Persisted rows: every table of the project, one module per capability.

Domain objects are mapped from and to these rows in each package's
repository module; nothing else touches them directly.
"""

from storage.schema.accounts import AgencyRow, RoleGrantRow, UserRow
from storage.schema.archive import (
    ArchiveDisposalRow,
    ArchiveEventRow,
    ArchiveFileRow,
    ArchiveFixityRunRow,
    ArchiveHoldPackageRow,
    ArchiveHoldRow,
    ArchivePackageRow,
    ArchiveTombstoneRow,
)
from storage.schema.audit import AuditEventRow, AuditHeadRow
from storage.schema.base import Base, UTCDateTime, utcnow
from storage.schema.citizen import FormDraftRow
from storage.schema.dossiers import (
    ArchiveQueueRow,
    DossierCounterRow,
    DossierDocumentRow,
    DossierEventRow,
    DossierRow,
    OutboxEventRow,
    ProcedureRow,
)
from storage.schema.forms import FormDefinitionRow
from storage.schema.jobs import JobRow
from storage.schema.prefill import CitizenRecordRow
from storage.schema.verification import VerificationRow

__all__ = [
    "AgencyRow",
    "ArchiveDisposalRow",
    "ArchiveEventRow",
    "ArchiveFileRow",
    "ArchiveFixityRunRow",
    "ArchiveHoldPackageRow",
    "ArchiveHoldRow",
    "ArchivePackageRow",
    "ArchiveTombstoneRow",
    "ArchiveQueueRow",
    "AuditEventRow",
    "AuditHeadRow",
    "Base",
    "CitizenRecordRow",
    "DossierCounterRow",
    "DossierDocumentRow",
    "DossierEventRow",
    "DossierRow",
    "FormDefinitionRow",
    "FormDraftRow",
    "JobRow",
    "OutboxEventRow",
    "ProcedureRow",
    "RoleGrantRow",
    "UTCDateTime",
    "UserRow",
    "VerificationRow",
    "utcnow",
]
