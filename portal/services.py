"""The services the app is wired with, built once by ``create_app``.

Views and commands reach them through :func:`services`; nothing here
connects at import time. Each capability adds its own attribute and builds
it in :func:`build_services` from the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from portal.settings import Settings
from signing.demo_services import DemoSigning
from signing.validation import RevocationPolicy, TrustStore, Verifier
from storage.db import Database

EXTENSION_KEY = "eforms"


@dataclass
class Services:
    """Everything a request or a command may need, built from settings."""

    settings: Settings
    db: Database
    signing: DemoSigning
    """Demo PKI, its OCSP/CRL/TSA and the CSC remote-signing server; ``start()`` serves them."""
    verifier: Verifier
    """Signature verification with the configured trust store (``EFORMS_VERIFY_*``)."""


def build_services(settings: Settings) -> Services:
    """Build every service from ``settings``; connects lazily."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    signing = DemoSigning(settings.data_dir, pki_port=settings.pki_port, csc_port=settings.csc_port)
    return Services(
        settings=settings,
        db=Database(settings.resolved_database_url),
        signing=signing,
        verifier=Verifier(
            load_trust=_verification_trust(settings, signing),
            revocation=RevocationPolicy(settings.verify_revocation),
        ),
    )


def _verification_trust(settings: Settings, signing: DemoSigning) -> Callable[[], TrustStore]:
    """The configured PEM roots, or the demo PKI's root when none are configured."""
    paths = [Path(p.strip()) for p in settings.verify_trust_roots.split(",") if p.strip()]
    if paths:
        return lambda: TrustStore.from_pem_files(paths)
    return lambda: TrustStore.from_trust_settings(signing.pki.trust())


def services(app: Flask | None = None) -> Services:
    """The services of ``app`` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION_KEY]
