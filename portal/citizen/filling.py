"""Filling a form: open it prefilled, save the draft on every step, attach, submit.

Every POST saves the draft first (a new one on the first step), then does
what the pressed button asks: add a row, save, upload, or submit. Without
JavaScript every step is a plain form post that re-renders the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from dossiers import Applicant, ApplicantKind
from dossiers.catalog import list_procedures
from dossiers.drafts import (
    DRAFT_TOKEN,
    Draft,
    SubmitRequest,
    add_attachment,
    create_draft,
    find_draft,
    new_draft_token,
    save_draft,
    submit_draft,
)
from dossiers.errors import DossierNotFoundError
from dossiers.model import Procedure
from eforms.errors import EformsError
from forms_builder.attachments import AttachmentRule, check_attachment
from forms_builder.errors import AttachmentRefused
from forms_builder.model import Field, FieldType, FormDefinition
from forms_builder.prefill import check_locked_values
from forms_builder.prefill.bindings import extract_path, normalise_value
from forms_builder.prefill.errors import SourceUnavailableError
from forms_builder.prefill.resolver import SOURCE_LABELS, PrefillResult
from forms_builder.prefill_form import (
    bindings_of,
    bound_fields,
    fill_empty,
    json_copy,
    prefill_hints,
    prefilled_data,
    put_path,
    typed_subjects,
    with_locked,
)
from forms_builder.submission import CompiledForm, Outcome, compile_form, validate_submission
from forms_builder.wtforms_compiler import compile_wtforms
from forms_builder.wtforms_form import DefinitionForm, encode_formdata, local_today
from portal.auth.session import audit, client_ip, current_account
from portal.authoring import agency_code_lists
from portal.i18n import current_lang, error_message
from portal.ops.instrumented import sign_document
from portal.ops.metrics import SUBMISSIONS
from portal.services import Services, services
from signing import PadesLevel, SignOptions
from signing.errors import SigningError
from storage.audit import Outcome as AuditOutcome

#: Per-file limit when the definition sets none (the app's request limit still applies).
DEFAULT_ATTACHMENT_MB = 10.0


def procedure_for_form(form_code: str) -> Procedure:
    """The procedure whose form is ``form_code``; 404 with a message when none is."""
    with services().db.unit_of_work() as session:
        for p in list_procedures(session):
            if p.form_code == form_code:
                return p
    raise DossierNotFoundError(
        f"Không có thủ tục nào dùng biểu mẫu '{form_code}'.",
        f"No procedure uses the form '{form_code}'.",
        details={"form": form_code},
    )


def _subjects(definition: FormDefinition, data: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The applicant (the account's personal ID) and the people whose ID the form holds."""
    account = current_account()
    subjects = typed_subjects(definition, data) if data else {}
    if account and account.personal_id:
        subjects["applicant"] = account.personal_id
    return subjects


def _prefill(definition: FormDefinition, data: Mapping[str, Any] | None = None) -> PrefillResult:
    return services().prefill.resolver.resolve(bindings_of(definition), _subjects(definition, data))


def _with_typed_subjects(
    compiled: CompiledForm, data: dict[str, Any]
) -> tuple[dict[str, Any], PrefillResult]:
    """``data`` with the empty fields of the people whose ID was typed filled from registries.

    The mother's personal ID typed on the birth form brings her name, year of
    birth, ethnicity, nationality and residence; what the citizen typed stays.
    """
    result = _prefill(compiled.definition, data)
    others = {b.field for b in bindings_of(compiled.definition) if b.subject != "applicant"}
    typed = {k: v for k, v in result.values.items() if k in others}
    if not typed:
        return data, result
    return fill_empty(compiled.definition, data, typed, compiled.code_lists), result


