"""Serve the demo PKI's OCSP responder, CRLs, certificates and TSA over HTTP.

certomancer's WSGI app ("Animator") runs in a standard-library WSGI server on
a background thread, on loopback only. Used by the tests, ``make run`` (in
process) and ``eforms pki serve`` (in the foreground).
"""

from __future__ import annotations

import socket
import threading
import time
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from certomancer.integrations.animator import Animator, AnimatorArchStore

from signing.demo_pki import DemoPKI
from signing.errors import PkiError


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def setup(self) -> None:
        super().setup()
        # Headers and body leave in separate writes; without TCP_NODELAY,
        # Nagle plus delayed ACK stall every response by about 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib name)
        """Requests are not logged: OCSP and TSA calls would flood the output."""


class _CrlCache:
    """Serve each CRL from memory for a minute, as a CDN in front of a real CA would.

    certomancer signs a fresh CRL on every request (about 70 ms here, mostly
    parsing the CA key); the content only changes with the simulated update
    schedule (days). OCSP is never cached: responses carry the client's nonce.
    """

    max_age = 60.0

    def __init__(self, app: Any) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.entries: dict[str, tuple[float, str, list[tuple[str, str]], bytes]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET" or "/crls/" not in path:
            return self.app(environ, start_response)
        with self.lock:
            entry = self.entries.get(path)
        if entry is None or time.monotonic() - entry[0] > self.max_age:
            captured: dict[str, Any] = {}

            def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                captured["status"], captured["headers"] = status, headers
                return lambda data: None

            body = b"".join(self.app(environ, capture))
            entry = (time.monotonic(), captured["status"], captured["headers"], body)
            if captured["status"].startswith("200"):
                with self.lock:
                    self.entries[path] = entry
        start_response(entry[1], entry[2])
        return [entry[3]]


class PkiServer:
    """The demo PKI services on ``127.0.0.1:<pki.port>``; a context manager."""

    def __init__(self, pki: DemoPKI, *, host: str = "127.0.0.1") -> None:
        self.pki = pki
        self.host = host
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.pki.base_url

    def start(self) -> PkiServer:
        """Bind the port written in the certificates and serve on a daemon thread."""
        app = _CrlCache(
            Animator(
                AnimatorArchStore(
                    {a.arch_label: a for a in (self.pki.arch, self.pki.untrusted_arch)}
                ),
                with_web_ui=False,
                allow_time_override=False,
            )
        )
        try:
            self._server = make_server(
                self.host,
                self.pki.port,
                app,
                server_class=_ThreadingWSGIServer,
                handler_class=_QuietHandler,
            )
        except OSError as exc:
            raise PkiError(
                f"Không mở được cổng {self.pki.port} cho dịch vụ PKI demo: {exc}.",
                f"Cannot bind port {self.pki.port} for the demo PKI services: {exc}. "
                "Is another `eforms pki serve` running?",
            ) from exc
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="demo-pki", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self.start()
        assert self._thread is not None
        try:
            self._thread.join()
        finally:
            self.stop()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> PkiServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
