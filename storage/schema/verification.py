"""Rows of the auditors' verification history (``verifications``).

Only the report is kept, never the PDF: the document is identified by its
SHA-256 so a later verification of the same file can be matched.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import Base, UTCDateTime


class VerificationRow(Base):
    """One verification an auditor or an API client ran."""

    __tablename__ = "verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(150), index=True)
    """Username, or ``api`` for the JSON API."""
    filename: Mapped[str] = mapped_column(String(255))
    document_sha256: Mapped[str] = mapped_column(String(64), index=True)
    document_size: Mapped[int] = mapped_column(Integer)
    indication: Mapped[str] = mapped_column(String(16), index=True)
    """TOTAL_PASSED, INDETERMINATE or TOTAL_FAILED."""
    signature_count: Mapped[int] = mapped_column(Integer)
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The JSON report (``schemas/verification-report.schema.json``)."""
    etsi_xml: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The ETSI TS 119 102-2 XML report made from the same reading of the file, when
    one was made (the auditor's page always; the API when asked)."""
