"""Two production instances on different ports share PostgreSQL, an S3 store
and Redis: what is done through one is seen through the other."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from storage.testing import moto_s3, redis_server
from tests.harness.net import free_port, wait_for_port
from tests.harness.postgres import PostgresServer, remove, start_postgres

EFORMS = str(Path(sys.executable).parent / "eforms")
CODE = "000.00.00.H56-261120-0077"
pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def shared_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    pg: PostgresServer = start_postgres()
    try:
        with moto_s3() as s3, redis_server() as redis_url:
            env = {k: v for k, v in os.environ.items() if not k.startswith("EFORMS_")}
            env.update(
                EFORMS_DATA_DIR=str(tmp_path / "node"),
                EFORMS_DATABASE_URL=pg.create_database("shared"),
                EFORMS_OBJECT_STORE="s3",
                EFORMS_S3_ENDPOINT=s3.endpoint,
                EFORMS_S3_ACCESS_KEY=s3.access_key,
                EFORMS_S3_SECRET_KEY=s3.secret_key,
                EFORMS_S3_SECURE="0",
                EFORMS_S3_BUCKET="eforms-shared",
                EFORMS_JOB_BROKER_URL=redis_url,
                EFORMS_RATELIMIT_STORAGE_URL=redis_url,
                EFORMS_LOOKUP_RATE_LIMIT="6 per minute",
                EFORMS_SECRET_KEY="shared-secret-of-both-instances-0123456789",
                EFORMS_WORKERS="1",
                EFORMS_THREADS="4",
                EFORMS_ALLOW_DEMO_IN_PRODUCTION="1",
            )
            yield env
    finally:
        remove(pg)


def _cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([EFORMS, *args], env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _backfill(tmp_path: Path) -> Path:
    bundle = tmp_path / "bundle"
    (bundle / "files").mkdir(parents=True)
    (bundle / "files" / "to-khai.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    manifest = {
        "code": CODE,
        "procedure_code": "1.001193",
        "applicant": {"kind": "person", "identifier": "001203012345", "name": "Trần Văn An"},
        "submitted_at": "2026-11-20T08:00:00+07:00",
        "documents": [
            {"title": "Tờ khai", "file": "files/to-khai.pdf", "media_type": "application/pdf"}
        ],
    }
    (bundle / "dossier.json").write_text(json.dumps(manifest, ensure_ascii=False))
    return bundle


def _job_state(session: requests.Session, url: str) -> str:
    match = re.search(r'id="job-state">([a-z]+)<', session.get(url, timeout=10).text)
    assert match, url
    return match.group(1)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def test_write_through_one_read_through_the_other(
    shared_env: dict[str, str], tmp_path: Path
) -> None:
    _cli(shared_env, "db", "upgrade")
    _cli(shared_env, "storage", "check", "--create-bucket")
    _cli(shared_env, "demo", "seed")
    _cli(shared_env, "dossiers", "import", str(_backfill(tmp_path)), "--as", "officer")
    ports = [free_port(), free_port()]
    procs = []
    for i, port in enumerate(ports):
        env = {**shared_env, "EFORMS_PORT": str(port), "EFORMS_DATA_DIR": str(tmp_path / f"n{i}")}
        procs.append(
            subprocess.Popen(
                [EFORMS, "serve", "--production"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    a, b = (f"http://127.0.0.1:{p}" for p in ports)
    try:
        for port in ports:
            wait_for_port(port, timeout=60)
        for base in (a, b):
            ready = requests.get(f"{base}/readyz", timeout=10).json()
            assert ready["status"] == "ready", ready
            assert {c["name"] for c in ready["checks"]} >= {
                "database",
                "object_store",
                "job_broker",
            }

        # Log in and act through A.
        session = requests.Session()
        token = _csrf(session.get(f"{a}/login", timeout=10).text)
        login = session.post(
            f"{a}/login",
            data={"username": "officer", "password": "Demo@2026", "csrf_token": token},
            timeout=10,
        )
        assert login.url.endswith("/officer/")
        page = session.get(f"{a}/dossiers/{CODE}", timeout=10).text
        acted = session.post(
            f"{a}/dossiers/{CODE}/act",
            data={"action": "receive", "note": "Đủ hồ sơ", "csrf_token": _csrf(page)},
            timeout=10,
        )
        assert acted.status_code == 200

        # The same session cookie is valid on B, which sees the change and the stored file.
        seen = session.get(f"{b}/dossiers/{CODE}", timeout=10)
        assert seen.status_code == 200
        assert (
            "Đã tiếp nhận" in seen.text and "Đủ hồ sơ" in seen.text and "to-khai.pdf" in seen.text
        )
        assert "Đã tiếp nhận" in requests.get(f"{b}/tra-cuu/{CODE}", timeout=10).text

        # Rate limits are shared through Redis: 6 lookups per minute across both
        # (one was made above), so the sixth below is refused.
        codes = [
            requests.get(f"{base}/tra-cuu/{CODE}", timeout=10).status_code
            for base in (a, b, a, b, a, b)
        ]
        assert codes == [200, 200, 200, 200, 200, 429]

        # Background jobs run in a Celery worker of their own: the administrator starts
        # a backup through A, nothing runs it until the worker starts, and B follows it.
        admin = requests.Session()
        token = _csrf(admin.get(f"{a}/login", timeout=10).text)
        admin.post(
            f"{a}/login",
            data={"username": "admin", "password": "Demo@2026", "csrf_token": token},
            timeout=10,
        )
        jobs_page = admin.get(f"{a}/admin/cong-viec", timeout=10).text
        started = admin.post(
            f"{a}/admin/sao-luu", data={"csrf_token": _csrf(jobs_page)}, timeout=10
        )
        assert started.status_code == 200 and "/admin/cong-viec/" in started.url
        job_path = started.url.split(a, 1)[1]
        assert _job_state(admin, b + job_path) == "queued"
        worker_env = {**shared_env, "EFORMS_DATA_DIR": str(tmp_path / "worker")}
        procs.append(
            subprocess.Popen(
                [EFORMS, "jobs", "worker", "--concurrency", "1"],
                env=worker_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        deadline = time.monotonic() + 120
        while (state := _job_state(admin, b + job_path)) not in ("succeeded", "failed"):
            assert time.monotonic() < deadline, f"the backup job is still {state}"
            time.sleep(1)
        assert state == "succeeded", admin.get(b + job_path, timeout=10).text[-3000:]
        assert list((tmp_path / "worker" / "backups").iterdir()), "no backup written"
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
