"""Rows for form definitions: one row per version of one form."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import Base, UTCDateTime, utcnow


class FormDefinitionRow(Base):
    """One version of one form definition.

    ``document`` is the whole definition as JSON (the source of truth); the
    other columns copy what lists and lookups filter on. A row whose status
    is ``published`` or ``retired`` is never edited again except to retire it.
    """

    __tablename__ = "form_definitions"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_form_definitions_code_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(48), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    agency_id: Mapped[str] = mapped_column(String(32), index=True)
    procedure_code: Mapped[str] = mapped_column(String(16), index=True)
    title_vi: Mapped[str] = mapped_column(String(500))
    title_en: Mapped[str] = mapped_column(String(500))
    legal_basis: Mapped[str] = mapped_column(String(64))
    #: The day this version takes effect (legal-basis scheduling).
    in_force_from: Mapped[date] = mapped_column(Date)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: ``sha256:<hex>`` of the canonical document without its status.
    checksum: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(150))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(150))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(String(150))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
