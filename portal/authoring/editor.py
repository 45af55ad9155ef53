"""Editing sections and fields of a draft: add, reorder, change, delete, raw JSON.

Each route loads the draft's document, applies one step of
:mod:`forms_builder.editing`, and saves through ``update_draft`` (which
validates the whole definition and refuses published versions).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from forms_builder import DefinitionInvalid, FormDefinition, definition_to_document
from forms_builder.codelists import default_code_lists
from forms_builder.editing import (
    add_field,
    add_section,
    find_field,
    move_field,
    remove_field,
    set_legal_basis,
    update_field,
)
from forms_builder.model import FieldType
from forms_builder.validation import KNOWN_PREFILL_SOURCES
from portal.accounts import Role
from portal.auth.session import require_role
from portal.authoring import (
    acting_author,
    bp,
    can_edit,
    owns,
    pretty,
    show_problems,
)
from portal.authoring.forms import (
    AddFieldForm,
    ConfirmForm,
    CopyForm,
    FieldPropertiesForm,
    JsonForm,
    LegalBasisForm,
    parse_number,
)
from portal.i18n import current_lang
from portal.services import services

Doc = dict[str, Any]
LEGAL_PREFIX = "legal"
"""Names of the legal-basis inputs (``legal-document``...), apart from the JSON editor's."""


def _code_list_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(n, n) for n in default_code_lists().names()]


def _parents(definition: FormDefinition) -> list[tuple[str, str]]:
    lang = current_lang()
    out = [(s.id, _("Phần: %(title)s", title=s.title.get(lang))) for s in definition.sections]
    for path, f in definition.iter_fields():
        if f.type in (FieldType.GROUP, FieldType.REPEAT):
            out.append((f.id, _("Trong %(label)s (%(path)s)", label=f.label.get(lang), path=path)))
    return out


def editor_context(definition: FormDefinition) -> dict[str, Any]:
    """What the edit page shows for ``definition``."""
    add_form = AddFieldForm(formdata=None)
    add_form.parent.choices = _parents(definition)
    add_form.code_list.choices = _code_list_choices()
    json_form = JsonForm(formdata=None, document=pretty(definition_to_document(definition)))
    basis = definition.legal_basis
    legal_form = LegalBasisForm(
        formdata=None,
        prefix=LEGAL_PREFIX,
        document=basis.document,
        title=basis.title,
        issued_on=basis.issued_on,
        effective_from=basis.effective_from,
        scheduled_from=definition.effective_from,
    )
    return {
        "definition": definition,
        "editable": can_edit(definition.agency_id, definition.status),
        "owner": owns(definition.agency_id),
        "add_form": add_form,
        "json_form": json_form,
        "legal_form": legal_form,
        "copy_form": CopyForm(formdata=None),
        "confirm_form": ConfirmForm(formdata=None),
        "versions": services().forms.versions(definition.code),
    }


def _apply(code: str, version: int, change: Callable[[Doc], Doc], done: str) -> Response:
    forms = services().forms
    doc = definition_to_document(forms.get(code, version))
    try:
        forms.update_draft(code, version, change(doc), acting_author())
    except DefinitionInvalid as exc:
        show_problems(exc)
    else:
        flash(done, "success")
    return redirect(url_for("authoring.edit", code=code, version=version))


@bp.post("/<code>/<int:version>/fields")
@require_role(Role.AUTHOR)
def add_field_view(code: str, version: int) -> Response:
    definition = services().forms.get(code, version)
    form = AddFieldForm()
    form.parent.choices = _parents(definition)
    form.code_list.choices = _code_list_choices()
    if not form.validate_on_submit():
        for name, errors in form.errors.items():
            flash(f"{getattr(form, name).label.text}: {' '.join(errors)}", "error")
        return redirect(url_for("authoring.edit", code=code, version=version))
    field = _new_field(form, definition)
    return _apply(
        code,
        version,
        lambda doc: add_field(doc, parent=form.parent.data or "", field=field),
        _("Đã thêm trường %(key)s.", key=field["key"]),
    )


def _new_field(form: AddFieldForm, definition: FormDefinition) -> Doc:
    kind = FieldType(form.type.data)
    taken = {f.id for _, f in definition.iter_fields()}
    base = f"f_{form.key.data}"
    fid = base
    for n in range(2, 1000):
        if fid not in taken:
            break
        fid = f"{base}_{n}"
    field: Doc = {
        "id": fid,
        "key": form.key.data,
        "type": str(kind),
        "label": {"vi": form.label_vi.data, "en": form.label_en.data},
    }
    if form.required.data:
        field["required"] = True
    if kind == FieldType.CHOICE:
        field["code_list"] = form.code_list.data or "sexes"
    if kind in (FieldType.GROUP, FieldType.REPEAT):
        field["fields"] = [
            {"id": f"{fid}_item", "key": "item", "type": "text",
             "label": {"vi": "Nội dung", "en": "Item"}}
        ]  # fmt: skip
    if kind == FieldType.ATTACHMENT:
        field["attachment"] = {"media_types": ["application/pdf"], "max_size_mb": 10}
    if kind == FieldType.SIGNATURE:
        field["signer"] = "applicant"
    return field


