"""The transactional outbox: integration events written with the change itself,
delivered afterwards to every configured endpoint, at least once, in order.

- ``append_event`` runs in the caller's transaction: the event exists if and
  only if the change it reports was committed.
- ``deliver_pending`` sends due events as JSON with an HMAC-SHA256 signature
  (``X-Eforms-Signature: sha256=<hex>`` over ``<timestamp>.<body>``) and the
  event id as idempotency key (``X-Eforms-Event-Id``). A 2xx answer marks the
  delivery done; anything else is retried with exponential backoff, and after
  ``max_attempts`` the delivery is parked as ``dead`` for an administrator to
  replay. Events of one aggregate (dossier) go out strictly in sequence: a
  later event waits while an earlier one is pending or dead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from storage.db import Database
from storage.schema.base import utcnow
from storage.schema.dossiers import OutboxDeliveryRow, OutboxEventRow

log = logging.getLogger(__name__)

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"


def append_event(
    session: Session, *, aggregate_id: str, event_type: str, payload: Mapping[str, Any]
) -> OutboxEventRow:
    """Add an event for ``aggregate_id`` in the caller's transaction."""
    last = session.scalar(
        select(func.max(OutboxEventRow.sequence)).where(OutboxEventRow.aggregate_id == aggregate_id)
    )
    row = OutboxEventRow(
        event_id=str(uuid.uuid4()),
        aggregate_id=aggregate_id,
        sequence=(last or 0) + 1,
        event_type=event_type,
        payload=dict(payload),
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class DeliveryPolicy:
    """Where and how to deliver."""

    endpoints: tuple[str, ...]
    secret: str
    """Shared HMAC key; receivers verify ``X-Eforms-Signature`` with it."""
    max_attempts: int = 12
    base_backoff: timedelta = timedelta(seconds=5)
    max_backoff: timedelta = timedelta(hours=1)
    timeout: float = 10.0
    batch: int = 200

    def backoff(self, attempts: int) -> timedelta:
        return min(self.base_backoff * (2 ** max(0, attempts - 1)), self.max_backoff)


def event_body(event: OutboxEventRow) -> bytes:
    """The JSON document sent for ``event`` (format in docs/operations.md)."""
    document = {
        "event_id": event.event_id,
        "type": event.event_type,
        "aggregate_id": event.aggregate_id,
        "sequence": event.sequence,
        "created_at": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``timestamp + "." + body``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


Poster = Callable[[str, bytes, dict[str, str], float], int]


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST and return the status code; connection problems raise ``OSError``-like errors."""
    return requests.post(url, data=body, headers=headers, timeout=timeout).status_code


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int = 0
    failed: int = 0
    dead: int = 0


def _ensure_rows(session: Session, endpoint: str) -> None:
    missing = select(OutboxEventRow.id).where(
        ~exists().where(
            and_(
                OutboxDeliveryRow.event_pk == OutboxEventRow.id,
                OutboxDeliveryRow.endpoint == endpoint,
            )
        )
    )
    for event_pk in session.scalars(missing):
        session.add(OutboxDeliveryRow(event_pk=event_pk, endpoint=endpoint, state=PENDING))
    session.flush()


def _due(session: Session, endpoint: str, now: datetime, limit: int) -> Sequence[Any]:
    earlier_event = aliased(OutboxEventRow)
    earlier_delivery = aliased(OutboxDeliveryRow)
    blocked = exists().where(
        and_(
            earlier_delivery.endpoint == endpoint,
            earlier_delivery.state != DELIVERED,
            earlier_delivery.event_pk == earlier_event.id,
            earlier_event.aggregate_id == OutboxEventRow.aggregate_id,
            earlier_event.sequence < OutboxEventRow.sequence,
        )
    )
    query = (
        select(OutboxDeliveryRow, OutboxEventRow)
        .join(OutboxEventRow, OutboxEventRow.id == OutboxDeliveryRow.event_pk)
        .where(
            OutboxDeliveryRow.endpoint == endpoint,
            OutboxDeliveryRow.state == PENDING,
            (OutboxDeliveryRow.next_attempt_at.is_(None))
            | (OutboxDeliveryRow.next_attempt_at <= now),
            ~blocked,
        )
        .order_by(OutboxEventRow.id)
        .limit(limit)
        .with_for_update(of=OutboxDeliveryRow, skip_locked=True)
    )
    return session.execute(query).all()


def _send(
    delivery: OutboxDeliveryRow,
    event: OutboxEventRow,
    policy: DeliveryPolicy,
    post: Poster,
    now: datetime,
) -> str:
    body = event_body(event)
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Eforms-Event-Id": event.event_id,
        "X-Eforms-Timestamp": timestamp,
        "X-Eforms-Signature": sign(policy.secret, timestamp, body),
    }
    delivery.attempts += 1
    try:
        status = post(delivery.endpoint, body, headers, policy.timeout)
        error = None if 200 <= status < 300 else f"HTTP {status}"
    except (requests.RequestException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    if error is None:
        delivery.state, delivery.delivered_at, delivery.last_error = DELIVERED, now, None
        return DELIVERED
    delivery.last_error = error
    if delivery.attempts >= policy.max_attempts:
        delivery.state = DEAD
        log.error("outbox event %s to %s gave up: %s", event.event_id, delivery.endpoint, error)
        return DEAD
    delivery.next_attempt_at = now + policy.backoff(delivery.attempts)
    return "failed"


def deliver_pending(
    db: Database,
    policy: DeliveryPolicy,
    *,
    now: Callable[[], datetime] = utcnow,
    post: Poster = http_post,
) -> DeliveryReport:
    """One delivery pass over every endpoint; safe to run from several processes."""
    counts = {DELIVERED: 0, "failed": 0, DEAD: 0}
    for endpoint in policy.endpoints:
        with db.unit_of_work() as session:
            _ensure_rows(session, endpoint)
        while True:
            with db.unit_of_work() as session:
                due = _due(session, endpoint, now(), policy.batch)
                delivered_now = 0
                for delivery, event in due:
                    outcome = _send(delivery, event, policy, post, now())
                    counts[outcome] += 1
                    delivered_now += outcome == DELIVERED
            # A delivered event may unblock the next one of its dossier: go again.
            if delivered_now == 0:
                break
    return DeliveryReport(counts[DELIVERED], counts["failed"], counts[DEAD])


@dataclass(frozen=True)
class DeliveryView:
    id: int
    event_id: str
    aggregate_id: str
    sequence: int
    event_type: str
    endpoint: str
    state: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None


def list_deliveries(
    session: Session, *, state: str | None = None, limit: int = 100
) -> list[DeliveryView]:
    """Deliveries, newest first, optionally only those in ``state`` (e.g. ``dead``)."""
    query = select(OutboxDeliveryRow, OutboxEventRow).join(
        OutboxEventRow, OutboxEventRow.id == OutboxDeliveryRow.event_pk
    )
    if state:
        query = query.where(OutboxDeliveryRow.state == state)
    rows = session.execute(query.order_by(OutboxDeliveryRow.id.desc()).limit(limit)).all()
    return [
        DeliveryView(
            d.id,
            e.event_id,
            e.aggregate_id,
            e.sequence,
            e.event_type,
            d.endpoint,
            d.state,
            d.attempts,
            d.last_error,
            d.next_attempt_at,
        )
        for d, e in rows
    ]


def replay(session: Session, *, delivery_ids: Sequence[int] | None = None) -> int:
    """Put dead deliveries (all, or the given ones) back to pending; return how many."""
    query = select(OutboxDeliveryRow).where(OutboxDeliveryRow.state == DEAD)
    if delivery_ids is not None:
        query = query.where(OutboxDeliveryRow.id.in_(list(delivery_ids)))
    rows = session.scalars(query).all()
    for row in rows:
        row.state, row.attempts, row.next_attempt_at = PENDING, 0, None
    session.flush()
    return len(rows)
