"""Two-step signing of a result with the leader's own device (USB token, smart card, app).

The leader's signing tool (a desktop plug-in or a phone app, driven by the
page's script or by hand) talks to two JSON endpoints, with the leader's
session cookie and CSRF header:

1. ``POST /api/v1/dossiers/<code>/result/external/prepare`` with the leader's
   certificate (and chain): the server checks the certificate (validity, key
   usage, revocation, trust), places the leader's signature field and
   appearance on the newest result draft, and answers with the bytes to sign
   (``data_to_sign``, or its hash ``digest_to_sign``) and ``pending``, the
   prepared document sealed with the installation's secret key (nothing is
   kept on the server between the steps; it expires after 15 minutes).
2. ``POST /api/v1/dossiers/<code>/result/external/complete`` with ``pending``
   and the raw signature value: the server checks the value against the
   certificate, embeds it, extends to B-LT, seals with the agency's key, and
   issues the result, as the one-step approval does.

Nothing changes until step 2 succeeds; a draft replaced in between, a
changed ``pending``, another leader or an expired ``pending`` are refused.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import unicodedata
from typing import Any

from asn1crypto import pem, x509
from flask import Blueprint, current_app, jsonify, request, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from dossiers import Action, DocumentKind, DossierError, DossierPermissionError, Status
from eforms.errors import EformsError
from portal.accounts import Role
from portal.auth.session import audit, require_role
from portal.dossiers.access import acting_user
from portal.dossiers.results import issue_signed
from portal.dossiers.views import load_visible
from portal.ops.instrumented import sign_document
from portal.services import services
from signing import AppearanceKind, PadesLevel, SignOptions
from signing.external import PendingSignature, complete_external, prepare_external
from storage.audit import Outcome

bp = Blueprint("external_sign", __name__, url_prefix="/api/v1/dossiers")

PENDING_SECONDS = 15 * 60
"""How long a prepared signature waits for its value."""
_SALT = "eforms.external-signature"


class ExternalSignError(DossierError):
    """A malformed or unusable request (400)."""

    code = "dossier.external_sign"
    http_status = 400


class ExternalSignConflict(ExternalSignError):
    """The dossier or its draft is not what the prepared signature was made for (409)."""

    http_status = 409


class ExternalSignForbidden(ExternalSignError):
    """The certificate is not the signing leader's (403)."""

    http_status = 403


class ExternalSignExpired(ExternalSignError):
    """The prepared signature is older than :data:`PENDING_SECONDS` (410)."""

    http_status = 410


@bp.post("/<code>/result/external/prepare")
@require_role(Role.LEADER)
def prepare(code: str) -> Response:
    try:
        return _prepare(code)
    except EformsError as exc:
        _audit_refusal("dossier.external_sign.prepare", code, exc)
        raise


@bp.post("/<code>/result/external/complete")
@require_role(Role.LEADER)
def complete(code: str) -> Response:
    try:
        return _complete(code)
    except EformsError as exc:
        _audit_refusal("dossier.external_sign.complete", code, exc)
        raise


def _prepare(code: str) -> Response:
    account, dossier, _user = _leader_of(code)
    body = _json_body()
    certificate = _certificate(body.get("certificate"), "certificate")
    _check_holder(certificate, account.full_name)
    chain = tuple(
        _certificate(item, f"chain[{n}]") for n, item in enumerate(body.get("chain") or [])
    )
    draft = _newest_draft(dossier)
    svc = services()
    with svc.object_store.get(draft.object_key) as reader:
        unsigned = reader.read()
    signing = svc.signing.start()
    identity = signing.leader_identity(account.username)
    options = SignOptions(
        level=PadesLevel.B_LT,
        appearance=signing.appearance(identity, AppearanceKind.LEADER, name=account.full_name),
    )
    pending = asyncio.run(
        prepare_external(
            unsigned, certificate=certificate, chain=chain, trust=signing.trust(), options=options
        )
    )
    sealed = _serializer().dumps(
        {
            "code": code,
            "user": account.username,
            "draft": draft.id,
            "draft_sha256": hashlib.sha256(unsigned).hexdigest(),
            "pending": pending.to_json(),
        }
    )
    audit(
        "dossier.external_sign.prepare",
        object_type="dossier",
        object_id=code,
        details={"subject": pending.check.subject, "serial": str(pending.check.serial_number)},
    )
    return jsonify(
        pending=sealed,
        digest_algorithm=pending.digest.value,
        data_to_sign=base64.b64encode(pending.data_to_sign).decode(),
        digest_to_sign=base64.b64encode(pending.digest_to_sign).decode(),
        field_name=pending.field_name,
        signer=pending.check.subject,
        expires_in=PENDING_SECONDS,
        complete_url=url_for("external_sign.complete", code=code),
    )


