"""The form builder for department authors (role ``author``).

Authors list, create, copy, edit, preview, test, publish and retire the forms
of their own agency; other agencies' forms are read-only to them. Every
change is an ordinary POST with a CSRF token (no JavaScript needed); the
views parse, call :class:`forms_builder.FormService` and render. Field
editing lives in :mod:`portal.authoring.editor`.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from forms_builder import (
    Author,
    DefinitionInvalid,
    FormError,
    Status,
    compile_form,
    compile_wtforms,
    definition_to_document,
    validate_submission,
)
from forms_builder.codelists import CodeLists, default_code_lists
from forms_builder.editing import add_test_case, new_document
from forms_builder.wtforms_form import local_today
from portal.accounts import PermissionDeniedError, Role
from portal.auth.session import current_account, require_role
from portal.authoring.forms import ConfirmForm, CopyForm, NewFormForm
from portal.errors import N_
from portal.i18n import current_lang, error_message
from portal.services import services
from storage.schema import AgencyRow

bp = Blueprint("authoring", __name__, url_prefix="/authoring/forms")


def acting_author() -> Author:
    """The logged-in author and the agency they author for."""
    account = current_account()
    agencies = sorted(account.agencies_for(Role.AUTHOR)) if account else []
    if account is None or not agencies:
        raise PermissionDeniedError(
            "Bạn không có vai trò xây dựng biểu mẫu.", "You do not hold the form author role."
        )
    return Author(account.username, agencies[0], str(Role.AUTHOR))


def show_problems(error: DefinitionInvalid) -> None:
    """Flash each problem of an invalid definition with its pointer."""
    lang = current_lang()
    for p in error.problems:
        message = p.message_en if lang == "en" else p.message_vi
        flash(f"{p.pointer or '/'}: {message}", "error")


@bp.get("/")
@require_role(Role.AUTHOR, Role.SUPERVISOR)
def index() -> str:
    account = current_account()
    own = account.agencies_for(Role.AUTHOR) if account else frozenset()
    forms = services().forms.list_forms()
    mine = [f for f in forms if f.agency_id in own]
    others = [f for f in forms if f.agency_id not in own]
    return render_template("authoring/index.html", mine=mine, others=others)


@bp.route("/new", methods=["GET", "POST"])
@require_role(Role.AUTHOR)
def new() -> str | Response:
    author = acting_author()
    form = NewFormForm()
    status = 200
    if form.validate_on_submit():
        doc = new_document(
            code=form.code.data or "",
            agency_id=author.agency_id or "",
            procedure_name=(form.procedure_vi.data or "", form.procedure_en.data or ""),
            title=(form.title_vi.data or "", form.title_en.data or ""),
            legal_document=form.legal_document.data or "",
            legal_title=form.legal_title.data or "",
            issued_on=form.issued_on.data,  # type: ignore[arg-type]
            effective_from=form.effective_from.data,  # type: ignore[arg-type]
        )
        try:
            created = services().forms.create_draft(doc, author)
        except DefinitionInvalid as exc:
            show_problems(exc)
            status = 422
        else:
            flash(_("Đã tạo bản nháp %(ref)s.", ref=created.ref), "success")
            return redirect(url_for("authoring.edit", code=created.code, version=created.version))
    elif request.method == "POST":
        status = 400
    return make_response(render_template("authoring/new.html", form=form), status)


def agency_code_lists() -> CodeLists:
    """The built-in code lists with ``agencies`` filled from the agencies table."""
    with services().db.unit_of_work() as session:
        rows = session.scalars(select(AgencyRow).order_by(AgencyRow.id)).all()
        agencies = [(r.id, r.name_vi, r.name_en) for r in rows]
    return default_code_lists().with_agencies(agencies)


def can_edit(agency_id: str, status: Status) -> bool:
    """Whether the logged-in account may change a version of this agency in this status."""
    account = current_account()
    own = account.agencies_for(Role.AUTHOR) if account else frozenset()
    return agency_id in own and status in (Status.DRAFT, Status.TESTING)


def owns(agency_id: str) -> bool:
    """Whether the logged-in account authors for ``agency_id``."""
    account = current_account()
    return bool(account and agency_id in account.agencies_for(Role.AUTHOR))


@bp.get("/<code>/<int:version>")
@require_role(Role.AUTHOR, Role.SUPERVISOR)
def edit(code: str, version: int) -> str:
    from portal.authoring.editor import editor_context

    definition = services().forms.get(code, version)
    return render_template("authoring/edit.html", **editor_context(definition))


@bp.route("/<code>/<int:version>/preview", methods=["GET", "POST"])
@require_role(Role.AUTHOR, Role.SUPERVISOR)
def preview(code: str, version: int) -> str | Response:
    compiled = compile_form(services().forms.get(code, version), code_lists=agency_code_lists())
    form_class = compile_wtforms(compiled, lang=current_lang())
    form = form_class(formdata=request.form if request.method == "POST" else None)
    outcome = None
    if request.method == "POST":
        table = form._fields.get(request.form.get("add_row", ""))
        if table is not None and hasattr(table, "append_entry"):
            table.append_entry()
        else:
            form.validate(today=local_today())
            outcome = validate_submission(compiled, form.submission_data(), today=local_today())
            if "save_case" in request.form:
                return _save_case(compiled.definition, outcome, request.form.get("case_name"))
    return render_template(
        "authoring/preview.html",
        definition=compiled.definition,
        form=form,
        outcome=outcome,
        editable=can_edit(compiled.definition.agency_id, compiled.definition.status),
    )


def _save_case(definition: Any, outcome: Any, name: str | None) -> Response:
    doc = add_test_case(
        definition_to_document(definition),
        name=(name or "").strip() or _("Ca kiểm thử %(n)s", n=len(definition.test_cases) + 1),
        data=outcome.data,
        accepted=outcome.accepted,
        errors=tuple(sorted(outcome.error_paths())),
    )
    try:
        services().forms.update_draft(definition.code, definition.version, doc, acting_author())
    except DefinitionInvalid as exc:
        show_problems(exc)
    else:
        flash(_("Đã lưu ca kiểm thử."), "success")
    return redirect(url_for("authoring.tests", code=definition.code, version=definition.version))


@bp.get("/<code>/<int:version>/tests")
@require_role(Role.AUTHOR, Role.SUPERVISOR)
def tests(code: str, version: int) -> str:
    forms = services().forms
    definition = forms.get(code, version)
    results = forms.run_tests(code, version)
    return render_template(
        "authoring/tests.html", definition=definition, results=results, form=ConfirmForm()
    )


@bp.route("/<code>/<int:version>/publish", methods=["GET", "POST"])
@require_role(Role.AUTHOR)
def publish(code: str, version: int) -> str | Response:
    forms = services().forms
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            forms.publish(code, version, acting_author())
            flash(_("Đã ban hành %(code)s phiên bản %(v)s.", code=code, v=version), "success")
            return redirect(url_for("authoring.edit", code=code, version=version))
        report = forms.preview_publish(code, version)
    except FormError as exc:
        if isinstance(exc, DefinitionInvalid):
            show_problems(exc)
        else:
            flash(error_message(exc), "error")
        return redirect(url_for("authoring.tests", code=code, version=version))
    definition = forms.get(code, version)
    return render_template(
        "authoring/publish.html", definition=definition, report=report, form=form
    )


@bp.post("/<code>/<int:version>/retire")
@require_role(Role.AUTHOR)
def retire(code: str, version: int) -> Response:
    if ConfirmForm().validate_on_submit():
        services().forms.retire(code, version, acting_author())
        flash(_("Đã ngừng sử dụng %(code)s phiên bản %(v)s.", code=code, v=version), "success")
    return redirect(url_for("authoring.edit", code=code, version=version))


@bp.post("/<code>/<int:version>/status")
@require_role(Role.AUTHOR)
def set_status(code: str, version: int) -> Response:
    target = Status.TESTING if request.form.get("target") == "testing" else Status.DRAFT
    if ConfirmForm().validate_on_submit():
        services().forms.set_status(code, version, target, acting_author())
        flash(_("Đã chuyển sang trạng thái %(status)s.", status=str(target)), "success")
    return redirect(url_for("authoring.edit", code=code, version=version))


@bp.post("/<code>/new-version")
@require_role(Role.AUTHOR)
def new_version(code: str) -> Response:
    created = services().forms.new_version(code, acting_author())
    flash(_("Đã tạo phiên bản nháp %(v)s.", v=created.version), "success")
    return redirect(url_for("authoring.edit", code=code, version=created.version))


@bp.post("/<code>/<int:version>/copy")
@require_role(Role.AUTHOR)
def copy(code: str, version: int) -> Response:
    form = CopyForm()
    if not form.validate_on_submit():
        flash(_("Mã biểu mẫu mới không hợp lệ."), "error")
        return redirect(url_for("authoring.edit", code=code, version=version))
    try:
        created = services().forms.copy_form(
            code, version, acting_author(), new_code=form.new_code.data or ""
        )
    except DefinitionInvalid as exc:
        show_problems(exc)
        return redirect(url_for("authoring.edit", code=code, version=version))
    flash(_("Đã sao chép thành %(ref)s.", ref=created.ref), "success")
    return redirect(url_for("authoring.edit", code=created.code, version=created.version))


@bp.get("/<code>/<int:version>/export")
@require_role(Role.AUTHOR, Role.SUPERVISOR)
def export(code: str, version: int) -> Response:
    body = services().forms.export_file(code, version)
    response = make_response(body)
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{code}.v{version}.json"'
    return response


_STATUS_LABELS = {
    Status.DRAFT: N_("bản nháp"),
    Status.TESTING: N_("đang kiểm thử"),
    Status.PUBLISHED: N_("đã ban hành"),
    Status.RETIRED: N_("ngừng sử dụng"),
}


@bp.app_template_global("form_status")
def form_status(status: str) -> str:
    """A version status in the reader's language."""
    return _(_STATUS_LABELS[Status(status)])


def pretty(doc: Any) -> str:
    """Indented JSON for the raw editor."""
    return json.dumps(doc, ensure_ascii=False, indent=2)


from portal.authoring import editor  # noqa: E402  (registers the editing routes on bp)

__all__ = ["acting_author", "bp", "can_edit", "editor", "owns", "pretty", "show_problems"]
