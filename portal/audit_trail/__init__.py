"""Auditors and supervisors browse, filter and verify the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request

from portal.accounts import Role
from portal.auth.session import audit, require_role
from portal.services import services
from storage.audit import AuditFilter, Outcome, search_events, verify_chain

bp = Blueprint("audit_trail", __name__, url_prefix="/audit")

PAGE_SIZE = 50
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _parse_day(value: str | None) -> datetime | None:
    """A ``YYYY-MM-DD`` day as the UTC instant of its start in Vietnam time."""
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time.min, tzinfo=VN_TZ).astimezone(UTC)


@bp.get("/")
@require_role(Role.AUDITOR, Role.SUPERVISOR)
def events() -> str:
    args = request.args
    until = _parse_day(args.get("until"))
    criteria = AuditFilter(
        actor=args.get("actor") or None,
        action=args.get("action") or None,
        object_id=args.get("object") or None,
        outcome=args.get("outcome") if args.get("outcome") in set(Outcome) else None,
        since=_parse_day(args.get("since")),
        until=until + timedelta(days=1) if until else None,
    )
    page = max(1, args.get("page", 1, type=int) or 1)
    with services().db.unit_of_work() as session:
        rows, total = search_events(
            session, criteria, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    audit("audit.browse", details={k: v for k, v in args.items() if v})
    return render_template(
        "audit_trail/events.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        args=args,
        outcomes=list(Outcome),
        tz=VN_TZ,
    )


@bp.get("/verify")
@require_role(Role.AUDITOR, Role.SUPERVISOR)
def verify() -> str:
    with services().db.unit_of_work() as session:
        report = verify_chain(session)
    audit(
        "audit.verify",
        outcome=Outcome.SUCCESS if report.ok else Outcome.FAILURE,
        details={"events": report.events, "bad_id": report.bad_id},
    )
    return render_template("audit_trail/verify.html", report=report)
