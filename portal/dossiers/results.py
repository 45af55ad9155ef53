"""Result pages: the officer drafts, the leader approves and signs, people download.

Kept apart from :mod:`portal.dossiers.views` (one blueprint of its own).
Signing uses the installation's signing directory (:mod:`signing.configured`):
the demo PKI, a PKCS#11 token or a remote signing service.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from dossiers import (
    ActingUser,
    Action,
    Actor,
    DocumentKind,
    Dossier,
    DossierError,
    DossierNotFoundError,
    DossierPermissionError,
)
from dossiers.results import SignResult, approve_and_sign, citizen_record, draft_result
from eforms.errors import EformsError
from portal.accounts import Role
from portal.auth.session import audit, client_ip, require_role
from portal.dossiers.access import acting_user, capacities
from portal.dossiers.views import load_visible
from portal.downloads import document_response
from portal.i18n import error_message
from portal.ops.instrumented import sign_document
from portal.services import Services, services
from signing import AppearanceKind, PadesLevel, SignOptions
from storage.audit import Outcome
from storage.schema import AgencyRow

bp = Blueprint("results", __name__)


def result_signer(
    svc: Services,
    *,
    leader: str,
    agency_id: str,
    leader_name: str | None = None,
    pin: str | None = None,
) -> SignResult:
    """Leader signature (blue, PAdES B-LT) then agency seal (red, overlapping), as one call.

    The keys are the installation's (``EFORMS_SIGNING_BACKEND``): in the demo, the demo
    identity of the leader's user name (else ``leader``) and of the agency (else the demo
    home agency); otherwise the token keys or remote credentials of the same names.
    """
    signing = svc.signing.start()
    trust = signing.trust()
    leader_id = signing.leader_identity(leader)
    agency = signing.seal_identity(agency_id)

    leader_signer = signing.signer(leader_id, pin=pin)
    seal_signer = signing.signer(agency)
    leader_look = signing.appearance(leader_id, AppearanceKind.LEADER, name=leader_name)
    seal_look = signing.appearance(agency, AppearanceKind.SEAL)

    def sign(pdf: bytes) -> bytes:
        signed = sign_document(
            pdf,
            signer=leader_signer,
            trust=trust,
            options=SignOptions(
                level=PadesLevel.B_LT,
                appearance=leader_look,
            ),
        )
        sealed = sign_document(
            signed.pdf,
            signer=seal_signer,
            trust=trust,
            options=SignOptions(
                level=PadesLevel.B_LT,
                appearance=seal_look,
            ),
        )
        return sealed.pdf

    return sign


def _agency_name(session: Session, agency_id: str) -> str:
    row = session.get(AgencyRow, agency_id)
    return row.name_vi if row is not None else agency_id


@bp.post("/dossiers/<code>/result/draft")
@require_role(Role.OFFICER)
def draft(code: str) -> Response:
    account, dossier = load_visible(code)
    user = acting_user(account, dossier, Action.SUBMIT_FOR_APPROVAL)
    svc = services()
    try:
        if user is None:
            raise DossierPermissionError(
                "Bạn không có quyền soạn kết quả hồ sơ này.",
                "You may not draft the result of this dossier.",
            )
        with svc.db.unit_of_work() as session:
            draft_result(
                session,
                code,
                store=svc.object_store,
                user=user,
                agency_name=_agency_name(session, dossier.agency_id),
                base_url=svc.settings.resolved_base_url,
            )
    except DossierError as exc:
        _failed("dossier.draft_result", code, exc)
    else:
        flash(_("Đã soạn dự thảo kết quả."), "success")
    return redirect(url_for("dossiers.show", code=code))


@bp.post("/dossiers/<code>/result/sign")
@require_role(Role.LEADER)
def approve_sign(code: str) -> Response:
    account, dossier = load_visible(code)
    user = acting_user(account, dossier, Action.APPROVE)
    svc = services()
    try:
        if user is None:
            raise DossierPermissionError(
                "Bạn không có quyền phê duyệt hồ sơ này.",
                "You may not approve this dossier.",
            )
        sign = result_signer(
            svc,
            leader=account.username,
            agency_id=dossier.agency_id,
            leader_name=account.full_name,
            pin=request.form.get("sign_pin") or None,
        )
        issue_signed(svc, code, user=user, sign=sign)
    except EformsError as exc:
        _failed("dossier.approve_sign", code, exc)
    else:
        flash(_("Đã phê duyệt, ký số và trả kết quả."), "success")
    return redirect(url_for("dossiers.show", code=code))


def issue_signed(svc: Services, code: str, *, user: ActingUser, sign: SignResult) -> Dossier:
    """Approve, sign the newest draft with ``sign``, issue it, and store it for the citizen."""
    with svc.db.unit_of_work() as session:
        issued = approve_and_sign(
            session,
            code,
            store=svc.object_store,
            user=user,
            policy=svc.dossier_policy,
            sign=sign,
            source_ip=client_ip(),
        )
    store_for_citizen(svc, issued)
    return issued


def store_for_citizen(svc: Services, dossier: Dossier) -> None:
    """Put the issued result into the applicant's data store (for later prefill)."""
    record = citizen_record(dossier)
    if record is None:
        return
    svc.prefill.citizen_store.put_record(
        personal_id=record.personal_id,
        name=record.name,
        data=record.data,
        dossier_code=record.dossier_code,
        issued_at=datetime.now(UTC),
    )


def _failed(action: str, code: str, exc: EformsError) -> None:
    audit(
        action,
        outcome=Outcome.FAILURE,
        object_type="dossier",
        object_id=code,
        details={"reason": exc.code},
    )
    flash(error_message(exc), "error")


@bp.get("/dossiers/<code>/documents/<int:document_id>")
@require_role(*Role)
def download(code: str, document_id: int) -> Response:
    """Applicant and staff of the owning agency only; streamed from the object store."""
    return send_document(code, document_id)


def send_document(code: str, document_id: int) -> Response:
    """A document of dossier ``code`` for the current account, audited.

    Only the applicant and the owning agency's staff; unsigned result drafts
    only to staff (the applicant is told there is no such document).
    """
    account, dossier = load_visible(code)
    if not capacities(account, dossier):
        raise DossierPermissionError(
            "Chỉ người nộp hồ sơ và cán bộ cơ quan xử lý được tải tài liệu.",
            "Only the applicant and the agency's staff may download documents.",
            details={"code": code},
        )
    document = next((d for d in dossier.documents if d.id == document_id), None)
    staff = set(capacities(account, dossier)) - {Actor.APPLICANT}
    if document is None or (document.kind == DocumentKind.RESULT_DRAFT and not staff):
        raise DossierNotFoundError(
            "Không tìm thấy tài liệu này trong hồ sơ.",
            "This dossier has no such document.",
            details={"code": code, "document": document_id},
        )
    response = document_response(services().object_store, document)
    audit(
        "dossier.download",
        object_type="dossier",
        object_id=code,
        details={"document": document_id, "kind": str(document.kind)},
    )
    return response


__all__ = ["bp", "issue_signed", "result_signer", "send_document", "store_for_citizen"]
