"""Citizen accounts for OpenID Connect identities: find, link or create.

Only citizen accounts open through the identity platform; the rule is in
``docs/security.md``. No Flask here.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.errors import AccountError, PermissionDeniedError
from portal.accounts.roles import STAFF_ROLES, Role
from portal.accounts.services import (
    PERSONAL_ID_PATTERN,
    LoginResult,
    _primary_role,
    _to_account,
)
from storage.audit import AuditEntry, Outcome, record_event
from storage.schema import RoleGrantRow, UserRow, utcnow


def find_or_create_federated_citizen(
    session: Session,
    *,
    issuer: str,
    subject: str,
    personal_id: str | None,
    full_name: str,
    email: str | None,
    home_agency_id: str,
    source_ip: str | None = None,
) -> LoginResult:
    """The citizen account for an OpenID Connect identity: found, linked or created.

    Found by (issuer, subject); else an unlinked account with the same
    personal ID is linked to this identity; else a citizen account is
    created. Only citizen accounts open this way: an account holding a staff
    role, disabled, or linked to another identity is refused. Returns
    instead of raising so that the audit event commits with the caller's
    unit of work.
    """
    row = session.scalar(
        select(UserRow).where(
            UserRow.identity_provider == issuer, UserRow.external_subject == subject
        )
    )
    matched_by = "subject"
    if row is None and personal_id:
        row = session.scalar(select(UserRow).where(UserRow.personal_id == personal_id))
        matched_by = "personal_id"
    details = {"issuer": issuer, "subject": subject, "matched_by": matched_by}
    if row is None:
        row = _new_federated_citizen(
            session,
            issuer=issuer,
            subject=subject,
            personal_id=personal_id,
            full_name=full_name,
            email=email,
            home_agency_id=home_agency_id,
        )
        details["matched_by"] = "created"
    elif (refusal := _federated_refusal(row, issuer=issuer, subject=subject)) is not None:
        _audit_federated(
            session, row, Outcome.DENIED, source_ip, {**details, "reason": refusal.code}
        )
        return LoginResult(None, refusal)
    if row.external_subject is None:
        # Record the link, so the next login finds the account by its identity.
        row.identity_provider, row.external_subject = issuer, subject
    row.last_login_at = utcnow()
    session.flush()
    created = details["matched_by"] == "created"
    _audit_federated(session, row, Outcome.SUCCESS, source_ip, {**details, "created": created})
    return LoginResult(_to_account(row))


def _new_federated_citizen(
    session: Session,
    *,
    issuer: str,
    subject: str,
    personal_id: str | None,
    full_name: str,
    email: str | None,
    home_agency_id: str,
) -> UserRow:
    if personal_id is not None and not PERSONAL_ID_PATTERN.match(personal_id):
        raise AccountError(
            "Nhà cung cấp định danh trả về số định danh cá nhân không hợp lệ.",
            "The identity provider returned a malformed personal identification number.",
            code="accounts.bad_personal_id",
        )
    row = UserRow(
        username=f"vneid-{subject}"[:150].lower(),
        full_name=full_name or subject,
        email=email,
        personal_id=personal_id,
        identity_provider=issuer,
        external_subject=subject,
        agency_id=None,
    )
    row.grants = [RoleGrantRow(role=str(Role.CITIZEN), agency_id=home_agency_id)]
    session.add(row)
    return row


def _federated_refusal(row: UserRow, *, issuer: str, subject: str) -> AccountError | None:
    """Why an identity-provider login may not open ``row``, or None."""
    if any(g.role in STAFF_ROLES for g in row.grants):
        return PermissionDeniedError(
            "Tài khoản gắn với danh tính này là tài khoản cán bộ nên không đăng nhập qua cổng "
            "định danh được. Vui lòng đăng nhập bằng tên đăng nhập và mật khẩu do cơ quan cấp.",
            "The account matching this identity is a staff account and cannot log in through "
            "the identity platform. Log in with the username and password your agency gave you.",
            code="accounts.federated_staff",
        )
    if row.external_subject is not None and (row.identity_provider, row.external_subject) != (
        issuer,
        subject,
    ):
        return PermissionDeniedError(
            "Số định danh cá nhân này đã gắn với một danh tính khác trên cổng định danh. "
            "Vui lòng liên hệ bộ phận hỗ trợ của cơ quan.",
            "This personal identification number is already linked to another identity on the "
            "identity platform. Please contact the agency's help desk.",
            code="accounts.federated_linked_elsewhere",
        )
    if not row.active:
        return PermissionDeniedError(
            "Tài khoản này đã bị vô hiệu hóa. Vui lòng liên hệ bộ phận hỗ trợ của cơ quan.",
            "This account is disabled. Please contact the agency's help desk.",
            code="accounts.disabled",
        )
    return None


def _audit_federated(
    session: Session,
    row: UserRow,
    outcome: Outcome,
    source_ip: str | None,
    details: dict[str, object],
) -> None:
    record_event(
        session,
        AuditEntry(
            actor=row.username,
            role=_primary_role(row) if outcome is Outcome.DENIED else str(Role.CITIZEN),
            action="auth.login_oidc",
            outcome=outcome,
            agency_id=row.agency_id,
            object_type="user",
            object_id=row.username,
            source_ip=source_ip,
            details=details,
        ),
    )
