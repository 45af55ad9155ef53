"""Rows of the archive: packages and their files, preservation events after
ingest, legal holds, disposal decisions, tombstones and fixity audit runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import Base, UTCDateTime, utcnow


class ArchivePackageRow(Base):
    """One ingested AIP and the items it is searched by."""

    __tablename__ = "archive_packages"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    """Package id (the dossier code)."""
    dossier_code: Mapped[str] = mapped_column(String(100), index=True)
    procedure_code: Mapped[str] = mapped_column(String(32), index=True)
    procedure_name: Mapped[str] = mapped_column(String(255))
    agency_id: Mapped[str] = mapped_column(String(32), index=True)
    applicant_id: Mapped[str] = mapped_column(String(32), index=True)
    applicant_name: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text)
    keywords: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[str] = mapped_column(String(10), index=True)
    """ISO date (YYYY-MM-DD) the case started."""
    end_date: Mapped[str] = mapped_column(String(10), index=True)
    retention_code: Mapped[str] = mapped_column(String(2))
    retention_years: Mapped[int | None] = mapped_column(Integer)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    """None: permanent."""
    schedule: Mapped[str] = mapped_column(String(16))
    """Disposal schedule code the retention code maps to."""
    action: Mapped[str] = mapped_column(String(16))
    """``retain``, ``review`` or ``destroy``."""
    access_mode: Mapped[str] = mapped_column(String(2))
    #: ``active``, ``in_bin`` (awaiting final deletion), ``deleting`` (final deletion
    #: started and not finished: running it again completes it) or ``deleted``.
    state: Mapped[str] = mapped_column(String(16), index=True, default="active")
    store_prefix: Mapped[str] = mapped_column(String(255))
    total_size: Mapped[int] = mapped_column(BigInteger, default=0)
    file_count: Mapped[int] = mapped_column(Integer, default=0)
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ingested_by: Mapped[str] = mapped_column(String(150))
    last_fixity_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    last_fixity_outcome: Mapped[str | None] = mapped_column(String(16))


class ArchiveFileRow(Base):
    """One stored file of an AIP."""

    __tablename__ = "archive_files"
    __table_args__ = (UniqueConstraint("package_id", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    package_id: Mapped[str] = mapped_column(ForeignKey("archive_packages.id"), index=True)
    path: Mapped[str] = mapped_column(String(500))
    """Path inside the package."""
    object_key: Mapped[str] = mapped_column(String(900))
    version_id: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    mime_type: Mapped[str] = mapped_column(String(100))


class ArchiveEventRow(Base):
    """A PREMIS event recorded after ingest (fixity check, access, disposal)."""

    __tablename__ = "archive_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    package_id: Mapped[str] = mapped_column(String(100), index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    outcome: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(150))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class ArchiveHoldRow(Base):
    """A legal hold (title, mandate) on some packages; blocks disposal until lifted."""

    __tablename__ = "archive_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    mandate: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lifted_by: Mapped[str | None] = mapped_column(String(150))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ArchiveHoldPackageRow(Base):
    """Which packages a hold covers."""

    __tablename__ = "archive_hold_packages"

    hold_id: Mapped[int] = mapped_column(ForeignKey("archive_holds.id"), primary_key=True)
    package_id: Mapped[str] = mapped_column(String(100), primary_key=True)


class ArchiveDisposalRow(Base):
    """A disposal confirmation: proposed by one archivist, approved by another."""

    __tablename__ = "archive_disposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: ``proposed``, ``approved`` (packages moved to the bin) or ``rejected``.
    state: Mapped[str] = mapped_column(String(16), index=True)
    package_ids: Mapped[list[str]] = mapped_column(JSON)
    proposed_by: Mapped[str] = mapped_column(String(150))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(150))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_ref: Mapped[str | None] = mapped_column(String(255))
    """Reference of the disposal decision (số quyết định hủy tài liệu)."""


class ArchiveTombstoneRow(Base):
    """What remains of a finally deleted package, kept forever."""

    __tablename__ = "archive_tombstones"

    package_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    dossier_code: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(Text)
    metadata_json: Mapped[dict[str, object]] = mapped_column(JSON)
    files: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    disposal_id: Mapped[int] = mapped_column(Integer)
    decision_ref: Mapped[str] = mapped_column(String(255))
    deleted_by: Mapped[str] = mapped_column(String(150))
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ArchiveFixityRunRow(Base):
    """One fixity audit run and its report."""

    __tablename__ = "archive_fixity_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    software_version: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(255))
    algorithm: Mapped[str] = mapped_column(String(16))
    totals: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    entries: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