def _complete(code: str) -> Response:
    account, dossier, user = _leader_of(code)
    body = _json_body()
    kept = _unseal(body.get("pending"))
    if kept["code"] != code or kept["user"] != account.username:
        raise ExternalSignConflict(
            "Yêu cầu ký này được chuẩn bị cho hồ sơ hoặc người ký khác.",
            "This signature was prepared for another dossier or another signer.",
            code="dossier.external_sign.mismatch",
        )
    draft = _newest_draft(dossier)
    if draft.id != kept["draft"]:
        raise ExternalSignConflict(
            "Dự thảo kết quả đã thay đổi sau khi chuẩn bị ký; hãy chuẩn bị ký lại.",
            "The result draft changed after the signature was prepared; prepare it again.",
            code="dossier.external_sign.stale",
        )
    signature = _base64(body.get("signature"), "signature")
    pending = PendingSignature.from_json(kept["pending"])
    svc = services()
    signing = svc.signing.start()
    trust = signing.trust()
    seal_id = signing.seal_identity(dossier.agency_id)
    seal_signer = signing.signer(seal_id)
    seal_look = signing.appearance(seal_id, AppearanceKind.SEAL)

    def sign(unsigned: bytes) -> bytes:
        if hashlib.sha256(unsigned).hexdigest() != kept["draft_sha256"]:
            raise ExternalSignConflict(
                "Dự thảo kết quả đã thay đổi sau khi chuẩn bị ký; hãy chuẩn bị ký lại.",
                "The result draft changed after the signature was prepared; prepare it again.",
                code="dossier.external_sign.stale",
            )
        signed = asyncio.run(complete_external(pending, signature, trust=trust))
        sealed = sign_document(
            signed.pdf,
            signer=seal_signer,
            trust=trust,
            options=SignOptions(level=PadesLevel.B_LT, appearance=seal_look),
        )
        return sealed.pdf

    issued = issue_signed(svc, code, user=user, sign=sign)
    audit(
        "dossier.external_sign.complete",
        object_type="dossier",
        object_id=code,
        details={"subject": pending.check.subject},
    )
    (result,) = issued.documents_of(DocumentKind.RESULT)[-1:]
    return jsonify(
        status=str(issued.status),
        document=url_for("results.download", code=code, document_id=result.id),
    )


def _leader_of(code: str) -> tuple[Any, Any, Any]:
    account, dossier = load_visible(code)
    user = acting_user(account, dossier, Action.APPROVE)
    if user is None:
        raise DossierPermissionError(
            "Bạn không có quyền phê duyệt hồ sơ này.",
            "You may not approve this dossier.",
            details={"code": code},
        )
    if dossier.status is not Status.AWAITING_APPROVAL:
        raise ExternalSignConflict(
            f"Hồ sơ không chờ phê duyệt (hiện tại: {dossier.status.label('vi')}).",
            f"The dossier is not awaiting approval (now: {dossier.status.label('en')}).",
            code="dossier.external_sign.status",
        )
    return account, dossier, user


def _newest_draft(dossier: Any) -> Any:
    drafts = dossier.documents_of(DocumentKind.RESULT_DRAFT)
    if not drafts:
        raise ExternalSignConflict(
            "Hồ sơ chưa có dự thảo kết quả để ký.",
            "The dossier has no result draft to sign.",
            code="dossier.external_sign.no_draft",
        )
    return drafts[-1]


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ExternalSignError(
            "Nội dung yêu cầu phải là JSON.",
            "The request body must be a JSON object.",
            code="dossier.external_sign.bad_request",
        )
    return body


def _base64(value: Any, name: str) -> bytes:
    try:
        if not isinstance(value, str) or not value:
            raise ValueError(name)
        return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise ExternalSignError(
            f"Trường '{name}' phải là dữ liệu base64.",
            f"The field '{name}' must be base64 data.",
            code="dossier.external_sign.bad_request",
            details={"field": name},
        ) from exc


def _certificate(value: Any, name: str) -> x509.Certificate:
    """A certificate as base64 DER or as PEM text."""
    raw = value.encode() if isinstance(value, str) and value.startswith("-----") else None
    try:
        if raw is not None:
            _type, _headers, der = pem.unarmor(raw)
        else:
            der = _base64(value, name)
        certificate = x509.Certificate.load(der)
        certificate.native  # noqa: B018 (parses every field now)
    except (ValueError, TypeError) as exc:
        raise ExternalSignError(
            f"Trường '{name}' không phải chứng thư số X.509 (DER base64 hoặc PEM).",
            f"The field '{name}' is not an X.509 certificate (base64 DER or PEM).",
            code="dossier.external_sign.bad_certificate",
            details={"field": name},
        ) from exc
    return certificate


def _comparable(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _check_holder(certificate: x509.Certificate, full_name: str) -> None:
    """The certificate must be issued to the leader signing (its common name is their name).

    A session alone must not let someone sign with another person's certificate.
    """
    holder = str(certificate.subject.native.get("common_name") or "")
    if _comparable(holder) != _comparable(full_name):
        raise ExternalSignForbidden(
            f"Chứng thư số cấp cho '{holder}', không phải cho người ký '{full_name}'. Hãy dùng "
            "thiết bị ký số của chính bạn.",
            f"The certificate was issued to '{holder}', not to the signer '{full_name}'. Use "
            "your own signing device.",
            code="dossier.external_sign.not_your_certificate",
            details={"holder": holder},
        )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _unseal(value: Any) -> dict[str, Any]:
    try:
        kept = _serializer().loads(str(value or ""), max_age=PENDING_SECONDS)
    except SignatureExpired as exc:
        raise ExternalSignExpired(
            "Yêu cầu ký đã quá hạn 15 phút; hãy chuẩn bị ký lại.",
            "The prepared signature expired (15 minutes); prepare it again.",
            code="dossier.external_sign.expired",
        ) from exc
    except BadSignature as exc:
        raise ExternalSignError(
            "Dữ liệu 'pending' không do hệ thống cấp hoặc đã bị sửa.",
            "The 'pending' value was not issued by this system or was changed.",
            code="dossier.external_sign.tampered",
        ) from exc
    return dict(kept)


def _audit_refusal(action: str, code: str, exc: EformsError) -> None:
    """Record the failed step; ``portal.errors`` answers in JSON and audits refusals (403)."""
    if exc.http_status == 403:
        return
    audit(
        action,
        outcome=Outcome.FAILURE,
        object_type="dossier",
        object_id=code,
        details={"reason": exc.code},
    )
