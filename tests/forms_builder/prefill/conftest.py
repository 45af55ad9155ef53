"""Fixtures: the reference registry, a database, and a fake data-sharing service.

The fake service is the real :class:`RegistryService` (the protocol our HTTP
adapters speak) behind a fault-injecting WSGI wrapper, served by werkzeug on
loopback in a thread for the duration of a test.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
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


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'eforms.db'}")
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def citizen_store(database: Database) -> SqlCitizenDataStore:
    return SqlCitizenDataStore(database)


@dataclass
class Faults:
    """What the fake service does to the next requests; tests set it."""

    delay_seconds: float = 0.0
    """Sleep this long before answering."""
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
        if self.faults.delay_seconds:
            time.sleep(self.faults.delay_seconds)
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
