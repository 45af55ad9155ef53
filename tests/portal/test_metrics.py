"""Business metrics move after the real action, read from ``/metrics`` as Prometheus would.

Signing and verification run on one app per module with the demo PKI (OCSP,
CRL, TSA and the CSC remote-signing server on loopback); the prefill source
and the job queue each get an app of their own. Counters are process-wide,
so each test compares two scrapes taken around its action.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from flask import Flask
from flask.testing import FlaskClient

from forms_builder.library import install_library
from portal import create_app
from portal.ops.instrumented import sign_document
from portal.services import services
from storage.jobs import JobState
from storage.testing import free_port
from tests.conftest import install_seeded_db, login, make_settings
from tests.harness.metrics import scrape
from tests.portal.test_citizen import CT01, VALID, _draft_id, _formdata
from tests.portal.test_results import _to_awaiting_approval

SIGNATURES = "eforms_signatures_total"
SIGNING_COUNT = "eforms_signing_duration_seconds_count"
VERIFICATIONS = "eforms_verifications_total"
VERIFY_COUNT = "eforms_verification_duration_seconds_count"
LOCAL_B_LT = {"backend": "pkcs12", "level": "B-LT"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, seeded_sqlite: Path) -> Iterator[Flask]:
    data_dir = tmp_path_factory.mktemp("metrics") / "data"
    settings = make_settings(data_dir, pki_port=free_port())
    install_seeded_db(seeded_sqlite, data_dir)
    application = create_app(settings)
    with application.app_context():
        install_library(services(application).forms)
    yield application
    services(application).signing.stop()
    services(application).db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _blank_pdf() -> bytes:
    buf = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.docinfo["/Title"] = "Original"
        pdf.save(buf)
    return buf.getvalue()


def test_result_signatures_single_and_batch_are_counted(app: Flask, client: FlaskClient) -> None:
    code = _to_awaiting_approval(app, client, "metrics-1")
    before = scrape(client)
    login(client, "leader")
    assert client.post(f"/dossiers/{code}/result/sign").status_code == 302
    signed = scrape(client)
    # The leader's signature and the agency seal, both PAdES B-LT from PKCS#12 files.
    assert signed.since(before, SIGNATURES, **LOCAL_B_LT, outcome="ok") == 2
    assert signed.since(before, SIGNING_COUNT, **LOCAL_B_LT) == 2
    assert signed.total(SIGNATURES, outcome="ok") - before.total(SIGNATURES, outcome="ok") == 2

    # The public lookup (what a scanned QR opens) verifies the kept result.
    assert app.test_client().get(f"/tra-cuu/{code}").status_code == 200
    looked_up = scrape(client)
    assert looked_up.since(signed, VERIFICATIONS, indication="TOTAL_PASSED") == 1
    assert looked_up.since(signed, VERIFY_COUNT) == 1
    client.post("/logout")

    codes = [_to_awaiting_approval(app, client, f"metrics-b{i}") for i in range(2)]
    login(client, "leader")
    response = client.post("/leader/batch-sign", data={"codes": codes})
    job = services(app).jobs.wait(response.headers["Location"].rsplit("/", 1)[-1], timeout=120)
    assert job.state == "succeeded" and sorted(job.result["issued"]) == sorted(codes)
    batch = scrape(client)
    assert batch.since(looked_up, SIGNATURES, **LOCAL_B_LT, outcome="ok") == 4
    assert batch.since(looked_up, SIGNING_COUNT, **LOCAL_B_LT) == 4


def test_citizen_remote_signatures_count_failures_with_their_code(app: Flask) -> None:
    client = app.test_client()
    login(client, "citizen")
    client.post(f"/citizen/bieu-mau/{CT01}", data=_formdata(app, VALID, save="1"))
    draft = _draft_id(app)
    remote = {"backend": "remote", "level": "B-T"}
    before = scrape(client)
    wrong = client.post(
        f"/citizen/ban-nhap/{draft}",
        data=_formdata(app, VALID, submit="1", sign="1", sign_pin="000000"),
    )
    assert wrong.status_code >= 400
    refused = scrape(client)
    assert refused.since(before, SIGNATURES, **remote, outcome="signing.wrong_pin") == 1
    assert refused.since(before, SIGNATURES, **remote, outcome="ok") == 0
    assert refused.since(before, SIGNING_COUNT, **remote) == 0
    signed = client.post(
        f"/citizen/ban-nhap/{draft}",
        data=_formdata(app, VALID, submit="1", sign="1", sign_pin="123456"),
    )
    assert signed.status_code == 303
    after = scrape(client)
    assert after.since(refused, SIGNATURES, **remote, outcome="ok") == 1
    assert after.since(refused, SIGNING_COUNT, **remote) == 1


def test_verifications_through_the_api_are_counted_by_verdict(
    app: Flask, client: FlaskClient
) -> None:
    demo = services(app).signing.start()
    signed = sign_document(_blank_pdf(), signer=demo.signer("leader"), trust=demo.pki.trust()).pdf
    tampered = signed.replace(b"(Original)", b"(Modified)", 1)  # inside the signed bytes
    before = scrape(client)
    for body, status in ((signed, 200), (tampered, 200), (b"not a pdf", 422)):
        response = client.post("/api/v1/verify", data=body, content_type="application/pdf")
        assert response.status_code == status
    after = scrape(client)
    assert after.since(before, VERIFICATIONS, indication="TOTAL_PASSED") == 1
    assert after.since(before, VERIFICATIONS, indication="TOTAL_FAILED") == 1
    assert after.since(before, VERIFICATIONS, indication="refused") == 1
    assert after.since(before, VERIFY_COUNT) == 2  # refused input has no verdict to time
    assert after.has(VERIFICATIONS, indication="INDETERMINATE")  # at zero, for alerts


def test_an_unreachable_prefill_source_is_counted(tmp_path: Path, seeded_sqlite: Path) -> None:
    settings = make_settings(
        tmp_path / "down",
        prefill_population_url=f"http://127.0.0.1:{free_port()}/api",
        prefill_retries=0,
    )
    install_seeded_db(seeded_sqlite, settings.data_dir)
    down = create_app(settings)
    with down.app_context():
        install_library(services(down).forms)
    client = down.test_client()
    login(client, "citizen")
    before = scrape(client)
    page = client.get(f"/citizen/bieu-mau/{CT01}").get_data(as_text=True)
    assert "Tạm thời chưa lấy được thông tin" in page
    after = scrape(client)
    failed = "eforms_prefill_errors_total"
    assert after.since(before, failed, source="population", reason="unavailable") == 1
    assert after.total(failed, source="enterprise") == before.total(failed, source="enterprise")
    services(down).db.dispose()


def test_job_queue_depth_is_read_from_the_ledger(tmp_path: Path, seeded_sqlite: Path) -> None:
    settings = make_settings(tmp_path / "jobs", job_workers=1)
    install_seeded_db(seeded_sqlite, settings.data_dir)
    jobs_app = create_app(settings)
    built = services(jobs_app)
    release = threading.Event()
    built.job_registry.register("test.wait", lambda progress: release.wait(30))
    client = jobs_app.test_client()
    idle = scrape(client)
    assert idle.value("eforms_jobs", name="archive.fixity_audit", state="queued") == 0
    assert idle.value("eforms_jobs", name="results.batch_sign", state="running") == 0
    first, second = built.jobs.submit("test.wait"), built.jobs.submit("test.wait")
    try:
        deadline = time.monotonic() + 10
        while built.job_ledger.get(first).state is not JobState.RUNNING:
            assert time.monotonic() < deadline, "the first job never started"
            time.sleep(0.05)
        busy = scrape(client)
        assert busy.value("eforms_jobs", name="test.wait", state="running") == 1
        assert busy.value("eforms_jobs", name="test.wait", state="queued") == 1
    finally:
        release.set()
    for job_id in (first, second):
        assert built.jobs.wait(job_id, timeout=30).state is JobState.SUCCEEDED
    done = scrape(client)
    assert done.value("eforms_jobs", name="test.wait", state="running") == 0
    assert done.value("eforms_jobs", name="test.wait", state="queued") == 0
    built.jobs.shutdown()
    built.db.dispose()
