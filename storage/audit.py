"""The append-only, hash-chained audit trail.

Every event stores the SHA-256 of the previous event, and its own hash over
its canonical form; :func:`verify_chain` recomputes the chain and names the
first row that was edited, inserted or deleted. Appends are serialised by
locking the single ``audit_head`` row, so concurrent writers (several app
instances on PostgreSQL) never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.db import lock_for_write
from storage.schema.audit import AuditEventRow, AuditHeadRow
from storage.schema.base import utcnow

__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "AuditFilter",
    "ChainReport",
    "Outcome",
    "record_event",
    "search_events",
    "verify_chain",
]

GENESIS_HASH = "0" * 64


class Outcome(StrEnum):
    """How the audited action ended."""

    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


@dataclass(frozen=True)
class AuditEntry:
    """What one event says; the values the hash covers."""

    actor: str
    """Username, ``anonymous`` or ``system``."""
    action: str
    """Dotted verb, e.g. ``auth.login``, ``users.grant``, ``dossier.submit``."""
    outcome: Outcome = Outcome.SUCCESS
    role: str | None = None
    agency_id: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    source_ip: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


def _canonical(row: AuditEventRow) -> bytes:
    occurred = row.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = {
        "id": row.id,
        "occurred_at": occurred,
        "actor": row.actor,
        "role": row.role,
        "agency_id": row.agency_id,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "outcome": row.outcome,
        "source_ip": row.source_ip,
        "details": row.details,
        "prev_hash": row.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(row: AuditEventRow) -> str:
    """SHA-256 (hex) of the event's canonical form."""
    return hashlib.sha256(_canonical(row)).hexdigest()


def _locked_head(session: Session) -> AuditHeadRow:
    lock_for_write(session)
    head = session.execute(
        select(AuditHeadRow).where(AuditHeadRow.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHeadRow(id=1, last_id=0, last_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    return head


def record_event(session: Session, entry: AuditEntry) -> AuditEventRow:
    """Append ``entry`` in the caller's transaction and return the stored row.

    The event commits or rolls back with the change it describes.
    """
    head = _locked_head(session)
    row = AuditEventRow(
        id=head.last_id + 1,
        occurred_at=utcnow(),
        actor=entry.actor,
        role=entry.role,
        agency_id=entry.agency_id,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        outcome=str(entry.outcome),
        source_ip=entry.source_ip,
        details=json.loads(json.dumps(dict(entry.details), default=str)),
        prev_hash=head.last_hash,
        hash="",
    )
    row.hash = compute_hash(row)
    session.add(row)
    head.last_id = row.id
    head.last_hash = row.hash
    session.flush()
    return row


@dataclass(frozen=True)
class ChainReport:
    """Result of :func:`verify_chain`."""

    ok: bool
    events: int
    """How many events were checked."""
    bad_id: int | None = None
    """Id of the first event that does not fit the chain."""
    reason: str = ""


def _iter_rows(session: Session, batch: int = 1000) -> Iterator[AuditEventRow]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.id > last)
            .order_by(AuditEventRow.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        session.expunge_all()


def verify_chain(session: Session) -> ChainReport:
    """Recompute the whole chain; report the first row that breaks it."""
    expected_prev = GENESIS_HASH
    expected_id = 1
    count = 0
    for row in _iter_rows(session):
        count += 1
        if row.id != expected_id:
            return ChainReport(False, count, row.id, f"event {expected_id} is missing")
        if row.prev_hash != expected_prev:
            return ChainReport(False, count, row.id, "previous-event hash does not match")
        if compute_hash(row) != row.hash:
            return ChainReport(False, count, row.id, "content does not match its hash")
        expected_prev = row.hash
        expected_id += 1
    head = session.get(AuditHeadRow, 1)
    if head is not None and (head.last_id != expected_id - 1 or head.last_hash != expected_prev):
        return ChainReport(False, count, expected_id, "events after the last one were deleted")
    return ChainReport(True, count)


@dataclass(frozen=True)
class AuditFilter:
    """Criteria for browsing the trail; every field optional."""

    actor: str | None = None
    action: str | None = None
    object_id: str | None = None
    agency_id: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def search_events(
    session: Session, criteria: AuditFilter, *, limit: int = 50, offset: int = 0
) -> tuple[list[AuditEventRow], int]:
    """Events matching ``criteria``, newest first, and the total count."""
    query = select(AuditEventRow)
    if criteria.actor:
        query = query.where(AuditEventRow.actor == criteria.actor)
    if criteria.action:
        query = query.where(AuditEventRow.action.startswith(criteria.action))
    if criteria.object_id:
        query = query.where(AuditEventRow.object_id == criteria.object_id)
    if criteria.agency_id:
        query = query.where(AuditEventRow.agency_id == criteria.agency_id)
    if criteria.outcome:
        query = query.where(AuditEventRow.outcome == criteria.outcome)
    if criteria.since:
        query = query.where(AuditEventRow.occurred_at >= criteria.since)
    if criteria.until:
        query = query.where(AuditEventRow.occurred_at < criteria.until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEventRow.id.desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), total
