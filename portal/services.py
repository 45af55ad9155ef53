"""The services the app is wired with, built once by ``create_app``.

Views and commands reach them through :func:`services`; nothing here
connects at import time. Each capability adds its own attribute and builds
it in :func:`build_services` from the settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from dossiers import CodeFormat, DossierPolicy, WorkingCalendar
from forms_builder.prefill import PrefillConfig, PrefillService, build_prefill
from portal.settings import Settings
from storage.db import Database

EXTENSION_KEY = "eforms"


@dataclass
class Services:
    """Everything a request or a command may need, built from settings."""

    settings: Settings
    db: Database
    dossier_policy: DossierPolicy
    """Dossier code format and the working calendar."""
    prefill: PrefillService


def build_services(settings: Settings) -> Services:
    """Build every service from ``settings``; connects lazily."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    return Services(
        settings=settings,
        db=db,
        dossier_policy=DossierPolicy(
            code_format=CodeFormat(settings.dossier_code_pattern),
            calendar=WorkingCalendar.vietnam(settings.holidays.split(",")),
        ),
        prefill=build_prefill(_prefill_config(settings), db),
    )


def _prefill_config(settings: Settings) -> PrefillConfig:
    return PrefillConfig(
        population_url=settings.prefill_population_url,
        enterprise_url=settings.prefill_enterprise_url,
        token=settings.prefill_token,
        username=settings.prefill_username,
        password=settings.prefill_password,
        timeout_seconds=settings.prefill_timeout_ms / 1000,
        retries=settings.prefill_retries,
        backoff_seconds=settings.prefill_backoff_ms / 1000,
        budget_seconds=settings.prefill_budget_ms / 1000,
        registry_seed=settings.prefill_registry_seed,
        registry_people=settings.prefill_registry_people,
        registry_enterprises=settings.prefill_registry_enterprises,
    )


def services(app: Flask | None = None) -> Services:
    """The services of ``app`` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION_KEY]
