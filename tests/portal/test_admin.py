"""Administrators create accounts and grant roles only inside their own unit."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.services import services
from storage.audit import AuditFilter, search_events
from storage.schema import UserRow
from tests.conftest import login

NEW_OFFICER = {
    "username": "officer.new",
    "full_name": "Ngô Thị Mới",
    "email": "moi@example.vn",
    "password": "Mat-khau-2026",
    "agency_id": "000.00.00.H56",
    "roles": ["officer"],
}


def _user(app: Flask, username: str) -> UserRow | None:
    with services(app).db.unit_of_work() as session:
        return session.scalar(select(UserRow).where(UserRow.username == username))


def test_admin_creates_officer_in_own_agency(app: Flask, client: FlaskClient) -> None:
    login(client, "admin")
    response = client.post("/admin/users/new", data=NEW_OFFICER)
    assert response.status_code == 302
    row = _user(app, "officer.new")
    assert row is not None and row.agency_id == "000.00.00.H56"
    assert row.password_hash and row.password_hash.startswith("$argon2id$")
    client.post("/logout")
    login(client, "officer.new", "Mat-khau-2026")
    assert client.get("/").headers["Location"] == "/officer/"


def test_admin_cannot_create_in_another_agency(app: Flask, client: FlaskClient) -> None:
    login(client, "admin")
    response = client.post("/admin/users/new", data={**NEW_OFFICER, "agency_id": "000.00.02.H56"})
    assert response.status_code == 403
    assert "ngoài phạm vi" in response.get_data(as_text=True)
    assert _user(app, "officer.new") is None
    with services(app).db.unit_of_work() as session:
        rows, _ = search_events(session, AuditFilter(action="users.create", outcome="denied"))
    assert rows and rows[0].actor == "admin" and rows[0].agency_id == "000.00.02.H56"


def test_admin_cannot_grant_in_another_agency(app: Flask, client: FlaskClient) -> None:
    login(client, "admin")
    response = client.post(
        "/admin/users/officer/grant", data={"role": "leader", "agency_id": "000.00.02.H56"}
    )
    assert response.status_code == 403
    ok = client.post(
        "/admin/users/officer/grant", data={"role": "leader", "agency_id": "000.00.00.H56"}
    )
    assert ok.status_code == 302
    row = _user(app, "officer")
    assert row is not None
    assert {(g.role, g.agency_id) for g in row.grants} == {
        ("officer", "000.00.00.H56"),
        ("leader", "000.00.00.H56"),
    }


def test_admin_sees_only_own_unit(client: FlaskClient) -> None:
    login(client, "admin")
    page = client.get("/admin/").get_data(as_text=True)
    assert "officer2" not in page and "officer" in page


def test_supervisor_sees_all_accounts_but_cannot_create(client: FlaskClient) -> None:
    login(client, "supervisor")
    page = client.get("/admin/").get_data(as_text=True)
    assert "officer2" in page and "officer" in page
    assert client.get("/admin/users/new").status_code == 403
    assert client.post("/admin/users/new", data=NEW_OFFICER).status_code == 403


def test_invalid_input_is_refused_with_messages(app: Flask, client: FlaskClient) -> None:
    login(client, "admin")
    bad = {**NEW_OFFICER, "username": "Bad Name!", "password": "short"}
    response = client.post("/admin/users/new", data=bad)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "error-summary" in page
    assert _user(app, "Bad Name!") is None


def test_duplicate_username_is_refused(client: FlaskClient) -> None:
    login(client, "admin")
    response = client.post("/admin/users/new", data={**NEW_OFFICER, "username": "officer"})
    assert response.status_code == 409
    assert "đã tồn tại" in response.get_data(as_text=True)


def test_officer_cannot_open_admin(client: FlaskClient) -> None:
    login(client, "officer")
    assert client.get("/admin/users/new").status_code == 403
