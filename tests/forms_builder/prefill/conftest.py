"""Fixtures: the reference registry, a database, and a fake data-sharing service.

The fake service is the real :class:`RegistryService` (the protocol our HTTP
adapters speak) behind a fault-injecting WSGI wrapper, served by werkzeug on
loopback in a thread for the duration of a test.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from werkzeug.serving import WSGIRequestHandler, make_server

from forms_builder.prefill import LazyRegistry, RegistryService, SqlCitizenDataStore
from forms_builder.prefill.reference_registry import ReferenceRegistry
from storage.db import Database

TOKEN = "test-token-for-loopback"


@pytest.fixture(scope="session")
def lazy_registry() -> LazyRegistry:
    """The default-size registry, generated once for the whole session."""
    return LazyRegistry()


@pytest.fixture(scope="session")
def registry(lazy_registry: LazyRegistry) -> ReferenceRegistry:
    return lazy_registry.get()


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}")) or [Path(name)]
    return str(found[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throw-away PostgreSQL cluster on loopback; yields its admin URL (no database)."""
    # Not under pytest's tmp dir: that one is private to root, and the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="eforms-pg-"))
    # PostgreSQL refuses to run as root: use the postgres account then.
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if run_as:
        shutil.chown(base, "postgres")
    data, port = base / "data", _free_port()
    subprocess.run(
        [*run_as, _pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "eforms", "--no-sync"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [*run_as, _pg_bin("pg_ctl"), "-D", str(data), "-l", str(base / "log")]
    subprocess.run([*pg_ctl, "-o", options, "-w", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://eforms@127.0.0.1:{port}"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], check=False, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database: SQLite in a temp dir, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'param.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        name = f"t{uuid.uuid4().hex[:12]}"
        admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        admin.dispose()
        url = f"{server}/{name}"
    db = Database(url)
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'eforms.db'}")
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def citizen_store(sqlite_database: Database) -> SqlCitizenDataStore:
    """The store on SQLite (the store's own tests also run it on PostgreSQL)."""
    return SqlCitizenDataStore(sqlite_database)


@dataclass
class Faults:
    """What the fake service does to the next requests; tests set it."""

    delay_seconds: float = 0.0
    """Sleep this long before answering."""
    delays: dict[str, float] = field(default_factory=dict)
    """Per resource (``people``, ``enterprises``): sleep this long instead."""
    fail_first: int = 0
    """Answer this many requests with ``status``, then behave."""
    status: int = 503
    body: bytes | None = None
    """Answer 200 with this raw body instead of the record."""
    requests: int = 0
    """How many requests arrived (set by the service)."""
    auth_headers: list[str] = field(default_factory=list)


class FaultyService:
    """WSGI wrapper injecting delays, error statuses and malformed bodies."""

    def __init__(self, inner: Callable[..., Iterable[bytes]], faults: Faults) -> None:
        self.inner = inner
        self.faults = faults
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with self._lock:
            self.faults.requests += 1
            number = self.faults.requests
            self.faults.auth_headers.append(environ.get("HTTP_AUTHORIZATION", ""))
        resource = environ.get("PATH_INFO", "").strip("/").split("/")[0]
        delay = self.faults.delays.get(resource, self.faults.delay_seconds)
        if delay:
            time.sleep(delay)
        if number <= self.faults.fail_first:
            start_response(f"{self.faults.status} Failure", [("Content-Type", "text/plain")])
            return [b"upstream failure"]
        if self.faults.body is not None:
            start_response("200 OK", [("Content-Type", "application/json")])
            return [self.faults.body]
        return self.inner(environ, start_response)


@dataclass
class FakeService:
    url: str
    faults: Faults
    token: str = TOKEN


class QuietHandler(WSGIRequestHandler):
    """No request lines on stderr: paths carry personal IDs."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def _serve(app: Callable[..., Any]) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    # A short poll interval makes shutdown take milliseconds, not half a second.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def fake_service(lazy_registry: LazyRegistry) -> Iterator[FakeService]:
    """The registry over HTTP with bearer-token auth and injectable faults."""
    faults = Faults()
    app = FaultyService(RegistryService(lazy_registry, token=TOKEN), faults)
    for url in _serve(app):
        yield FakeService(url, faults)


@pytest.fixture
def basic_auth_service(lazy_registry: LazyRegistry) -> Iterator[str]:
    """The registry over HTTP requiring HTTP Basic credentials ``registry``/``s3cret``."""
    app = RegistryService(lazy_registry, username="registry", password="s3cret")
    yield from _serve(app)
