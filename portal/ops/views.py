"""``/healthz``, ``/readyz`` and ``/metrics``."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, Flask, abort, current_app, jsonify, request
from werkzeug.wrappers import Response

from portal.ops import metrics
from portal.ops.health import run_probes
from portal.ops.probes import readiness_probes
from portal.security import csrf, limiter
from portal.services import services

bp = Blueprint("ops", __name__)
METRICS_REGISTRY_KEY = "eforms_metrics_registry"


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    """The process is alive and serving."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz() -> tuple[Response, int]:
    """Every dependency with its state and latency; 503 when any fails."""
    results = run_probes(readiness_probes(services()))
    ready = all(r.ok for r in results)
    body = {"status": "ready" if ready else "not_ready", "checks": [r.as_dict() for r in results]}
    return jsonify(body), 200 if ready else 503


def _metrics_allowed() -> bool:
    token = services().settings.metrics_token
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return hmac.compare_digest(sent.encode(), token.encode())
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
@limiter.exempt
def metrics_endpoint() -> Response:
    """Prometheus exposition; loopback only unless ``EFORMS_METRICS_TOKEN`` is set."""
    if not _metrics_allowed():
        abort(403)
    return metrics.exposition(current_app.extensions[METRICS_REGISTRY_KEY])


def init_app(app: Flask) -> None:
    from portal.ops import logs

    logs.init_app(app)
    built = services(app)
    app.extensions[METRICS_REGISTRY_KEY] = metrics.init_app(app, built.db, jobs=built.job_registry)
    csrf.exempt(bp)
    app.register_blueprint(bp)
