"""Archivist pages (portal/archivist): search, DIP with a reason (logged), disposal, holds."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from archive.builder import build_package
from archive.ingest import ingest
from archive.pyhanko_verifier import PyHankoVerifier
from archive.record import DossierRecord
from portal.services import services
from storage.audit import AuditFilter, search_events
from tests.conftest import login


def _ingested(app: Flask, record: DossierRecord, verifier: PyHankoVerifier, tmp: Path) -> str:
    built = services(app)
    sip = build_package(record, out_dir=tmp, verifier=verifier)
    return ingest(
        sip.path, db=built.db, store=built.object_store, verifier=verifier, actor="archivist"
    ).package_id


def test_archivist_finds_and_opens_a_package_with_a_reason(
    app: Flask,
    client: FlaskClient,
    record: DossierRecord,
    verifier: PyHankoVerifier,
    tmp_path: Path,
) -> None:
    code = _ingested(app, record, verifier, tmp_path)
    login(client, "archivist")
    page = client.get("/archive/", query_string={"applicant": "001203012345"})
    assert page.status_code == 200 and code in page.get_data(as_text=True)
    refused = client.post(f"/archive/{code}/dip", data={"reason": " "})
    assert refused.status_code == 302
    got = client.post(f"/archive/{code}/dip", data={"reason": "Thanh tra yêu cầu"})
    assert got.status_code == 200 and got.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(got.data)) as dip:
        assert f"{code}/METS.xml" in dip.namelist()
    with services(app).db.unit_of_work() as session:
        rows, _ = search_events(session, AuditFilter(action="archive.access"))
    assert rows[0].actor == "archivist" and rows[0].details["reason"] == "Thanh tra yêu cầu"


def test_holds_from_the_disposal_page(
    app: Flask,
    client: FlaskClient,
    record: DossierRecord,
    verifier: PyHankoVerifier,
    tmp_path: Path,
) -> None:
    code = _ingested(app, record, verifier, tmp_path)
    login(client, "archivist")
    assert client.get("/archive/disposal").status_code == 200
    placed = client.post(
        "/archive/holds", data={"codes": code, "title": "Vụ kiện 1", "mandate": "Tòa án tỉnh"}
    )
    assert placed.status_code == 302
    page = client.get("/archive/disposal").get_data(as_text=True)
    assert "Vụ kiện 1" in page
    assert client.get("/archive/fixity").status_code == 200


def test_other_roles_cannot_open_packages(client: FlaskClient) -> None:
    login(client, "citizen")
    assert client.get("/archive/").status_code == 403
    assert client.post("/archive/X/dip", data={"reason": "x"}).status_code == 403
