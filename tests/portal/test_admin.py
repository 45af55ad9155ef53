"""Administrators create accounts and grant roles only inside their own unit,
and only the roles whose reach stays inside it."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.accounts import Role, create_agency, create_user, grant_role
from portal.demo import DEMO_PASSWORD
from portal.services import services
from storage.audit import AuditFilter, search_events
from storage.schema import AgencyRow, UserRow
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


def _denied(app: Flask, action: str) -> list:
    with services(app).db.unit_of_work() as session:
        rows, _ = search_events(session, AuditFilter(action=action, outcome="denied"))
    return rows


def _grants(app: Flask, username: str) -> set[tuple[str, str]]:
    row = _user(app, username)
    assert row is not None
    return {(g.role, g.agency_id) for g in row.grants}


@pytest.mark.parametrize("role", ["supervisor", "auditor", "archivist", "admin"])
def test_unit_admin_cannot_grant_reserved_roles_even_to_itself(
    app: Flask, client: FlaskClient, role: str
) -> None:
    login(client, "admin2")
    response = client.post(
        "/admin/users/admin2/grant", data={"role": role, "agency_id": "000.00.02.H56"}
    )
    assert response.status_code == 403
    assert "đơn vị cấp cao nhất" in response.get_data(as_text=True)
    assert _grants(app, "admin2") == {("admin", "000.00.02.H56")}
    [event] = _denied(app, "users.grant")
    assert event.actor == "admin2" and event.details["role"] == role
    assert event.details["reason"] == "accounts.role_reserved"
    # Nothing beyond the own unit opened up.
    assert "officer.ca" not in client.get("/admin/").get_data(as_text=True)
    assert client.get("/audit/").status_code == 403


def test_unit_admin_cannot_create_account_with_reserved_role(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "admin")
    response = client.post("/admin/users/new", data={**NEW_OFFICER, "roles": ["supervisor"]})
    assert response.status_code == 403
    assert "read the data of every agency" not in response.get_data(as_text=True)
    assert "xem được dữ liệu của mọi cơ quan" in response.get_data(as_text=True)
    assert _user(app, "officer.new") is None
    [event] = _denied(app, "users.create")
    assert event.details == {"reason": "accounts.role_reserved", "roles": ["supervisor"]}


def test_refusal_message_in_english(client: FlaskClient) -> None:
    login(client, "admin")
    client.get("/lang/en")
    response = client.post(
        "/admin/users/officer/grant", data={"role": "auditor", "agency_id": "000.00.00.H56"}
    )
    assert response.status_code == 403
    assert "only an administrator of the top-level unit" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/users/new", "/admin/users/officer/grant"])
def test_forms_offer_only_grantable_roles(client: FlaskClient, path: str) -> None:
    login(client, "admin")
    page = client.get(path).get_data(as_text=True)
    assert 'value="officer"' in page and 'value="leader"' in page
    for reserved in ("supervisor", "auditor", "archivist", "admin"):
        assert f'value="{reserved}"' not in page


PROVINCE = "000.00.99.H56"


def _province_admin(app: Flask) -> None:
    """Hang the demo agencies under one top-level unit with its own administrator."""
    with services(app).db.unit_of_work() as session:
        create_agency(
            session, agency_id=PROVINCE, name_vi="UBND tỉnh (thử)", name_en="Province (test)"
        )
        for agency in session.scalars(select(AgencyRow).where(AgencyRow.id != PROVINCE)):
            agency.parent_id = PROVINCE
        create_user(
            session,
            actor=None,
            username="admin.tinh",
            full_name="Quản trị cấp tỉnh",
            password=DEMO_PASSWORD,
            agency_id=PROVINCE,
            roles=(Role.ADMIN,),
        )


def test_top_level_admin_grants_reserved_roles(app: Flask, client: FlaskClient) -> None:
    _province_admin(app)
    login(client, "admin.tinh")
    assert 'value="supervisor"' in client.get("/admin/users/new").get_data(as_text=True)
    response = client.post(
        "/admin/users/officer2/grant", data={"role": "auditor", "agency_id": "000.00.02.H56"}
    )
    assert response.status_code == 302
    assert ("auditor", "000.00.02.H56") in _grants(app, "officer2")
    created = client.post(
        "/admin/users/new",
        data={**NEW_OFFICER, "username": "admin.moi", "roles": ["admin"]},
    )
    assert created.status_code == 302
    assert _grants(app, "admin.moi") == {("admin", "000.00.00.H56")}


def test_unit_admin_under_the_top_level_still_cannot_grant_them(
    app: Flask, client: FlaskClient
) -> None:
    _province_admin(app)
    login(client, "admin2")
    response = client.post(
        "/admin/users/officer2/grant", data={"role": "supervisor", "agency_id": "000.00.02.H56"}
    )
    assert response.status_code == 403


def test_system_grants_reserved_roles(app: Flask) -> None:
    with services(app).db.unit_of_work() as session:
        account = grant_role(
            session,
            actor=None,
            username="officer2",
            role=Role.SUPERVISOR,
            agency_id="000.00.02.H56",
        )
    assert account.has_role(Role.SUPERVISOR)
