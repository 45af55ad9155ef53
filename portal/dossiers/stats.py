"""``/stats``: reporting figures for leaders, supervisors and administrators.

Counts come from :func:`dossiers.queries.statistics` (one grouped, indexed
query); the page draws server-side SVG bar charts (attributes and classes,
no inline style, no JavaScript) and offers CSV and XLSX downloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, Response, render_template, request

from dossiers.calendar import VN_TZ
from dossiers.catalog import list_procedures
from dossiers.queries import Stats, statistics
from dossiers.reports import to_csv, to_xlsx
from portal.accounts import Account, Role
from portal.auth.session import audit, current_account, require_role
from portal.services import services
from storage.schema import AgencyRow, utcnow

bp = Blueprint("stats", __name__)

CHART_WIDTH = 640
BAR_HEIGHT = 18
LABEL_WIDTH = 150


@dataclass(frozen=True)
class Bar:
    """One horizontal bar segment of the SVG chart, in chart coordinates."""

    x: float
    y: float
    width: float
    css: str
    value: int


@dataclass(frozen=True)
class ChartRow:
    label: str
    y: float
    bars: tuple[Bar, ...]
    rate: float | None


def _visible_agencies(account: Account) -> frozenset[str] | None:
    """None: every agency (supervisors); else the agencies the account leads or administers."""
    if account.has_role(Role.SUPERVISOR):
        return None
    return frozenset(account.agencies_for(Role.LEADER) | account.agencies_for(Role.ADMIN))


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _period() -> tuple[date, date]:
    today = utcnow().astimezone(VN_TZ).date()
    first = _day(request.args.get("from"), today.replace(day=1))
    last = _day(request.args.get("to"), today)
    return (first, last) if first <= last else (last, first)


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time.min, tzinfo=VN_TZ).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=VN_TZ).astimezone(UTC)
    return start, end


def _figures(account: Account) -> tuple[Stats, date, date]:
    visible = _visible_agencies(account)
    agency = request.args.get("agency") or None
    if agency is not None:
        visible = frozenset({agency}) & visible if visible is not None else frozenset({agency})
    first, last = _period()
    start, end = _bounds(first, last)
    with services().db.unit_of_work() as session:
        figures = statistics(session, start=start, end=end, now=utcnow(), agency_ids=visible)
    procedure = request.args.get("procedure") or None
    if procedure:
        figures = Stats([r for r in figures.rows if r.procedure_code == procedure])
    return figures, first, last


def chart(figures: Stats) -> tuple[list[ChartRow], int]:
    """Stacked bars per row: resolved on time, late, in progress (of which overdue)."""
    rows = figures.rows
    biggest = max((r.received for r in rows), default=0) or 1
    scale = (CHART_WIDTH - LABEL_WIDTH - 60) / biggest
    out = []
    for i, r in enumerate(rows):
        y = 10 + i * (BAR_HEIGHT + 12)
        x = float(LABEL_WIDTH)
        bars = []
        for css, value in (
            ("bar-on-time", r.resolved_on_time),
            ("bar-late", r.resolved_late),
            ("bar-open", r.in_progress - r.overdue),
            ("bar-overdue", r.overdue),
        ):
            if value > 0:
                bars.append(Bar(x, y, value * scale, css, value))
                x += value * scale
        out.append(ChartRow(f"{r.agency_id} · {r.procedure_code}", y, tuple(bars), r.on_time_rate))
    return out, 20 + len(rows) * (BAR_HEIGHT + 12)


@bp.get("/stats")
@require_role(Role.LEADER, Role.SUPERVISOR, Role.ADMIN)
def page() -> str:
    account = current_account()
    assert account is not None
    figures, first, last = _figures(account)
    visible = _visible_agencies(account)
    with services().db.unit_of_work() as session:
        agencies = [
            (a.id, a.name_vi)
            for a in session.query(AgencyRow).order_by(AgencyRow.id)
            if visible is None or a.id in visible
        ]
        procedures = [
            p for p in list_procedures(session) if visible is None or p.agency_id in visible
        ]
    rows, height = chart(figures)
    return render_template(
        "dossiers/stats.html",
        figures=figures,
        total=figures.total(),
        rows=rows,
        chart_height=height,
        chart_width=CHART_WIDTH,
        agencies=agencies,
        procedures=procedures,
        first=first,
        last=last,
        args=request.args,
    )


@bp.get("/stats/export.<fmt>")
@require_role(Role.LEADER, Role.SUPERVISOR, Role.ADMIN)
def export(fmt: str) -> Response:
    account = current_account()
    assert account is not None
    figures, first, last = _figures(account)
    audit("stats.export", details={"format": fmt, "from": str(first), "to": str(last)})
    name = f"thong-ke-{first}-{last}"
    if fmt == "csv":
        response = Response(to_csv(figures), mimetype="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        body = to_xlsx(figures, title=f"Thống kê hồ sơ {first} – {last}")
        response = Response(
            body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        return Response(status=404)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
