"""Dossier value objects, as the rest of the system sees a case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from dossiers.status import Action, Actor, Status


class Channel(StrEnum):
    """How a dossier reached the agency (counted separately in statistics)."""

    ONLINE = "online"
    IN_PERSON = "in_person"
    BACKFILLED = "backfilled"


class ApplicantKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class DocumentKind(StrEnum):
    FORM = "form"
    ATTACHMENT = "attachment"
    RESULT_DRAFT = "result_draft"
    RESULT = "result"


@dataclass(frozen=True)
class Procedure:
    code: str
    name_vi: str
    name_en: str
    agency_id: str
    processing_days: int
    form_code: str | None = None
    result_title_vi: str = ""
    result_title_en: str = ""
    retention_code: str = "06"

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class Applicant:
    kind: ApplicantKind
    identifier: str
    """12-digit personal identification number, or enterprise/tax code."""
    name: str
    user_id: int | None = None


@dataclass(frozen=True)
class Submission:
    """What a citizen (or an officer at the counter) submits."""

    procedure_code: str
    applicant: Applicant
    data: dict[str, Any]
    form_code: str | None = None
    form_version: str | None = None
    idempotency_key: str | None = None
    """Same key, same dossier: a double click or a retry never makes two."""
    channel: Channel = Channel.ONLINE


@dataclass(frozen=True)
class ActingUser:
    """Who acts on a dossier, in which capacity, for which agencies."""

    username: str
    actor: Actor
    agency_ids: frozenset[str] = frozenset()
    user_id: int | None = None


@dataclass(frozen=True)
class HistoryEntry:
    occurred_at: datetime
    actor: str
    actor_role: str
    action: str
    from_status: Status | None
    to_status: Status
    note: str | None
    backfilled: bool = False


@dataclass(frozen=True)
class Document:
    id: int
    kind: DocumentKind
    title: str
    file_name: str
    media_type: str
    object_key: str
    sha256: str
    size: int
    created_at: datetime
    created_by: str
    signed: bool


@dataclass(frozen=True)
class Dossier:
    code: str
    procedure_code: str
    agency_id: str
    applicant: Applicant
    status: Status
    channel: Channel
    submitted_at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    form_code: str | None = None
    form_version: str | None = None
    received_at: datetime | None = None
    due_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    supplement_count: int = 0
    backfilled: bool = False
    history: tuple[HistoryEntry, ...] = ()
    documents: tuple[Document, ...] = ()

    def documents_of(self, kind: DocumentKind) -> list[Document]:
        return [d for d in self.documents if d.kind == kind]

    def is_overdue(self, now: datetime) -> bool:
        return self.status.is_open and self.due_at is not None and self.due_at < now


@dataclass(frozen=True)
class PublicStatus:
    """What anyone may see by dossier code: nothing personal."""

    code: str
    procedure_name_vi: str
    procedure_name_en: str
    status: Status
    submitted_at: datetime
    due_at: datetime | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class IssuedResult:
    """A signed result this system issued, found by the SHA-256 of its bytes.

    What the public verification page may say about an uploaded file: the
    dossier code is printed on the result itself (and in its QR code).
    """

    dossier_code: str
    title: str
    issued_at: datetime


__all__ = [
    "ActingUser",
    "Action",
    "Actor",
    "Applicant",
    "ApplicantKind",
    "Channel",
    "Document",
    "DocumentKind",
    "Dossier",
    "HistoryEntry",
    "IssuedResult",
    "Procedure",
    "PublicStatus",
    "Status",
    "Submission",
]
