"""Dossier services: submit, act (status transitions), documents, queries.

Every function takes a session (the caller's unit of work) and plain
values; each change writes the dossier's history, an audit event and an
outbox event in the same transaction, so nothing is half-recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossiers.calendar import WorkingCalendar
from dossiers.codes import CodeFormat, allocate_code
from dossiers.errors import DossierError, DossierPermissionError, IllegalTransitionError
from dossiers.model import (
    ActingUser,
    DocumentKind,
    Dossier,
    PublicStatus,
    Submission,
)
from dossiers.repository import load_dossier_row, load_procedure, to_dossier
from dossiers.status import TRANSITIONS, Action, Actor, Status
from storage.audit import AuditEntry, record_event
from storage.outbox import append_event
from storage.schema import utcnow
from storage.schema.dossiers import (
    ArchiveQueueRow,
    DossierDocumentRow,
    DossierEventRow,
    DossierRow,
    ProcedureRow,
)


@dataclass(frozen=True)
class DossierPolicy:
    """Installation-wide rules: how codes look and which days are working days."""

    code_format: CodeFormat = CodeFormat()
    calendar: WorkingCalendar = WorkingCalendar()


def submit(
    session: Session,
    submission: Submission,
    *,
    policy: DossierPolicy,
    actor: str,
    now: datetime | None = None,
    source_ip: str | None = None,
) -> Dossier:
    """Create the dossier for ``submission``; the same idempotency key returns the same one."""
    if submission.idempotency_key:
        existing = session.scalar(
            select(DossierRow).where(DossierRow.idempotency_key == submission.idempotency_key)
        )
        if existing is not None:
            return to_dossier(existing)
    procedure = load_procedure(session, submission.procedure_code)
    now = now or utcnow()
    code = allocate_code(
        session, policy.code_format, agency_id=procedure.agency_id, day=_local(now)
    )
    row = DossierRow(
        code=code,
        procedure_code=procedure.code,
        agency_id=procedure.agency_id,
        form_code=submission.form_code,
        form_version=submission.form_version,
        applicant_kind=str(submission.applicant.kind),
        applicant_identifier=submission.applicant.identifier,
        applicant_name=submission.applicant.name,
        applicant_user_id=submission.applicant.user_id,
        channel=str(submission.channel),
        status=str(Status.SUBMITTED),
        data=submission.data,
        idempotency_key=submission.idempotency_key,
        submitted_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    record_step(
        session,
        row,
        actor=actor,
        role=str(Actor.APPLICANT),
        action="submit",
        from_status=None,
        note=None,
        now=now,
        source_ip=source_ip,
    )
    return to_dossier(row)


def act(
    session: Session,
    code: str,
    action: Action | str,
    *,
    user: ActingUser,
    policy: DossierPolicy,
    note: str | None = None,
    now: datetime | None = None,
    source_ip: str | None = None,
) -> Dossier:
    """Apply ``action`` to the dossier ``code`` as ``user``; refuse illegal transitions.

    Refused, with nothing changed: an unknown action (``dossiers.unknown_action``),
    a user without the right capacity or agency (``DossierPermissionError``), a
    dossier already in the target status, such as a double submit, or in a status
    the action does not start from (``IllegalTransitionError``), a missing note,
    a missing draft or signed result.
    """
    now = now or utcnow()
    action = _known_action(action)
    row = load_dossier_row(session, code, for_update=True)
    transition = TRANSITIONS[action]
    _check_actor(row, user, transition.actors, action)
    current = Status(row.status)
    if current is transition.target:
        # Most often the same button pressed twice: the first press did it.
        raise IllegalTransitionError(
            f"Hồ sơ đã ở trạng thái '{current.label('vi')}' (thao tác '{_action_vi(action)}' "
            "có thể đã được gửi hai lần); không có gì thay đổi.",
            f"The dossier is already '{current.label('en')}' (the '{action}' may have been "
            "sent twice); nothing was changed.",
            details={"code": code, "status": str(current), "action": str(action)},
        )
    if current not in transition.sources:
        raise IllegalTransitionError(
            f"Không thể '{_action_vi(action)}' hồ sơ đang ở trạng thái '{current.label('vi')}'.",
            f"Cannot '{action}' a dossier that is '{current.label('en')}'.",
            details={"code": code, "status": str(current), "action": str(action)},
        )
    note = (note or "").strip() or None
    if transition.needs_note and not note:
        raise DossierError(
            "Vui lòng ghi rõ lý do hoặc nội dung yêu cầu.",
            "Please give the reason or the message for the applicant.",
            code="dossiers.note_required",
        )
    _check_preconditions(row, action)
    procedure = session.get(ProcedureRow, row.procedure_code)
    assert procedure is not None
    apply_effects(row, transition.target, action, policy, procedure.processing_days, now)
    record_step(
        session,
        row,
        actor=user.username,
        role=str(user.actor),
        action=str(action),
        from_status=str(current),
        note=note,
        now=now,
        source_ip=source_ip,
    )
    if transition.target is Status.CLOSED:
        session.add(ArchiveQueueRow(dossier_code=row.code, queued_at=now))
        session.flush()
    return to_dossier(row)


def _known_action(action: Action | str) -> Action:
    try:
        return Action(action)
    except ValueError as exc:
        known = ", ".join(a.value for a in Action)
        raise DossierError(
            f"Không có thao tác '{action}' với hồ sơ (các thao tác: {known}).",
            f"There is no dossier action '{action}' (actions: {known}).",
            code="dossiers.unknown_action",
            details={"action": str(action)[:64]},
        ) from exc


def _check_actor(
    row: DossierRow, user: ActingUser, allowed: frozenset[Actor], action: Action
) -> None:
    if user.actor not in allowed:
        raise DossierPermissionError(
            "Bạn không có quyền thực hiện thao tác này với hồ sơ.",
            f"You may not '{action}' this dossier in your role.",
            details={"action": str(action), "role": str(user.actor)},
        )
    if user.actor is Actor.APPLICANT and row.applicant_user_id != user.user_id:
        raise DossierPermissionError("Hồ sơ này không phải của bạn.", "This dossier is not yours.")
    if user.actor in (Actor.OFFICER, Actor.LEADER) and row.agency_id not in user.agency_ids:
        raise DossierPermissionError(
            "Hồ sơ thuộc cơ quan khác; bạn không có quyền xử lý.",
            "The dossier belongs to another agency; you may not handle it.",
            details={"agency_id": row.agency_id},
        )


def _check_preconditions(row: DossierRow, action: Action) -> None:
    kinds = {d.kind for d in row.documents}
    if action in (Action.SUBMIT_FOR_APPROVAL, Action.APPROVE) and (
        str(DocumentKind.RESULT_DRAFT) not in kinds
    ):
        raise DossierError(
            "Chưa có dự thảo kết quả: cán bộ cần soạn kết quả trước khi trình hoặc phê duyệt.",
            "No drafted result: an officer must draft the result before approval.",
            code="dossiers.no_draft",
        )
    if action is Action.ISSUE_RESULT and str(DocumentKind.RESULT) not in kinds:
        raise DossierError(
            "Kết quả chưa được ký số; không thể trả kết quả.",
            "The result has not been signed yet; it cannot be issued.",
            code="dossiers.no_signed_result",
        )


def apply_effects(
    row: DossierRow,
    target: Status,
    action: Action,
    policy: DossierPolicy,
    processing_days: int,
    now: datetime,
) -> None:
    row.status = str(target)
    row.updated_at = now
    if action is Action.RECEIVE:
        row.received_at = now
        row.due_at = policy.calendar.due_at(now, processing_days)
    elif action is Action.REQUEST_SUPPLEMENT:
        row.supplement_count += 1
    elif action is Action.RESUME:
        # The processing time restarts once the complete dossier is back.
        row.due_at = policy.calendar.due_at(now, processing_days)
    elif target in (Status.RESULT_ISSUED, Status.REJECTED, Status.WITHDRAWN):
        row.resolved_at = now
    elif target is Status.CLOSED:
        row.closed_at = now


def record_step(
    session: Session,
    row: DossierRow,
    *,
    actor: str,
    role: str,
    action: str,
    from_status: str | None,
    note: str | None,
    now: datetime,
    source_ip: str | None,
    backfilled: bool = False,
) -> None:
    session.add(
        DossierEventRow(
            dossier_id=row.id,
            occurred_at=now,
            actor=actor,
            actor_role=role,
            action=action,
            from_status=from_status,
            to_status=row.status,
            note=note,
            backfilled=backfilled,
        )
    )
    record_event(
        session,
        AuditEntry(
            actor=actor,
            role=role,
            agency_id=row.agency_id,
            action=f"dossier.{action}",
            object_type="dossier",
            object_id=row.code,
            source_ip=source_ip,
            details={"from": from_status, "to": row.status, "backfilled": backfilled},
        ),
    )
    append_event(
        session,
        aggregate_id=row.code,
        event_type="dossier.status_changed",
        payload={
            "dossier_code": row.code,
            "procedure_code": row.procedure_code,
            "agency_id": row.agency_id,
            "action": action,
            "from_status": from_status,
            "status": row.status,
            "occurred_at": now.isoformat(),
            "due_at": row.due_at.isoformat() if row.due_at else None,
            "backfilled": backfilled,
        },
    )
    session.flush()


def add_document(
    session: Session,
    code: str,
    *,
    kind: DocumentKind,
    title: str,
    file_name: str,
    media_type: str,
    object_key: str,
    sha256: str,
    size: int,
    created_by: str,
    signed: bool = False,
) -> None:
    """Attach a stored file to the dossier (the bytes are already in the object store)."""
    row = load_dossier_row(session, code)
    row.documents.append(
        DossierDocumentRow(
            kind=str(kind),
            title=title,
            file_name=file_name,
            media_type=media_type,
            object_key=object_key,
            sha256=sha256,
            size=size,
            created_by=created_by,
            signed=signed,
        )
    )
    record_event(
        session,
        AuditEntry(
            actor=created_by,
            action="dossier.document_added",
            agency_id=row.agency_id,
            object_type="dossier",
            object_id=code,
            details={"kind": str(kind), "sha256": sha256, "size": size, "signed": signed},
        ),
    )
    session.flush()


def get_dossier(session: Session, code: str) -> Dossier:
    """The dossier with its history and documents."""
    return to_dossier(load_dossier_row(session, code))


def public_status(session: Session, code: str) -> PublicStatus:
    """Status, procedure and dates only: what the public lookup page may show."""
    row = load_dossier_row(session, code)
    procedure = load_procedure(session, row.procedure_code)
    return PublicStatus(
        code=row.code,
        procedure_name_vi=procedure.name_vi,
        procedure_name_en=procedure.name_en,
        status=Status(row.status),
        submitted_at=row.submitted_at,
        due_at=row.due_at,
        resolved_at=row.resolved_at,
    )


def _local(moment: datetime) -> datetime:
    from dossiers.calendar import VN_TZ

    return moment.astimezone(VN_TZ)


_ACTION_VI = {
    Action.RECEIVE: "tiếp nhận",
    Action.START_PROCESSING: "bắt đầu xử lý",
    Action.REQUEST_SUPPLEMENT: "yêu cầu bổ sung",
    Action.SUPPLEMENT: "bổ sung",
    Action.RESUME: "tiếp tục xử lý",
    Action.SUBMIT_FOR_APPROVAL: "trình phê duyệt",
    Action.RETURN_FOR_REWORK: "trả lại để xử lý",
    Action.APPROVE: "phê duyệt",
    Action.ISSUE_RESULT: "trả kết quả",
    Action.CLOSE: "kết thúc",
    Action.REJECT: "từ chối",
    Action.WITHDRAW: "rút hồ sơ",
}


def _action_vi(action: Action) -> str:
    return _ACTION_VI[action]
