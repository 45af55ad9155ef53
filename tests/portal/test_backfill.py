"""``/officer/backfill``: the officer's upload of an offline dossier, all or nothing."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dossiers import get_dossier
from portal.services import services
from storage.audit import AuditFilter, search_events
from storage.schema import DossierRow
from tests.conftest import login

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CODE = "000.00.00.H56-261102-0007"


def _zip(**changes: Any) -> io.BytesIO:
    manifest = {
        "code": CODE,
        "procedure_code": "1.001193",
        "applicant": {"identifier": "001203012345", "name": "Lê Văn Bù"},
        "submitted_at": "2026-11-02T08:00:00+07:00",
        "history": [{"action": "receive", "at": "2026-11-02T09:00:00+07:00", "actor": "can.bo"}],
        "documents": [{"file": "files/to-khai.pdf", "media_type": "application/pdf"}],
        **changes,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("dossier.json", json.dumps(manifest, ensure_ascii=False))
        archive.writestr("files/to-khai.pdf", PDF)
    out.seek(0)
    return out


def _upload(client: FlaskClient, data: io.BytesIO | None, name: str = "ho-so.zip") -> Any:
    form = {} if data is None else {"bundle": (data, name)}
    return client.post("/officer/backfill", data=form, content_type="multipart/form-data")


def _nothing_stored(app: Flask) -> bool:
    svc = services(app)
    with svc.db.unit_of_work() as session:
        rows = session.scalar(
            select(func.count()).select_from(DossierRow).where(DossierRow.code == CODE)
        )
    return rows == 0 and not list(svc.object_store.list(f"dossiers/{CODE}"))


def test_officer_backfills_from_the_queue(app: Flask, client: FlaskClient) -> None:
    login(client, "officer")
    queue = client.get("/officer/").get_data(as_text=True)
    assert 'href="/officer/backfill"' in queue
    assert "dossier.json" in client.get("/officer/backfill").get_data(as_text=True)
    response = _upload(client, _zip())
    assert response.status_code == 302 and response.location.endswith(f"/dossiers/{CODE}")
    page = client.get(f"/dossiers/{CODE}").get_data(as_text=True)
    assert f"Đã nhập bù hồ sơ {CODE}" in page and "nhập bù" in page
    with services(app).db.unit_of_work() as session:
        dossier = get_dossier(session, CODE)
        events, _ = search_events(session, AuditFilter(object_id=CODE))
    assert dossier.backfilled and all(h.backfilled for h in dossier.history)
    assert "dossier.backfill" in {e.action for e in events}


def test_a_bad_bundle_is_explained_and_changes_nothing(app: Flask, client: FlaskClient) -> None:
    login(client, "officer")
    response = _upload(client, _zip(submitted_at="2099-01-01T08:00:00+07:00"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tệp nhập bù không hợp lệ" in page and "tương lai" in page
    client.get("/lang/en")
    response = _upload(client, _zip(code="000.00.00.H56-261340-0007"))
    assert "is not a real date" in response.get_data(as_text=True)
    response = _upload(client, io.BytesIO(b"not a zip at all"))
    assert response.status_code == 400 and "not a readable" in response.get_data(as_text=True)
    response = _upload(client, None)
    assert response.status_code == 400 and "No file chosen" in response.get_data(as_text=True)
    assert _nothing_stored(app)
    with services(app).db.unit_of_work() as session:
        failures, total = search_events(
            session, AuditFilter(action="dossier.backfill", outcome="failure")
        )
    assert total == 4 and failures[0].details["reason"] == "dossiers.backfill_no_file"


def test_officer_of_another_agency_cannot_backfill_for_it(app: Flask, client: FlaskClient) -> None:
    login(client, "officer2")
    response = _upload(client, _zip())
    assert response.status_code == 403
    assert "chỉ nhập bù được hồ sơ của cơ quan mình" in response.get_data(as_text=True)
    assert _nothing_stored(app)
    with services(app).db.unit_of_work() as session:
        denied, total = search_events(
            session, AuditFilter(action="dossier.backfill", outcome="denied", actor="officer2")
        )
    assert total == 1


def test_only_officers_may_backfill(app: Flask, client: FlaskClient) -> None:
    login(client, "citizen")
    assert client.get("/officer/backfill").status_code == 403
    assert _upload(client, _zip()).status_code == 403
    assert _nothing_stored(app)
