"""Background work for the installation's administrators: start a backup or a fixity
audit of the archive, follow any job.

Both concern the whole installation, so only administrators of the agency
that runs it (``EFORMS_HOME_AGENCY_ID``, or a unit above it) start them. The
job page refreshes itself every two seconds while the job runs and works
without JavaScript; a finished fixity audit shows the objects it checked
and names those that failed.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from archive.fixity import scheduled_share
from portal.accounts import Role
from portal.accounts.services import is_within
from portal.admin import bp
from portal.auth.session import audit, current_account, require_role
from portal.services import services
from storage.audit import Outcome
from storage.errors import JobNotFoundError

BACKUP_JOB = "storage.backup"
FIXITY_JOB = "archive.fixity_audit"
FIXITY_START = "archive.fixity_audit.start"
"""Audit action of starting an audit (the run itself records ``archive.fixity_audit``)."""


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
    return render_template("admin/jobs.html", jobs=recent, runs_installation=_runs_installation())


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


@bp.post("/kiem-tra-toan-ven")
@require_role(Role.ADMIN)
def fixity_audit() -> Response:
    """Start the archive's fixity audit: the scheduled share, or every package."""
    if not _runs_installation():
        audit(FIXITY_START, outcome=Outcome.DENIED, object_type="installation")
        abort(403)
    built = services()
    everything = request.form.get("all") == "1"
    sample = (
        0
        if everything
        else scheduled_share(built.db, period_days=built.settings.archive_fixity_period_days)
    )
    account = current_account()
    actor = account.username if account else "system"
    job_id = built.jobs.submit(FIXITY_JOB, {"sample": sample, "actor": actor})
    audit(FIXITY_START, object_type="job", object_id=job_id, details={"sample": sample})
    flash(_("Đã bắt đầu kiểm tra toàn vẹn kho lưu trữ."), "success")
    return redirect(url_for("admin.job", job_id=job_id))


@bp.get("/cong-viec/<job_id>")
@require_role(Role.ADMIN)
def job(job_id: str) -> str:
    try:
        progress = services().job_ledger.get(job_id)
    except JobNotFoundError:
        abort(404)
    return render_template(
        "admin/job.html",
        job=progress,
        running=not progress.state.finished,
        fixity=progress.name == FIXITY_JOB,
    )
