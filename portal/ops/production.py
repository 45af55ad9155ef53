"""The production server: gunicorn with threaded workers, built from settings.

Each worker builds its own app after the fork (no database connection or
thread pool crosses a fork). Refuses to start on demo accounts or the demo
PKI unless ``EFORMS_ALLOW_DEMO_IN_PRODUCTION`` says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from flask import Flask
from gunicorn.app.base import BaseApplication
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from eforms.errors import EformsError
from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from portal.settings import Settings
from signing.demo_pki import DemoPKI
from storage.db import Database
from storage.schema import UserRow


class ProductionRefusedError(EformsError):
    code = "ops.production_refused"
    http_status = 500


@dataclass(frozen=True)
class DemoProblem:
    """One sign that the installation is still a demo, in both languages."""

    vi: str
    en: str


def demo_problems(settings: Settings) -> list[DemoProblem]:
    """Why this installation still looks like a demo (empty when it does not)."""
    problems = []
    if settings.demo:
        problems.append(
            DemoProblem(
                "EFORMS_DEMO đang bật (đặt EFORMS_DEMO=0)", "EFORMS_DEMO is on (set EFORMS_DEMO=0)"
            )
        )
    if not settings.secret_key:
        problems.append(
            DemoProblem(
                "chưa đặt EFORMS_SECRET_KEY (khóa tự sinh chỉ dùng trên máy cá nhân)",
                "EFORMS_SECRET_KEY is not set (the generated key is for local use)",
            )
        )
    problems.extend(_demo_passwords(settings))
    if DemoPKI.present(settings.data_dir):
        pki_dir = settings.data_dir / "pki"
        problems.append(
            DemoProblem(
                f"thư mục dữ liệu còn PKI demo ({pki_dir}, khóa mã PIN 123456); xóa thư mục này",
                f"the demo PKI is present in the data directory ({pki_dir}, keys with PIN "
                "123456); remove that directory",
            )
        )
    return problems


def _demo_passwords(settings: Settings) -> list[DemoProblem]:
    problems = []
    db = Database(settings.resolved_database_url)
    try:
        with db.unit_of_work() as session:
            rows = session.scalars(
                select(UserRow).where(UserRow.username.in_([a.username for a in DEMO_ACCOUNTS]))
            ).all()
            hasher = PasswordHasher()
            for row in rows:
                try:
                    if row.password_hash and hasher.verify(row.password_hash, DEMO_PASSWORD):
                        problems.append(
                            DemoProblem(
                                f"tài khoản '{row.username}' vẫn dùng mật khẩu demo",
                                f"account '{row.username}' still has the demo password",
                            )
                        )
                except VerificationError:
                    continue
    except (EformsError, SQLAlchemyError):
        problems.append(
            DemoProblem(
                "không đọc được cơ sở dữ liệu để kiểm tra tài khoản demo",
                "the database cannot be read to check for demo accounts",
            )
        )
    finally:
        db.dispose()
    return problems


def refuse_demo(settings: Settings) -> None:
    """Raise with the full list of demo leftovers unless explicitly allowed."""
    problems = demo_problems(settings)
    if problems and not settings.allow_demo_in_production:
        listing_vi = "; ".join(p.vi for p in problems)
        listing_en = "; ".join(p.en for p in problems)
        raise ProductionRefusedError(
            f"Không khởi động chế độ vận hành vì còn dữ liệu dùng thử: {listing_vi}. Đặt "
            "EFORMS_ALLOW_DEMO_IN_PRODUCTION=1 nếu chủ ý chạy bản dùng thử.",
            f"Refusing to start in production with demo leftovers: {listing_en}. Set "
            "EFORMS_ALLOW_DEMO_IN_PRODUCTION=1 to run the demo on purpose.",
            details={"problems": [p.en for p in problems]},
        )


def gunicorn_options(settings: Settings, *, host: str, port: int) -> dict[str, Any]:
    """Gunicorn settings matching the app's limits (see docs/operations.md)."""
    return {
        "bind": f"{host}:{port}",
        "workers": settings.workers,
        "threads": settings.threads,
        "worker_class": "gthread",
        "timeout": settings.request_timeout,
        "graceful_timeout": 30,
        "keepalive": 5,
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
        "max_requests": 5000,
        "max_requests_jitter": 500,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "accesslog": None,
        "errorlog": "-",
        "preload_app": False,
    }


class ProductionServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn running :func:`portal.create_app` in every worker."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key.lower(), value)

    def load(self) -> Flask:
        if self.settings.workers > 1 and self.settings.ratelimit_storage_url == "memory://":
            logging.getLogger(__name__).warning(
                "rate limits are counted per worker (%s workers); set "
                "EFORMS_RATELIMIT_STORAGE_URL=redis://... to share them",
                self.settings.workers,
            )
        from portal import create_app
        from portal.ops.logs import configure_logging
        from portal.ops.outbox_runner import start_outbox

        configure_logging(fmt=self.settings.log_format, level=self.settings.log_level)
        app = create_app(self.settings)
        start_outbox(app)
        return app
