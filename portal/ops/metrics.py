"""Prometheus metrics: requests by route, business counters, figures read at scrape time.

Counters and histograms live in the process-wide registry; under gunicorn
with several workers set ``PROMETHEUS_MULTIPROC_DIR`` and the endpoint
aggregates every worker. The business counters move where the portal calls
the core (:mod:`portal.ops.instrumented`). Figures that live in the
database (dossiers by status, outbox deliveries, queued and running jobs,
the latest fixity audit) are read when Prometheus scrapes, so they are
right whatever process or instance changed them.

Labels are closed sets (routes, procedure codes, key backends, PAdES
levels, error codes, ETSI indications, source and job names): never a
dossier code or a personal identifier.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from flask import Flask, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from archive.fixity import OUTCOMES as FIXITY_OUTCOMES
from signing.validation import Indication
from storage.db import Database
from storage.errors import StorageError
from storage.jobs import JobLedger, JobRegistry, JobState
from storage.schema.archive import ArchiveFixityRunRow
from storage.schema.dossiers import DossierRow, OutboxDeliveryRow

HTTP_REQUESTS = Counter(
    "eforms_http_requests_total", "HTTP requests by route and status", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "eforms_http_request_duration_seconds", "Request duration by route", ["method", "route"]
)
SUBMISSIONS = Counter("eforms_submissions_total", "Dossiers submitted", ["procedure", "channel"])
SIGNATURES = Counter(
    "eforms_signatures_total",
    "Signatures made by key backend and PAdES level; outcome is ok or the error code",
    ["backend", "level", "outcome"],
)
SIGNING_SECONDS = Histogram(
    "eforms_signing_duration_seconds",
    "Time to sign one document (successful signatures)",
    ["backend", "level"],
)
VERIFICATIONS = Counter(
    "eforms_verifications_total",
    "Verifications by ETSI indication; refused when the input is not a readable PDF",
    ["indication"],
)
VERIFY_SECONDS = Histogram(
    "eforms_verification_duration_seconds", "Time to verify one PDF (with a verdict)"
)
PREFILL_ERRORS = Counter(
    "eforms_prefill_errors_total",
    "Prefill lookups that failed: timeout, unavailable or error",
    ["source", "reason"],
)
FIXITY_FAILURES = Counter(
    "eforms_fixity_failures_total",
    "Objects failing a fixity check: changed, missing, unexpected or errors",
    ["outcome"],
)
VERIFICATION_REFUSED = "refused"
"""The ``indication`` of a verification whose input was refused (not a PDF, too large)."""

# Series that alerts compare against exist from the start, at zero.
for _indication in [*(i.value for i in Indication), VERIFICATION_REFUSED]:
    VERIFICATIONS.labels(_indication)
for _outcome in FIXITY_OUTCOMES:
    if _outcome != "ok":
        FIXITY_FAILURES.labels(_outcome)

UNFINISHED_JOB_STATES = (JobState.QUEUED, JobState.RUNNING)


def _gauges() -> dict[str, GaugeMetricFamily]:
    """The figures read from the database, empty; one call per scrape."""
    families = [
        GaugeMetricFamily("eforms_dossiers", "Dossiers by status", labels=["status"]),
        GaugeMetricFamily(
            "eforms_outbox_deliveries", "Outbox deliveries by state", labels=["state"]
        ),
        GaugeMetricFamily(
            "eforms_jobs",
            "Jobs waiting or running in the job ledger, by job name and state",
            labels=["name", "state"],
        ),
        GaugeMetricFamily(
            "eforms_fixity_last_run_objects",
            "Objects of the most recent fixity audit by outcome (its scope may be a sample)",
            labels=["outcome"],
        ),
        GaugeMetricFamily(
            "eforms_fixity_last_run_timestamp_seconds",
            "When the most recent fixity audit finished (Unix time)",
        ),
    ]
    return {family.name: family for family in families}


class DatabaseFigures(Collector):
    """Gauges computed from indexed aggregate queries at scrape time.

    Read from the database, so they are right whichever process (web or
    Celery worker, this instance or another) changed them.
    """

    def __init__(self, db: Database, *, jobs: JobRegistry | None = None) -> None:
        self.db = db
        self.ledger = JobLedger(db)
        self.jobs = jobs
        """Registered job names get a zero series while none is waiting."""

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Declared names only: registering must not query the database.
        yield from _gauges().values()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauges = _gauges()
        try:
            with self.db.unit_of_work() as session:
                self._dossiers(session, gauges)
                self._fixity(session, gauges)
            self._jobs(gauges["eforms_jobs"])
        except (StorageError, SQLAlchemyError):
            # No schema yet or the database is down: /readyz reports it.
            return
        yield from gauges.values()

    @staticmethod
    def _dossiers(session: Session, gauges: dict[str, GaugeMetricFamily]) -> None:
        for status, count in session.execute(
            select(DossierRow.status, func.count()).group_by(DossierRow.status)
        ):
            gauges["eforms_dossiers"].add_metric([status], count)
        for state, count in session.execute(
            select(OutboxDeliveryRow.state, func.count()).group_by(OutboxDeliveryRow.state)
        ):
            gauges["eforms_outbox_deliveries"].add_metric([state], count)

    @staticmethod
    def _fixity(session: Session, gauges: dict[str, GaugeMetricFamily]) -> None:
        """The latest run's totals, wherever it ran (a cron job, a Celery worker)."""
        latest = session.execute(
            select(ArchiveFixityRunRow.finished_at, ArchiveFixityRunRow.totals)
            .where(ArchiveFixityRunRow.finished_at.is_not(None))
            .order_by(ArchiveFixityRunRow.started_at.desc())
            .limit(1)
        ).first()
        if latest is None:
            return
        finished_at, totals = latest
        for outcome in FIXITY_OUTCOMES:
            gauges["eforms_fixity_last_run_objects"].add_metric([outcome], totals.get(outcome, 0))
        gauges["eforms_fixity_last_run_timestamp_seconds"].add_metric([], finished_at.timestamp())

    def _jobs(self, gauge: GaugeMetricFamily) -> None:
        unfinished = self.ledger.unfinished()
        names = set(self.jobs.names() if self.jobs else ()) | {n for n, _s in unfinished}
        for name in sorted(names):
            for state in UNFINISHED_JOB_STATES:
                gauge.add_metric([name, state.value], unfinished.get((name, state), 0))


def _observe(response: Response) -> Response:
    started = g.get("request_started")
    rule = request.url_rule.rule if request.url_rule else "<unmatched>"
    HTTP_REQUESTS.labels(request.method, rule, str(response.status_code)).inc()
    if started is not None:
        HTTP_LATENCY.labels(request.method, rule).observe(time.perf_counter() - started)
    return response


def exposition(db_registry: CollectorRegistry) -> Response:
    """The text exposition of process (or all workers') metrics plus database figures."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        workers = CollectorRegistry()
        MultiProcessCollector(workers)
        body = generate_latest(workers)
    else:
        body = generate_latest(REGISTRY)
    body += generate_latest(db_registry)
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask, db: Database, *, jobs: JobRegistry | None = None) -> CollectorRegistry:
    """Count requests of ``app``; the registry of figures read from ``db`` at scrape time."""
    app.after_request(_observe)
    registry = CollectorRegistry(auto_describe=True)
    registry.register(DatabaseFigures(db, jobs=jobs))
    return registry
