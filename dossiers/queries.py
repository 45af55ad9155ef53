"""Read side: officers' queues, the applicant's list, statistics.

Counts come from indexed aggregate queries, never from loading dossiers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from dossiers.calendar import VN_TZ
from dossiers.errors import DossierError
from dossiers.model import DocumentKind, Dossier, IssuedResult
from dossiers.repository import to_dossier
from dossiers.status import Status
from storage.schema.accounts import AgencyRow
from storage.schema.dossiers import DossierDocumentRow, DossierEventRow, DossierRow, ProcedureRow

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
    agency_name: str = ""
    """The agency's Vietnamese name (for the exports)."""
    procedure_name: str = ""
    """The procedure's Vietnamese name (for the exports)."""

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
        labels = ("agency_id", "procedure_code", "agency_name", "procedure_name")
        names = [f for f in StatsRow.__dataclass_fields__ if f not in labels]
        sums = {n: sum(getattr(r, n) for r in self.rows) for n in names}
        return StatsRow(agency_id="*", procedure_code="*", **sums)


#: Reporting periods start no earlier: no dossier of this system predates it.
EARLIEST_DAY = date(2000, 1, 1)


@dataclass(frozen=True)
class ReportingPeriod:
    """Vietnam days ``first`` to ``last``, both included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        """The first instant, in UTC."""
        return datetime.combine(self.first, time.min, tzinfo=VN_TZ).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The instant just after the period (midnight after ``last``), in UTC."""
        after = self.last + timedelta(days=1)
        return datetime.combine(after, time.min, tzinfo=VN_TZ).astimezone(UTC)


def reporting_period(first: str | None, last: str | None, *, today: date) -> ReportingPeriod:
    """The period from ``YYYY-MM-DD`` strings; by default the 1st of the month to ``today``.

    ``last`` may lie ahead within the current year (the month or the year being
    reported on); the figures then run to the present. Refused with a message
    saying what to change (``dossiers.bad_period``): a malformed or impossible
    date, a day before 2000, ``first`` after ``today``, ``last`` after the end of
    the year, and ``last`` before ``first``.
    """
    period = ReportingPeriod(
        _period_day(first, "from", "Từ ngày", latest=today) or today.replace(day=1),
        _period_day(last, "to", "Đến ngày", latest=date(today.year, 12, 31)) or today,
    )
    if period.last < period.first:
        raise DossierError(
            f"'Đến ngày' ({period.last:%d/%m/%Y}) trước 'Từ ngày' ({period.first:%d/%m/%Y}); "
            "hãy đổi lại hai ngày.",
            f"'to' ({period.last}) is before 'from' ({period.first}); swap the two dates.",
            code="dossiers.bad_period",
            details={"from": str(period.first), "to": str(period.last)},
        )
    return period


def _period_day(value: str | None, name: str, label_vi: str, *, latest: date) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise DossierError(
            f"'{label_vi}' ({value!r}) không phải ngày hợp lệ; nhập theo dạng NNNN-TT-NN, "
            "ví dụ 2026-11-01.",
            f"'{name}' ({value!r}) is not a valid date; use YYYY-MM-DD, e.g. 2026-11-01.",
            code="dossiers.bad_period",
            details={name: value},
        ) from exc
    if not EARLIEST_DAY <= day <= latest:
        raise DossierError(
            f"'{label_vi}' ({day:%d/%m/%Y}) phải từ 01/01/2000 đến {latest:%d/%m/%Y}.",
            f"'{name}' ({day}) must be between 2000-01-01 and {latest}.",
            code="dossiers.bad_period",
            details={name: value},
        )
    return day


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
    # Resolved means a result was issued: a dossier closed after a rejection or a
    # withdrawal also carries ``resolved_at`` but is not counted as resolved.
    issued = exists().where(
        DossierEventRow.dossier_id == d.id, DossierEventRow.action == "issue_result"
    )
    resolved = d.resolved_at.is_not(None) & (
        (d.status == "result_issued") | ((d.status == "closed") & issued)
    )
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
            AgencyRow.name_vi,
            ProcedureRow.name_vi,
        )
        .join(AgencyRow, AgencyRow.id == d.agency_id)
        .join(ProcedureRow, ProcedureRow.code == d.procedure_code)
        .where(d.submitted_at >= start, d.submitted_at < end)
        .group_by(d.agency_id, d.procedure_code, AgencyRow.name_vi, ProcedureRow.name_vi)
        .order_by(d.agency_id, d.procedure_code)
    )
    if agency_ids is not None:
        query = query.where(d.agency_id.in_(agency_ids))
    rows = [
        StatsRow(a, p, *(int(v or 0) for v in values), agency_name=an, procedure_name=pn)
        for a, p, *values, an, pn in session.execute(query)
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
