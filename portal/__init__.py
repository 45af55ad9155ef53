"""The web portal: the only Flask code of the project.

``create_app(settings=None)`` reads the settings (environment by default),
builds the services once, and registers every blueprint, the error handlers,
security, translations and the command line.
"""

from __future__ import annotations

from flask import Flask

from portal.services import EXTENSION_KEY, build_services
from portal.settings import Settings

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask application from ``settings`` (default: environment)."""
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
        PREFERRED_URL_SCHEME="https" if settings.resolved_cookie_secure else "http",
    )
    app.config.update(settings.extra)
    app.extensions[EXTENSION_KEY] = build_services(settings)
    return app
