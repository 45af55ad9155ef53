"""Rows of the citizen's side: form drafts saved on every step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import Base, UTCDateTime, utcnow


class FormDraftRow(Base):
    """One citizen's unfinished (or just submitted) filling of one form version."""

    __tablename__ = "form_drafts"
    __table_args__ = (
        # Publishing a new version counts the open drafts of the form per older
        # version (forms_builder.repository.count_open_drafts / open_drafts).
        Index("ix_form_drafts_form_code_version", "form_code", "form_version"),
    )

    #: Random URL-safe id; also the idempotency key of the submission.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), index=True)
    procedure_code: Mapped[str] = mapped_column(String(32))
    form_code: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: ``[{"key", "file_name", "media_type", "sha256", "size"}]``, stored under ``drafts/<id>/``.
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    dossier_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
