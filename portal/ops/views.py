"""``/healthz``, ``/readyz`` and ``/metrics``."""

from __future__ import annotations

import hmac
import ipaddress
import threading
import time

from flask import Blueprint, Flask, abort, current_app, jsonify, request
from werkzeug.wrappers import Response

from portal.ops import metrics
from portal.ops.health import CheckResult, run_probes
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


READYZ_CACHE_SECONDS = 2.0
"""Probes run at most this often: load balancers polling, or anyone on the
internet, cannot turn ``/readyz`` into a stream of calls to the dependencies."""
_READYZ_KEY = "eforms_readyz"


@bp.get("/readyz")
@limiter.exempt
def readyz() -> tuple[Response, int]:
    """Every dependency with its state; 503 when any fails.

    Latency, error detail and remedy are shown to the same clients as
    ``/metrics`` (loopback or the metrics token); others see names and states.
    """
    results = _cached_probes(current_app)
    ready = all(r.ok for r in results)
    detailed = _metrics_allowed()
    checks = [r.as_dict() if detailed else _summary(r.as_dict()) for r in results]
    body = {"status": "ready" if ready else "not_ready", "checks": checks}
    return jsonify(body), 200 if ready else 503


def _summary(check: dict[str, object]) -> dict[str, object]:
    return {"name": check["name"], "status": check["status"]}


def _cached_probes(app: Flask) -> list[CheckResult]:
    """The last probe results if fresh; one run at a time refreshes them."""
    state = app.extensions.setdefault(_READYZ_KEY, {"lock": threading.Lock(), "at": 0.0})
    with state["lock"]:
        if time.monotonic() - state["at"] > READYZ_CACHE_SECONDS:
            state["results"] = run_probes(readiness_probes(services()))
            state["at"] = time.monotonic()
        results: list[CheckResult] = state["results"]
    return results


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
