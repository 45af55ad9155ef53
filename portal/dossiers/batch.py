"""Batch approval: a leader selects dossiers awaiting approval, one job signs them all.

The job (``results.batch_sign``) unlocks the leader's key once for every
leader signature and each agency's seal key once (:func:`signing.sign_batch`),
then approves, stores and issues each dossier in its own unit of work: one
dossier that fails (changed status meanwhile, damaged draft) is reported and
the others go on. Progress is in the job ledger (``eforms jobs show ID``) and
on ``/leader/jobs/<id>``, a page that refreshes itself without JavaScript.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from dossiers import (
    ActingUser,
    Action,
    Actor,
    DocumentKind,
    DossierError,
    DossierPermissionError,
    Status,
    get_dossier,
)
from dossiers.results import approve_and_sign
from eforms.errors import EformsError
from portal.accounts import Role
from portal.auth.session import audit, current_account, require_role
from portal.dossiers.access import acting_user
from portal.dossiers.results import store_for_citizen
from portal.ops.instrumented import sign_batch
from portal.services import Services, services
from signing import AppearanceKind, PadesLevel, SignOptions

bp = Blueprint("batch", __name__)

JOB_NAME = "results.batch_sign"
MAX_BATCH = 200


def _reason(vi: str, en: str) -> dict[str, str]:
    """A refusal reason in both languages: the job runs outside any request, the page picks."""
    return {"vi": vi, "en": en}


def _error_reason(error: EformsError) -> dict[str, str]:
    return _reason(error.message_vi, error.message_en)


def _drafts(built: Services, codes: list[str], user: ActingUser) -> tuple[dict, dict]:
    """The newest draft of each dossier that can be approved now; the others with a reason."""
    ready: dict[str, tuple[str, bytes]] = {}
    refused: dict[str, dict[str, str]] = {}
    with built.db.unit_of_work() as session:
        for code in codes:
            try:
                dossier = get_dossier(session, code)
            except DossierError as exc:
                refused[code] = _error_reason(exc)
                continue
            drafts = dossier.documents_of(DocumentKind.RESULT_DRAFT)
            if dossier.agency_id not in user.agency_ids:
                refused[code] = _reason(
                    "Hồ sơ thuộc cơ quan khác.", "The dossier belongs to another agency."
                )
            elif dossier.status is not Status.AWAITING_APPROVAL or not drafts:
                refused[code] = _reason(
                    "Hồ sơ không ở trạng thái chờ phê duyệt có dự thảo kết quả (hiện tại: "
                    f"{dossier.status.label('vi')}).",
                    "The dossier is not awaiting approval with a drafted result (now: "
                    f"{dossier.status.label('en')}).",
                )
            else:
                with built.object_store.get(drafts[-1].object_key) as reader:
                    ready[code] = (dossier.agency_id, reader.read())
    return ready, refused


def batch_sign_job(built: Services) -> Any:
    """The job function bound to ``built`` (registered as ``results.batch_sign``)."""

    def run(
        progress: Any,
        *,
        codes: list[str],
        username: str,
        user_id: int,
        agency_ids: list[str],
        leader_name: str | None = None,
    ) -> dict[str, Any]:
        user = ActingUser(username, Actor.LEADER, frozenset(agency_ids), user_id)
        ready, refused = _drafts(built, codes, user)
        # One step per document in each phase, so the bar only moves forward: the leader's
        # batch reports prepared, signed and done (1..n each), then seals, then issuing.
        n = len(ready)
        total = 5 * n
        leader_offsets = {"prepared": 0, "signed": n, "done": 2 * n}
        progress.report(0, total, "prepared")
        signing = built.signing.start()
        trust = signing.trust()
        leader_id = signing.leader_identity(username)
        order = list(ready)
        leader_items = sign_batch(
            [ready[c][1] for c in order],
            signer=signing.signer(leader_id),
            trust=trust,
            options=SignOptions(
                level=PadesLevel.B_LT,
                appearance=signing.appearance(leader_id, AppearanceKind.LEADER, name=leader_name),
            ),
            progress=lambda done, _t, phase: progress.report(
                leader_offsets[phase] + done, total, "leader signatures"
            ),
        )
        by_agency: dict[str, list[tuple[str, bytes]]] = defaultdict(list)
        for code, item in zip(order, leader_items, strict=True):
            if item.result is None:
                refused[code] = (
                    _error_reason(item.error)
                    if item.error
                    else _reason("Ký số không thành công.", "Signing failed.")
                )
            else:
                by_agency[ready[code][0]].append((code, item.result.pdf))
        sealed: dict[str, bytes] = {}
        handled = 0
        for agency_id, items in by_agency.items():
            seal_id = signing.seal_identity(agency_id)
            results = sign_batch(
                [pdf for _c, pdf in items],
                signer=signing.signer(seal_id),
                trust=trust,
                options=SignOptions(
                    level=PadesLevel.B_LT,
                    appearance=signing.appearance(seal_id, AppearanceKind.SEAL),
                ),
            )
            for (code, _pdf), item in zip(items, results, strict=True):
                if item.result is None:
                    refused[code] = (
                        _error_reason(item.error)
                        if item.error
                        else _reason("Đóng dấu không thành công.", "Sealing failed.")
                    )
                else:
                    sealed[code] = item.result.pdf
            handled += len(items)
            progress.report(3 * n + handled, total, "agency seals")
        issued = []
        for done, (code, pdf) in enumerate(sealed.items(), start=1):
            try:
                with built.db.unit_of_work() as session:
                    dossier = approve_and_sign(
                        session,
                        code,
                        store=built.object_store,
                        user=user,
                        policy=built.dossier_policy,
                        sign=lambda _unsigned, signed=pdf: signed,
                    )
                store_for_citizen(built, dossier)
                issued.append(code)
            except EformsError as exc:
                refused[code] = _error_reason(exc)
            progress.report(4 * n + done, total, "issued")
        progress.report(total, total, "issued")
        return {"issued": issued, "refused": refused}

    return run


def register_result_jobs(built: Services) -> None:
    """Register the batch signing job on ``built``'s job registry."""
    built.job_registry.register(JOB_NAME, batch_sign_job(built))


