"""Fixtures shared by the whole suite: settings, app, clients, databases.

Database-backed tests take ``database_url``, parametrised over SQLite and a
real PostgreSQL server that the suite starts once (Debian's ``postgresql``).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from portal import create_app
from portal.demo import DEMO_PASSWORD, seed_demo
from portal.services import services
from portal.settings import Settings
from storage.db import Database
from tests.harness.postgres import PostgresServer, remove, start_postgres

_db_counter = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres()
    try:
        yield server
    finally:
        remove(server)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each supported kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"eforms_test_{next(_db_counter)}")


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a test installation in ``data_dir``."""
    values: dict[str, object] = {
        "data_dir": data_dir,
        "secret_key": "test-secret-key-not-for-production",
        "login_rate_limit": "1000 per minute",
        "extra": {"TESTING": True, "WTF_CSRF_ENABLED": False},
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database with the demo data, made once and copied per test.

    Password hashing (argon2) and migrations dominate set-up time; copying
    the finished file keeps each test's database fresh and the suite fast.
    """
    path = tmp_path_factory.mktemp("template") / "eforms.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    seed_demo(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


def install_seeded_db(template: Path, data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, data_dir / "eforms.db")


@pytest.fixture
def app(settings: Settings, seeded_sqlite: Path) -> Iterator[Flask]:
    """An app on a migrated database with the demo agencies and accounts."""
    install_seeded_db(seeded_sqlite, settings.data_dir)
    application = create_app(settings)
    yield application
    services(application).db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def csrf_app(settings: Settings, seeded_sqlite: Path) -> Iterator[Flask]:
    """Like ``app`` but with CSRF protection on, as in production."""
    install_seeded_db(seeded_sqlite, settings.data_dir)
    application = create_app(settings.replace(extra={"TESTING": True, "WTF_CSRF_ENABLED": True}))
    yield application
    services(application).db.dispose()


@pytest.fixture
def runner(app: Flask) -> CliRunner:
    return CliRunner()


def login(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log ``client`` in; CSRF is off in the ``app`` fixture."""
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture(scope="session")
def softhsm_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The one SoftHSM2 token folder of the session (``SOFTHSM2_CONF`` points at it).

    SoftHSM reads its configuration once per process, when the PKCS#11 library is
    first initialised: every token a test creates must live in this folder.
    """
    if not (shutil.which("softhsm2-util") and shutil.which("pkcs11-tool")):
        pytest.skip("SoftHSM2 / OpenSC not installed (make install)")
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\n"
        "log.level = ERROR\n"
    )
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    yield directory
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def softhsm_tokens_changed(module: str = "/usr/lib/softhsm/libsofthsm2.so") -> None:
    """Let this process see tokens created since the PKCS#11 library was first loaded.

    SoftHSM lists its slots when initialised; pyHanko keeps the library loaded.
    """
    import pkcs11

    pkcs11.lib(module).reinitialize()
