"""Views for dossiers. Each parses the request, calls one service, renders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from dossiers import (
    Action,
    DocumentKind,
    Dossier,
    DossierError,
    DossierNotFoundError,
    DossierPermissionError,
    Status,
    act,
    allowed_actions,
    get_dossier,
    public_status,
)
from dossiers.calendar import VN_TZ
from dossiers.catalog import list_procedures
from dossiers.queries import QueueFilter, list_for_applicant, list_queue
from dossiers.status import TRANSITIONS
from portal.accounts import Account, Role
from portal.auth.session import audit, client_ip, current_account, require_role
from portal.dossiers.access import acting_user, can_view, capacities
from portal.errors import N_
from portal.i18n import error_message
from portal.security import limiter
from portal.services import services
from storage.audit import Outcome
from storage.schema import utcnow

bp = Blueprint("dossiers", __name__)
lookup_bp = Blueprint("lookup", __name__)

PAGE_SIZE = 30

_ACTION_LABELS = {
    Action.RECEIVE: N_("Tiếp nhận"),
    Action.START_PROCESSING: N_("Bắt đầu xử lý"),
    Action.REQUEST_SUPPLEMENT: N_("Yêu cầu bổ sung"),
    Action.SUPPLEMENT: N_("Đã bổ sung hồ sơ"),
    Action.RESUME: N_("Tiếp tục xử lý"),
    Action.SUBMIT_FOR_APPROVAL: N_("Trình lãnh đạo phê duyệt"),
    Action.RETURN_FOR_REWORK: N_("Trả lại để xử lý tiếp"),
    Action.APPROVE: N_("Phê duyệt"),
    Action.ISSUE_RESULT: N_("Trả kết quả"),
    Action.CLOSE: N_("Kết thúc hồ sơ"),
    Action.REJECT: N_("Từ chối"),
    Action.WITHDRAW: N_("Rút hồ sơ"),
}


@bp.app_template_global()
def action_label(action: Action) -> str:
    """The button text for a dossier action, in the request's language."""
    return _(_ACTION_LABELS[action])


