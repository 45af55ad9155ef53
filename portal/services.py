"""The services the app is wired with, built once by ``create_app``.

Views and commands reach them through :func:`services`; nothing here
connects at import time. Each capability adds its own attribute and builds
it in :func:`build_services` from the settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from forms_builder.rendering import check_renders
from forms_builder.services import FormService
from portal.settings import Settings
from storage.db import Database

EXTENSION_KEY = "eforms"


@dataclass
class Services:
    """Everything a request or a command may need, built from settings."""

    settings: Settings
    db: Database
    forms: FormService


def build_services(settings: Settings) -> Services:
    """Build every service from ``settings``; connects lazily."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    # Publishing refuses a form whose sample does not render to valid PDF/A.
    forms = FormService(db, render_check=check_renders)
    return Services(settings=settings, db=db, forms=forms)


def services(app: Flask | None = None) -> Services:
    """The services of ``app`` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION_KEY]
