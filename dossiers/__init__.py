"""The case: submission, dossier codes, the status machine, officer and leader
actions, results, public lookup (by code, or by the SHA-256 of a result file).

Plain functions on a SQLAlchemy session; no Flask. The portal wires the
policy (code format, working calendar) from settings.
"""

from dossiers.calendar import WorkingCalendar
from dossiers.codes import CodeFormat
from dossiers.errors import (
    BackfillError,
    DossierError,
    DossierNotFoundError,
    DossierPermissionError,
    IllegalTransitionError,
    ProcedureError,
)
from dossiers.model import (
    ActingUser,
    Applicant,
    ApplicantKind,
    Channel,
    Document,
    DocumentKind,
    Dossier,
    IssuedResult,
    Procedure,
    PublicStatus,
    Submission,
)
from dossiers.queries import find_issued_result
from dossiers.services import (
    DossierPolicy,
    act,
    add_document,
    get_dossier,
    public_status,
    submit,
)
from dossiers.status import Action, Actor, Status, allowed_actions

__all__ = [
    "ActingUser",
    "Action",
    "Actor",
    "Applicant",
    "ApplicantKind",
    "BackfillError",
    "Channel",
    "CodeFormat",
    "Document",
    "DocumentKind",
    "Dossier",
    "DossierError",
    "DossierNotFoundError",
    "DossierPermissionError",
    "DossierPolicy",
    "IllegalTransitionError",
    "IssuedResult",
    "Procedure",
    "ProcedureError",
    "PublicStatus",
    "Status",
    "Submission",
    "WorkingCalendar",
    "act",
    "add_document",
    "allowed_actions",
    "find_issued_result",
    "get_dossier",
    "public_status",
    "submit",
]
