"""Signature verification in the portal: auditors' page and history, public page, JSON API.

- ``/verification/``: auditors and supervisors upload a PDF, see the report,
  download it as JSON, PDF or ETSI XML; every verification is kept in
  ``verifications`` (the reports only, never the PDF) and in the audit trail.
- ``/verify``: anyone uploads a PDF and sees whether it is authentic and
  unchanged, and whether it is a result this system issued (its SHA-256
  among the kept signed results: the dossier code, or plainly "not one of
  ours"); rate-limited, size- and signature-count-limited, nothing is stored.
- ``POST /api/v1/verify``: the JSON report for a PDF (the request body, or a
  multipart ``file``), or the ETSI TS 119 102-2 XML (``?format=etsi-xml`` or
  ``Accept: application/xml``); rate-limited, nothing stored beyond the
  history row.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup
from werkzeug.wrappers.response import Response as WerkzeugResponse

from dossiers import find_issued_result, get_dossier
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
AUDITOR_XML_MAX_SIGNATURES = 50
"""Above this many signatures the auditor's page makes no ETSI XML (seconds per 50)."""


class UploadForm(FlaskForm):
    document = FileField(
        _l("Tệp PDF đã ký"), validators=[FileRequired(_l("Hãy chọn một tệp PDF."))]
    )


def _public_limit() -> str:
    return services().settings.verify_public_rate_limit


def _public_max_bytes() -> int:
    return services().settings.verify_public_max_mb * 1024 * 1024


def _verify_public(data: bytes) -> VerificationReport:
    """The public page and API: lower size and signature-count limits than the auditor's."""
    settings = services().settings
    return services().verifier.verify(
        data,
        max_bytes=_public_max_bytes(),
        max_signatures=settings.verify_public_max_signatures,
    )


def _report_html(report: VerificationReport) -> Markup:
    # render_fragment escapes every value it takes from the document or certificates.
    return Markup(render_fragment(report))  # noqa: S704 - escaped by render_fragment


