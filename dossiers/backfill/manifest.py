"""Checking a backfill manifest: every field, code, date, step and file, before any write.

``dossier.json`` (see ``docs/dossiers.md``, Offline backfill) has exactly
these fields; an unknown one is refused rather than silently dropped, since
it is most likely a misspelt one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossiers.backfill.bundle import BackfillBundle, problem
from dossiers.backfill.documents import BackfillFile, check_documents
from dossiers.backfill.fields import (
    choice,
    fields,
    json_list,
    json_object,
    optional_text,
    text,
)
from dossiers.calendar import VN_TZ
from dossiers.codes import CodeParts
from dossiers.errors import DossierError, DossierPermissionError, ProcedureError
from dossiers.model import Applicant, ApplicantKind, DocumentKind, Procedure
from dossiers.repository import load_procedure, to_procedure
from dossiers.services import DossierPolicy
from dossiers.status import TRANSITIONS, Action, Status
from storage.schema.dossiers import DossierRow

FIELDS = (
    {"code", "procedure_code", "applicant", "submitted_at"},
    {"history", "documents", "data", "form_code", "form_version"},
)
"""Required, then optional fields of ``dossier.json``; likewise below."""
APPLICANT_FIELDS = ({"identifier", "name"}, {"kind"})
STEP_FIELDS = ({"action", "at"}, {"actor", "note"})
#: No dossier of this system predates it; an earlier date is a typo.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
#: Steps that need the result among the documents, as the live status machine does.
NEEDS_DRAFT = (Action.SUBMIT_FOR_APPROVAL, Action.APPROVE)


@dataclass(frozen=True)
class BackfillStep:
    action: Action
    at: datetime
    actor: str
    note: str | None


@dataclass(frozen=True)
class BackfillPlan:
    """A checked bundle: everything the import writes, nothing written yet."""

    code: str
    parts: CodeParts
    procedure: Procedure
    applicant: Applicant
    submitted_at: datetime
    steps: tuple[BackfillStep, ...]
    files: tuple[BackfillFile, ...]
    data: dict[str, Any]
    form_code: str | None
    form_version: str | None


def check_bundle(
    session: Session,
    bundle: BackfillBundle,
    *,
    policy: DossierPolicy,
    agency_ids: frozenset[str] | None,
    now: datetime,
) -> BackfillPlan:
    """The plan for ``bundle``, or the first thing wrong with it (``BackfillError``).

    ``agency_ids``: the importing officer's agencies (None: the operator, any).
    """
    m = fields(bundle.manifest, "dossier.json", FIELDS)
    code = text(m, "code", "dossier.json", 64)
    parts = _code(code, policy)
    procedure = _procedure(session, text(m, "procedure_code", "dossier.json", 32))
    _check_agency(code, parts, procedure, agency_ids)
    if session.scalar(select(DossierRow.id).where(DossierRow.code == code)) is not None:
        raise problem(
            f"hồ sơ {code} đã có trong hệ thống (xem: eforms dossiers show {code}).",
            f"dossier {code} already exists (see: eforms dossiers show {code}).",
            field="code",
        )
    applicant = _applicant(m.get("applicant"))
    submitted = _date(m.get("submitted_at"), "submitted_at", now)
    _check_code_day(code, parts, submitted)
    steps = _steps(m.get("history", []), submitted, now)
    files = check_documents(m.get("documents", []), bundle.files)
    _check_results(steps, files)
    return BackfillPlan(
        code=code,
        parts=parts,
        procedure=procedure,
        applicant=applicant,
        submitted_at=submitted,
        steps=steps,
        files=files,
        data=json_object(m.get("data", {}), "data"),
        form_code=optional_text(m, "form_code", "dossier.json", 64),
        form_version=_version(m.get("form_version")),
    )


def _version(value: Any) -> str | None:
    """The form version: a string, or a whole number as people often write it."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return optional_text({"form_version": value}, "form_version", "dossier.json", 32)


def _code(code: str, policy: DossierPolicy) -> CodeParts:
    try:
        return policy.code_format.parse(code)
    except DossierError as exc:
        raise problem(exc.message_vi, exc.message_en, field="code", **exc.details) from exc


def _procedure(session: Session, code: str) -> Procedure:
    try:
        return to_procedure(load_procedure(session, code))
    except ProcedureError as exc:
        raise problem(
            f"không có thủ tục mã '{code}' đang áp dụng (xem danh mục thủ tục).",
            f"no active procedure with code '{code}' (see the procedure catalogue).",
            field="procedure_code",
        ) from exc


def _check_agency(
    code: str, parts: CodeParts, procedure: Procedure, agency_ids: frozenset[str] | None
) -> None:
    if parts.agency_id != procedure.agency_id:
        raise problem(
            f"mã hồ sơ {code} là của cơ quan {parts.agency_id}, nhưng thủ tục "
            f"{procedure.code} do cơ quan {procedure.agency_id} giải quyết.",
            f"dossier code {code} is of agency {parts.agency_id}, but procedure "
            f"{procedure.code} is handled by {procedure.agency_id}.",
            field="code",
        )
    if agency_ids is not None and procedure.agency_id not in agency_ids:
        raise DossierPermissionError(
            f"Hồ sơ {code} thuộc cơ quan {procedure.agency_id}; bạn chỉ nhập bù được hồ sơ "
            "của cơ quan mình.",
            f"Dossier {code} belongs to agency {procedure.agency_id}; you may only backfill "
            "dossiers of your own agency.",
            code="dossiers.backfill_agency",
            details={"code": code, "agency_id": procedure.agency_id},
        )


