"""In Chromium: an auditor uploads a signed PDF and sees it pass; a tampered one fails.

Uses the e2e harness (``tests/e2e/conftest.py``) with the demo PKI fixtures of
``tests/signing``, which is why it lives here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.serving import make_server

from portal import create_app
from portal.demo import DEMO_PASSWORD
from portal.services import services
from tests.conftest import install_seeded_db, make_settings
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer, log_in
from tests.harness.net import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def e2e_page() -> Iterator[Page]:
    """Chromium for this module only.

    Playwright's sync API keeps an event loop running in the main thread while
    it is open; closing it with the module lets the later tests (which sign and
    verify through ``asyncio.run``) run in the same process.
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(locale="vi-VN", viewport={"width": 1200, "height": 900})
        tab = context.new_page()
        tab.set_default_timeout(15000)
        yield tab
        context.close()
        browser.close()


@pytest.fixture
def verify_server(tmp_path: Path, seeded_sqlite: Path, root_pem: Path) -> Iterator[LiveServer]:
    port = free_port()
    settings = make_settings(
        tmp_path / "data", port=port, extra={}, verify_trust_roots=str(root_pem)
    )
    install_seeded_db(seeded_sqlite, settings.data_dir)
    app = create_app(settings)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app=app, url=f"http://127.0.0.1:{port}")
    server.shutdown()
    thread.join(5)
    services(app).db.dispose()


def test_auditor_sees_passed_then_failed(
    signed_pdf: bytes,  # first: made before Playwright starts its event loop
    e2e_page: Page,
    verify_server: LiveServer,
    tmp_path: Path,
) -> None:
    page = e2e_page
    good = tmp_path / "quyet-dinh.pdf"
    good.write_bytes(signed_pdf)
    bad = tmp_path / "quyet-dinh-sua.pdf"
    bad.write_bytes(signed_pdf[:300] + bytes([signed_pdf[300] ^ 1]) + signed_pdf[301:])
    log_in(page, verify_server.url, "auditor", DEMO_PASSWORD)
    page.get_by_role("link", name="Kiểm tra chữ ký số").first.click()
    page.get_by_label("Tệp PDF đã ký").set_input_files(str(good))
    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.locator(".verdict")).to_contain_text("TOTAL_PASSED")
    expect(page.locator(".verification-report")).to_contain_text("Phạm Văn Lãnh Đạo")
    page.get_by_role("link", name="Kiểm tra tệp khác").click()
    page.get_by_label("Tệp PDF đã ký").set_input_files(str(bad))
    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.locator(".verdict")).to_contain_text("TOTAL_FAILED")
    expect(page.locator(".verification-report")).to_contain_text("HASH_FAILURE")
    page.goto(f"{verify_server.url}/verification/")
    expect(page.locator("table.table")).to_contain_text("quyet-dinh-sua.pdf")