@bp.route("/verification/", methods=["GET", "POST"])
@require_role(Role.AUDITOR, Role.SUPERVISOR)
def auditor() -> str | WerkzeugResponse:
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.document.data
        report, etsi_xml = _verify_with_xml(upload.read())
        account = current_account()
        assert account is not None
        with services().db.unit_of_work() as session:
            row = record_verification(
                session,
                actor=account.username,
                filename=upload.filename or "",
                report=report,
                etsi_xml=etsi_xml,
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
    report, etsi_xml = _verify_with_xml(data)
    account = current_account()
    assert account is not None
    name = f"{code}/{document.file_name}"
    with svc.db.unit_of_work() as session:
        row_id = record_verification(
            session, actor=account.username, filename=name, report=report, etsi_xml=etsi_xml
        ).id
    audit(
        "signature.verify",
        object_type="dossier",
        object_id=code,
        details={"document": document_id, "indication": report.indication.value},
    )
    return redirect(url_for("verification.show", verification_id=row_id))


def _verify_with_xml(data: bytes) -> tuple[VerificationReport, bytes | None]:
    """The auditor's verification: the report and the ETSI XML of one reading of the file.

    pyHanko's AdES process behind the XML costs about 0.1 s per signature on
    top of the verification, so files with more than
    :data:`AUDITOR_XML_MAX_SIGNATURES` signatures get the report only.
    """
    verifier = services().verifier
    pdf = verifier.open(data)
    report = verifier.verify(pdf)
    if len(pdf.signatures) > AUDITOR_XML_MAX_SIGNATURES:
        return report, None
    return report, verifier.etsi_xml(pdf)


def _stored(verification_id: int) -> tuple[str, VerificationReport, str | None]:
    with services().db.unit_of_work() as session:
        row = get_verification(session, verification_id)
        if row is None:
            abort(404)
        return row.filename, report_from_dict(row.report), row.etsi_xml


@bp.get("/verification/<int:verification_id>")
@require_role(Role.AUDITOR, Role.SUPERVISOR)
def show(verification_id: int) -> str:
    filename, report, etsi_xml = _stored(verification_id)
    return render_template(
        "verification/report.html",
        verification_id=verification_id,
        filename=filename,
        report=report,
        report_html=_report_html(report),
        has_etsi_xml=etsi_xml is not None,
    )


@bp.get("/verification/<int:verification_id>.json")
@require_role(Role.AUDITOR, Role.SUPERVISOR)
def download_json(verification_id: int) -> Response:
    _, report, _ = _stored(verification_id)
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
    _, report, _ = _stored(verification_id)
    return Response(
        render_pdf(report),
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=verification-{verification_id}.pdf"},
    )


@bp.get("/verification/<int:verification_id>.xml")
@require_role(Role.AUDITOR, Role.SUPERVISOR)
def download_etsi_xml(verification_id: int) -> Response:
    """The ETSI TS 119 102-2 XML made at verification time (the PDF itself is not kept)."""
    _, _, etsi_xml = _stored(verification_id)
    if etsi_xml is None:
        abort(404)
    return Response(
        etsi_xml,
        mimetype="application/xml",
        headers={"Content-Disposition": f"attachment; filename=verification-{verification_id}.xml"},
    )


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(_public_limit, methods=["POST"])
def public() -> tuple[str, int]:
    """Anyone: is this document authentic and unchanged? Nothing is stored."""
    form = UploadForm()
    report = error = issued = None
    if form.validate_on_submit():
        data = form.document.data.read(_public_max_bytes() + 1)
        try:
            report = _verify_public(data)
        except VerificationInputError as exc:
            error = exc
        else:
            with services().db.unit_of_work() as session:
                issued = find_issued_result(session, report.document_sha256)
    page = render_template(
        "verification/public.html",
        form=form,
        report=report,
        report_html=_report_html(report) if report else None,
        issued=issued,
        error=error,
        max_mb=services().settings.verify_public_max_mb,
        max_signatures=services().settings.verify_public_max_signatures,
    )
    return page, error.http_status if error else 200


@bp.post("/api/v1/verify")
@csrf.exempt
@limiter.limit(_public_limit)
def api_verify() -> tuple[Response, int]:
    """The JSON report, or the ETSI XML report with ``?format=etsi-xml`` or
    ``Accept: application/xml``; the PDF is the body (``application/pdf``) or a
    multipart ``file``."""
    upload = request.files.get("file")
    data = upload.read(_public_max_bytes() + 1) if upload else request.get_data(cache=False)
    want_xml = _wants_etsi_xml()
    if want_xml is None:
        return _api_error(
            "signing.verify.format",
            "Tham số format chỉ nhận 'json' hoặc 'etsi-xml'.",
            "The format parameter takes 'json' or 'etsi-xml' only.",
            400,
        )
    verifier = services().verifier
    try:
        pdf = verifier.open(
            data,
            max_bytes=_public_max_bytes(),
            max_signatures=services().settings.verify_public_max_signatures,
        )
    except VerificationInputError as exc:
        return _api_error(exc.code, exc.message_vi, exc.message_en, exc.http_status)
    report = verifier.verify(pdf)
    etsi_xml = verifier.etsi_xml(pdf) if want_xml else None
    with services().db.unit_of_work() as session:
        record_verification(
            session,
            actor="api",
            filename=(upload.filename or "") if upload else "",
            report=report,
            etsi_xml=etsi_xml,
        )
    if etsi_xml is not None:
        return Response(etsi_xml, mimetype="application/xml"), 200
    return Response(report_json(report), mimetype="application/json"), 200


def _wants_etsi_xml() -> bool | None:
    """``?format=`` first, else content negotiation; ``None`` for an unknown format."""
    fmt = request.args.get("format")
    if fmt is not None:
        return {"json": False, "etsi-xml": True}.get(fmt)
    best = request.accept_mimetypes.best_match(["application/json", "application/xml"])
    return best == "application/xml"


def _api_error(code: str, message_vi: str, message_en: str, status: int) -> tuple[Response, int]:
    body = {"code": code, "message_vi": message_vi, "message_en": message_en}
    return jsonify(error=body), status
