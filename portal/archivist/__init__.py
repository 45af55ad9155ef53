"""Archivist pages: search the archive, open a package with a reason, disposal list, holds,
and the archive queue (``queue.py``).

Views only parse the request and call :mod:`archive`; every access and every
hold is audited by the archive services themselves (who, why, what).
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from archive.access import Requester, retrieve_dip, search
from archive.codes import AccessMode
from archive.disposal import (
    approve_disposal,
    disposal_bin,
    disposal_list,
    final_delete,
    lift_hold,
    open_proposals,
    place_hold,
    propose_disposal,
    restore_from_bin,
)
from archive.fixity import latest_report
from portal.accounts import Account, Role
from portal.auth.session import current_account, require_role
from portal.services import services
from storage.schema.archive import ArchiveHoldRow

bp = Blueprint("archivist", __name__, url_prefix="/archive")

CLEARANCE = {Role.ARCHIVIST: AccessMode.RESTRICTED}
"""Clearance of portal roles; confidential packages open only from the command line."""

COMMAND_LINE_CLEARANCE = {
    Role.ARCHIVIST: AccessMode.RESTRICTED,
    Role.LEADER: AccessMode.CONFIDENTIAL,
}
"""Clearance of the account named by ``eforms archive retrieve --actor``: a confidential
package needs the authority of the agency's leadership (the leader role)."""


def clearance_of(account: Account) -> tuple[AccessMode, Role] | None:
    """The highest command-line clearance the account's roles give, and the role giving it."""
    ranked = [
        (mode, role) for role, mode in COMMAND_LINE_CLEARANCE.items() if account.has_role(role)
    ]
    order = list(AccessMode)
    return max(ranked, key=lambda item: order.index(item[0]), default=None)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("/")
@require_role(Role.ARCHIVIST, Role.SUPERVISOR)
def index() -> str:
    args = request.args
    criteria = {
        "dossier_code": args.get("code") or None,
        "procedure": args.get("procedure") or None,
        "applicant_id": args.get("applicant") or None,
        "keyword": args.get("keyword") or None,
        "date_from": _day(args.get("from")),
        "date_to": _day(args.get("to")),
    }
    asked = any(criteria.values())
    packages = search(services().db, **criteria) if asked else search(services().db, limit=20)
    return render_template("archivist/search.html", packages=packages, args=args)


@bp.post("/<code>/dip")
@require_role(Role.ARCHIVIST)
def dip(code: str) -> BaseResponse:
    account = current_account()
    assert account is not None
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        flash(_("Cần nêu lý do khai thác hồ sơ."), "error")
        return redirect(url_for("archivist.index", code=code))
    who = Requester(account.username, CLEARANCE[Role.ARCHIVIST], reason, role="archivist")
    built = services()
    with tempfile.TemporaryDirectory(prefix="eforms-dip-") as tmp:
        out = Path(tmp) / "dip.zip"
        retrieve_dip(code, out, db=built.db, store=built.object_store, who=who)
        data = out.read_bytes()
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{code}.zip"'},
    )


@bp.get("/disposal")
@require_role(Role.ARCHIVIST, Role.LEADER, Role.SUPERVISOR)
def disposal() -> str:
    built = services()
    with built.db.unit_of_work() as session:
        holds = session.query(ArchiveHoldRow).filter(ArchiveHoldRow.lifted_at.is_(None)).all()
    return render_template(
        "archivist/disposal.html",
        candidates=disposal_list(built.db),
        holds=holds,
        proposals=open_proposals(built.db),
        binned=disposal_bin(built.db),
    )


def _username() -> str:
    account = current_account()
    assert account is not None  # require_role logged the user in
    return account.username


@bp.post("/disposal/propose")
@require_role(Role.ARCHIVIST)
def propose() -> BaseResponse:
    codes = request.form.getlist("codes")
    propose_disposal(services().db, codes, actor=_username())
    flash(_("Đã lập đề xuất hủy; chờ người thứ hai phê duyệt."), "success")
    return redirect(url_for("archivist.disposal"))


@bp.post("/disposal/<int:proposal_id>/approve")
@require_role(Role.LEADER)
def approve(proposal_id: int) -> BaseResponse:
    """A leader of the agency owning every package of the proposal approves it.

    A leader of another agency gets 403 (``DisposalNotPermittedError``) and
    the refusal is audited; supervisors read these lists and never approve.
    """
    account = current_account()
    assert account is not None  # require_role logged the user in
    decision = (request.form.get("decision") or "").strip()
    approve_disposal(
        services().db,
        proposal_id,
        actor=account.username,
        decision_ref=decision,
        approver_agencies=account.agencies_for(Role.LEADER),
    )
    flash(_("Đã phê duyệt; hồ sơ được chuyển vào danh sách chờ hủy."), "success")
    return redirect(url_for("archivist.disposal"))


@bp.post("/disposal/bin/<code>/restore")
@require_role(Role.ARCHIVIST)
def restore(code: str) -> BaseResponse:
    reason = (request.form.get("reason") or "").strip() or "-"
    restore_from_bin(services().db, code, actor=_username(), reason=reason)
    return redirect(url_for("archivist.disposal"))


@bp.post("/disposal/bin/<code>/delete")
@require_role(Role.ARCHIVIST)
def delete(code: str) -> BaseResponse:
    built = services()
    final_delete(built.db, built.object_store, code, actor=_username())
    flash(_("Đã hủy hồ sơ %(code)s; biên bản hủy được lưu vĩnh viễn.", code=code), "success")
    return redirect(url_for("archivist.disposal"))


@bp.post("/holds")
@require_role(Role.ARCHIVIST)
def hold() -> BaseResponse:
    account = current_account()
    assert account is not None
    codes = [c.strip() for c in (request.form.get("codes") or "").split() if c.strip()]
    title = (request.form.get("title") or "").strip()
    mandate = (request.form.get("mandate") or "").strip()
    if not (codes and title and mandate):
        flash(_("Cần mã hồ sơ, tiêu đề và căn cứ pháp lý của lệnh giữ."), "error")
        return redirect(url_for("archivist.disposal"))
    built = services()
    place_hold(
        built.db,
        built.object_store,
        title=title,
        mandate=mandate,
        package_ids=codes,
        actor=account.username,
    )
    return redirect(url_for("archivist.disposal"))


@bp.post("/holds/<int:hold_id>/lift")
@require_role(Role.ARCHIVIST)
def lift(hold_id: int) -> BaseResponse:
    account = current_account()
    assert account is not None
    built = services()
    lift_hold(built.db, built.object_store, hold_id, actor=account.username)
    return redirect(url_for("archivist.disposal"))


@bp.get("/fixity")
@require_role(Role.ARCHIVIST, Role.SUPERVISOR)
def fixity() -> str:
    report = latest_report(services().db)
    problems = [e for e in report.entries if e["outcome"] != "ok"] if report else []
    return render_template("archivist/fixity.html", report=report, problems=problems)


__all__ = ["bp"]

from portal.archivist import queue as _queue  # noqa: E402,F401  (registers the queue pages on bp)
