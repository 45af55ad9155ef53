"""In Chromium: an author builds a small form (text, date, choice, table), saves
two test cases from the preview, runs them, publishes; an author of another
agency can only read it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from portal.demo import DEMO_PASSWORD
from portal.services import services
from tests.e2e.conftest import LiveServer, log_in

pytestmark = pytest.mark.e2e

CODE = "1.000555.TK01"


def _add_field(page: Page, kind: str, key: str, label: str, **options: str) -> None:
    form = page.locator("form", has=page.get_by_role("button", name="Thêm trường"))
    form.get_by_label("Loại trường").select_option(label=kind)
    form.get_by_label("Khóa dữ liệu").fill(key)
    form.get_by_label("Nhãn (tiếng Việt)").fill(label)
    form.get_by_label("Nhãn (tiếng Anh)").fill(key)
    if "code_list" in options:
        form.get_by_label("Danh mục (cho trường lựa chọn)").select_option(options["code_list"])
    if options.get("required"):
        form.get_by_label("Bắt buộc").check()
    form.get_by_role("button", name="Thêm trường").click()
    expect(page.get_by_text(f"Đã thêm trường {key}.")).to_be_visible()


def test_author_builds_tests_publishes_and_others_only_read(
    live_server: LiveServer, page: Page
) -> None:
    base = live_server.url
    log_in(page, base, "author", DEMO_PASSWORD)
    page.get_by_role("link", name="Xây dựng biểu mẫu").click()
    page.get_by_role("link", name="Tạo biểu mẫu").click()
    page.get_by_label("Mã biểu mẫu (mã TTHC.ký hiệu mẫu)").fill(CODE)
    page.get_by_label("Tên thủ tục (tiếng Việt)").fill("Thủ tục thử nghiệm")
    page.get_by_label("Tên thủ tục (tiếng Anh)").fill("Trial procedure")
    page.get_by_label("Tên biểu mẫu (tiếng Việt)").fill("Tờ khai thử nghiệm")
    page.get_by_label("Tên biểu mẫu (tiếng Anh)").fill("Trial declaration")
    page.get_by_label("Số, ký hiệu văn bản ban hành mẫu").fill("01/2026/TT-THU")
    page.get_by_label("Trích yếu văn bản").fill("Thông tư thử nghiệm")
    page.get_by_label("Ngày ban hành").fill("2026-01-05")
    page.get_by_label("Ngày có hiệu lực").fill("2026-02-01")
    page.get_by_role("button", name="Tạo bản nháp").click()
    expect(page.get_by_text(f"Đã tạo bản nháp {CODE}@1.")).to_be_visible()

    _add_field(page, "Văn bản ngắn", "ho_ten", "Họ và tên", required="y")
    _add_field(page, "Ngày", "ngay_sinh", "Ngày sinh", required="y")
    _add_field(page, "Lựa chọn từ danh mục", "gioi_tinh", "Giới tính", code_list="sexes")
    _add_field(page, "Bảng (nhóm lặp lại)", "thanh_vien", "Thành viên")

    page.get_by_role("link", name="Xem trước").click()
    page.get_by_label("Họ và tên").fill("Nguyễn Văn Thử")
    page.get_by_label("Ngày sinh").fill("1990-03-04")
    page.get_by_label("Giới tính").select_option(label="Nam")
    page.get_by_label("Nội dung").fill("Con")
    page.get_by_label("Tên ca kiểm thử").fill("Hồ sơ hợp lệ")
    page.get_by_role("button", name="Lưu làm ca kiểm thử").click()
    expect(page.get_by_text("Đã lưu ca kiểm thử.")).to_be_visible()
    page.get_by_role("link", name="Xem trước").click()
    page.get_by_label("Tên ca kiểm thử").fill("Thiếu họ tên")
    page.get_by_role("button", name="Lưu làm ca kiểm thử").click()
    expect(page.get_by_text("2/2 ca đạt")).to_be_visible()

    page.get_by_role("link", name="Trường").click()
    page.get_by_role("link", name="Ban hành…").click()
    expect(page.get_by_text("Tất cả 2 ca kiểm thử đạt.")).to_be_visible()
    page.get_by_role("button", name="Xác nhận ban hành").click()
    expect(page.get_by_text(f"Đã ban hành {CODE} phiên bản 1.")).to_be_visible()
    expect(page.get_by_role("button", name="Thêm trường")).to_have_count(0)
    definition = services(live_server.app).forms.get(CODE, 1)
    assert definition.status == "published"
    assert [path for path, _ in definition.iter_fields()] == [
        "ho_ten",
        "ngay_sinh",
        "gioi_tinh",
        "thanh_vien",
        "thanh_vien.item",
    ]

    page.get_by_role("button", name="Đăng xuất").click()
    log_in(page, base, "author2", DEMO_PASSWORD)
    page.goto(f"{base}/authoring/forms/")
    page.get_by_role("link", name=CODE).click()
    expect(
        page.get_by_text("Biểu mẫu của cơ quan khác: chỉ được xem hoặc sao chép.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Thêm trường")).to_have_count(0)
    expect(page.get_by_role("link", name="Ban hành…")).to_have_count(0)


def test_preview_hides_fields_that_do_not_apply(live_server: LiveServer, page: Page) -> None:
    from forms_builder.library import install_library

    install_library(services(live_server.app).forms)
    log_in(page, live_server.url, "author2", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/authoring/forms/1.013225.MS01/1/preview")
    personal_id = page.get_by_label("Số định danh cá nhân", exact=True)
    enterprise = page.get_by_label("Mã số doanh nghiệp")
    expect(personal_id).to_be_hidden()
    page.get_by_label("Chủ đầu tư là").select_option(label="Tổ chức")
    expect(enterprise).to_be_visible()
    expect(personal_id).to_be_hidden()
    page.get_by_label("Chủ đầu tư là").select_option(label="Cá nhân / hộ gia đình")
    expect(personal_id).to_be_visible()
    expect(enterprise).to_be_hidden()


def test_address_offers_the_communes_of_the_chosen_province(
    live_server: LiveServer, page: Page
) -> None:
    from forms_builder.library import install_library

    install_library(services(live_server.app).forms)
    log_in(page, live_server.url, "author2", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/authoring/forms/1.013225.MS01/1/preview")
    commune = page.locator("select[name='site-address-commune']")
    expect(commune.locator("option")).to_have_count(1)
    page.locator("select[name='site-address-province']").select_option("01")
    expect(commune.locator("option[value='00070']")).to_have_count(1)
    commune.select_option("00070")
