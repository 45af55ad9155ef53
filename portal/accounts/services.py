"""Account services: create, grant, authenticate, list. No Flask here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.errors import (
    AccountError,
    AccountLockedError,
    DuplicateAccountError,
    InvalidCredentialsError,
    PermissionDeniedError,
    UnknownAgencyError,
)
from portal.accounts.roles import PROVINCE_WIDE_ROLES, RESERVED_ROLES, Role
from storage.audit import AuditEntry, Outcome, record_event
from storage.schema import AgencyRow, RoleGrantRow, UserRow, utcnow

AGENCY_ID_PATTERN = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
PERSONAL_ID_PATTERN = re.compile(r"^\d{12}$")
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()
# Verified against when the username is unknown, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


@dataclass(frozen=True)
class Account:
    """A logged-in identity as the rest of the portal sees it."""

    id: int
    username: str
    full_name: str
    agency_id: str | None
    personal_id: str | None
    grants: frozenset[tuple[Role, str]]
    """Pairs of (role, agency id)."""
    identity_provider: str = "local"

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(role for role, _ in self.grants)

    def has_role(self, role: Role, agency_id: str | None = None) -> bool:
        """Whether the account holds ``role`` (in ``agency_id`` when given)."""
        return any(r == role and (agency_id is None or a == agency_id) for r, a in self.grants)

    def agencies_for(self, role: Role) -> frozenset[str]:
        """Agencies in which the account holds ``role``."""
        return frozenset(a for r, a in self.grants if r == role)

    @property
    def primary_role(self) -> Role | None:
        from portal.accounts.roles import HOME_PRIORITY

        return next((r for r in HOME_PRIORITY if r in self.roles), None)


def _to_account(row: UserRow) -> Account:
    return Account(
        id=row.id,
        username=row.username,
        full_name=row.full_name,
        agency_id=row.agency_id,
        personal_id=row.personal_id,
        grants=frozenset((Role(g.role), g.agency_id) for g in row.grants),
        identity_provider=row.identity_provider,
    )


def validate_agency_id(agency_id: str) -> str:
    """Check the national agency identifier format (e.g. ``000.00.00.H56``)."""
    if not AGENCY_ID_PATTERN.match(agency_id or ""):
        raise AccountError(
            f"Mã định danh cơ quan '{agency_id}' không đúng định dạng (ví dụ: 000.00.00.H56).",
            f"Agency identifier '{agency_id}' is malformed (example: 000.00.00.H56).",
            code="accounts.bad_agency_id",
        )
    return agency_id


def create_agency(
    session: Session, *, agency_id: str, name_vi: str, name_en: str, parent_id: str | None = None
) -> None:
    """Create an agency, or update its names when it exists."""
    validate_agency_id(agency_id)
    row = session.get(AgencyRow, agency_id)
    if row is None:
        session.add(AgencyRow(id=agency_id, name_vi=name_vi, name_en=name_en, parent_id=parent_id))
    else:
        row.name_vi, row.name_en, row.parent_id = name_vi, name_en, parent_id
    session.flush()


def _require_agency(session: Session, agency_id: str) -> AgencyRow:
    validate_agency_id(agency_id)
    row = session.get(AgencyRow, agency_id)
    if row is None:
        raise UnknownAgencyError(
            f"Không có cơ quan với mã {agency_id}.", f"No agency with identifier {agency_id}."
        )
    return row


def is_within(session: Session, agency_id: str, ancestor_id: str) -> bool:
    """Whether ``agency_id`` is ``ancestor_id`` or one of its sub-units."""
    current: str | None = agency_id
    seen: set[str] = set()
    while current is not None and current not in seen:
        if current == ancestor_id:
            return True
        seen.add(current)
        row = session.get(AgencyRow, current)
        current = row.parent_id if row else None
    return False


def check_can_administer(session: Session, actor: Account | None, agency_id: str) -> None:
    """Refuse unless ``actor`` is an administrator of ``agency_id`` or a parent unit.

    ``actor`` None means the system itself (command line on the server).
    """
    if actor is None:
        return
    if any(is_within(session, agency_id, own) for own in actor.agencies_for(Role.ADMIN)):
        return
    raise PermissionDeniedError(
        f"Bạn chỉ được quản lý tài khoản trong đơn vị của mình; {agency_id} nằm ngoài phạm vi.",
        f"You may manage accounts only inside your own unit; {agency_id} is outside it.",
        details={"agency_id": agency_id},
    )


def administers_every_agency(session: Session, actor: Account | None) -> bool:
    """Whether every agency lies inside a unit ``actor`` administers.

    True for the system (``actor`` None) and for administrators of the
    top-level unit when all agencies hang under it. With several units
    without a parent (as in the demo) no single unit's administrator covers
    them all, and this is False for everyone but the system.
    """
    if actor is None:
        return True
    own = actor.agencies_for(Role.ADMIN)
    if not own:
        return False
    agency_ids = session.scalars(select(AgencyRow.id)).all()
    return all(any(is_within(session, a, o) for o in own) for a in agency_ids)


def grantable_roles(session: Session, actor: Account | None) -> tuple[Role, ...]:
    """The roles ``actor`` may give inside its own units, in :class:`Role` order."""
    if administers_every_agency(session, actor):
        return tuple(Role)
    return tuple(r for r in Role if r not in RESERVED_ROLES)


def check_can_grant(session: Session, actor: Account | None, role: Role, agency_id: str) -> None:
    """Refuse unless ``actor`` may give ``role`` in ``agency_id``.

    Inside their own units administrators give the roles whose reach stays
    in the agency of the grant. Province-wide roles (they read every
    agency's data) and the administrator role are reserved to the system and
    to administrators whose units cover every agency; otherwise a unit's
    administrator could lift itself, or a colleague, above its unit.
    """
    check_can_administer(session, actor, agency_id)
    if role not in RESERVED_ROLES or administers_every_agency(session, actor):
        return
    if role in PROVINCE_WIDE_ROLES:
        why_vi, why_en = "xem được dữ liệu của mọi cơ quan", "reads the data of every agency"
    else:
        why_vi, why_en = "quản lý tài khoản và phân quyền", "manages accounts and roles"
    raise PermissionDeniedError(
        f"Vai trò “{role.label_vi}” {why_vi}, nên chỉ quản trị viên của đơn vị cấp cao nhất "
        "(quản lý mọi cơ quan) hoặc lệnh “eforms users grant” trên máy chủ mới được cấp. "
        "Hãy đề nghị quản trị viên cấp tỉnh cấp vai trò này.",
        f"The role “{role.label_en}” {why_en}, so only an administrator of the top-level unit "
        "(covering every agency) or the “eforms users grant” command on the server may grant "
        "it. Ask the provincial administrator to grant this role.",
        code="accounts.role_reserved",
        details={"agency_id": agency_id, "role": str(role)},
    )


def _hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
            code="accounts.weak_password",
        )
    return _hasher.hash(password)


def create_user(
    session: Session,
    *,
    actor: Account | None,
    username: str,
    full_name: str,
    password: str | None,
    agency_id: str,
    roles: tuple[Role, ...] = (),
    personal_id: str | None = None,
    email: str | None = None,
    source_ip: str | None = None,
) -> Account:
    """Create a local account in ``agency_id`` with ``roles`` there."""
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise AccountError(
            "Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch; 3–64 ký tự.",
            "Usernames use lowercase letters, digits, dot, dash or underscore; 3-64 characters.",
            code="accounts.bad_username",
        )
    if personal_id is not None and not PERSONAL_ID_PATTERN.match(personal_id):
        raise AccountError(
            "Số định danh cá nhân phải gồm đúng 12 chữ số.",
            "The personal identification number must be exactly 12 digits.",
            code="accounts.bad_personal_id",
        )
    _require_agency(session, agency_id)
    check_can_administer(session, actor, agency_id)
    for role in roles:
        check_can_grant(session, actor, role, agency_id)
    if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
        raise DuplicateAccountError(
            f"Tên đăng nhập '{username}' đã tồn tại.", f"Username '{username}' already exists."
        )
    row = UserRow(
        username=username,
        full_name=full_name.strip(),
        password_hash=_hash_password(password) if password else None,
        agency_id=agency_id,
        personal_id=personal_id,
        email=email,
    )
    row.grants = [
        RoleGrantRow(role=str(role), agency_id=agency_id, granted_by=actor.id if actor else None)
        for role in dict.fromkeys(roles)
    ]
    session.add(row)
    session.flush()
    record_event(
        session,
        AuditEntry(
            actor=actor.username if actor else "system",
            action="users.create",
            agency_id=agency_id,
            object_type="user",
            object_id=username,
            source_ip=source_ip,
            details={"roles": [str(r) for r in roles]},
        ),
    )
    return _to_account(row)


def grant_role(
    session: Session,
    *,
    actor: Account | None,
    username: str,
    role: Role,
    agency_id: str,
    source_ip: str | None = None,
) -> Account:
    """Give ``username`` the ``role`` in ``agency_id`` (idempotent); see :func:`check_can_grant`."""
    _require_agency(session, agency_id)
    check_can_grant(session, actor, role, agency_id)
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        raise AccountError(
            f"Không có tài khoản '{username}'.",
            f"No account '{username}'.",
            code="accounts.unknown_user",
        )
    if not any(g.role == role and g.agency_id == agency_id for g in row.grants):
        row.grants.append(
            RoleGrantRow(
                role=str(role), agency_id=agency_id, granted_by=actor.id if actor else None
            )
        )
        session.flush()
    record_event(
        session,
        AuditEntry(
            actor=actor.username if actor else "system",
            action="users.grant",
            agency_id=agency_id,
            object_type="user",
            object_id=username,
            source_ip=source_ip,
            details={"role": str(role)},
        ),
    )
    return _to_account(row)


def get_account(session: Session, user_id: int) -> Account | None:
    """The active account with ``user_id``, or None."""
    row = session.get(UserRow, user_id)
    return _to_account(row) if row is not None and row.active else None


def active_account(session: Session, username: str) -> Account | None:
    """The active account named ``username`` (usernames are lower case), or None."""
    row = session.scalar(select(UserRow).where(UserRow.username == username.strip().lower()))
    return _to_account(row) if row is not None and row.active else None


def list_users(
    session: Session, *, actor: Account | None, agency_id: str | None = None
) -> list[Account]:
    """Accounts the actor may see: all for supervisors/system, own units for admins."""
    rows = session.scalars(select(UserRow).order_by(UserRow.username)).all()
    accounts = [_to_account(r) for r in rows]
    if agency_id:
        accounts = [a for a in accounts if a.agency_id == agency_id]
    if actor is None or actor.has_role(Role.SUPERVISOR):
        return accounts
    own = actor.agencies_for(Role.ADMIN)
    return [
        a for a in accounts if a.agency_id and any(is_within(session, a.agency_id, o) for o in own)
    ]


@dataclass(frozen=True)
class LoginPolicy:
    """Lockout rule: ``max_attempts`` failures in a row lock for ``lockout``."""

    max_attempts: int = 5
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class LoginResult:
    """Outcome of :func:`authenticate`: an account or the error to show."""

    account: Account | None
    error: AccountError | None = None


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    policy: LoginPolicy,
    source_ip: str | None = None,
    now: datetime | None = None,
) -> LoginResult:
    """Check a password, count failures, lock after too many; audit every try.

    Returns instead of raising so that the failure counter and the audit
    event are committed with the caller's unit of work.
    """
    now = now or utcnow()
    username = username.strip().lower()
    row = session.scalar(select(UserRow).where(UserRow.username == username))

    def audit(outcome: Outcome, reason: str) -> None:
        record_event(
            session,
            AuditEntry(
                actor=username or "anonymous",
                role=_primary_role(row),
                action="auth.login",
                outcome=outcome,
                agency_id=row.agency_id if row else None,
                object_type="user",
                object_id=username,
                source_ip=source_ip,
                details={"reason": reason} if reason else {},
            ),
        )

    if row is None or not row.active or row.password_hash is None:
        _verify_quietly(_DUMMY_HASH, password)
        audit(Outcome.FAILURE, "unknown_user")
        return LoginResult(None, _invalid_credentials())
    if row.locked_until is not None and row.locked_until > now:
        audit(Outcome.DENIED, "locked")
        return LoginResult(None, _locked(row.locked_until, now))
    if not _verify_quietly(row.password_hash, password):
        row.failed_logins += 1
        if row.failed_logins >= policy.max_attempts:
            row.locked_until = now + policy.lockout
            row.failed_logins = 0
            audit(Outcome.FAILURE, "locked_after_failures")
            return LoginResult(None, _locked(row.locked_until, now))
        audit(Outcome.FAILURE, "bad_password")
        return LoginResult(None, _invalid_credentials())
    row.failed_logins = 0
    row.locked_until = None
    row.last_login_at = now
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
    audit(Outcome.SUCCESS, "")
    return LoginResult(_to_account(row))


def _primary_role(row: UserRow | None) -> str | None:
    if row is None:
        return None
    role = _to_account(row).primary_role
    return str(role) if role else None


def _verify_quietly(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _invalid_credentials() -> InvalidCredentialsError:
    return InvalidCredentialsError(
        "Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password."
    )


def _locked(until: datetime, now: datetime) -> AccountLockedError:
    minutes = max(1, int((until - now).total_seconds() // 60) + 1)
    return AccountLockedError(
        f"Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần. Thử lại sau {minutes} phút.",
        f"The account is locked after too many wrong passwords. Try again in {minutes} minutes.",
        details={"minutes": minutes},
    )
