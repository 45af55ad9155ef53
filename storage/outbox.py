"""The transactional outbox: integration events written with the change itself.

A status change and its event commit or roll back together; a delivery job
(``portal`` wires it) sends pending events later, at least once, in
``sequence`` order per aggregate, each with its ``event_id`` as the
idempotency key.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.schema.dossiers import OutboxEventRow


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
