"""Administrators start a backup or a fixity audit from the UI and follow its progress.

The fixity audit of a real archive, with a tampered object, is in
``tests/archive/test_portal_pages.py`` (it needs the archive's fixtures).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from portal.services import services
from storage.audit import AuditFilter, Outcome, search_events
from storage.backup import list_backups
from storage.jobs import JobState
from tests.conftest import login


def test_the_installations_admin_backs_up_and_follows_the_progress(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "admin")
    page = client.get("/admin/cong-viec").get_data(as_text=True)
    assert "Sao lưu ngay" in page
    started = client.post("/admin/sao-luu", data={"full": "1"})
    assert started.status_code == 302
    job_url = started.headers["Location"]
    job_id = job_url.rsplit("/", 1)[-1]
    built = services(app)
    done = built.jobs.wait(job_id, timeout=60)
    assert done.state.value == "succeeded", done.error_message
    page = client.get(job_url).get_data(as_text=True)
    assert "succeeded" in page and 'http-equiv="refresh"' not in page
    assert done.result["id"] in page
    backups = list_backups(Path(built.settings.resolved_backup_target))
    assert [b["id"] for b in backups] == [done.result["id"]]
    assert job_id in client.get("/admin/cong-viec").get_data(as_text=True)
    with built.db.unit_of_work() as session:
        _, total = search_events(session, AuditFilter(action="storage.backup", object_id=job_id))
    assert total == 1


def test_the_admin_starts_the_scheduled_fixity_share(app: Flask, client: FlaskClient) -> None:
    login(client, "admin")
    started = client.post("/admin/kiem-tra-toan-ven")
    assert started.status_code == 302
    job_id = started.headers["Location"].rsplit("/", 1)[-1]
    done = services(app).jobs.wait(job_id, timeout=60)
    assert done.state is JobState.SUCCEEDED, done.error_message
    assert done.name == "archive.fixity_audit"
    assert done.result["scope"] == "sample of 1" and done.result["checked"] == 0
    assert done.result["failures"] == []
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "Mọi đối tượng đã kiểm tra đều khớp với mã băm đã ghi." in page


def test_an_admin_of_another_unit_cannot_start_a_backup(app: Flask, client: FlaskClient) -> None:
    login(client, "admin2")
    page = client.get("/admin/cong-viec").get_data(as_text=True)
    assert "Sao lưu ngay" not in page and "Kiểm tra toàn vẹn ngay" not in page
    assert client.post("/admin/sao-luu").status_code == 403
    assert client.post("/admin/kiem-tra-toan-ven", data={"all": "1"}).status_code == 403
    with services(app).db.unit_of_work() as session:
        (denied,), _ = search_events(session, AuditFilter(action="archive.fixity_audit.start"))
    assert denied.actor == "admin2" and denied.outcome == Outcome.DENIED
    assert services(app).job_ledger.recent() == []
    assert client.get("/admin/cong-viec/no-such-job").status_code == 404
    client.post("/logout")
    login(client, "officer")
    assert client.get("/admin/cong-viec").status_code == 403
