"""The archivist's queue page: closed dossiers are packaged and ingested in the background.

Everything real, no browser: dossiers of the demo birth-registration procedure
walked through the officer's and leader's pages (result signed by the demo
PKI, served on loopback), closed by the officer, then ingested from the
archivist's page through the job queue into the filesystem object store.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import portal.archivist.queue as queue_views
from archive.access import search
from archive.demo import render_pdfa
from archive.schedules import PERMANENT_LOCK_UNTIL
from dossiers import (
    Applicant,
    ApplicantKind,
    DocumentKind,
    Status,
    Submission,
    add_document,
    get_dossier,
    submit,
)
from portal import create_app
from portal.archive_records import INGEST_JOB
from portal.demo import DEMO_CITIZEN_ID
from portal.i18n import LANG_COOKIE
from portal.services import services
from storage.audit import AuditFilter, search_events
from storage.errors import ObjectLockedError
from storage.objects import RetentionMode
from storage.schema import UserRow
from storage.schema.archive import ArchivePackageRow
from storage.schema.dossiers import ArchiveQueueRow, DossierDocumentRow
from storage.testing import free_port
from tests.conftest import install_seeded_db, login, make_settings

BIRTH = "1.001193"
"""Demo procedure: birth registration (retention 01, permanent)."""
BIRTH_DATA = {
    "addressee": "000.00.00.H56",
    "requester": {"full_name": "Trần Văn Công Dân", "relation": "father"},
    "child": {
        "full_name": "Trần Minh An",
        "birth_date": "2026-11-02",
        "sex": "male",
        "birth_facility": "Bệnh viện Phụ sản Hà Nội",
    },
    "mother": {"full_name": "Nguyễn Thị Bình"},
    "father": {"full_name": "Trần Văn Công Dân"},
}


@pytest.fixture
def app(tmp_path: Path, seeded_sqlite: Path) -> Iterator[Flask]:
    settings = make_settings(tmp_path / "data", pki_port=free_port())
    install_seeded_db(seeded_sqlite, settings.data_dir)
    application = create_app(settings)
    yield application
    services(application).jobs.shutdown()
    services(application).signing.stop()
    services(application).db.dispose()


def _submit(app: Flask, key: str) -> str:
    """The citizen's birth registration with its PDF/A form, as submitted online."""
    svc = services(app)
    form = render_pdfa("TỜ KHAI ĐĂNG KÝ KHAI SINH", ["Trần Minh An", "02/11/2026"])
    with svc.db.unit_of_work() as session:
        citizen = session.scalar(select(UserRow).where(UserRow.username == "citizen"))
        assert citizen is not None
        dossier = submit(
            session,
            Submission(
                procedure_code=BIRTH,
                applicant=Applicant(
                    ApplicantKind.PERSON, DEMO_CITIZEN_ID, citizen.full_name, citizen.id
                ),
                data=BIRTH_DATA,
                form_code="1.001193.TKKS",
                idempotency_key=key,
            ),
            policy=svc.dossier_policy,
            actor="citizen",
        )
        key_name = f"dossiers/{dossier.code}/form.pdf"
        digest = hashlib.sha256(form).hexdigest()
        svc.object_store.put(
            key_name, io.BytesIO(form), sha256=digest, content_type="application/pdf"
        )
        add_document(
            session,
            dossier.code,
            kind=DocumentKind.FORM,
            title="Tờ khai / Application form",
            file_name="to-khai.pdf",
            media_type="application/pdf",
            object_key=key_name,
            sha256=digest,
            size=len(form),
            created_by="citizen",
        )
    return dossier.code


def _act(client: FlaskClient, code: str, action: str) -> None:
    assert client.post(f"/dossiers/{code}/act", data={"action": action}).status_code == 302


def _closed(app: Flask, key: str) -> str:
    """A dossier received, drafted, signed by the leader and closed by the officer."""
    code = _submit(app, key)
    officer, leader = app.test_client(), app.test_client()
    login(officer, "officer")
    login(leader, "leader")
    _act(officer, code, "receive")
    _act(officer, code, "start_processing")
    assert officer.post(f"/dossiers/{code}/result/draft").status_code == 302
    _act(officer, code, "submit_for_approval")
    assert leader.post(f"/dossiers/{code}/result/sign").status_code == 302
    _act(officer, code, "close")
    with services(app).db.unit_of_work() as session:
        assert get_dossier(session, code).status is Status.CLOSED
    return code


def _break_the_seal(app: Flask, code: str) -> None:
    """One byte of the signed result changes; the dossier records the changed file."""
    built = services(app)
    with built.db.unit_of_work() as session:
        row = session.scalars(
            select(DossierDocumentRow).where(
                DossierDocumentRow.object_key == f"dossiers/{code}/result-signed.pdf"
            )
        ).one()
        with built.object_store.get(row.object_key) as reader:
            data = bytearray(reader.read())
        data[1500] ^= 0x01
        digest = hashlib.sha256(data).hexdigest()
        row.object_key = f"dossiers/{code}/result-signed-changed.pdf"
        row.sha256, row.size = digest, len(data)
        built.object_store.put(
            row.object_key, io.BytesIO(bytes(data)), sha256=digest, content_type="application/pdf"
        )