def _hints(
    compiled: CompiledForm, result: PrefillResult, current: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """What the page says next to each prefilled field: source names and provenance.

    A field whose value the citizen has since changed no longer says it was
    prefilled (tables keep their note: their rows are meant to be completed).
    """
    lang = current_lang()
    names = {k: (en if lang == "en" else vi) for k, (vi, en) in SOURCE_LABELS.items()}
    definition = compiled.definition
    expected = prefilled_data(definition, result.values, compiled.code_lists)
    tables = {b.path for b in bound_fields(definition) if b.field.type is FieldType.REPEAT}
    hints = {}
    for path, hint in prefill_hints(definition, result.values).items():
        if path not in tables and not _same(current, expected, path):
            continue
        hints[path] = {
            "sources": ", ".join(names.get(s, s) for s in hint.sources),
            "provenance": ", ".join(hint.provenance),
            "locked": hint.locked,
        }
    return hints


def _same(current: Mapping[str, Any], expected: Mapping[str, Any], path: str) -> bool:
    return normalise_value(extract_path(current, path)[1]) == normalise_value(
        extract_path(expected, path)[1]
    )


def _compiled(code: str, version: int | None = None) -> CompiledForm:
    forms = services().forms
    definition = forms.get(code, version) if version else forms.in_force(code)
    return compile_form(definition, code_lists=agency_code_lists())


def open_form(procedure: Procedure, form_code: str) -> str:
    """The form in force, prefilled from the citizen's personal ID (no draft yet)."""
    compiled = _compiled(form_code)
    result = _prefill(compiled.definition)
    data = prefilled_data(compiled.definition, result.values, compiled.code_lists)
    form = compile_wtforms(compiled, lang=current_lang())(formdata=encode_formdata(compiled, data))
    return _page(compiled, form, result, draft=None, procedure_code=procedure.code)


def render_draft(draft: Draft) -> str:
    """A saved draft, as the citizen left it."""
    compiled = _compiled(draft.form_code, draft.form_version)
    form_class = compile_wtforms(compiled, lang=current_lang())
    result = _prefill(compiled.definition, draft.data)
    data = with_locked(compiled.definition, draft.data, result.values, compiled.code_lists)
    form = form_class(formdata=encode_formdata(compiled, data))
    return _page(compiled, form, result, draft=draft, procedure_code=draft.procedure_code)


def _page(
    compiled: CompiledForm,
    form: DefinitionForm,
    result: PrefillResult,
    *,
    draft: Draft | None,
    procedure_code: str,
    outcome: Outcome | None = None,
    status: int = 200,
) -> Any:
    action = (
        url_for("citizen.draft", draft_id=draft.id)
        if draft
        else url_for("citizen.start", form_code=compiled.definition.code)
    )
    slots = attachment_fields(compiled.definition)
    attached: dict[str | None, list[str]] = {}
    for a in draft.attachments if draft else ():
        attached.setdefault(a.field if a.field in slots else None, []).append(a.file_name)
    html = render_template(
        "citizen/fill.html",
        definition=compiled.definition,
        form=form,
        slots=slots,
        attached=attached,
        label_of=_labeller(compiled.definition),
        draft_token=None if draft else new_draft_token(),
        citizen_signing=services().signing.citizen_signing,
        prefill=_hints(compiled, result, form.submission_data()),
        notices=result.notices,
        draft=draft,
        action=action,
        procedure_code=procedure_code,
        outcome=outcome,
        max_upload_mb=services().settings.max_upload_mb,
    )
    return (html, status) if status != 200 else html


def _labeller(definition: FormDefinition) -> Callable[[str], str]:
    """The label of the field at a data path (row numbers of tables included)."""
    labels: dict[str, str] = {}
    lang = current_lang()

    def walk(fields: tuple[Field, ...], prefix: str) -> None:
        for f in fields:
            labels[f"{prefix}{f.key}"] = f.label.get(lang)
            walk(f.fields, f"{prefix}{f.key}.")

    for section in definition.sections:
        walk(section.fields, "")

    def label_of(path: str) -> str:
        parts = path.split(".")
        rows = [p for p in parts if p.isdigit()]
        label = labels.get(".".join(p for p in parts if not p.isdigit()), path)
        if rows:
            label += " (" + _("dòng %(n)s", n=int(rows[0]) + 1) + ")"
        return label

    return label_of


def handle_post(draft: Draft | None, *, procedure_code: str, form_code: str) -> Any:
    """Save the step, then add a row, upload, or submit as the pressed button asks."""
    account = current_account()
    assert account is not None
    compiled = _compiled(form_code, draft.form_version if draft else None)
    form_class = compile_wtforms(compiled, lang=current_lang())
    form = form_class(formdata=request.form)
    data = form.submission_data()
    result: PrefillResult | None = None
    if "submit" not in request.form:
        # The citizen sees what is added before submitting: only saves fill,
        # and locked fields show what their source holds now.
        filled, result = _with_typed_subjects(compiled, data)
        filled = with_locked(compiled.definition, filled, result.values, compiled.code_lists)
        if filled != data:
            data = filled
            form = form_class(formdata=encode_formdata(compiled, data))
    draft = _save(draft, account.id, procedure_code, compiled.definition, data)
    upload = request.files.get("attachment")
    refused = False
    if upload is not None and upload.filename:
        draft, refused = _attach(draft, upload.filename, upload.read(), compiled.definition)
    table = form._fields.get(request.form.get("add_row", ""))
    if table is not None and hasattr(table, "append_entry"):
        table.append_entry()
    elif "submit" in request.form and not refused:
        return _submit(compiled, form, draft)
    elif refused:
        # A refused file stops a submission too: the citizen fixes it first.
        return _page(
            compiled,
            form,
            result or _prefill(compiled.definition, data),
            draft=draft,
            procedure_code=procedure_code,
            status=422,
        )
    elif not (upload is not None and upload.filename):
        flash(_("Đã lưu bản nháp."), "success")
    return _page(
        compiled,
        form,
        result or _prefill(compiled.definition, data),
        draft=draft,
        procedure_code=procedure_code,
    )


def _save(
    draft: Draft | None,
    user_id: int,
    procedure_code: str,
    definition: FormDefinition,
    data: dict[str, Any],
) -> Draft:
    """Save the step into ``draft``, or into the draft the page's token names.

    The first page carries a token: pressing a button twice (or reloading
    after a save) finds the draft the first press made instead of another.
    """
    token = request.form.get("draft_token", "")
    token = token if DRAFT_TOKEN.fullmatch(token) else None
    for _attempt in range(2):
        try:
            with services().db.unit_of_work() as session:
                if draft is None and token:
                    draft = find_draft(session, token, user_id=user_id)
                if draft is not None:
                    return save_draft(session, draft.id, user_id=user_id, data=data)
                return create_draft(
                    session,
                    user_id=user_id,
                    procedure_code=procedure_code,
                    definition=definition,
                    data=data,
                    draft_id=token,
                )
        except IntegrityError:
            continue  # a concurrent press made the draft first (or the token is taken)
    with services().db.unit_of_work() as session:
        return create_draft(
            session,
            user_id=user_id,
            procedure_code=procedure_code,
            definition=definition,
            data=data,
        )


def _attach(
    draft: Draft, file_name: str, data: bytes, definition: FormDefinition
) -> tuple[Draft, bool]:
    """Check and store the uploaded file; ``(draft, refused)``."""
    slots = attachment_fields(definition)
    field = request.form.get("attachment_field") or None
    problem = None
    if field is not None and field not in slots:
        problem = AttachmentRefused(
            "Loại giấy tờ đã chọn không có trong tờ khai này.",
            "The kind of document chosen is not part of this form.",
        )
    elif field is not None:
        rule = slots[field].attachment
        assert rule is not None
        taken = sum(1 for a in draft.attachments if a.field == field)
        if taken >= rule.max_count:
            problem = AttachmentRefused(
                f"Mục này nhận tối đa {rule.max_count} tệp; hãy nộp hồ sơ với các tệp đã có.",
                f"This item takes at most {rule.max_count} files.",
            )
    try:
        if problem is not None:
            raise problem
        media_type = check_attachment(data, rule=_attachment_rule(definition, field))
    except AttachmentRefused as exc:
        flash(exc.message_en if current_lang() == "en" else exc.message_vi, "error")
        audit("citizen.attachment_refused", object_type="draft", object_id=draft.id)
        return draft, True
    built = services()
    stored = add_attachment(
        built.db,
        built.object_store,
        draft.id,
        user_id=draft.user_id,
        file_name=file_name,
        data=data,
        media_type=media_type,
        field=field,
    )
    flash(_("Đã đính kèm tệp %(name)s.", name=stored.file_name), "success")
    return replace(draft, attachments=(*draft.attachments, stored)), False


def attachment_fields(definition: FormDefinition) -> dict[str, Field]:
    """The definition's attachment fields by dotted data path (tables excluded)."""
    out: dict[str, Field] = {}

    def walk(fields: tuple[Field, ...], prefix: str) -> None:
        for f in fields:
            if f.type is FieldType.ATTACHMENT and f.attachment is not None:
                out[f"{prefix}{f.key}"] = f
            elif f.type is FieldType.GROUP:
                walk(f.fields, f"{prefix}{f.key}.")

    for section in definition.sections:
        walk(section.fields, "")
    return out


def _attachment_rule(definition: FormDefinition, field: str | None) -> AttachmentRule:
    """The chosen field's rule, or the strictest of all; capped by the app's limit."""
    app_max = services().settings.max_upload_mb
    slots = attachment_fields(definition)
    rules = [slots[field].attachment] if field else [f.attachment for f in slots.values()]
    size_mb = min(DEFAULT_ATTACHMENT_MB if not field else app_max, app_max)
    min_dpi: int | None = None
    types = None
    for rule in rules:
        assert rule is not None
        size_mb = min(size_mb, rule.max_size_mb)
        min_dpi = max(min_dpi or 0, rule.min_dpi or 0) or None
        if field:
            types = rule.media_types
    return AttachmentRule(
        max_bytes=int(size_mb * 1024 * 1024),
        min_dpi=min_dpi,
        **({"media_types": types} if types else {}),
    )


def _with_attachments(
    definition: FormDefinition, data: dict[str, Any], draft: Draft
) -> dict[str, Any]:
    """``data`` with each attachment field holding the files the citizen gave for it."""
    merged = json_copy(data)
    for path in attachment_fields(definition):
        files = [a.reference() for a in draft.attachments if a.field == path]
        if files:
            put_path(merged, path, files)
    return merged


def _refuse_if_blocked(result: PrefillResult, hidden: frozenset[str]) -> None:
    """Refuse while a source is down that a field (one that applies) must come from."""
    fields = [
        f
        for notice in result.notices
        if notice.blocking
        for f in notice.fields
        if not _hidden(f.split("#", 1)[0], hidden)
    ]
    if fields:
        raise SourceUnavailableError(
            "Hồ sơ chỉ nộp được khi hệ thống lấy được thông tin từ cơ sở dữ liệu; nguồn dữ liệu "
            "tạm thời không phản hồi. Bản nháp đã được lưu; vui lòng thử lại sau ít phút.",
            "This application can be submitted once the information comes from the registry, "
            "which is not answering right now. Your draft is saved; please try again in a few "
            "minutes.",
            details={"fields": fields},
        )


def _hidden(path: str, hidden: frozenset[str]) -> bool:
    """Whether ``path`` or a group containing it is hidden."""
    parts = path.split(".")
    return any(".".join(parts[:i]) in hidden for i in range(1, len(parts) + 1))


def _submit(compiled: CompiledForm, form: DefinitionForm, draft: Draft) -> Any:
    account = current_account()
    assert account is not None
    submitted = _with_attachments(compiled.definition, form.submission_data(), draft)
    result = _prefill(compiled.definition, submitted)
    today = local_today()
    fields_ok = form.validate(today=today, stored_files=True)
    outcome = validate_submission(compiled, submitted, today=today)
    if not (fields_ok and outcome.accepted):
        audit(
            "citizen.submit",
            object_type="draft",
            object_id=draft.id,
            outcome=AuditOutcome.FAILURE,
            details={"errors": sorted(outcome.error_paths())},
        )
        return _page(
            compiled,
            form,
            result,
            draft=draft,
            procedure_code=draft.procedure_code,
            outcome=outcome,
            status=422,
        )
    data = dict(outcome.data)
    # Locked fields that do not apply (hidden by the citizen's answers) are not checked.
    applicable = [
        b for b in bindings_of(compiled.definition) if not _hidden(b.field, outcome.hidden)
    ]
    try:
        _refuse_if_blocked(result, outcome.hidden)
        check_locked_values(
            services().prefill.resolver,
            applicable,
            _subjects(compiled.definition, data),
            data,
        ).raise_if_refused()
    except EformsError as exc:
        audit(
            "citizen.submit",
            object_type="draft",
            object_id=draft.id,
            outcome=AuditOutcome.FAILURE,
            details={"reason": exc.code, **(exc.details or {})},
        )
        raise
    built = services()
    try:
        dossier, created = _submit_with(built, compiled, draft, data, account)
    except SigningError as exc:
        audit(
            "citizen.sign",
            object_type="draft",
            object_id=draft.id,
            outcome=AuditOutcome.FAILURE,
            details={"reason": exc.code},
        )
        flash(error_message(exc), "error")
        return _page(
            compiled,
            form,
            result,
            draft=draft,
            procedure_code=draft.procedure_code,
            status=exc.http_status,
        )
    if created:
        SUBMISSIONS.labels(procedure=dossier.procedure_code, channel="online").inc()
    return redirect(url_for("citizen.receipt", code=dossier.code), code=303)


def _citizen_signer(built: Services, account: Any) -> Callable[[bytes], bytes] | None:
    """Remote signing (CSC) of the filled form when the citizen asked for it.

    The credential is the one the remote signing service lists for the citizen's personal
    ID (in the demo, the demo citizen's).
    """
    if request.form.get("sign") != "1":
        return None
    pin = request.form.get("sign_pin", "")
    signing = built.signing.start()
    signer = signing.citizen_signer(account.personal_id or "", pin=pin)
    trust = signing.trust()

    def sign(pdf: bytes) -> bytes:
        options = SignOptions(level=PadesLevel.B_T, field_name="citizen_1")
        return sign_document(pdf, signer=signer, trust=trust, options=options).pdf

    return sign


def _submit_with(
    built: Services, compiled: Any, draft: Any, data: dict[str, Any], account: Any
) -> Any:
    return submit_draft(
        built.db,
        built.object_store,
        SubmitRequest(
            draft=draft,
            definition=compiled.definition,
            data=data,
            applicant=Applicant(
                ApplicantKind.PERSON,
                account.personal_id or "",
                str(data.get("full_name") or account.full_name),
                user_id=account.id,
            ),
            actor=account.username,
            base_url=built.settings.resolved_base_url,
            code_lists=compiled.code_lists,
            source_ip=client_ip(),
            sign=_citizen_signer(built, account),
        ),
        policy=built.dossier_policy,
    )
