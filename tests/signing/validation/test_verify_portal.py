"""The portal's verification pages and JSON API, on a real app and the test PKI.

Kept beside the other verification tests because it needs the demo PKI
fixtures of ``tests/signing``; the app fixtures come from ``tests/conftest.py``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.services import services
from portal.settings import Settings
from signing.validation.rendering import report_schema
from storage.schema.verification import VerificationRow
from tests.conftest import login, make_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(tmp_path: Path, root_pem: Path) -> Settings:
    return make_settings(
        tmp_path / "data",
        verify_trust_roots=str(root_pem),
        verify_public_max_mb=1,
        verify_public_rate_limit="3 per minute",
    )


def upload(client: FlaskClient, url: str, data: bytes, name: str = "ket-qua.pdf"):  # noqa: ANN201
    return client.post(
        url,
        data={"document": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_auditor_verifies_keeps_history_and_downloads(
    app: Flask, client: FlaskClient, signed_pdf: bytes
) -> None:
    login(client, "auditor")
    page = upload(client, "/verification/", signed_pdf)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-indication="TOTAL_PASSED"' in html
    tampered = signed_pdf[:300] + bytes([signed_pdf[300] ^ 1]) + signed_pdf[301:]
    html = upload(client, "/verification/", tampered, "sua.pdf").get_data(as_text=True)
    assert 'data-indication="TOTAL_FAILED"' in html and "HASH_FAILURE" in html
    with services(app).db.unit_of_work() as session:
        rows = session.query(VerificationRow).order_by(VerificationRow.id).all()
        assert [r.indication for r in rows] == ["TOTAL_PASSED", "TOTAL_FAILED"]
        first = rows[0].id
    history = client.get("/verification/").get_data(as_text=True)
    assert "ket-qua.pdf" in history and "sua.pdf" in history
    report = client.get(f"/verification/{first}.json")
    jsonschema.validate(json.loads(report.data), report_schema())
    pdf = client.get(f"/verification/{first}.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")


def test_citizens_cannot_open_the_auditor_page(client: FlaskClient) -> None:
    login(client, "citizen")
    assert client.get("/verification/").status_code == 403


def test_public_page_answers_without_storing(
    app: Flask, client: FlaskClient, signed_pdf: bytes
) -> None:
    html = upload(client, "/verify", signed_pdf).get_data(as_text=True)
    assert "Văn bản xác thực và chưa bị thay đổi sau khi ký." in html
    html = upload(client, "/verify", b"not a pdf").get_data(as_text=True)
    assert "không phải là PDF" in html
    big = b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10)
    assert "quá lớn" in upload(client, "/verify", big).get_data(as_text=True)
    with services(app).db.unit_of_work() as session:
        assert session.query(VerificationRow).count() == 0
    assert upload(client, "/verify", signed_pdf).status_code == 429


def test_json_api(app: Flask, client: FlaskClient, signed_pdf: bytes) -> None:
    response = client.post("/api/v1/verify", data=signed_pdf, content_type="application/pdf")
    assert response.status_code == 200
    body = response.get_json()
    jsonschema.validate(body, report_schema())
    assert body["indication"] == "TOTAL_PASSED"
    bad = client.post("/api/v1/verify", data=b"hello", content_type="application/pdf")
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "signing.verify.unreadable"


def test_public_form_needs_csrf_but_the_api_does_not(csrf_app: Flask, signed_pdf: bytes) -> None:
    client = csrf_app.test_client()
    assert client.get("/verify").status_code == 200
    refused = client.post(
        "/verify",
        data={"document": (io.BytesIO(signed_pdf), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    api = client.post("/api/v1/verify", data=signed_pdf, content_type="application/pdf")
    assert api.status_code == 200 and api.get_json()["indication"] == "TOTAL_PASSED"
