"""Administrators start a backup from the UI and follow its progress."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from portal.services import services
from storage.audit import AuditFilter, search_events
from storage.backup import list_backups
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


def test_an_admin_of_another_unit_cannot_start_a_backup(app: Flask, client: FlaskClient) -> None:
    login(client, "admin2")
    assert "Sao lưu ngay" not in client.get("/admin/cong-viec").get_data(as_text=True)
    assert client.post("/admin/sao-luu").status_code == 403
    assert client.get("/admin/cong-viec/no-such-job").status_code == 404
    client.post("/logout")
    login(client, "officer")
    assert client.get("/admin/cong-viec").status_code == 403
