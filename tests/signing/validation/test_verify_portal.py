"""The portal's verification pages and JSON API, on a real app and the test PKI.

Kept beside the other verification tests because it needs the demo PKI
fixtures of ``tests/signing``; the app fixtures come from ``tests/conftest.py``.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import select
from verify_corpus import many_signatures

from dossiers import Applicant, ApplicantKind, DocumentKind, Submission, add_document, submit
from portal.demo import DEMO_CITIZEN_ID
from portal.services import services
from portal.settings import Settings
from signing.validation.rendering import report_schema
from storage.schema import UserRow
from storage.schema.verification import VerificationRow
from tests.conftest import login, make_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(tmp_path: Path, root_pem: Path) -> Settings:
    return make_settings(
        tmp_path / "data",
        verify_trust_roots=str(root_pem),
        verify_public_max_mb=1,
        verify_public_max_signatures=2,
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
    page = client.get(f"/verification/{first}").get_data(as_text=True)
    assert f"/verification/{first}.xml" in page
    xml = client.get(f"/verification/{first}.xml")
    assert xml.mimetype == "application/xml" and "attachment" in xml.headers["Content-Disposition"]
    # One report for the one signature (pyHanko's AdES verdict on a B-T: see docs).
    assert len(_main_indications(xml.data)) == 1


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


VR = "{http://uri.etsi.org/19102/v1.2.1#}"


def _main_indications(xml: bytes) -> list[str | None]:
    root = etree.fromstring(xml)
    return [
        r.findtext(f"{VR}SignatureValidationStatus/{VR}MainIndication")
        for r in root.findall(f"{VR}SignatureValidationReport")
    ]


@pytest.mark.parametrize(
    ("query", "headers"),
    [("?format=etsi-xml", {}), ("", {"Accept": "application/xml"})],
    ids=["format-parameter", "accept-header"],
)
def test_json_api_gives_the_etsi_xml_on_request(
    client: FlaskClient, signed_pdf: bytes, query: str, headers: dict[str, str]
) -> None:
    response = client.post(
        f"/api/v1/verify{query}", data=signed_pdf, content_type="application/pdf", headers=headers
    )
    assert response.status_code == 200 and response.mimetype == "application/xml"
    [indication] = _main_indications(response.data)
    assert indication is not None and indication.startswith("urn:etsi:019102:mainindication:")


def test_json_api_refuses_an_unknown_format(client: FlaskClient, signed_pdf: bytes) -> None:
    response = client.post(
        "/api/v1/verify?format=yaml", data=signed_pdf, content_type="application/pdf"
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "signing.verify.format"


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


def test_public_pages_refuse_more_signatures_than_the_auditor_checks(
    client: FlaskClient, signed_pdf: bytes
) -> None:
    """Anonymous callers get a lower signature-count limit (here 2); the auditor gets a report."""
    three = many_signatures(signed_pdf, 3)
    page = upload(client, "/verify", three)
    assert page.status_code == 422
    assert "Tệp có 3 chữ ký" in page.get_data(as_text=True)
    api = client.post("/api/v1/verify", data=three, content_type="application/pdf")
    assert api.status_code == 422
    error = api.get_json()["error"]
    assert error["code"] == "signing.verify.too_many_signatures"
    assert "at most 2" in error["message_en"] and "tối đa" in error["message_vi"]
    login(client, "auditor")
    html = upload(client, "/verification/", three).get_data(as_text=True)
    assert html.count("<h3>") == 3


def _keep_as_result(app: Flask, pdf: bytes) -> str:
    """A submitted dossier whose signed result has exactly these bytes; returns its code."""
    svc = services(app)
    with svc.db.unit_of_work() as session:
        citizen = session.scalar(select(UserRow).where(UserRow.username == "citizen"))
        assert citizen is not None
        dossier = submit(
            session,
            Submission(
                procedure_code="1.001193",
                applicant=Applicant(
                    ApplicantKind.PERSON, DEMO_CITIZEN_ID, "Trần Văn Công Dân", citizen.id
                ),
                data={},
                form_code="1.001193.TKKS",
                idempotency_key="verify-origin",
            ),
            policy=svc.dossier_policy,
            actor="citizen",
        )
        add_document(
            session,
            dossier.code,
            kind=DocumentKind.RESULT,
            title="Giấy khai sinh",
            file_name="giay-khai-sinh.pdf",
            media_type="application/pdf",
            object_key=f"dossiers/{dossier.code}/result.pdf",
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
            created_by="leader",
            signed=True,
        )
        return dossier.code


def test_public_page_says_whether_the_file_is_one_this_system_issued(
    app: Flask,
    client: FlaskClient,
    signed_pdf: bytes,
    pdfa: bytes,
    raw_sign: Callable[..., bytes],
) -> None:
    code = _keep_as_result(app, signed_pdf)
    html = upload(client, "/verify", signed_pdf).get_data(as_text=True)
    assert 'data-issued="yes"' in html and code in html and "Giấy khai sinh" in html
    assert f"/tra-cuu/{code}" in html
    other = raw_sign(pdfa, "leader", timestamp=True)
    html = upload(client, "/verify", other).get_data(as_text=True)
    assert 'data-issued="no"' in html and code not in html
    assert "không phải là văn bản do hệ thống này cấp" in html