@bp.post("/<code>/<int:version>/legal-basis")
@require_role(Role.AUTHOR)
def legal_basis_view(code: str, version: int) -> Response:
    form = LegalBasisForm(prefix=LEGAL_PREFIX)
    if not form.validate_on_submit():
        for name, errors in form.errors.items():
            flash(f"{getattr(form, name).label.text}: {' '.join(errors)}", "error")
        return redirect(url_for("authoring.edit", code=code, version=version))
    return _apply(
        code,
        version,
        lambda doc: set_legal_basis(
            doc,
            document=(form.document.data or "").strip(),
            title=(form.title.data or "").strip(),
            issued_on=form.issued_on.data,  # type: ignore[arg-type]  (required above)
            effective_from=form.effective_from.data,  # type: ignore[arg-type]
            scheduled_from=form.scheduled_from.data,
        ),
        _("Đã lưu căn cứ pháp lý."),
    )


@bp.post("/<code>/<int:version>/sections")
@require_role(Role.AUTHOR)
def add_section_view(code: str, version: int) -> Response:
    definition = services().forms.get(code, version)
    number = len(definition.sections) + 1
    title_vi = request.form.get("title_vi", "").strip() or f"Phần {number}"
    title_en = request.form.get("title_en", "").strip() or f"Part {number}"
    ConfirmForm().validate_on_submit()
    return _apply(
        code,
        version,
        lambda doc: add_section(doc, section_id=f"s_{number}", title=(title_vi, title_en)),
        _("Đã thêm phần mới."),
    )


@bp.post("/<code>/<int:version>/fields/<field_id>/move")
@require_role(Role.AUTHOR)
def move_field_view(code: str, version: int, field_id: str) -> Response:
    offset = -1 if request.form.get("direction") == "up" else 1
    return _apply(code, version, lambda doc: move_field(doc, field_id, offset), _("Đã đổi thứ tự."))


@bp.post("/<code>/<int:version>/fields/<field_id>/delete")
@require_role(Role.AUTHOR)
def delete_field_view(code: str, version: int, field_id: str) -> Response:
    return _apply(code, version, lambda doc: remove_field(doc, field_id), _("Đã xóa trường."))


@bp.route("/<code>/<int:version>/fields/<field_id>", methods=["GET", "POST"])
@require_role(Role.AUTHOR)
def field_view(code: str, version: int, field_id: str) -> str | Response:
    definition = services().forms.get(code, version)
    raw = find_field(definition_to_document(definition), field_id)
    form = FieldPropertiesForm(data=_form_data(raw) if request.method == "GET" else None)
    form.code_list.choices = _code_list_choices()
    form.prefill_source.choices = [("", "—")] + [(s, s) for s in sorted(KNOWN_PREFILL_SOURCES)]
    if form.validate_on_submit():
        changes = _changes(form)
        return _apply(code, version, lambda doc: update_field(doc, field_id, changes), _("Đã lưu."))
    page = render_template(
        "authoring/field.html", definition=definition, field=raw, form=form,
        editable=can_edit(definition.agency_id, definition.status),
    )  # fmt: skip
    return make_response(page, 422 if form.errors else 200)


def _form_data(raw: Doc) -> Doc:
    prefill = raw.get("prefill") or {}
    return {
        "label_vi": raw["label"]["vi"], "label_en": raw["label"]["en"],
        "help_vi": (raw.get("help") or {}).get("vi"), "help_en": (raw.get("help") or {}).get("en"),
        "key": raw["key"], "required": raw.get("required", False),
        "sensitive": raw.get("sensitive", False), "max_length": raw.get("max_length"),
        "pattern": raw.get("pattern"), "minimum": raw.get("minimum"),
        "maximum": raw.get("maximum"), "code_list": raw.get("code_list") or "",
        "prefill_source": prefill.get("source", ""), "prefill_path": prefill.get("path"),
        "prefill_locked": prefill.get("locked", False),
        "prefill_subject": prefill.get("subject", "applicant"),
        "visible_when": json.dumps(raw["visible_when"], ensure_ascii=False)
        if raw.get("visible_when") else "",
    }  # fmt: skip


def _number(text: str | None) -> float | int | None:
    """The number typed (already checked finite by the form)."""
    if not text:
        return None
    value = parse_number(text)
    return int(value) if value.is_integer() else value


def _changes(form: FieldPropertiesForm) -> Doc:
    help_given = form.help_vi.data or form.help_en.data
    prefill = None
    if form.prefill_source.data and form.prefill_path.data:
        prefill = {
            "source": form.prefill_source.data, "path": form.prefill_path.data,
            "locked": bool(form.prefill_locked.data),
            "subject": form.prefill_subject.data or "applicant",
        }  # fmt: skip
    return {
        "label": {"vi": form.label_vi.data, "en": form.label_en.data},
        "help": {"vi": form.help_vi.data or form.help_en.data,
                 "en": form.help_en.data or form.help_vi.data} if help_given else None,
        "key": form.key.data,
        "required": True if form.required.data else None,
        "sensitive": True if form.sensitive.data else None,
        "max_length": int(form.max_length.data) if form.max_length.data else None,
        "pattern": form.pattern.data or None,
        "minimum": _number(form.minimum.data),
        "maximum": _number(form.maximum.data),
        "code_list": form.code_list.data or None,
        "prefill": prefill,
        "visible_when": json.loads(form.visible_when.data) if form.visible_when.data else None,
    }  # fmt: skip


@bp.post("/<code>/<int:version>/json")
@require_role(Role.AUTHOR)
def save_json(code: str, version: int) -> str | Response:
    form = JsonForm()
    if not form.validate_on_submit():
        return redirect(url_for("authoring.edit", code=code, version=version))
    try:
        doc = json.loads(form.document.data or "")
    except json.JSONDecodeError as exc:
        flash(_("JSON không hợp lệ: %(error)s", error=str(exc)), "error")
        return redirect(url_for("authoring.edit", code=code, version=version))
    return _apply(code, version, lambda _doc: doc, _("Đã lưu định nghĩa."))
