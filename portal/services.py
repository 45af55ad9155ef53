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

from archive.ports import SignatureVerifier
from dossiers import CodeFormat, DossierPolicy, WorkingCalendar
from forms_builder.prefill import PrefillConfig, PrefillService, build_prefill
from forms_builder.rendering import check_renders
from forms_builder.services import FormService
from portal.ops.instrumented import (
    ObservedSignatureVerifier,
    ObservedVerifier,
    count_fixity_failures,
    count_prefill_failure,
)
from portal.ops.logs import current_request_id
from portal.settings import Settings, split_paths
from signing.configured import ConfiguredSigning, CscConfig, Pkcs11Config, SigningDirectory
from signing.demo_services import DemoSigning
from signing.errors import DemoSigningDisabledError
from signing.validation import RevocationPolicy, TrustStore, Verifier
from storage.backup import make_backup_job
from storage.db import Database
from storage.jobs import JobLedger, JobRegistry
from storage.ports import JobQueue, ObjectStore
from storage.wiring import build_job_queue, build_object_store

EXTENSION_KEY = "eforms"


@dataclass
class Services:
    """Everything a request or a command may need, built from settings."""

    settings: Settings
    db: Database
    dossier_policy: DossierPolicy
    """Dossier code format and the working calendar."""
    prefill: PrefillService
    object_store: ObjectStore
    job_registry: JobRegistry
    """Capabilities register their background jobs here (``register(name, func)``)."""
    job_ledger: JobLedger
    """Job state and progress in the database (``recent()``, ``get(id)``)."""
    jobs: JobQueue
    signing: SigningDirectory
    """Who signs with which key: the demo PKI (``start()`` serves its OCSP/CRL/TSA and CSC
    server, and refuses in production mode) or the configured PKCS#11 token or remote
    signing service (``EFORMS_SIGNING_BACKEND``)."""
    forms: FormService
    verifier: Verifier
    """Signature verification with the configured trust store (``EFORMS_VERIFY_*``);
    every verdict is counted in the metrics."""