def _queue_page(*, role: Role, default_statuses: tuple[Status, ...], template: str) -> str:
    account = current_account()
    assert account is not None
    agencies = account.agencies_for(role)
    args = request.args
    status = args.get("status")
    statuses = (Status(status),) if status in set(Status) else default_statuses
    due = args.get("due")
    criteria = QueueFilter(
        agency_ids=frozenset(agencies),
        statuses=statuses,
        procedure_code=args.get("procedure") or None,
        due_within_days=3 if due == "soon" else None,
        overdue_only=due == "overdue",
    )
    page = max(1, args.get("page", 1, type=int) or 1)
    now = utcnow()
    with services().db.unit_of_work() as session:
        rows, total = list_queue(
            session, criteria, now=now, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        procedures = [p for a in sorted(agencies) for p in list_procedures(session, agency_id=a)]
        overdue = list_queue(
            session, QueueFilter(frozenset(agencies), overdue_only=True), now=now, limit=1
        )[1]
        soon = list_queue(
            session, QueueFilter(frozenset(agencies), due_within_days=3), now=now, limit=1
        )[1]
    return render_template(
        template,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        args=args,
        statuses=list(Status),
        procedures=procedures,
        now=now,
        overdue=overdue,
        soon=soon,
    )


@bp.get("/officer/")
@require_role(Role.OFFICER)
def officer_queue() -> str:
    return _queue_page(role=Role.OFFICER, default_statuses=(), template="dossiers/queue.html")


@bp.get("/leader/")
@require_role(Role.LEADER)
def leader_queue() -> str:
    return _queue_page(
        role=Role.LEADER,
        default_statuses=(Status.AWAITING_APPROVAL, Status.APPROVED),
        template="dossiers/queue.html",
    )


@bp.get("/citizen/")
@require_role(Role.CITIZEN)
def citizen_home() -> str:
    account = current_account()
    assert account is not None
    with services().db.unit_of_work() as session:
        rows = list_for_applicant(session, account.id)
    from portal.citizen import home_context

    return render_template("citizen/home.html", rows=rows, **home_context(account.id))


def load_visible(code: str) -> tuple[Account, Dossier]:
    """The account asking and the dossier ``code``, if the account may see it (else 403)."""
    account = current_account()
    assert account is not None
    with services().db.unit_of_work() as session:
        dossier = get_dossier(session, code)
    if not can_view(account, dossier):
        raise DossierPermissionError(
            "Bạn không có quyền xem hồ sơ này.",
            "You may not open this dossier.",
            details={"code": code},
        )
    return account, dossier


@bp.get("/dossiers/<code>")
@require_role(*Role)
def show(code: str) -> str:
    account, dossier = load_visible(code)
    actions = sorted(
        {a for c in capacities(account, dossier) for a in allowed_actions(dossier.status, c)},
        key=list(Action).index,
    )
    audit("dossier.view", object_type="dossier", object_id=code)
    with services().db.unit_of_work() as session:
        procedure = next(
            (p for p in list_procedures(session) if p.code == dossier.procedure_code), None
        )
    return render_template(
        "dossiers/show.html",
        dossier=dossier,
        procedure=procedure,
        actions=actions,
        now=utcnow(),
        signing_pin_required=services().signing.leader_pin_required,
    )


@bp.post("/dossiers/<code>/act")
@require_role(*Role)
def take_action(code: str) -> Response:
    account, dossier = load_visible(code)
    raw = request.form.get("action", "")
    if raw not in set(Action):
        error = DossierError(
            "Thao tác gửi lên không có. Hãy tải lại trang hồ sơ và chọn một nút trên trang.",
            "The action sent does not exist. Reload the dossier page and use one of its buttons.",
            code="dossiers.unknown_action",
            details={"code": code, "action": raw[:64]},
        )
        _refused("unknown_action", code, error)
        raise error
    action = Action(raw)
    user = acting_user(account, dossier, action)
    if user is None:
        raise DossierPermissionError(
            "Bạn không có quyền thực hiện thao tác này với hồ sơ.",
            "You may not take this action on this dossier.",
            details={"code": code, "action": raw},
        )
    if action is Action.APPROVE and dossier.status in TRANSITIONS[action].sources:
        # Approving always signs (portal/dossiers/results.py); the plain button is hidden.
        error = DossierError(
            "Phê duyệt đi cùng với ký số: dùng nút 'Phê duyệt và ký số kết quả' trên trang hồ sơ.",
            "Approval goes with the signature: use 'Approve and sign the result' on the "
            "dossier page.",
            code="dossiers.approve_needs_signature",
        )
        _refused(raw, code, error)
        flash(error_message(error), "error")
        return redirect(url_for("dossiers.show", code=code))
    try:
        with services().db.unit_of_work() as session:
            act(
                session,
                code,
                action,
                user=user,
                policy=services().dossier_policy,
                note=request.form.get("note"),
                source_ip=client_ip(),
            )
    except DossierError as exc:
        _refused(raw, code, exc)
        flash(error_message(exc), "error")
    else:
        flash(_("Đã cập nhật hồ sơ."), "success")
    return redirect(url_for("dossiers.show", code=code))


def _refused(action: str, code: str, error: DossierError) -> None:
    audit(
        f"dossier.{action}",
        outcome=Outcome.FAILURE,
        object_type="dossier",
        object_id=code,
        details={"reason": error.code},
    )


CODE_SHAPE = re.compile(r"^[A-Za-z0-9.\-]{6,64}$")


def _lookup_limit() -> str:
    return services().settings.lookup_rate_limit


@lookup_bp.get("/tra-cuu")
@limiter.limit(_lookup_limit)
def lookup() -> str | Response:
    code = (request.args.get("code") or "").strip()
    if code:
        return redirect(url_for("lookup.lookup_code", code=code))
    return render_template("dossiers/lookup.html", result=None, code="")


@lookup_bp.get("/tra-cuu/<code>")
@limiter.limit(_lookup_limit)
def lookup_code(code: str) -> tuple[str, int]:
    code = code.strip()
    result = None
    message = None
    if not CODE_SHAPE.match(code):
        message = _("Mã hồ sơ không đúng định dạng. Ví dụ: 000.00.00.H56-261122-0001")
    else:
        try:
            with services().db.unit_of_work() as session:
                result = public_status(session, code)
        except DossierNotFoundError:
            message = _("Không tìm thấy hồ sơ với mã này. Vui lòng kiểm tra lại.")
    status = 200 if result else 404
    check = _result_check(code) if result and result.resolved_at else None
    return render_template(
        "dossiers/lookup.html", result=result, code=code, message=message, check=check
    ), status


@dataclass(frozen=True)
class ResultCheck:
    """What the public lookup says about the dossier's signed result."""

    title: str
    indication: str
    signers: tuple[tuple[str, str], ...]
    """(certificate subject, signing time in Vietnam time)."""
    checked_at: datetime


def _result_check(code: str) -> ResultCheck | None:
    """Verify the stored signed result, so a scanned QR tells whether it is authentic."""
    svc = services()
    with svc.db.unit_of_work() as session:
        dossier = get_dossier(session, code)
    results = [d for d in dossier.documents if d.kind is DocumentKind.RESULT and d.signed]
    if not results:
        return None
    document = results[-1]
    with svc.object_store.get(document.object_key) as reader:
        data = reader.read()
    report = svc.verifier.verify(data)
    signers = tuple(
        (
            s.signer.subject if s.signer else "",
            s.signing_time.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") if s.signing_time else "",
        )
        for s in report.signatures
    )
    return ResultCheck(document.title, str(report.indication.value), signers, utcnow())
