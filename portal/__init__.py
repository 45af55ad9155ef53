"""The web portal: the only Flask code of the project.

``create_app(settings=None)`` reads the settings (environment by default),
builds the services once, and registers every blueprint, the error handlers,
security, translations and the command line.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask

from portal.services import EXTENSION_KEY, build_services
from portal.settings import Settings

__all__ = ["create_app"]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _vn_time(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """Show an instant in Vietnam time (UTC+07:00)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VN_TZ).strftime(fmt)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask application from ``settings`` (default: environment)."""
    from portal import (
        admin,
        archivist,
        audit_trail,
        authoring,
        citizen,
        dossiers,
        errors,
        home,
        i18n,
        security,
        static_files,
        verification,
    )
    from portal.auth import session as auth_session
    from portal.auth import views as auth_views
    from portal.authoring.api import api as forms_api
    from portal.ops import views as ops_views

    settings = settings or Settings.from_env()
    settings.check()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.ensure_secret_key(),
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.resolved_cookie_secure,
        SESSION_COOKIE_NAME="eforms_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.resolved_cookie_secure,
        PREFERRED_URL_SCHEME="https" if settings.resolved_cookie_secure else "http",
    )
    app.config.update(settings.extra)
    static_files.init_app(app)
    if settings.proxy_count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    app.extensions[EXTENSION_KEY] = build_services(settings)
    logging.getLogger("eforms").setLevel(logging.INFO)

    i18n.init_app(app, default_locale=settings.default_locale)
    security.init_app(
        app,
        ratelimit_storage_url=settings.ratelimit_storage_url,
        secure=settings.resolved_cookie_secure,
    )
    auth_session.init_app(app)
    auth_views.init_app(app)
    errors.init_app(app)
    ops_views.init_app(app)
    app.jinja_env.filters["vntime"] = _vn_time
    app.jinja_env.globals["settings"] = settings
    for blueprint in (
        home.bp,
        admin.bp,
        audit_trail.bp,
        dossiers.bp,
        dossiers.lookup_bp,
        dossiers.results_bp,
        dossiers.stats_bp,
        dossiers.batch_bp,
        dossiers.backfill_bp,
        dossiers.external_sign_bp,
        authoring.bp,
        forms_api,
        verification.bp,
        archivist.bp,
        citizen.bp,
    ):
        app.register_blueprint(blueprint)
    return app
