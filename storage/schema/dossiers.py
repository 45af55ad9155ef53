"""Rows of procedures, dossiers, their history and documents, and the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.schema.base import Base, UTCDateTime, utcnow


class ProcedureRow(Base):
    """An administrative procedure (TTHC) handled by an agency."""

    __tablename__ = "procedures"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str] = mapped_column(String(500))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    processing_days: Mapped[int] = mapped_column(Integer)
    """Legal processing time in working days."""
    form_code: Mapped[str | None] = mapped_column(String(64))
    """The e-form citizens fill for this procedure."""
    result_title_vi: Mapped[str] = mapped_column(String(500), default="")
    result_title_en: Mapped[str] = mapped_column(String(500), default="")
    retention_code: Mapped[str] = mapped_column(String(2), default="06")
    active: Mapped[bool] = mapped_column(default=True)


class DossierCounterRow(Base):
    """Last sequence number used for dossier codes of one agency on one day."""

    __tablename__ = "dossier_counters"

    agency_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class DossierRow(Base):
    """One case of one procedure."""

    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_agency_status_due", "agency_id", "status", "due_at"),
        Index("ix_dossiers_procedure_submitted", "procedure_code", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    procedure_code: Mapped[str] = mapped_column(ForeignKey("procedures.code"))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    form_code: Mapped[str | None] = mapped_column(String(64))
    form_version: Mapped[str | None] = mapped_column(String(32))
    applicant_kind: Mapped[str] = mapped_column(String(16))
    """``person`` or ``organisation``."""
    applicant_identifier: Mapped[str] = mapped_column(String(32), index=True)
    """Personal identification number or enterprise/tax code."""
    applicant_name: Mapped[str] = mapped_column(String(255))
    applicant_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32), index=True)
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    supplement_count: Mapped[int] = mapped_column(Integer, default=0)
    backfilled: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    history: Mapped[list[DossierEventRow]] = relationship(
        back_populates="dossier", order_by="DossierEventRow.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list[DossierDocumentRow]] = relationship(
        back_populates="dossier", order_by="DossierDocumentRow.id", cascade="all, delete-orphan"
    )


class DossierEventRow(Base):
    """One step in a dossier's processing history, with the officer's opinion."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(150))
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    """Opinion, reason or message to the applicant."""
    backfilled: Mapped[bool] = mapped_column(default=False)

    dossier: Mapped[DossierRow] = relationship(back_populates="history")


class DossierDocumentRow(Base):
    """A file of a dossier kept in the object store."""

    __tablename__ = "dossier_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    """``form``, ``attachment``, ``result_draft``, ``result``."""
    title: Mapped[str] = mapped_column(String(500))
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    object_key: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    """Hex; indexed: the public verification page looks results up by it."""
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(150))
    signed: Mapped[bool] = mapped_column(default=False)

    dossier: Mapped[DossierRow] = relationship(back_populates="documents")


class ArchiveQueueRow(Base):
    """A closed dossier waiting to be packaged and ingested by the archive."""

    __tablename__ = "archive_queue"

    dossier_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    """``pending``, ``ingested`` or ``failed``."""
    detail: Mapped[str | None] = mapped_column(Text)


class OutboxEventRow(Base):
    """An integration event written with the change it reports (transactional outbox)."""

    __tablename__ = "outbox_events"
    __table_args__ = (UniqueConstraint("aggregate_id", "sequence", name="uq_outbox_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    """Idempotency key receivers deduplicate on."""
    aggregate_id: Mapped[str] = mapped_column(String(64), index=True)
    """The dossier code; events of one dossier are delivered in ``sequence`` order."""
    sequence: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxDeliveryRow(Base):
    """The delivery of one event to one configured endpoint."""

    __tablename__ = "outbox_deliveries"
    __table_args__ = (
        UniqueConstraint("event_pk", "endpoint", name="uq_outbox_delivery"),
        Index("ix_outbox_deliveries_state", "endpoint", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("outbox_events.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    """``pending``, ``delivered`` or ``dead`` (gave up; an administrator can replay)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
