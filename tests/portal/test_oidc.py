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
from portal.services import services
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
