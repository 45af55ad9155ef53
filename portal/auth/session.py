"""Who is asking: Flask-Login wiring, role checks and view-side audit."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, g, jsonify, request
from flask_babel import gettext
from flask_login import LoginManager, UserMixin, current_user
from flask_login import login_required as _login_required

from portal.accounts import Account, PermissionDeniedError, Role, get_account
from portal.services import services
from storage.audit import AuditEntry, Outcome, record_event

F = TypeVar("F", bound=Callable[..., Any])

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
login_manager.login_message_category = "info"
login_manager.localize_callback = gettext
login_manager.session_protection = "basic"


class PortalUser(UserMixin):
    """Flask-Login's view of an :class:`Account`."""

    def __init__(self, account: Account) -> None:
        self.account = account

    def get_id(self) -> str:
        return str(self.account.id)


@login_manager.user_loader
def _load_user(user_id: str) -> PortalUser | None:
    if not user_id.isdigit():
        return None
    with services().db.unit_of_work() as session:
        account = get_account(session, int(user_id))
    return PortalUser(account) if account else None


def current_account() -> Account | None:
    """The logged-in account, or None for anonymous visitors."""
    if current_user and current_user.is_authenticated:
        return current_user.account
    return None


def client_ip() -> str | None:
    return request.remote_addr if request else None


def audit(
    action: str,
    *,
    outcome: Outcome = Outcome.SUCCESS,
    object_type: str | None = None,
    object_id: str | None = None,
    role: Role | None = None,
    agency_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record an event for the current request in its own unit of work.

    For events that must survive the request failing (denials, failures).
    Changes and their events that succeed together go through the service's
    own unit of work instead.
    """
    account = current_account()
    entry = AuditEntry(
        actor=account.username if account else "anonymous",
        role=str(role or (account.primary_role if account else "")) or None,
        agency_id=agency_id or (account.agency_id if account else None),
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=object_id,
        source_ip=client_ip(),
        details=details or {},
    )
    with services().db.unit_of_work() as session:
        record_event(session, entry)
    if outcome is Outcome.DENIED:
        g.eforms_denial_audited = True


def denial_audited() -> bool:
    """Whether this request has already recorded a ``denied`` event."""
    return bool(g.get("eforms_denial_audited"))


def require_role(*roles: Role) -> Callable[[F], F]:
    """Allow only logged-in accounts holding one of ``roles`` (any agency)."""

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            account = current_account()
            if account is not None and not any(account.has_role(r) for r in roles):
                raise PermissionDeniedError(
                    "Bạn không có quyền truy cập trang này.",
                    "You do not have permission to open this page.",
                    details={"required": [str(r) for r in roles], "path": request.path},
                )
            return view(*args, **kwargs)

        logged_in = _login_required(wrapper)

        @functools.wraps(view)
        def api_aware(*args: Any, **kwargs: Any) -> Any:
            if current_account() is None and request.path.startswith("/api/"):
                # API clients get a JSON 401, not a redirect to the login page.
                body = {
                    "code": "auth.required",
                    "message": "Cần đăng nhập / Login required.",
                    "status": 401,
                }
                return jsonify(error=body), 401
            return logged_in(*args, **kwargs)

        return api_aware  # type: ignore[return-value]

    return decorator


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.jinja_env.globals["current_account"] = current_account
    app.jinja_env.globals["Role"] = Role
