"""Read side: officers' queues, the applicant's list, statistics.

Counts come from indexed aggregate queries, never from loading dossiers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from dossiers.model import DocumentKind, Dossier, IssuedResult
from dossiers.repository import to_dossier
from dossiers.status import Status
from storage.schema.dossiers import DossierDocumentRow, DossierRow

OPEN_STATUSES = tuple(str(s) for s in Status if s.is_open)


@dataclass(frozen=True)
class QueueFilter:
    agency_ids: frozenset[str]
    statuses: tuple[Status, ...] = ()
    procedure_code: str | None = None
    due_within_days: int | None = None
    """Only open dossiers due within this many days (overdue included)."""
    overdue_only: bool = False


def list_queue(
    session: Session,
    criteria: QueueFilter,
    *,
    now: datetime,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Dossier], int]:
    """Dossiers of the given agencies, the most urgent first, and the total."""
    query = select(DossierRow).where(DossierRow.agency_id.in_(criteria.agency_ids))
    if criteria.statuses:
        query = query.where(DossierRow.status.in_([str(s) for s in criteria.statuses]))
    if criteria.procedure_code:
        query = query.where(DossierRow.procedure_code == criteria.procedure_code)
    if criteria.overdue_only:
        query = query.where(DossierRow.status.in_(OPEN_STATUSES), DossierRow.due_at < now)
    elif criteria.due_within_days is not None:
        horizon = now + timedelta(days=criteria.due_within_days)
        query = query.where(DossierRow.status.in_(OPEN_STATUSES), DossierRow.due_at <= horizon)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(DossierRow.due_at.is_(None), DossierRow.due_at, DossierRow.id)
    rows = session.scalars(ordered.limit(limit).offset(offset)).all()
    return [to_dossier(r, with_details=False) for r in rows], total


def list_for_applicant(session: Session, user_id: int, *, limit: int = 100) -> list[Dossier]:
    rows = session.scalars(
        select(DossierRow)
        .where(DossierRow.applicant_user_id == user_id)
        .order_by(DossierRow.submitted_at.desc())
        .limit(limit)
    ).all()
    return [to_dossier(r, with_details=False) for r in rows]


@dataclass(frozen=True)
class StatsRow:
    """Figures for one group (agency and procedure) over a period."""

    agency_id: str
    procedure_code: str
    received_online: int = 0
    received_in_person: int = 0
    received_backfilled: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    in_progress: int = 0
    overdue: int = 0
    returned_for_supplement: int = 0

    @property
    def received(self) -> int:
        return self.received_online + self.received_in_person + self.received_backfilled

    @property
    def on_time_rate(self) -> float | None:
        resolved = self.resolved_on_time + self.resolved_late
        return None if resolved == 0 else self.resolved_on_time / resolved


@dataclass(frozen=True)
class Stats:
    rows: list[StatsRow] = field(default_factory=list)

    def total(self) -> StatsRow:
        names = [
            f for f in StatsRow.__dataclass_fields__ if f not in ("agency_id", "procedure_code")
        ]
        sums = {n: sum(getattr(r, n) for r in self.rows) for n in names}
        return StatsRow(agency_id="*", procedure_code="*", **sums)


def statistics(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    agency_ids: frozenset[str] | None = None,
) -> Stats:
    """Reporting figures for dossiers submitted in ``[start, end)``, by agency and procedure."""
    d = DossierRow
    resolved = d.resolved_at.is_not(None) & d.status.in_(["result_issued", "closed"])
    late = resolved & d.due_at.is_not(None) & (d.resolved_at > d.due_at)
    open_ = d.status.in_(OPEN_STATUSES)

    def count(condition: object) -> object:
        return func.sum(case((condition, 1), else_=0))

    query = (
        select(
            d.agency_id,
            d.procedure_code,
            count(d.channel == "online"),
            count(d.channel == "in_person"),
            count(d.channel == "backfilled"),
            count(and_(resolved, ~late)),
            count(late),
            count(open_),
            count(and_(open_, d.due_at.is_not(None), d.due_at < now)),
            count(d.supplement_count > 0),
        )
        .where(d.submitted_at >= start, d.submitted_at < end)
        .group_by(d.agency_id, d.procedure_code)
        .order_by(d.agency_id, d.procedure_code)
    )
    if agency_ids is not None:
        query = query.where(d.agency_id.in_(agency_ids))
    rows = [
        StatsRow(a, p, *(int(v or 0) for v in values)) for a, p, *values in session.execute(query)
    ]
    return Stats(rows)


def find_issued_result(session: Session, sha256: str) -> IssuedResult | None:
    """The signed result whose bytes have this SHA-256 (hex), if this system issued one.

    Only the file as it was kept matches: a copy changed in any byte (even
    re-saved) is not found, which is the point.
    """
    row = session.execute(
        select(DossierDocumentRow, DossierRow.code)
        .join(DossierRow, DossierDocumentRow.dossier_id == DossierRow.id)
        .where(
            DossierDocumentRow.sha256 == sha256.lower(),
            DossierDocumentRow.kind == str(DocumentKind.RESULT),
            DossierDocumentRow.signed.is_(True),
        )
        .order_by(DossierDocumentRow.created_at)
        .limit(1)
    ).first()
    if row is None:
        return None
    document, code = row
    return IssuedResult(dossier_code=code, title=document.title, issued_at=document.created_at)
