"""In Chromium: the citizen opens CT01 prefilled from the population registry,
adds a household member, attaches a PDF, submits, downloads the PDF/A of the
dossier and finds its status on the public lookup page."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pikepdf
import pytest
from playwright.sync_api import Page, expect

from dossiers import get_dossier
from forms_builder.library import install_library
from portal.demo import DEMO_PASSWORD
from portal.services import services
from tests.e2e.conftest import LiveServer, log_in

pytestmark = pytest.mark.e2e

CT01 = "1.004222.CT01"


def _attachment(tmp_path: Path) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = tmp_path / "so-ho-khau.pdf"
    pdf.save(out)
    return out


def test_citizen_fills_attaches_submits_and_downloads(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    with live_server.app.app_context():
        install_library(services(live_server.app).forms)
    base = live_server.url
    log_in(page, base, "citizen", DEMO_PASSWORD)
    page.goto(f"{base}/citizen/")
    page.get_by_role("link", name="Bắt đầu một thủ tục").click()
    page.get_by_role("link", name="Đăng ký thường trú").click()

    expect(page.locator("#full_name")).to_have_value("Nguyễn Văn An")
    expect(page.locator("#birth_date")).to_have_value("2003-03-15")
    expect(page.locator("#permanent_residence")).to_have_value(
        "Số 12, ngõ 34 phố Hàng Bông, Phường Hoàn Kiếm, Thành phố Hà Nội"
    )
    expect(page.locator("#household_head_name")).to_have_value("Nguyễn Văn Hùng")
    expect(page.locator(".row-entry")).to_have_count(5)
    expect(page.get_by_text("Cơ sở dữ liệu quốc gia về dân cư").first).to_be_visible()

    page.locator("#addressee").select_option("000.00.01.H56")
    page.locator("#request_content").fill(
        "Đăng ký thường trú tại số 12, ngõ 34 phố Hàng Bông, phường Hoàn Kiếm, Hà Nội."
    )
    page.get_by_role("button", name="Thêm dòng").click()
    expect(page.locator(".row-entry")).to_have_count(6)
    page.locator("#members-5-full_name").fill("Nguyễn Minh Khang")
    page.locator("#members-5-birth_date").fill("2024-01-20")
    page.locator("#members-5-sex").select_option("male")
    page.locator("#members-5-relation").select_option("grandchild")

    page.locator("#attachment").set_input_files(str(_attachment(tmp_path)))
    page.get_by_role("button", name="Tải tệp lên").click()
    expect(page.get_by_text("Đã đính kèm tệp so-ho-khau.pdf.")).to_be_visible()

    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_role("heading", name="Biên nhận hồ sơ")).to_be_visible()
    code = page.locator("#dossier-code").inner_text()
    expect(page.locator("img[src^='data:image/svg+xml']")).to_have_count(1)

    href = page.locator("#download-form").get_attribute("href")
    assert href
    response = page.request.get(f"{base}{href}")
    assert response.status == 200
    with services(live_server.app).db.unit_of_work() as session:
        dossier = get_dossier(session, code)
    assert dossier.data["members"][-1]["full_name"] == "Nguyễn Minh Khang"
    with pikepdf.open(io.BytesIO(response.body())) as pdf:
        xmp = pdf.open_metadata()
        assert xmp.get("pdfaid:part") == "3" and xmp.get("pdfaid:conformance") == "B"
        embedded = pdf.attachments["data.json"].get_file().read_bytes()
    assert json.loads(embedded) == dossier.data

    page.goto(f"{base}/tra-cuu/{code}")
    expect(page.get_by_text(code).first).to_be_visible()
    expect(page.get_by_text("Đăng ký thường trú").first).to_be_visible()
    expect(page.get_by_text("Trạng thái", exact=True)).to_be_visible()
