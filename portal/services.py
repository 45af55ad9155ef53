"""The services the app is wired with, built once by ``create_app``.

Views and commands reach them through :func:`services`; nothing here
connects at import time. Each capability adds its own attribute and builds
it in :func:`build_services` from the settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from portal.settings import Settings
from signing.demo_services import DemoSigning
from storage.db import Database

EXTENSION_KEY = "eforms"


@dataclass
class Services:
    """Everything a request or a command may need, built from settings."""

    settings: Settings
    db: Database
    signing: DemoSigning
    """Demo PKI, its OCSP/CRL/TSA and the CSC remote-signing server; ``start()`` serves them."""


def build_services(settings: Settings) -> Services:
    """Build every service from ``settings``; connects lazily."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Services(
        settings=settings,
        db=Database(settings.resolved_database_url),
        signing=DemoSigning(
            settings.data_dir, pki_port=settings.pki_port, csc_port=settings.csc_port
        ),
    )


def services(app: Flask | None = None) -> Services:
    """The services of ``app`` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION_KEY]
