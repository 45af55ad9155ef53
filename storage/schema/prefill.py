"""Rows of the citizen's data store: results of earlier procedures, for prefill."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import Base, UTCDateTime, utcnow


class CitizenRecordRow(Base):
    """One named result (e.g. ``birth_certificate``) of one dossier for one person."""

    __tablename__ = "citizen_records"
    __table_args__ = (
        UniqueConstraint("personal_id", "name", "dossier_code", name="uq_citizen_record"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The 12-digit personal identification number of the person it is about.
    personal_id: Mapped[str] = mapped_column(String(12), index=True)
    name: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Provenance: the dossier whose result this is.
    dossier_code: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
