"""Mapping form definitions to and from their database rows (the one place).

Also reads the citizens' open drafts of a form (table ``form_drafts``,
written by ``dossiers.drafts``) for the publishing preview; it never
changes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forms_builder.document import checksum, definition_to_document, parse_definition
from forms_builder.errors import DefinitionNotFound
from forms_builder.model import FormDefinition, Status
from forms_builder.versions.drafts import OpenDraft
from storage.schema.base import utcnow
from storage.schema.citizen import FormDraftRow
from storage.schema.forms import FormDefinitionRow

MAX_VERSION = 2**31 - 1
"""Versions beyond a 32-bit integer cannot exist (and SQLite would overflow)."""

__all__ = [
    "MAX_VERSION",
    "add_version",
    "count_open_drafts",
    "find_row",
    "get_row",
    "latest_version_number",
    "list_rows",
    "open_drafts",
    "row_to_definition",
    "save_definition",
    "versions_of",
]


def row_to_definition(row: FormDefinitionRow) -> FormDefinition:
    """The definition a row stores (its document is validated before it is stored)."""
    return parse_definition(row.document)


def _fill(row: FormDefinitionRow, d: FormDefinition, actor: str, now: datetime) -> None:
    doc = definition_to_document(d)
    row.status = str(d.status)
    row.agency_id = d.agency_id
    row.procedure_code = d.procedure_code
    row.title_vi = d.title.vi
    row.title_en = d.title.en
    row.legal_basis = d.legal_basis.document
    row.in_force_from = d.in_force_from
    row.document = doc
    row.checksum = checksum(doc)
    row.updated_at = now
    row.updated_by = actor


def add_version(session: Session, d: FormDefinition, *, actor: str) -> FormDefinitionRow:
    """Insert a new row for ``d`` (code and version must be new)."""
    now = utcnow()
    row = FormDefinitionRow(code=d.code, version=d.version, created_at=now, created_by=actor)
    _fill(row, d, actor, now)
    session.add(row)
    session.flush()
    return row


def save_definition(
    session: Session, row: FormDefinitionRow, d: FormDefinition, *, actor: str
) -> None:
    """Overwrite ``row`` with ``d`` (the caller checked the row may change)."""
    now = utcnow()
    _fill(row, d, actor, now)
    if d.status == Status.PUBLISHED and row.published_at is None:
        row.published_at, row.published_by = now, actor
    if d.status == Status.RETIRED and row.retired_at is None:
        row.retired_at = now
    session.flush()


def find_row(session: Session, code: str, version: int | None = None) -> FormDefinitionRow | None:
    """The row of ``code`` at ``version`` (newest version when ``None``)."""
    if version is not None and not 1 <= version <= MAX_VERSION:
        return None
    query = select(FormDefinitionRow).where(FormDefinitionRow.code == code)
    if version is not None:
        query = query.where(FormDefinitionRow.version == version)
    return session.scalars(query.order_by(FormDefinitionRow.version.desc()).limit(1)).first()


def get_row(
    session: Session, code: str, version: int | None = None, *, for_update: bool = False
) -> FormDefinitionRow:
    """Like :func:`find_row` but raise :class:`DefinitionNotFound` when missing."""
    row = None
    if version is None or 1 <= version <= MAX_VERSION:
        query = select(FormDefinitionRow).where(FormDefinitionRow.code == code)
        if version is not None:
            query = query.where(FormDefinitionRow.version == version)
        query = query.order_by(FormDefinitionRow.version.desc()).limit(1)
        if for_update:
            query = query.with_for_update()
        row = session.scalars(query).first()
    if row is None:
        what = f"{code}@{version}" if version is not None else code
        raise DefinitionNotFound(
            f"Không tìm thấy biểu mẫu {what}.",
            f"No form definition {what}.",
            details={"code": code, "version": version},
        )
    return row


def latest_version_number(session: Session, code: str) -> int:
    """The highest version number of ``code``; 0 when there is none."""
    found = session.scalar(
        select(func.max(FormDefinitionRow.version)).where(FormDefinitionRow.code == code)
    )
    return int(found or 0)


def versions_of(session: Session, code: str) -> Sequence[FormDefinitionRow]:
    """Every version of ``code``, oldest first."""
    return session.scalars(
        select(FormDefinitionRow)
        .where(FormDefinitionRow.code == code)
        .order_by(FormDefinitionRow.version)
    ).all()


def list_rows(session: Session, *, agency_id: str | None = None) -> Sequence[FormDefinitionRow]:
    """Every version of every form (optionally one agency's), by code then version."""
    query = select(FormDefinitionRow)
    if agency_id is not None:
        query = query.where(FormDefinitionRow.agency_id == agency_id)
    return session.scalars(query.order_by(FormDefinitionRow.code, FormDefinitionRow.version)).all()


def count_open_drafts(session: Session, code: str, *, before: int) -> dict[int, int]:
    """How many citizens' drafts of ``code`` are not submitted, per version below ``before``."""
    rows = session.execute(
        select(FormDraftRow.form_version, func.count())
        .where(
            FormDraftRow.form_code == code,
            FormDraftRow.form_version < before,
            FormDraftRow.dossier_code.is_(None),
        )
        .group_by(FormDraftRow.form_version)
    ).all()
    return {int(version): int(count) for version, count in rows}


def open_drafts(session: Session, code: str, version: int) -> list[OpenDraft]:
    """The citizens' drafts of ``code`` at ``version`` not yet submitted, oldest first."""
    rows = session.scalars(
        select(FormDraftRow)
        .where(
            FormDraftRow.form_code == code,
            FormDraftRow.form_version == version,
            FormDraftRow.dossier_code.is_(None),
        )
        .order_by(FormDraftRow.created_at, FormDraftRow.id)
    )
    return [OpenDraft(r.id, r.form_version, dict(r.data or {})) for r in rows]
