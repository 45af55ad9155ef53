"""Health, readiness, metrics and structured logs."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app
from portal.cli import cli
from portal.ops.logs import JsonFormatter, MaskingFilter, mask_text
from portal.services import services
from tests.conftest import install_seeded_db, make_settings
from tests.harness.net import free_port


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_reports_each_dependency(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    checks = {c["name"]: c for c in response.json["checks"]}
    assert checks["database"]["status"] == "ok"
    assert checks["database"]["latency_ms"] >= 0


def test_readyz_fails_with_remedy_when_a_source_is_down(
    tmp_path: Path, seeded_sqlite: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/"
    settings = make_settings(tmp_path / "d", prefill_population_url=dead)
    install_seeded_db(seeded_sqlite, settings.data_dir)
    app = create_app(settings)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.json["status"] == "not_ready"
    failing = [c for c in response.json["checks"] if c["status"] == "failing"]
    assert [c["name"] for c in failing] == ["prefill.population"]
    assert "remedy_en" in failing[0] and "remedy_vi" in failing[0]
    services(app).db.dispose()


def test_metrics_on_loopback_and_with_token(tmp_path: Path, seeded_sqlite: Path) -> None:
    settings = make_settings(tmp_path / "d")
    install_seeded_db(seeded_sqlite, settings.data_dir)
    client = create_app(settings).test_client()
    client.get("/login")
    body = client.get("/metrics").get_data(as_text=True)
    assert 'eforms_http_requests_total{method="GET",route="/login",status="200"}' in body
    assert "eforms_outbox_deliveries" in body
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 403

    settings = make_settings(tmp_path / "e", metrics_token="t0ken")
    install_seeded_db(seeded_sqlite, settings.data_dir)
    client = create_app(settings).test_client()
    assert client.get("/metrics").status_code == 403
    ok = client.get("/metrics", headers={"Authorization": "Bearer t0ken"})
    assert ok.status_code == 200


def test_request_id_is_echoed_or_generated(client: FlaskClient) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "abc12345-req"})
    assert given.headers["X-Request-ID"] == "abc12345-req"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert len(made.headers["X-Request-ID"]) == 32


def test_personal_ids_never_reach_logs_in_clear() -> None:
    assert mask_text("lookup 001203012345 and 0101234567-001") == (
        "lookup 001*******45 and 010*********01"
    )
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("eforms.test.masking")
    logger.addHandler(handler)
    logger.propagate = False
    logger.warning("person %s not found", "079190001234", extra={"subject": "079190001234"})
    event = json.loads(stream.getvalue())
    assert "079190001234" not in stream.getvalue()
    assert event["level"] == "warning" and event["subject"] == "079*******34"


def test_access_log_line_per_request(app: Flask, client: FlaskClient, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.INFO, logger="eforms.access"):
        client.get("/tra-cuu/000.00.00.H56-261122-0001")
    [record] = [r for r in caplog.records if r.name == "eforms.access"]
    assert record.route == "/tra-cuu/<code>" and record.status == 404
    assert record.request_id


def test_doctor_exit_codes(tmp_path: Path) -> None:
    env = {"EFORMS_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli, ["doctor"], env=env)
    assert result.exit_code == 0 and "database" in result.output
    env["EFORMS_PREFILL_ENTERPRISE_URL"] = f"http://127.0.0.1:{free_port()}/"
    result = CliRunner().invoke(cli, ["doctor", "--timeout", "2"], env=env)
    assert result.exit_code == 1
    assert "FAIL" in result.output and "prefill.enterprise" in result.output


def test_readyz_covers_store_and_demo_signing(tmp_path: Path, seeded_sqlite: Path) -> None:
    settings = make_settings(tmp_path / "d", pki_port=free_port())
    install_seeded_db(seeded_sqlite, settings.data_dir)
    app = create_app(settings)
    svc = services(app)
    svc.signing.start()
    try:
        response = app.test_client().get("/readyz")
        checks = {c["name"]: c["status"] for c in response.json["checks"]}
        assert checks == {
            "database": "ok",
            "object_store": "ok",
            "signing.demo_pki": "ok",
            "signing.remote": "ok",
        }
    finally:
        svc.signing.stop()
        svc.db.dispose()


def test_readyz_tells_outsiders_only_states_and_probes_at_most_every_two_seconds(
    client: FlaskClient,
) -> None:
    inside = client.get("/readyz").json["checks"]
    again = client.get("/readyz").json["checks"]
    assert again == inside  # the same run: latencies identical
    outside = client.get("/readyz", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert outside.status_code == 200
    assert outside.json["checks"] == [{"name": c["name"], "status": c["status"]} for c in inside]


def test_a_job_started_by_a_request_carries_its_request_id(app: Flask) -> None:
    from flask import g

    from storage.jobs import REQUEST_ID_KEY
    from storage.schema.jobs import JobRow

    built = services(app)
    built.job_registry.register("test.noop", lambda progress: {"ok": True})
    with app.test_request_context("/"):
        g.request_id = "0123456789abcdef0123456789abcdef"
        job_id = built.jobs.submit("test.noop", {})
    done = built.jobs.wait(job_id, timeout=30)
    assert done.state.value == "succeeded", done.error_message
    with built.db.unit_of_work() as session:
        row = session.get(JobRow, job_id)
        assert row is not None
        assert row.payload[REQUEST_ID_KEY] == "0123456789abcdef0123456789abcdef"
