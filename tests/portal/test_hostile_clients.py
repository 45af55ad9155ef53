"""Hostile clients against the production stack: a slowloris, a 1 GB body,
malformed JSON and a burst of lookups leave the service up for everyone else.

The slow-client defence is nginx in front of gunicorn, as docs/operations.md
deploys it; the other checks also run against gunicorn directly.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from storage.testing import redis_server
from tests.harness.net import free_port, wait_for_port

EFORMS = str(Path(sys.executable).parent / "eforms")
pytestmark = [pytest.mark.integration, pytest.mark.slow]

NGINX_CONF = """
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    client_max_body_size 25m;
    client_body_timeout 5s;
    client_header_timeout 5s;
    send_timeout 10s;
    proxy_read_timeout 65s;
    proxy_request_buffering on;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


@dataclass
class Stack:
    app: str
    """gunicorn directly."""
    proxy: str
    """nginx in front of it."""


@pytest.fixture
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
def stack(tmp_path: Path, redis_url: str) -> Iterator[Stack]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed (Debian nginx-light)")
    app_port, proxy_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EFORMS_")}
    env.update(
        EFORMS_DATA_DIR=str(tmp_path / "data"),
        EFORMS_PORT=str(app_port),
        EFORMS_DEMO="0",
        EFORMS_SECRET_KEY="hostile-clients-test-secret-0123456789abcdef",
        EFORMS_WORKERS="2",
        EFORMS_THREADS="4",
        EFORMS_LOOKUP_RATE_LIMIT="10 per minute",
        EFORMS_PROXY_COUNT="0",
        # Several workers share the counters only through Redis (docs/operations.md).
        EFORMS_RATELIMIT_STORAGE_URL=redis_url,
    )
    subprocess.run([EFORMS, "db", "upgrade"], env=env, check=True, capture_output=True)
    app = subprocess.Popen(
        [EFORMS, "serve", "--production"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    root = tmp_path / "nginx"
    root.mkdir()
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(root=root, port=proxy_port, upstream=app_port))
    proxy = subprocess.Popen(
        [nginx, "-p", str(root), "-c", str(conf), "-g", "daemon off; user root;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(app_port, timeout=60)
        wait_for_port(proxy_port, timeout=20)
        yield Stack(app=f"http://127.0.0.1:{app_port}", proxy=f"http://127.0.0.1:{proxy_port}")
    finally:
        for proc in (proxy, app):
            proc.terminate()
        for proc in (proxy, app):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _slow_clients(base: str, count: int) -> list[socket.socket]:
    host, port = base.removeprefix("http://").split(":")
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)))
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        sockets.append(sock)
    return sockets


def test_slowloris_behind_nginx_does_not_starve_others(stack: Stack) -> None:
    slow = _slow_clients(stack.proxy, 60)
    try:
        for _ in range(3):
            for sock in slow:
                try:
                    sock.sendall(b"a")
                except OSError:
                    pass
            started = time.monotonic()
            response = requests.get(f"{stack.proxy}/healthz", timeout=10)
            assert response.status_code == 200 and time.monotonic() - started < 3
            time.sleep(1)
    finally:
        for sock in slow:
            sock.close()


def _huge_body(base: str, path: str) -> int:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: {1024**3}\r\nConnection: close\r\n\r\n".encode()
            + b"x" * 65536
        )
        head = sock.recv(4096).decode("latin-1")
    return int(head.split()[1])


@pytest.mark.parametrize("through", ["app", "proxy"])
def test_a_one_gigabyte_body_is_refused_at_once(stack: Stack, through: str) -> None:
    base = getattr(stack, through)
    started = time.monotonic()
    assert _huge_body(base, "/login") == 413
    assert time.monotonic() - started < 5
    assert requests.get(f"{base}/healthz", timeout=10).status_code == 200


def test_malformed_json_to_the_api_is_a_client_error(stack: Stack) -> None:
    for path in ("/api/forms", "/api/v1/verify"):
        response = requests.post(
            f"{stack.app}{path}",
            data=b'{"code": "1.004222.CT01", broken',
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert 400 <= response.status_code < 500, (path, response.status_code)
        assert response.headers["Content-Type"].startswith("application/json")


class _From(HTTPAdapter):
    """Send from another loopback address, i.e. another client."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["source_address"] = (self.source, 0)
        return super().init_poolmanager(*args, **kwargs)


def test_a_burst_of_lookups_is_limited_for_that_address_only(stack: Stack) -> None:
    code = "000.00.00.H56-261122-0001"
    codes = [requests.get(f"{stack.app}/tra-cuu/{code}", timeout=10).status_code for _ in range(30)]
    assert codes[:10] == [404] * 10 and set(codes[10:]) == {429}
    other = requests.Session()
    other.mount("http://", _From("127.0.0.2"))
    assert other.get(f"{stack.app}/tra-cuu/{code}", timeout=10).status_code == 404
    assert requests.get(f"{stack.app}/healthz", timeout=10).status_code == 200
