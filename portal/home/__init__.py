"""Landing page and each role's home page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from portal.accounts import Role
from portal.auth.session import current_account, require_role
from portal.services import services
from storage.audit import AuditFilter, search_events
from storage.schema import AgencyRow, AuditEventRow, UserRow

bp = Blueprint("home", __name__)

#: The endpoint of each role's home page.
ROLE_HOME = {
    Role.ADMIN: "admin.users",
    Role.LEADER: "dossiers.leader_queue",
    Role.OFFICER: "dossiers.officer_queue",
    Role.AUTHOR: "home.author",
    Role.ARCHIVIST: "home.archivist",
    Role.AUDITOR: "home.auditor",
    Role.SUPERVISOR: "home.supervisor",
    Role.CITIZEN: "dossiers.citizen_home",
}


@bp.get("/")
def index() -> str | Response:
    account = current_account()
    if account is None:
        return render_template("home/landing.html")
    role = account.primary_role
    if role is None:
        return render_template("home/no_role.html")
    return redirect(url_for(ROLE_HOME[role]))


def _role_page(role: Role) -> str:
    account = current_account()
    assert account is not None
    with services().db.unit_of_work() as session:
        events, _ = search_events(session, AuditFilter(actor=account.username), limit=8)
        agency = session.get(AgencyRow, account.agency_id) if account.agency_id else None
        agencies = {
            row.id: row for row in session.scalars(select(AgencyRow).order_by(AgencyRow.id))
        }
        stats = None
        if role is Role.SUPERVISOR:
            stats = {
                "users": session.scalar(select(func.count()).select_from(UserRow)),
                "agencies": len(agencies),
                "events": session.scalar(select(func.count()).select_from(AuditEventRow)),
            }
    return render_template(
        "home/role.html",
        role=role,
        account=account,
        agency=agency,
        agencies=agencies,
        events=events,
        stats=stats,
    )


@bp.get("/authoring/")
@require_role(Role.AUTHOR)
def author() -> str:
    return _role_page(Role.AUTHOR)


@bp.get("/archivist/")
@require_role(Role.ARCHIVIST)
def archivist() -> str:
    return _role_page(Role.ARCHIVIST)


@bp.get("/auditor/")
@require_role(Role.AUDITOR)
def auditor() -> str:
    return _role_page(Role.AUDITOR)


@bp.get("/supervisor/")
@require_role(Role.SUPERVISOR)
def supervisor() -> str:
    return _role_page(Role.SUPERVISOR)
