"""Archivist pages for the archive queue: closed dossiers waiting, ingested in the background.

Closing a dossier puts it in the archive queue. The archivist reviews the
list (procedure, closing date, outcome), picks dossiers or takes them all,
and the job ``archive.ingest_queue`` packages and ingests them one by one
(:func:`portal.archive_records.ingest_queue_job`); the progress page is the
one the administrators' jobs use (``templates/jobs/progress.html``).
Archivists only, like the other archive pages (province-wide role).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.accounts import Role
from portal.archive_records import INGEST_JOB, archive_queue, waiting_count, waiting_dossiers
from portal.archivist import bp
from portal.auth.session import audit, current_account, require_role
from portal.services import services
from storage.errors import JobNotFoundError


@bp.get("/queue")
@require_role(Role.ARCHIVIST)
def queue() -> str:
    built = services()
    return render_template(
        "archivist/queue.html", waiting=archive_queue(built), total=waiting_count(built)
    )


@bp.post("/queue/ingest")
@require_role(Role.ARCHIVIST)
def ingest_queue() -> Response:
    """Start packaging and ingesting the chosen dossiers (or every waiting one)."""
    account = current_account()
    assert account is not None  # require_role logged the user in
    if request.form.get("scope") == "all":
        codes = waiting_dossiers(services())
    else:
        codes = list(dict.fromkeys(request.form.getlist("codes")))
    if not codes:
        flash(_("Chọn ít nhất một hồ sơ để nộp lưu."), "error")
        return redirect(url_for("archivist.queue"))
    job_id = services().jobs.submit(INGEST_JOB, {"codes": codes, "actor": account.username})
    audit("archive.ingest_queue", object_type="job", object_id=job_id, details={"codes": codes})
    flash(_("Đã bắt đầu nộp lưu %(count)s hồ sơ.", count=len(codes)), "success")
    return redirect(url_for("archivist.ingest_job", job_id=job_id))


@bp.get("/queue/jobs/<job_id>")
@require_role(Role.ARCHIVIST)
def ingest_job(job_id: str) -> str:
    try:
        job = services().job_ledger.get(job_id)
    except JobNotFoundError:
        abort(404)
    if job.name != INGEST_JOB:
        abort(404)
    return render_template("archivist/ingest_job.html", job=job, running=not job.state.finished)