@bp.post("/leader/batch-sign")
@require_role(Role.LEADER)
def start() -> Response:
    account = current_account()
    assert account is not None
    codes = list(dict.fromkeys(request.form.getlist("codes")))[:MAX_BATCH]
    if not codes:
        flash(_("Chọn ít nhất một hồ sơ để phê duyệt."), "error")
        return redirect(url_for("dossiers.leader_queue"))
    svc = services()
    with svc.db.unit_of_work() as session:
        for code in codes:
            if acting_user(account, get_dossier(session, code), Action.APPROVE) is None:
                raise DossierPermissionError(
                    "Có hồ sơ bạn không có quyền phê duyệt.",
                    "You may not approve one of the selected dossiers.",
                    details={"code": code},
                )
    job_id = svc.jobs.submit(
        JOB_NAME,
        {
            "codes": codes,
            "username": account.username,
            "user_id": account.id,
            "leader_name": account.full_name,
            "agency_ids": sorted(account.agencies_for(Role.LEADER)),
        },
    )
    audit("dossier.batch_sign", object_type="job", object_id=job_id, details={"codes": codes})
    return redirect(url_for("batch.progress", job_id=job_id))


@bp.get("/leader/jobs/<job_id>")
@require_role(Role.LEADER)
def progress(job_id: str) -> str:
    try:
        job = services().job_ledger.get(job_id)
    except EformsError:
        abort(404)
    if job.name != JOB_NAME:
        abort(404)
    running = not job.state.finished
    return render_template("dossiers/batch.html", job=job, running=running)
