"""Login (local and OpenID Connect), logout and language choice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from portal.accounts import Role, authenticate, find_or_create_federated_citizen
from portal.accounts.services import LoginPolicy
from portal.auth.forms import LoginForm
from portal.auth.session import PortalUser, audit, client_ip, current_account
from portal.i18n import LANG_COOKIE, LANGUAGES, error_message
from portal.security import limiter
from portal.services import services
from storage.audit import Outcome

bp = Blueprint("auth", __name__)
OAUTH_KEY = "eforms_oauth"


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_rate_limit() -> str:
    return services().settings.login_rate_limit


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login() -> str | Response:
    if current_account() is not None:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        settings = services().settings
        policy = LoginPolicy(
            max_attempts=settings.login_max_attempts,
            lockout=timedelta(minutes=settings.login_lockout_minutes),
        )
        with services().db.unit_of_work() as db_session:
            result = authenticate(
                db_session,
                username=form.username.data or "",
                password=form.password.data or "",
                policy=policy,
                source_ip=client_ip(),
            )
        if result.account is not None and _citizen_must_use_oidc(result.account):
            audit(
                "auth.login",
                outcome=Outcome.DENIED,
                object_type="user",
                object_id=result.account.username,
                details={"reason": "citizen_password_login_off"},
            )
            flash(
                _(
                    "Công dân đăng nhập bằng tài khoản định danh điện tử (nút đăng nhập quốc gia "
                    "bên dưới), không dùng mật khẩu."
                ),
                "error",
            )
            status = 403
        elif result.account is not None:
            next_url = _safe_next(request.args.get("next"))
            session.clear()
            login_user(PortalUser(result.account))
            return redirect(next_url or url_for("home.index"))
        else:
            assert result.error is not None
            flash(error_message(result.error), "error")
            status = result.error.http_status
    elif request.method == "POST":
        status = 400
    return make_response(
        render_template(
            "auth/login.html", form=form, oidc_enabled=bool(services().settings.oidc_issuer)
        ),
        status,
    )


def _citizen_must_use_oidc(account: Any) -> bool:
    """Outside demo mode, citizens log in through the national identity provider only."""
    settings = services().settings
    return not settings.demo and bool(settings.oidc_issuer) and set(account.roles) <= {Role.CITIZEN}


@bp.post("/logout")
def logout() -> Response:
    account = current_account()
    if account is not None:
        audit("auth.logout", object_type="user", object_id=account.username)
    logout_user()
    session.clear()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("home.index"))


def _oidc_client() -> Any:
    oauth: OAuth | None = current_app.extensions.get(OAUTH_KEY)
    client = oauth.create_client("national") if oauth is not None else None
    if client is None:
        abort(404)
    return client


@bp.get("/login/oidc")
def oidc_start() -> Response:
    client = _oidc_client()
    redirect_uri = url_for("auth.oidc_callback", _external=True)
    return client.authorize_redirect(redirect_uri)


@bp.get("/login/oidc/callback")
def oidc_callback() -> Response:
    client = _oidc_client()
    settings = services().settings
    try:
        token = client.authorize_access_token()
    except OAuthError as exc:
        audit("auth.login_oidc", outcome=Outcome.FAILURE, details={"error": exc.error})
        flash(_("Đăng nhập qua cổng định danh không thành công. Vui lòng thử lại."), "error")
        return redirect(url_for("auth.login"))
    claims = token.get("userinfo") or client.userinfo(token=token)
    with services().db.unit_of_work() as db_session:
        result = find_or_create_federated_citizen(
            db_session,
            issuer=settings.oidc_issuer,
            subject=str(claims["sub"]),
            personal_id=claims.get(settings.oidc_personal_id_claim),
            full_name=claims.get("name") or "",
            email=claims.get("email"),
            home_agency_id=settings.home_agency_id,
            source_ip=client_ip(),
        )
    session.clear()
    if result.account is None:
        assert result.error is not None
        flash(error_message(result.error), "error")
        return redirect(url_for("auth.login"))
    login_user(PortalUser(result.account))
    return redirect(url_for("home.index"))


@bp.get("/lang/<code>")
def set_language(code: str) -> Response:
    if code not in LANGUAGES:
        abort(404)
    target = _safe_next(request.args.get("next")) or url_for("home.index")
    response = redirect(target)
    response.set_cookie(
        LANG_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response


def init_app(app: Flask) -> None:
    settings = services(app).settings
    if settings.oidc_issuer:
        oauth = OAuth(app)
        app.extensions[OAUTH_KEY] = oauth
        oauth.register(
            "national",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=settings.oidc_issuer.rstrip("/")
            + "/.well-known/openid-configuration",
            client_kwargs={"scope": settings.oidc_scopes},
        )
    app.register_blueprint(bp)
