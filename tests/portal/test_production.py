"""The production server under gunicorn: refuses demo leftovers, survives a
database outage with retryable 503s (never 500) and recovers by itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask

from dossiers import DocumentKind, Status
from portal import create_app
from portal.services import services
from signing.demo_pki import DemoPKI
from tests.conftest import install_seeded_db, login, make_settings
from tests.harness.net import free_port, wait_for_port
from tests.harness.postgres import PostgresServer, remove, start_postgres
from tests.portal.test_results import _dossier, _to_awaiting_approval

EFORMS = str(Path(sys.executable).parent / "eforms")
ROOT = Path(__file__).resolve().parents[2]
EFORMS_HERE = [sys.executable, "-c", "from portal.cli import main; main()"]
"""The command line of this checkout (run from its root), whatever the venv's script points to."""
pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    server = start_postgres()
    yield server
    remove(server)


def _env(tmp_path: Path, url: str, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EFORMS_")}
    env.update(
        EFORMS_DATA_DIR=str(tmp_path / "data"),
        EFORMS_DATABASE_URL=url,
        EFORMS_PORT=str(port),
        EFORMS_DEMO="0",
        EFORMS_SECRET_KEY="a-real-secret-for-this-test-only-0123456789",
        EFORMS_WORKERS="2",
        EFORMS_THREADS="4",
        **extra,
    )
    return env


def _wait_status(url: str, want: int, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if requests.get(url, timeout=4).status_code == want:
                return time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer {want} within {timeout}s")


def _wait_database_check(url: str, want: str, timeout: float) -> tuple[float, dict]:
    """Poll ``/readyz`` until its database check has state ``want``; 503 while failing."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            response = requests.get(url, timeout=4)
            check = next(c for c in response.json()["checks"] if c["name"] == "database")
        except (requests.RequestException, ValueError, KeyError, StopIteration):
            check = {}
        if check.get("status") == want:
            assert response.status_code == (503 if want == "failing" else 200)
            return time.monotonic() - started, check
        time.sleep(0.3)
    raise AssertionError(f"{url}: database check not {want} within {timeout}s")


def test_refuses_to_start_with_demo_data(tmp_path: Path, own_postgres: PostgresServer) -> None:
    url = own_postgres.create_database("demo_check")
    env = _env(tmp_path, url, free_port())
    subprocess.run([EFORMS, "db", "upgrade"], env=env, check=True, capture_output=True)
    # Seeded while the installation was a demo, then switched to production.
    subprocess.run(
        [EFORMS, "demo", "seed", "--no-dossiers"],
        env={**env, "EFORMS_DEMO": "1"},
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [EFORMS, "serve", "--production"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "demo password" in result.stderr and "EFORMS_ALLOW_DEMO_IN_PRODUCTION" in result.stderr


def test_database_outage_gives_503_then_recovers(
    tmp_path: Path, own_postgres: PostgresServer
) -> None:
    url = own_postgres.create_database("prod") + "?connect_timeout=3"
    port = free_port()
    env = _env(tmp_path, url, port)
    subprocess.run([EFORMS, "db", "upgrade"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [EFORMS, "serve", "--production"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    lookup = f"{base}/tra-cuu/000.00.00.H56-261122-0001"
    try:
        wait_for_port(port, timeout=60)
        _wait_status(f"{base}/readyz", 200, 60)
        statuses = [requests.get(lookup, timeout=10).status_code]

        own_postgres.stop()
        # The first 503 may come from a request hook that met the outage while
        # /readyz still serves its last (2 s) probe results: wait for the probe.
        took, db_check = _wait_database_check(f"{base}/readyz", "failing", 15)
        assert took < 10
        assert "remedy_en" in db_check and "remedy_vi" in db_check
        during = requests.get(lookup, timeout=10)
        statuses.append(during.status_code)
        assert during.status_code == 503 and during.headers["Retry-After"]

        own_postgres.start()
        _wait_status(f"{base}/readyz", 200, 30)
        statuses.extend(requests.get(lookup, timeout=10).status_code for _ in range(5))
        assert 500 not in statuses
        assert statuses[-1] == 404  # served again: the dossier simply does not exist
        assert requests.get(f"{base}/healthz", timeout=5).json() == {"status": "ok"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_refuses_to_start_with_the_demo_pki(tmp_path: Path) -> None:
    """The check looks where the demo PKI really lives (``pki/pki.json``, ``pki/keys``)."""
    env = _env(tmp_path, f"sqlite:///{tmp_path / 'eforms.db'}", free_port())
    subprocess.run([*EFORMS_HERE, "db", "upgrade"], env=env, cwd=ROOT, check=True)
    DemoPKI.load_or_create(tmp_path / "data", port=free_port())
    assert (tmp_path / "data" / "pki" / "pki.json").exists()

    refused = subprocess.run(
        [*EFORMS_HERE, "serve", "--production"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    assert "ops.production_refused" in refused.stderr
    assert "thư mục dữ liệu còn PKI demo" in refused.stderr  # Vietnamese first
    assert "the demo PKI is present in the data directory" in refused.stderr
    assert "EFORMS_ALLOW_DEMO_IN_PRODUCTION=1" in refused.stderr
    # Nothing else looks like a demo here: the PKI alone is the reason.
    assert "demo password" not in refused.stderr and "EFORMS_DEMO is on" not in refused.stderr


@pytest.fixture
def production_app(tmp_path: Path, seeded_sqlite: Path) -> Iterator[Flask]:
    """Production mode (``EFORMS_DEMO=0``) on the demo data, without a demo PKI."""
    data_dir = tmp_path / "data"
    install_seeded_db(seeded_sqlite, data_dir)
    app = create_app(make_settings(data_dir, demo=False, pki_port=free_port()))
    yield app
    services(app).signing.stop()
    services(app).db.dispose()


def test_production_mode_never_signs_with_demo_keys(production_app: Flask) -> None:
    app = production_app
    client = app.test_client()
    single = _to_awaiting_approval(app, client, "prod-1")
    batched = _to_awaiting_approval(app, client, "prod-2")
    login(client, "leader")

    client.post(f"/dossiers/{single}/result/sign")
    page = client.get(f"/dossiers/{single}").get_data(as_text=True)
    assert "không ký bằng khóa" in page and "EFORMS_DEMO=0" in page
    dossier = _dossier(app, single)
    assert dossier.status is Status.AWAITING_APPROVAL
    assert not dossier.documents_of(DocumentKind.RESULT)

    response = client.post("/leader/batch-sign", data={"codes": [batched]})
    job = services(app).jobs.wait(response.headers["Location"].rsplit("/", 1)[-1], timeout=60)
    assert job.state == "failed" and job.error_code == "signing.demo_disabled"
    assert "demo keys (PIN 123456) do not sign" in (job.error_message or "")
    assert _dossier(app, batched).status is Status.AWAITING_APPROVAL

    # No demo keys were made on the way (the old behaviour created them silently).
    assert not DemoPKI.present(services(app).settings.data_dir)