def _date(value: Any, field: str, now: datetime) -> datetime:
    """An ISO 8601 time with its offset, between 2000 and ``now``."""
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise problem(
            f"'{field}' không phải thời điểm ISO 8601 có thật: {value!r} (ví dụ: "
            "2026-11-20T08:00:00+07:00).",
            f"'{field}' is not a real ISO 8601 time: {value!r} (example: "
            "2026-11-20T08:00:00+07:00).",
            field=field,
        ) from exc
    if parsed.tzinfo is None:
        raise problem(
            f"'{field}' ({value}) thiếu múi giờ; thêm +07:00 cho giờ Việt Nam.",
            f"'{field}' ({value}) has no offset; add +07:00 for Vietnam time.",
            field=field,
        )
    if parsed > now:
        local = now.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")
        raise problem(
            f"'{field}' ({value}) là thời điểm trong tương lai (bây giờ là {local} giờ Việt Nam).",
            f"'{field}' ({value}) is in the future (it is now {local} Vietnam time).",
            field=field,
        )
    if parsed < EARLIEST:
        raise problem(
            f"'{field}' ({value}) trước năm 2000; kiểm tra lại năm.",
            f"'{field}' ({value}) is before 2000; check the year.",
            field=field,
        )
    return parsed.astimezone(UTC)


def _check_code_day(code: str, parts: CodeParts, submitted: datetime) -> None:
    local = submitted.astimezone(VN_TZ).date()
    if parts.day != local:
        raise problem(
            f"mã hồ sơ {code} mang ngày {parts.day:%d/%m/%Y}, nhưng hồ sơ nộp ngày "
            f"{local:%d/%m/%Y} (giờ Việt Nam); mã được cấp theo ngày nộp.",
            f"dossier code {code} carries the day {parts.day:%d/%m/%Y}, but the dossier "
            f"was submitted on {local:%d/%m/%Y} (Vietnam time); codes carry the day of "
            "submission.",
            field="code",
        )


def _steps(value: Any, submitted: datetime, now: datetime) -> tuple[BackfillStep, ...]:
    steps, status, last, last_field = [], Status.SUBMITTED, submitted, "submitted_at"
    for i, raw in enumerate(json_list(value, "history")):
        where = f"history[{i}]"
        item = fields(raw, where, STEP_FIELDS)
        action = choice(Action, item["action"], where, ("thao tác", "action"))
        at = _date(item["at"], f"{where}.at", now)
        if at < last:
            raise problem(
                f"{where}: thời điểm {item['at']} sớm hơn '{last_field}'.",
                f"{where}: {item['at']} is earlier than '{last_field}'.",
                field=where,
            )
        transition = TRANSITIONS[action]
        if status not in transition.sources:
            raise problem(
                f"{where}: không thể '{action}' khi hồ sơ đang '{status.label('vi')}'.",
                f"{where}: cannot '{action}' a dossier that is '{status.label('en')}'.",
                field=where,
            )
        note = optional_text(item, "note", where, 4000)
        if transition.needs_note and not note:
            raise problem(
                f"{where}: '{action}' cần ghi lý do ('note').",
                f"{where}: '{action}' needs a reason ('note').",
                field=where,
            )
        actor = optional_text(item, "actor", where, 64) or "unknown"
        steps.append(BackfillStep(action, at, actor, note))
        status, last, last_field = transition.target, at, f"{where}.at"
    return tuple(steps)


def _check_results(steps: tuple[BackfillStep, ...], files: tuple[BackfillFile, ...]) -> None:
    """As live: approval needs a (drafted) result, issuing needs the result itself."""
    kinds = {f.kind for f in files}
    for i, step in enumerate(steps):
        if step.action in NEEDS_DRAFT and not kinds & {
            DocumentKind.RESULT_DRAFT,
            DocumentKind.RESULT,
        }:
            raise problem(
                f"history[{i}]: '{step.action}' cần dự thảo kết quả hoặc kết quả trong "
                "'documents' (kind result_draft hoặc result).",
                f"history[{i}]: '{step.action}' needs the drafted result or the result in "
                "'documents' (kind result_draft or result).",
                field=f"history[{i}]",
            )
        if step.action is Action.ISSUE_RESULT and DocumentKind.RESULT not in kinds:
            raise problem(
                f"history[{i}]: trả kết quả cần văn bản kết quả trong 'documents' (kind result).",
                f"history[{i}]: issuing needs the result document in 'documents' (kind result).",
                field=f"history[{i}]",
            )


def _applicant(value: Any) -> Applicant:
    item = fields(value, "applicant", APPLICANT_FIELDS)
    try:
        kind = ApplicantKind(item.get("kind", "person"))
    except ValueError as exc:
        raise problem(
            f"applicant: loại người nộp '{item.get('kind')}' không có (person hoặc organisation).",
            f"applicant: unknown kind '{item.get('kind')}' (person or organisation).",
            field="applicant.kind",
        ) from exc
    identifier = text(item, "identifier", "applicant", 32)
    if any(c.isspace() for c in identifier):
        raise problem(
            "applicant: số định danh không được có khoảng trắng.",
            "applicant: the identifier must not contain spaces.",
            field="applicant.identifier",
        )
    return Applicant(kind, identifier, text(item, "name", "applicant", 255))
