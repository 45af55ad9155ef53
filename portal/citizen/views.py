"""Views of the citizen's side; the steps are in :mod:`portal.citizen.filling`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from dossiers import DocumentKind, get_dossier
from dossiers.catalog import list_procedures
from dossiers.drafts import list_drafts, load_draft
from forms_builder.errors import FormError
from forms_builder.rendering import lookup_url, qr_svg_data_uri
from portal.accounts import Role
from portal.auth.session import current_account, require_role
from portal.citizen.filling import handle_post, open_form, procedure_for_form, render_draft
from portal.dossiers.access import can_view
from portal.dossiers.results import send_document
from portal.services import services

bp = Blueprint("citizen", __name__, url_prefix="/citizen")


def home_context(user_id: int) -> dict[str, Any]:
    """What the citizen home page adds: the drafts still open."""
    with services().db.unit_of_work() as session:
        return {"drafts": list_drafts(session, user_id=user_id)}


@bp.get("/thu-tuc")
@require_role(Role.CITIZEN)
def procedures() -> str:
    forms = services().forms
    with services().db.unit_of_work() as session:
        rows = [p for p in list_procedures(session) if p.form_code]
    items = []
    for p in rows:
        try:
            definition = forms.in_force(p.form_code or "")
        except FormError:
            continue
        items.append((p, definition))
    return render_template("citizen/procedures.html", items=items)


@bp.route("/bieu-mau/<form_code>", methods=["GET", "POST"])
@require_role(Role.CITIZEN)
def start(form_code: str) -> str | WerkzeugResponse:
    procedure = procedure_for_form(form_code)
    if request.method == "POST":
        return handle_post(None, procedure_code=procedure.code, form_code=form_code)
    return open_form(procedure, form_code)


@bp.route("/ban-nhap/<draft_id>", methods=["GET", "POST"])
@require_role(Role.CITIZEN)
def draft(draft_id: str) -> str | WerkzeugResponse:
    account = current_account()
    assert account is not None
    with services().db.unit_of_work() as session:
        found = load_draft(session, draft_id, user_id=account.id)
    if found.dossier_code:
        return redirect(url_for("citizen.receipt", code=found.dossier_code))
    if request.method == "POST":
        return handle_post(found, procedure_code=found.procedure_code, form_code=found.form_code)
    return render_draft(found)


@bp.get("/bien-nhan/<code>")
@require_role(*Role)
def receipt(code: str) -> str:
    account = current_account()
    assert account is not None
    with services().db.unit_of_work() as session:
        dossier = get_dossier(session, code)
    if not can_view(account, dossier):
        abort(403)
    url = lookup_url(services().settings.resolved_base_url, dossier.code)
    return render_template(
        "citizen/receipt.html",
        dossier=dossier,
        lookup=url,
        qr=qr_svg_data_uri(url),
        form_documents=dossier.documents_of(DocumentKind.FORM),
        attachments=dossier.documents_of(DocumentKind.ATTACHMENT),
    )


@bp.get("/ho-so/<code>/tai-lieu/<int:document_id>")
@require_role(*Role)
def download(code: str, document_id: int) -> Response:
    """A document of the dossier: only the applicant and the agency's staff (audited)."""
    return send_document(code, document_id)