def build_services(settings: Settings) -> Services:
    """Build every service from ``settings``; connects lazily."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    store = build_object_store(settings)
    registry = JobRegistry()
    registry.register(
        "storage.backup",
        make_backup_job(
            db=db,
            store=store,
            default_target=settings.resolved_backup_target,
            data_dir=settings.data_dir,
        ),
    )
    ledger = JobLedger(db, correlation=current_request_id)
    signing = build_signing(settings)
    built = Services(
        settings=settings,
        db=db,
        dossier_policy=DossierPolicy(
            code_format=CodeFormat(settings.dossier_code_pattern),
            calendar=WorkingCalendar.vietnam(settings.holidays.split(",")),
        ),
        prefill=build_prefill(
            _prefill_config(settings), db, on_source_failure=count_prefill_failure
        ),
        object_store=store,
        job_registry=registry,
        job_ledger=ledger,
        jobs=build_job_queue(settings, ledger, registry),
        signing=signing,
        verifier=ObservedVerifier(
            load_trust=_verification_trust(settings, signing),
            revocation=RevocationPolicy(settings.verify_revocation),
        ),
        # Publishing refuses a form whose sample does not render to valid PDF/A.
        forms=FormService(db, render_check=check_renders),
    )
    register_archive_jobs(built)
    register_result_jobs(built)
    if not (settings.prefill_population_url and settings.prefill_enterprise_url):
        # The bundled registry serves a source: generate it now, not on the
        # first citizen's lookup (which has a time budget of its own).
        built.prefill.registry.warm_up()
    return built


def archive_verifier(built: Services) -> SignatureVerifier:
    """The signature check archive ingest uses: the project's verification (issue 8),
    against ``EFORMS_ARCHIVE_TRUST_ROOTS`` or else the verification trust store,
    each verdict counted in the metrics."""
    from archive.report_verifier import ReportVerifier

    paths = [Path(p.strip()) for p in built.settings.archive_trust_roots.split(",") if p.strip()]
    trust = TrustStore.from_pem_files(paths) if paths else built.verifier.trust
    return ObservedSignatureVerifier(ReportVerifier(trust, revocation=RevocationPolicy.BOTH))


def register_result_jobs(built: Services) -> None:
    """Batch approval and signing of results (``results.batch_sign``)."""
    from portal.dossiers.batch import register_result_jobs as register

    register(built)


def register_archive_jobs(built: Services) -> None:
    """The archive's background jobs: the fixity audit (scheduled or started by hand),
    and packaging and ingesting closed dossiers from the archive queue (archivist's page).

    Payload ``sample`` (0: every package) and ``actor``. The result is
    :func:`archive.fixity.summarise`: objects checked, totals, the failing
    objects named. Objects failing the audit are counted in the metrics as
    the job ends.
    """
    from archive.fixity import run_fixity_audit, summarise

    def fixity(progress: object, *, sample: int = 0, actor: str = "system") -> dict[str, object]:
        report = run_fixity_audit(
            built.db,
            built.object_store,
            sample=sample or None,
            actor=actor,
            progress=progress,  # type: ignore[arg-type]
        )
        count_fixity_failures(report.totals)
        return summarise(report)

    built.job_registry.register("archive.fixity_audit", fixity)
    from portal.archive_records import INGEST_JOB, ingest_queue_job

    built.job_registry.register(INGEST_JOB, ingest_queue_job(built))


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


def build_signing(settings: Settings) -> SigningDirectory:
    """The demo PKI, or the token or remote service ``EFORMS_SIGNING_BACKEND`` names."""
    if settings.signing_backend == "demo":
        return DemoSigning(
            settings.data_dir,
            pki_port=settings.pki_port,
            csc_port=settings.csc_port,
            # Production mode (EFORMS_DEMO=0) never signs with the demo keys, unless the
            # operator runs the demo on purpose (the same override as `serve --production`).
            enabled=settings.demo or settings.allow_demo_in_production,
        )
    csc = (
        CscConfig(settings.csc_url, settings.csc_client_id, settings.csc_client_secret)
        if settings.csc_url
        else None
    )
    pkcs11 = (
        Pkcs11Config(
            module=settings.pkcs11_module,
            token_label=settings.pkcs11_token,
            pin=settings.pkcs11_pin,
            key_label=settings.pkcs11_key_label,
        )
        if settings.signing_backend == "pkcs11"
        else None
    )
    return ConfiguredSigning(
        backend=settings.signing_backend,
        trust_roots=tuple(Path(p) for p in split_paths(settings.verify_trust_roots)),
        ca_certs=tuple(Path(p) for p in split_paths(settings.signing_ca_certs)),
        tsa_url=settings.tsa_url,
        images_dir=Path(settings.signing_images_dir) if settings.signing_images_dir else None,
        pkcs11=pkcs11,
        csc=csc,
        leader_title=settings.signing_leader_title,
    )


def demo_signing(built: Services) -> DemoSigning:
    """The demo PKI's services; refused when the installation signs with real keys."""
    if isinstance(built.signing, DemoSigning):
        return built.signing
    raise DemoSigningDisabledError(
        "Bản cài đặt ký bằng khóa thật (EFORMS_SIGNING_BACKEND="
        f"{built.settings.signing_backend}); lệnh này chỉ dùng cho PKI demo.",
        "This installation signs with real keys (EFORMS_SIGNING_BACKEND="
        f"{built.settings.signing_backend}); this command is for the demo PKI only.",
    )


def _verification_trust(settings: Settings, signing: SigningDirectory) -> Callable[[], TrustStore]:
    """The configured PEM roots, or the demo PKI's root when none are configured."""
    paths = [Path(p) for p in split_paths(settings.verify_trust_roots)]
    if paths:
        return lambda: TrustStore.from_pem_files(paths)
    return lambda: TrustStore.from_trust_settings(signing.trust())


def services(app: Flask | None = None) -> Services:
    """The services of ``app`` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION_KEY]
