"""Background work for the installation's administrators: start a backup, follow any job.

Backups concern the whole installation, so only administrators of the agency
that runs it (``EFORMS_HOME_AGENCY_ID``, or a unit above it) start them. The
job page refreshes itself every two seconds while the job runs and works
without JavaScript.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.accounts import Role
from portal.accounts.services import is_within
from portal.admin import bp
from portal.auth.session import audit, current_account, require_role
from portal.services import services
from storage.audit import Outcome
from storage.errors import JobNotFoundError

BACKUP_JOB = "storage.backup"


def _runs_installation() -> bool:
    """Whether the current account administers the agency that runs this installation."""
    account = current_account()
    if account is None:
        return False
    home = services().settings.home_agency_id
    with services().db.unit_of_work() as session:
        return any(is_within(session, home, own) for own in account.agencies_for(Role.ADMIN))


@bp.get("/cong-viec")
@require_role(Role.ADMIN)
def jobs() -> str:
    recent = services().job_ledger.recent(limit=30)
    return render_template("admin/jobs.html", jobs=recent, can_backup=_runs_installation())


@bp.post("/sao-luu")
@require_role(Role.ADMIN)
def backup() -> Response:
    if not _runs_installation():
        audit("storage.backup", outcome=Outcome.DENIED, object_type="installation")
        abort(403)
    full = request.form.get("full") == "1"
    job_id = services().jobs.submit(BACKUP_JOB, {"full": full})
    audit("storage.backup", object_type="job", object_id=job_id, details={"full": full})
    flash(_("Đã bắt đầu sao lưu."), "success")
    return redirect(url_for("admin.job", job_id=job_id))


@bp.get("/cong-viec/<job_id>")
@require_role(Role.ADMIN)
def job(job_id: str) -> str:
    try:
        progress = services().job_ledger.get(job_id)
    except JobNotFoundError:
        abort(404)
    return render_template("admin/job.html", job=progress, running=not progress.state.finished)
