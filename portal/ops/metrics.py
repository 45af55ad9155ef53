"""Prometheus metrics: requests by route, business counters, figures read at scrape time.

Counters and histograms live in the process-wide registry; under gunicorn
with several workers set ``PROMETHEUS_MULTIPROC_DIR`` and the endpoint
aggregates every worker. Figures that live in the database (dossiers by
status, pending outbox events) are read when Prometheus scrapes.
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
from werkzeug.wrappers import Response

from storage.db import Database
from storage.errors import StorageError
from storage.schema.dossiers import DossierRow, OutboxDeliveryRow

HTTP_REQUESTS = Counter(
    "eforms_http_requests_total", "HTTP requests by route and status", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "eforms_http_request_duration_seconds", "Request duration by route", ["method", "route"]
)
SUBMISSIONS = Counter("eforms_submissions_total", "Dossiers submitted", ["procedure", "channel"])
SIGNATURES = Counter("eforms_signatures_total", "Signatures made", ["level", "outcome"])
SIGNING_SECONDS = Histogram("eforms_signing_duration_seconds", "Time to sign one document")
VERIFICATIONS = Counter("eforms_verifications_total", "Verifications by verdict", ["indication"])
VERIFY_SECONDS = Histogram("eforms_verification_duration_seconds", "Time to verify one PDF")
PREFILL_ERRORS = Counter("eforms_prefill_errors_total", "Prefill source failures", ["source"])
FIXITY_FAILURES = Counter("eforms_fixity_failures_total", "Objects failing a fixity check")


class DatabaseFigures(Collector):
    """Gauges computed from indexed aggregate queries at scrape time."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Declared names only: registering must not query the database.
        yield GaugeMetricFamily("eforms_dossiers", "Dossiers by status", labels=["status"])
        yield GaugeMetricFamily(
            "eforms_outbox_deliveries", "Outbox deliveries by state", labels=["state"]
        )

    def collect(self) -> Iterator[GaugeMetricFamily]:
        by_status = GaugeMetricFamily("eforms_dossiers", "Dossiers by status", labels=["status"])
        outbox = GaugeMetricFamily(
            "eforms_outbox_deliveries", "Outbox deliveries by state", labels=["state"]
        )
        try:
            with self.db.unit_of_work() as session:
                rows = session.execute(
                    select(DossierRow.status, func.count()).group_by(DossierRow.status)
                ).all()
                deliveries = session.execute(
                    select(OutboxDeliveryRow.state, func.count()).group_by(OutboxDeliveryRow.state)
                ).all()
        except (StorageError, SQLAlchemyError):
            # No schema yet or the database is down: /readyz reports it.
            return
        for status, count in rows:
            by_status.add_metric([status], count)
        for state, count in deliveries:
            outbox.add_metric([state], count)
        yield by_status
        yield outbox


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


def init_app(app: Flask, db: Database) -> CollectorRegistry:
    app.after_request(_observe)
    registry = CollectorRegistry(auto_describe=True)
    registry.register(DatabaseFigures(db))
    return registry
