"""``/stats``: reporting figures for leaders, supervisors and administrators.

Counts come from :func:`dossiers.queries.statistics` (one grouped, indexed
query); the page draws server-side SVG bar charts (attributes and classes,
no inline style, no JavaScript) and offers CSV and XLSX downloads.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request

from dossiers import DossierError
from dossiers.calendar import VN_TZ
from dossiers.catalog import list_procedures
from dossiers.queries import ReportingPeriod, Stats, reporting_period, statistics
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


def _period() -> ReportingPeriod:
    """The period asked for; a bad date is refused (``dossiers.bad_period``, 400)."""
    today = utcnow().astimezone(VN_TZ).date()
    return reporting_period(request.args.get("from"), request.args.get("to"), today=today)


def _figures(account: Account, period: ReportingPeriod) -> Stats:
    visible = _visible_agencies(account)
    agency = request.args.get("agency") or None
    if agency is not None:
        visible = frozenset({agency}) & visible if visible is not None else frozenset({agency})
    with services().db.unit_of_work() as session:
        figures = statistics(
            session, start=period.start, end=period.end, now=utcnow(), agency_ids=visible
        )
    procedure = request.args.get("procedure") or None
    if procedure:
        figures = Stats([r for r in figures.rows if r.procedure_code == procedure])
    return figures


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
def page() -> tuple[str, int]:
    account = current_account()
    assert account is not None
    error: DossierError | None = None
    try:
        period = _period()
        figures = _figures(account, period)
        first, last = str(period.first), str(period.last)
    except DossierError as exc:
        # The form stays on the page, with the dates as typed and the reason.
        error, figures = exc, Stats()
        first, last = request.args.get("from", ""), request.args.get("to", "")
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
        error=error,
    ), 400 if error else 200


@bp.get("/stats/export.<fmt>")
@require_role(Role.LEADER, Role.SUPERVISOR, Role.ADMIN)
def export(fmt: str) -> Response:
    account = current_account()
    assert account is not None
    if fmt not in ("csv", "xlsx"):
        return Response(status=404)
    period = _period()
    figures = _figures(account, period)
    first, last = period.first, period.last
    audit("stats.export", details={"format": fmt, "from": str(first), "to": str(last)})
    name = f"thong-ke-{first}-{last}"
    if fmt == "csv":
        response = Response(to_csv(figures), mimetype="text/csv; charset=utf-8")
    else:
        body = to_xlsx(figures, title=f"Thống kê hồ sơ {first} – {last}")
        response = Response(
            body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
