"""End-to-end fixtures: the real app on a loopback port, Debian's Chromium
driven by Playwright (no browser download: ``executable_path``)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from portal import create_app
from portal.services import services
from tests.conftest import install_seeded_db, make_settings
from tests.harness.net import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass
class LiveServer:
    app: Flask
    url: str


@pytest.fixture
def live_server(tmp_path: Path, seeded_sqlite: Path) -> Iterator[LiveServer]:
    """The app with production-like settings (CSRF on) on a free loopback port."""
    port = free_port()
    settings = make_settings(tmp_path / "data", port=port, extra={})
    install_seeded_db(seeded_sqlite, settings.data_dir)
    app = create_app(settings)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app=app, url=f"http://127.0.0.1:{port}")
    server.shutdown()
    thread.join(5)
    services(app).db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope: Playwright's sync API keeps an event loop running on this
    # thread while it is open, which would break later tests using asyncio.run.
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15000)
    yield tab
    context.close()


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Log in through the login form as a person would."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
