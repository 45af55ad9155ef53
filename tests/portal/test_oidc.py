"""Citizens log in through OpenID Connect against a provider the test runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from portal import create_app
from portal.accounts import Role, grant_role
from portal.demo import DEMO_CITIZEN_ID, DEMO_PASSWORD
from portal.services import services
from storage.audit import AuditFilter, search_events
from storage.schema import UserRow
from tests.conftest import install_seeded_db, make_settings
from tests.harness.oidc_provider import OIDCProvider, RunningProvider

PERSON = {
    "sub": "vneid-7f3a",
    "name": "Nguyễn Văn Định Danh",
    "personal_id": "079190001234",
    "email": "dinhdanh@example.vn",
}


@pytest.fixture
def provider() -> Iterator[OIDCProvider]:
    running = RunningProvider(OIDCProvider("eforms", "s3cret", dict(PERSON)))
    yield running.provider
    running.stop()


@pytest.fixture
def oidc_app(tmp_path: Path, seeded_sqlite: Path, provider: OIDCProvider) -> Iterator[Flask]:
    settings = make_settings(
        tmp_path / "data",
        oidc_issuer=provider.issuer,
        oidc_client_id="eforms",
        oidc_client_secret="s3cret",
    )
    install_seeded_db(seeded_sqlite, settings.data_dir)
    app = create_app(settings)
    yield app
    services(app).db.dispose()


def _login_through_provider(app: Flask) -> tuple[object, str]:
    client = app.test_client()
    start = client.get("/login/oidc")
    assert start.status_code == 302
    to_provider = start.headers["Location"]
    assert to_provider.startswith("http://127.0.0.1:")
    back = requests.get(to_provider, allow_redirects=False, timeout=5)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    done = client.get(f"{callback.path}?{callback.query}")
    return client, done.headers.get("Location", "")


def test_login_page_offers_national_identity(oidc_app: Flask) -> None:
    page = oidc_app.test_client().get("/login").get_data(as_text=True)
    assert "/login/oidc" in page and "VNeID" in page


def test_first_login_creates_citizen_account(oidc_app: Flask) -> None:
    client, location = _login_through_provider(oidc_app)
    assert location == "/"
    assert client.get("/").headers["Location"] == "/citizen/"  # type: ignore[attr-defined]
    with services(oidc_app).db.unit_of_work() as session:
        row = session.scalar(select(UserRow).where(UserRow.external_subject == "vneid-7f3a"))
        assert row is not None
        assert row.personal_id == "079190001234" and row.password_hash is None
        assert [g.role for g in row.grants] == ["citizen"]


def test_second_login_reuses_the_account(oidc_app: Flask) -> None:
    _login_through_provider(oidc_app)
    _login_through_provider(oidc_app)
    with services(oidc_app).db.unit_of_work() as session:
        rows = session.scalars(select(UserRow).where(UserRow.external_subject == "vneid-7f3a"))
        assert len(list(rows)) == 1


def _row(app: Flask, username: str) -> UserRow:
    with services(app).db.unit_of_work() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        assert row is not None
        session.expunge(row)
        return row


def _set_personal_id(app: Flask, username: str, personal_id: str) -> None:
    with services(app).db.unit_of_work() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        assert row is not None
        row.personal_id = personal_id


def _oidc_events(app: Flask, outcome: str) -> list:
    with services(app).db.unit_of_work() as session:
        rows, _ = search_events(session, AuditFilter(action="auth.login_oidc", outcome=outcome))
    return rows


def _assert_refused(app: Flask, client: object, location: str, reason: str, message: str) -> None:
    assert location == "/login"
    page = client.get("/login").get_data(as_text=True)  # type: ignore[attr-defined]
    assert message in page
    assert client.get("/").status_code == 200  # type: ignore[attr-defined]  # the landing page
    [event] = _oidc_events(app, "denied")
    assert event.details["reason"] == reason
    assert event.details["subject"] == PERSON["sub"]


def test_local_citizen_with_same_personal_id_is_linked(
    oidc_app: Flask, provider: OIDCProvider
) -> None:
    provider.person["personal_id"] = DEMO_CITIZEN_ID
    client, location = _login_through_provider(oidc_app)
    assert location == "/"
    assert client.get("/").headers["Location"] == "/citizen/"  # type: ignore[attr-defined]
    row = _row(oidc_app, "citizen")
    assert (row.identity_provider, row.external_subject) == (provider.issuer, PERSON["sub"])
    assert row.password_hash  # the local password still works
    [event] = _oidc_events(oidc_app, "success")
    assert event.details["matched_by"] == "personal_id" and event.object_id == "citizen"
    _login_through_provider(oidc_app)
    assert _oidc_events(oidc_app, "success")[0].details["matched_by"] == "subject"


@pytest.mark.parametrize("username", ["officer", "admin", "supervisor"])
def test_staff_account_with_same_personal_id_is_refused(oidc_app: Flask, username: str) -> None:
    _set_personal_id(oidc_app, username, PERSON["personal_id"])
    client, location = _login_through_provider(oidc_app)
    _assert_refused(oidc_app, client, location, "accounts.federated_staff", "tài khoản cán bộ")
    assert _row(oidc_app, username).external_subject is None


def test_linked_citizen_later_given_a_staff_role_is_refused(oidc_app: Flask) -> None:
    _login_through_provider(oidc_app)
    with services(oidc_app).db.unit_of_work() as session:
        grant_role(
            session,
            actor=None,
            username="vneid-vneid-7f3a",
            role=Role.OFFICER,
            agency_id="000.00.00.H56",
        )
    client, location = _login_through_provider(oidc_app)
    _assert_refused(oidc_app, client, location, "accounts.federated_staff", "tài khoản cán bộ")


def test_account_linked_to_another_identity_is_refused(
    oidc_app: Flask, provider: OIDCProvider
) -> None:
    _login_through_provider(oidc_app)
    provider.person["sub"] = "vneid-other"
    client, location = _login_through_provider(oidc_app)
    assert location == "/login"
    [event] = _oidc_events(oidc_app, "denied")
    assert event.details["reason"] == "accounts.federated_linked_elsewhere"
    assert "gắn với một danh tính khác" in client.get("/login").get_data(as_text=True)  # type: ignore[attr-defined]


def test_tampered_state_is_refused(oidc_app: Flask) -> None:
    client = oidc_app.test_client()
    start = client.get("/login/oidc")
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    callback = urlsplit(back.headers["Location"])
    query = callback.query.replace("state=", "state=forged")
    response = client.get(f"{callback.path}?{query}")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_oidc_disabled_without_issuer(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/login/oidc").status_code == 404


def test_outside_demo_mode_citizens_use_the_provider_not_a_password(
    tmp_path: Path, seeded_sqlite: Path, provider: OIDCProvider
) -> None:
    settings = make_settings(
        tmp_path / "real",
        oidc_issuer=provider.issuer,
        oidc_client_id="eforms",
        oidc_client_secret="s3cret",
        demo=False,
        allow_demo_in_production=True,  # the seeded demo accounts stand in for real ones
    )
    install_seeded_db(seeded_sqlite, settings.data_dir)
    app = create_app(settings)
    try:
        client = app.test_client()
        refused = client.post("/login", data={"username": "citizen", "password": DEMO_PASSWORD})
        assert refused.status_code == 403
        assert "tài khoản định danh điện tử" in refused.get_data(as_text=True)
        assert client.get("/citizen/").status_code in (302, 401)
        staff = app.test_client().post(
            "/login", data={"username": "officer", "password": DEMO_PASSWORD}
        )
        assert staff.status_code == 302  # staff keep their local login
        _, landing = _login_through_provider(app)
        assert landing  # the provider still logs the citizen in
    finally:
        services(app).db.dispose()