def _run(app: Flask, client: FlaskClient, data: dict[str, object]) -> tuple[str, dict]:
    started = client.post("/archive/queue/ingest", data=data)
    assert started.status_code == 302, started.get_data(as_text=True)[:500]
    job_url = started.headers["Location"]
    done = services(app).jobs.wait(job_url.rsplit("/", 1)[-1], timeout=120)
    assert done.state.value == "succeeded", done.error_message
    return job_url, done.result


def test_an_archivist_ingests_a_closed_dossier_from_the_queue_page(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = _closed(app, "queue-good")
    broken = _closed(app, "queue-broken")
    _break_the_seal(app, broken)
    login(client, "archivist")
    page = client.get("/archive/queue").get_data(as_text=True)
    assert good in page and broken in page and 'name="csrf_token"' in page
    assert "2 hồ sơ đang chờ nộp lưu" in page and "hiển thị" not in page
    # A long queue shows its oldest part and says how many wait in all.
    with monkeypatch.context() as patched:
        patched.setattr(queue_views, "archive_queue", partial(queue_views.archive_queue, limit=1))
        short = client.get("/archive/queue").get_data(as_text=True)
    assert "2 hồ sơ đang chờ nộp lưu" in short and "hiển thị 1 hồ sơ cũ nhất" in short
    assert good in short and broken not in short
    assert BIRTH in page and "Đăng ký khai sinh" in page
    assert "Đã trả kết quả" in page and "có văn bản kết quả ký số" in page

    job_url, result = _run(app, client, {"codes": [good, broken], "scope": "selected"})
    assert [(i["code"], i["package_id"]) for i in result["ingested"]] == [(good, good)]
    (failure,) = result["failed"]
    assert failure["code"] == broken and failure["error"] == "archive.package_refused"
    assert any("signature" in p["en"].lower() for p in failure["problems"]), failure

    shown = client.get(job_url).get_data(as_text=True)
    assert "succeeded" in shown and 'http-equiv="refresh"' not in shown
    assert f"/archive/?code={good}" in shown and broken in shown
    assert "không được lưu phần nào" in shown
    client.set_cookie(LANG_COOKIE, "en")
    english = client.get(job_url).get_data(as_text=True)
    assert "was refused" in english and "Ingested" in english
    client.set_cookie(LANG_COOKIE, "vi")

    built = services(app)
    (found,) = search(built.db, dossier_code=good)
    assert found.expires_at == "permanent"
    stored = list(built.object_store.list(f"aip/{good}/"))
    assert len(stored) > 5
    for obj in stored:
        lock = built.object_store.get_retention(obj.key)
        assert lock is not None and lock.mode is RetentionMode.COMPLIANCE
        assert lock.until == PERMANENT_LOCK_UNTIL
    with pytest.raises(ObjectLockedError):
        built.object_store.delete(stored[0].key)

    # The refused dossier left nothing behind, stays in the queue, and says why.
    assert list(built.object_store.list(f"aip/{broken}/")) == []
    with built.db.unit_of_work() as session:
        assert session.get(ArchivePackageRow, broken) is None
        assert session.get(ArchiveQueueRow, good).state == "ingested"
        assert session.get(ArchiveQueueRow, broken).state == "failed"
        started, _ = search_events(session, AuditFilter(action="archive.ingest_queue"))
        ingests, _ = search_events(session, AuditFilter(action="archive.ingest"), limit=10)
    assert started[0].actor == "archivist" and started[0].details["codes"] == [good, broken]
    assert sorted(
        (e.object_id, e.outcome) for e in ingests if e.action == "archive.ingest"
    ) == sorted([(good, "success"), (broken, "failure")])
    page = client.get("/archive/queue").get_data(as_text=True)
    assert good not in page and broken in page and "Bị từ chối lần trước" in page


def test_take_them_all_and_nothing_chosen(app: Flask, client: FlaskClient) -> None:
    code = _closed(app, "queue-all")
    login(client, "archivist")
    refused = client.post("/archive/queue/ingest", data={"scope": "selected"})
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/archive/queue")
    _, result = _run(app, client, {"scope": "all"})
    assert [i["package_id"] for i in result["ingested"]] == [code] and not result["failed"]
    again = client.post("/archive/queue/ingest", data={"codes": [code], "scope": "selected"})
    done = services(app).jobs.wait(again.headers["Location"].rsplit("/", 1)[-1], timeout=60)
    assert done.result["failed"][0]["error"] == "archive.not_queued"


def test_only_archivists_use_the_queue(app: Flask, client: FlaskClient) -> None:
    for username in ("officer", "leader", "supervisor", "citizen"):
        other = app.test_client()
        login(other, username)
        assert other.get("/archive/queue").status_code == 403, username
        assert other.post("/archive/queue/ingest", data={"scope": "all"}).status_code == 403
    login(client, "archivist")
    assert client.get("/archive/queue/jobs/no-such-job").status_code == 404
    backup = services(app).jobs.submit("storage.backup", {})
    services(app).jobs.wait(backup, timeout=60)
    assert client.get(f"/archive/queue/jobs/{backup}").status_code == 404
    with services(app).db.unit_of_work() as session:
        _, started = search_events(session, AuditFilter(action="archive.ingest_queue"))
    assert started == 0
    assert INGEST_JOB in services(app).job_registry.names()
