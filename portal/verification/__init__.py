"""Signature verification in the portal: auditors' page and history, public page, JSON API.

- ``/verification/``: auditors and supervisors upload a PDF, see the report,
  download it as JSON or PDF; every verification is kept in ``verifications``
  (the report only, never the PDF) and in the audit trail.
- ``/verify``: anyone uploads a PDF and sees whether it is authentic and
  unchanged; rate-limited and size-limited, nothing is stored.
- ``POST /api/v1/verify``: the JSON report for a PDF (the request body, or a
  multipart ``file``); rate-limited, nothing stored beyond the history row.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup
from werkzeug.wrappers.response import Response as WerkzeugResponse

from dossiers import get_dossier
from portal.accounts import Role
from portal.auth.session import audit, current_account, require_role
from portal.security import csrf, limiter
from portal.services import services
from portal.verification.history import get_verification, list_verifications, record_verification
from signing.validation import (
    VerificationInputError,
    VerificationReport,
    render_pdf,
    report_from_dict,
    report_json,
)
from signing.validation.rendering import render_fragment

bp = Blueprint("verification", __name__)
PAGE_SIZE = 30


class UploadForm(FlaskForm):
    document = FileField(
        _l("Tệp PDF đã ký"), validators=[FileRequired(_l("Hãy chọn một tệp PDF."))]
    )


def _public_limit() -> str:
    return services().settings.verify_public_rate_limit


def _public_max_bytes() -> int:
    return services().settings.verify_public_max_mb * 1024 * 1024


def _report_html(report: VerificationReport) -> Markup:
    # render_fragment escapes every value it takes from the document or certificates.
    return Markup(render_fragment(report))  # noqa: S704 - escaped by render_fragment


@bp.route("/verification/", methods=["GET", "POST"])
@require_role(Role.AUDITOR, Role.SUPERVISOR)
def auditor() -> str | WerkzeugResponse:
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.document.data
        report = services().verifier.verify(upload.read())
        account = current_account()
        assert account is not None
        with services().db.unit_of_work() as session:
            row = record_verification(
                session, actor=account.username, filename=upload.filename or "", report=report
            )
            row_id = row.id
        audit(
            "signature.verify",
            object_type="verification",
            object_id=str(row_id),
            details={"sha256": report.document_sha256, "indication": report.indication.value},
        )
        return redirect(url_for("verification.show", verification_id=row_id))
    page = max(1, request.args.get("page", 1, type=int) or 1)
    with services().db.unit_of_work() as session:
        rows, total = list_verifications(session, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        history = [
            {
                "id": r.id,
                "verified_at": r.verified_at,
                "actor": r.actor,
                "filename": r.filename,
                "indication": r.indication,
                "signature_count": r.signature_count,
            }
            for r in rows
        ]
    return render_template(
        "verification/auditor.html",
        form=form,
        history=history,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


@bp.post("/verification/dossiers/<code>/<int:document_id>")
@require_role(Role.AUDITOR, Role.SUPERVISOR)
def verify_dossier_document(code: str, document_id: int) -> WerkzeugResponse:
    """Verify a document kept in a dossier (picked on the dossier page), with history."""
    svc = services()
    with svc.db.unit_of_work() as session:
        dossier = get_dossier(session, code)
    document = next((d for d in dossier.documents if d.id == document_id), None)
    if document is None:
        abort(404)
    with svc.object_store.get(document.object_key) as reader:
        data = reader.read()
    report = svc.verifier.verify(data)
    account = current_account()
    assert account is not None
    name = f"{code}/{document.file_name}"
    with svc.db.unit_of_work() as session:
        row_id = record_verification(
            session, actor=account.username, filename=name, report=report
        ).id
    audit(
        "signature.verify",
        object_type="dossier",
        object_id=code,
        details={"document": document_id, "indication": report.indication.value},
    )
    return redirect(url_for("verification.show", verification_id=row_id))


def _stored(verification_id: int) -> tuple[str, VerificationReport]:
    with services().db.unit_of_work() as session:
        row = get_verification(session, verification_id)
        if row is None:
            abort(404)
        return row.filename, report_from_dict(row.report)


@bp.get("/verification/<int:verification_id>")
@require_role(Role.AUDITOR, Role.SUPERVISOR)
def show(verification_id: int) -> str:
    filename, report = _stored(verification_id)
    return render_template(
        "verification/report.html",
        verification_id=verification_id,
        filename=filename,
        report=report,
        report_html=_report_html(report),
    )


@bp.get("/verification/<int:verification_id>.json")
@require_role(Role.AUDITOR, Role.SUPERVISOR)
def download_json(verification_id: int) -> Response:
    _, report = _stored(verification_id)
    return Response(
        report_json(report),
        mimetype="application/json",
        headers={
            "Content-Disposition": f"attachment; filename=verification-{verification_id}.json"
        },
    )


@bp.get("/verification/<int:verification_id>.pdf")
@require_role(Role.AUDITOR, Role.SUPERVISOR)
def download_pdf(verification_id: int) -> Response:
    _, report = _stored(verification_id)
    return Response(
        render_pdf(report),
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=verification-{verification_id}.pdf"},
    )


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(_public_limit, methods=["POST"])
def public() -> str:
    """Anyone: is this document authentic and unchanged? Nothing is stored."""
    form = UploadForm()
    report = error = None
    if form.validate_on_submit():
        data = form.document.data.read(_public_max_bytes() + 1)
        try:
            report = services().verifier.verify(data, max_bytes=_public_max_bytes())
        except VerificationInputError as exc:
            error = exc
    return render_template(
        "verification/public.html",
        form=form,
        report=report,
        report_html=_report_html(report) if report else None,
        error=error,
        max_mb=services().settings.verify_public_max_mb,
    )


@bp.post("/api/v1/verify")
@csrf.exempt
@limiter.limit(_public_limit)
def api_verify() -> tuple[Response, int]:
    """The JSON report; the PDF is the body (``application/pdf``) or a multipart ``file``."""
    upload = request.files.get("file")
    data = upload.read(_public_max_bytes() + 1) if upload else request.get_data(cache=False)
    try:
        report = services().verifier.verify(data, max_bytes=_public_max_bytes())
    except VerificationInputError as exc:
        body = {"code": exc.code, "message_vi": exc.message_vi, "message_en": exc.message_en}
        return jsonify(error=body), exc.http_status
    with services().db.unit_of_work() as session:
        record_verification(
            session, actor="api", filename=(upload.filename or "") if upload else "", report=report
        )
    return Response(report_json(report), mimetype="application/json"), 200
