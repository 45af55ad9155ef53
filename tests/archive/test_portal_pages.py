"""Archive pages of the portal.

The archivist's (portal/archivist): search, DIP with a reason (logged),
disposal, holds; and the fixity audit that the installation's
administrators start from the jobs page (portal/admin/jobs.py).
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from archive.builder import build_package
from archive.codes import VN_TZ
from archive.demo import demo_record
from archive.ingest import ingest
from archive.record import DossierRecord
from archive.report_verifier import ReportVerifier
from portal.i18n import LANG_COOKIE
from portal.services import services
from storage.audit import AuditFilter, search_events
from storage.fs_store import FsObjectStore
from storage.jobs import JobState
from storage.schema.archive import ArchiveFileRow, ArchiveTombstoneRow
from tests.conftest import login


def _ingested(app: Flask, record: DossierRecord, verifier: ReportVerifier, tmp: Path) -> str:
    built = services(app)
    sip = build_package(record, out_dir=tmp, verifier=verifier)
    return ingest(
        sip.path, db=built.db, store=built.object_store, verifier=verifier, actor="archivist"
    ).package_id


def test_archivist_finds_and_opens_a_package_with_a_reason(
    app: Flask,
    client: FlaskClient,
    record: DossierRecord,
    verifier: ReportVerifier,
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
    verifier: ReportVerifier,
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


def test_disposal_steps_each_need_their_own_role(
    app: Flask, client: FlaskClient, seal, verifier: ReportVerifier, tmp_path: Path
) -> None:
    old = demo_record(
        dossier_code="000.00.00.H56-100315-0003",
        sign=seal,
        closed=datetime(2010, 3, 15, 10, 0, tzinfo=VN_TZ),
    )
    code = _ingested(app, old, verifier, tmp_path)
    leader, archivist = app.test_client(), client
    login(leader, "leader")
    login(archivist, "archivist")
    assert leader.post("/archive/disposal/propose", data={"codes": code}).status_code == 403
    page = archivist.get("/archive/disposal").get_data(as_text=True)
    assert f'value="{code}"' in page
    assert archivist.post("/archive/disposal/propose", data={"codes": code}).status_code == 302
    refused = archivist.post("/archive/disposal/1/approve", data={"decision": "QĐ 1"})
    assert refused.status_code == 403
    other = app.test_client()  # a leader, but of the Department of Construction
    login(other, "leader2")
    page = other.get("/archive/disposal").get_data(as_text=True)
    assert "Chỉ lãnh đạo cơ quan quản lý hồ sơ (000.00.00.H56)" in page
    assert 'action="/archive/disposal/1/approve"' not in page
    outside = other.post("/archive/disposal/1/approve", data={"decision": "QĐ 2/QĐ-SXD"})
    assert outside.status_code == 403
    assert "chỉ lãnh đạo cơ quan 000.00.00.H56 được phê duyệt" in outside.get_data(as_text=True)
    other.set_cookie(LANG_COOKIE, "en")
    english = other.post("/archive/disposal/1/approve", data={"decision": "QĐ 2/QĐ-SXD"})
    assert "only a leader of 000.00.00.H56 may approve" in english.get_data(as_text=True)
    assert 'action="/archive/disposal/1/approve"' in leader.get("/archive/disposal").get_data(
        as_text=True
    )
    approved = leader.post("/archive/disposal/1/approve", data={"decision": "QĐ 5/QĐ-SNV"})
    assert approved.status_code == 302
    assert archivist.post(f"/archive/disposal/bin/{code}/delete").status_code == 302
    with services(app).db.unit_of_work() as session:
        tomb = session.get(ArchiveTombstoneRow, code)
        assert tomb is not None and tomb.decision_ref == "QĐ 5/QĐ-SNV"
        rows, _ = search_events(session, AuditFilter(object_id=code), limit=50)
    actions = {r.action for r in rows}
    assert {
        "archive.disposal.propose",
        "archive.disposal.approve",
        "archive.disposal.delete",
    } <= actions
    denied = [(r.actor, r.action) for r in rows if r.outcome == "denied"]
    assert denied == [("leader2", "archive.disposal.approve")] * 2
    with services(app).db.unit_of_work() as session:
        pages, _ = search_events(session, AuditFilter(actor="leader2", action="access.denied"))
    assert len(pages) == 2


def _tamper(store: FsObjectStore, key: str) -> None:
    """Flip one byte of the object's content on disk, behind the store's back."""
    blob = store.object_file(key)
    blob.chmod(0o644)  # ingest locked the object: the store made the blob read-only
    data = bytearray(blob.read_bytes())
    data[100] ^= 0xFF
    blob.write_bytes(bytes(data))


def test_the_admin_starts_a_fixity_audit_that_names_the_tampered_object(
    app: Flask,
    client: FlaskClient,
    record: DossierRecord,
    verifier: ReportVerifier,
    tmp_path: Path,
) -> None:
    code = _ingested(app, record, verifier, tmp_path)
    built = services(app)
    assert isinstance(built.object_store, FsObjectStore)
    with built.db.unit_of_work() as session:
        files = list(
            session.scalars(select(ArchiveFileRow).where(ArchiveFileRow.package_id == code))
        )
    tampered = next(f for f in files if f.path.endswith("03_ket-qua.pdf"))
    _tamper(built.object_store, tampered.object_key)

    login(client, "admin")
    assert "Kiểm tra toàn vẹn ngay" in client.get("/admin/cong-viec").get_data(as_text=True)
    started = client.post("/admin/kiem-tra-toan-ven", data={"all": "1"})
    assert started.status_code == 302
    job_url = started.headers["Location"]
    job_id = job_url.rsplit("/", 1)[-1]
    done = built.jobs.wait(job_id, timeout=120)
    assert done.state is JobState.SUCCEEDED, done.error_message
    assert (done.done, done.total) == (1, 1)
    result = done.result
    assert result["scope"] == "all packages" and result["checked"] == len(files)
    assert result["totals"]["changed"] == 1 and result["totals"]["ok"] == len(files) - 1
    (failure,) = result["failures"]
    assert failure["key"] == tampered.object_key and failure["outcome"] == "changed"
    assert failure["expected"] == tampered.sha256 != failure["computed"]

    page = client.get(job_url).get_data(as_text=True)
    assert "succeeded" in page and 'http-equiv="refresh"' not in page
    assert f'<dd id="fixity-checked">{len(files)}</dd>' in page
    assert tampered.object_key in page and tampered.path in page and "đã bị thay đổi" in page
    with built.db.unit_of_work() as session:
        (start,), _ = search_events(
            session, AuditFilter(action="archive.fixity_audit.start", object_id=job_id)
        )
        (run,), _ = search_events(
            session, AuditFilter(action="archive.fixity_audit", object_id=result["run_id"])
        )
    assert start.actor == "admin" and start.details == {"sample": 0}
    assert run.actor == "admin" and run.outcome == "failure"
