"""In Chromium: an administrator creates an officer in the own agency, fails to
create one in another agency, and the new officer logs in."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.demo import DEMO_PASSWORD
from tests.e2e.conftest import LiveServer, log_in

pytestmark = pytest.mark.e2e


def _fill_new_user(page: Page, username: str, agency_label: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Họ, chữ đệm và tên").fill("Cán Bộ Thử Nghiệm")
    page.get_by_label("Mật khẩu ban đầu").fill("Mat-khau-2026")
    page.get_by_label("Cơ quan").select_option(label=agency_label)
    page.get_by_label("Cán bộ tiếp nhận, xử lý").check()
    page.get_by_role("button", name="Tạo tài khoản").click()


def test_admin_creates_officer_then_officer_logs_in(live_server: LiveServer, page: Page) -> None:
    base = live_server.url
    log_in(page, base, "admin", DEMO_PASSWORD)
    expect(page).to_have_url(f"{base}/admin/")
    expect(page.get_by_role("heading", name="Quản lý tài khoản")).to_be_visible()

    page.get_by_role("link", name="Tạo tài khoản").first.click()
    _fill_new_user(page, "canbo.moi", "000.00.00.H56 – Sở Tư pháp (tỉnh thử nghiệm)")
    expect(page).to_have_url(f"{base}/admin/")
    expect(page.get_by_text("Đã tạo tài khoản canbo.moi.")).to_be_visible()
    expect(page.get_by_role("cell", name="canbo.moi")).to_be_visible()

    page.goto(f"{base}/admin/users/new")
    _fill_new_user(page, "canbo.khac", "000.00.02.H56 – Sở Xây dựng (tỉnh thử nghiệm)")
    expect(page.get_by_text("nằm ngoài phạm vi")).to_be_visible()
    page.goto(f"{base}/admin/")
    expect(page.get_by_role("cell", name="canbo.khac")).to_have_count(0)

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    log_in(page, base, "canbo.moi", "Mat-khau-2026")
    expect(page).to_have_url(f"{base}/officer/")
    expect(page.get_by_role("heading", name="Hồ sơ cần xử lý")).to_be_visible()


def test_core_flow_works_without_javascript(live_server: LiveServer, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    log_in(page, live_server.url, "auditor", DEMO_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/auditor/")
    page.get_by_role("link", name="Nhật ký hệ thống").click()
    expect(page.get_by_role("heading", name="Nhật ký hệ thống")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    context.close()


def test_pages_fit_a_phone_screen(live_server: LiveServer, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="vi-VN")
    page = context.new_page()
    log_in(page, live_server.url, "admin", DEMO_PASSWORD)
    for path in ("/admin/users/new", "/admin/", "/audit/verify"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


def test_language_switch_to_english(live_server: LiveServer, page: Page) -> None:
    page.goto(f"{live_server.url}/login")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
