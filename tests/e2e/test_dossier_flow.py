"""A dossier from the citizen's form to a signed result reused by a later form, in Chromium.

Everything is driven through the pages as people would: the citizen fills
the birth registration form (the requester prefilled from the population
registry, the mother's data brought by her personal ID) and submits it; the
officer receives it and asks for a supplement; the citizen answers; the
officer resumes, drafts the result and submits it for approval; the leader
approves with signature and seal; the citizen downloads the signed birth
certificate (validated with pyHanko against the demo root), finds it in
their data store, and opens the residence form (CT01), whose household
table now carries the child from that certificate.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from dossiers import Status, get_dossier
from forms_builder.library import install_library
from forms_builder.prefill import PersonRecord
from forms_builder.prefill.bundled_sources import LazyRegistry
from portal import create_app
from portal.demo import DEMO_PASSWORD
from portal.services import services
from tests.conftest import install_seeded_db, make_settings
from tests.e2e.conftest import LiveServer, log_in
from tests.harness.net import free_port
from tests.signing.conftest import validate_all

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(tmp_path: Path, seeded_sqlite: Path) -> Iterator[LiveServer]:
    """The app (CSRF on) on a free port, with its own demo PKI services port."""
    port = free_port()
    settings = make_settings(tmp_path / "data", port=port, pki_port=free_port(), extra={})
    install_seeded_db(seeded_sqlite, settings.data_dir)
    app = create_app(settings)
    http = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app=app, url=f"http://127.0.0.1:{port}")
    http.shutdown()
    thread.join(5)
    services(app).signing.stop()
    services(app).db.dispose()


def _registry_woman() -> PersonRecord:
    people = LazyRegistry().get().people.values()
    return next(
        p for p in people if p.sex.value == "female" and 1990 <= p.date_of_birth.year < 2000
    )


def _citizen_submits_birth_form(citizen: Page, base: str) -> str:
    citizen.goto(f"{base}/citizen/")
    citizen.get_by_role("link", name="Bắt đầu một thủ tục").click()
    citizen.get_by_role("link", name="Đăng ký khai sinh").click()
    # The requester comes from the population registry and cannot be edited.
    expect(citizen.locator("#requester-full_name")).to_have_value("Nguyễn Văn An")
    expect(citizen.locator("#requester-full_name")).to_have_attribute("readonly", "")
    expect(citizen.locator("#requester-personal_id")).to_have_value("001203012345")
    expect(citizen.locator("#requester-residence-commune")).to_have_value("00070")

    citizen.locator("#addressee").select_option("000.00.00.H56")
    citizen.locator("#requester-relation").select_option("father")
    citizen.locator("#child-full_name").fill("Nguyễn Minh Khôi")
    citizen.locator("#child-birth_date").fill("2026-11-10")
    citizen.locator("#child-sex").select_option("male")
    citizen.locator("#child-ethnicity").select_option("01")
    citizen.locator("#child-nationality").select_option("VN")
    citizen.locator("#child-birth_facility").fill("Bệnh viện Phụ sản Hà Nội")
    citizen.locator("#child-birth_place-province").select_option("01")
    # The communes of the chosen province arrive without reloading the page.
    expect(citizen.locator("#child-birth_place-commune option[value='00004']")).to_have_count(1)
    citizen.locator("#child-birth_place-commune").select_option("00004")
    citizen.locator("#child-birth_place-street").fill("Số 929 đường La Thành")
    citizen.locator("#child-home_town").fill("Xã Thanh Oai, Thành phố Hà Nội")
    # The mother's personal ID brings her registry data with the next save.
    mother = _registry_woman()
    citizen.locator("#mother-personal_id").fill(mother.personal_id)
    citizen.get_by_role("button", name="Lưu bản nháp").click()
    expect(citizen.locator(".flash-success")).to_contain_text("Đã lưu bản nháp")
    expect(citizen.locator("#mother-full_name")).to_have_value(mother.full_name)
    expect(citizen.locator("#mother-birth_year")).to_have_value(mother.date_of_birth.isoformat())
    expect(citizen.locator("#child-full_name")).to_have_value("Nguyễn Minh Khôi")
    citizen.locator("#father-full_name").fill("Nguyễn Văn An")
    citizen.locator("#copies_requested-1").check()
    citizen.locator("#signed_at").fill("Hà Nội")
    citizen.locator("#commitment-0").check()
    citizen.get_by_role("button", name="Nộp hồ sơ").click()
    expect(citizen.get_by_role("heading", name="Biên nhận hồ sơ")).to_be_visible()
    return citizen.locator("#dossier-code").inner_text()


def _as(browser: Browser, server: LiveServer, username: str) -> Page:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(30000)
    log_in(tab, server.url, username, DEMO_PASSWORD)
    return tab


def _click(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    expect(page.locator(".flash-success")).to_be_visible()


def test_submit_supplement_draft_sign_download_prefill(
    server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    with server.app.app_context():
        install_library(services(server.app).forms)
    citizen = _as(browser, server, "citizen")
    code = _citizen_submits_birth_form(citizen, server.url)
    dossier_url = f"{server.url}/dossiers/{code}"
    with services(server.app).db.unit_of_work() as session:
        submitted = get_dossier(session, code)
    assert submitted.status is Status.SUBMITTED and submitted.procedure_code == "1.001193"
    assert submitted.data["requester"]["full_name"] == "Nguyễn Văn An"

    officer = _as(browser, server, "officer")
    officer.goto(dossier_url)
    _click(officer, "Tiếp nhận")
    officer.get_by_label("Ý kiến xử lý / lý do / nội dung gửi người nộp").fill(
        "Đề nghị bổ sung giấy chứng sinh"
    )
    _click(officer, "Yêu cầu bổ sung")

    citizen.goto(dossier_url)
    expect(citizen.get_by_text("Đề nghị bổ sung giấy chứng sinh")).to_be_visible()
    _click(citizen, "Đã bổ sung hồ sơ")

    officer.goto(dossier_url)
    _click(officer, "Tiếp tục xử lý")
    _click(officer, "Soạn dự thảo kết quả")
    _click(officer, "Trình lãnh đạo phê duyệt")

    leader = _as(browser, server, "leader")
    leader.goto(f"{server.url}/leader/")
    leader.get_by_role("link", name=code).click()
    _click(leader, "Phê duyệt và ký số kết quả")

    with services(server.app).db.unit_of_work() as session:
        assert get_dossier(session, code).status is Status.RESULT_ISSUED

    citizen.goto(dossier_url)
    with citizen.expect_download() as info:
        citizen.get_by_role("link", name="Giấy khai sinh / Birth certificate").click()
    saved = tmp_path / "ket-qua.pdf"
    info.value.save_as(saved)
    pdf = saved.read_bytes()
    # pyHanko runs its own event loop; Playwright's sync API holds this thread's.
    with ThreadPoolExecutor(1) as worker:
        verdicts = worker.submit(validate_all, pdf, services(server.app).signing.pki).result()
    assert list(verdicts) == ["leader_1", "seal_1"]
    assert all(v.intact and v.valid and v.trusted for v in verdicts.values()), verdicts

    # The certificate is in the citizen's data store, with where it came from.
    citizen.get_by_role("link", name="Kho dữ liệu của tôi").click()
    stored = citizen.locator("#record-1")
    expect(stored.get_by_role("heading", name="Giấy khai sinh")).to_be_visible()
    expect(stored).to_contain_text("Nguyễn Minh Khôi")
    expect(stored).to_contain_text(code)
    expect(stored.get_by_role("link", name="Tải kết quả đã ký số", exact=False)).to_have_count(1)

    # A later form of the same citizen: the household table of CT01 gets the child.
    citizen.goto(f"{server.url}/citizen/thu-tuc")
    citizen.get_by_role("link", name="Đăng ký thường trú").click()
    rows = citizen.locator(".row-entry")
    expect(rows).to_have_count(6)
    expect(citizen.locator("#members-5-full_name")).to_have_value("Nguyễn Minh Khôi")
    expect(citizen.locator("#members-5-birth_date")).to_have_value("2026-11-10")
    expect(citizen.locator("#members-5-sex")).to_have_value("male")
    hint = citizen.locator("#group-members .hint.prefilled")
    expect(hint).to_contain_text("Kho dữ liệu điện tử của công dân")
    expect(hint).to_contain_text(code)

    citizen.locator("#addressee").select_option("000.00.01.H56")
    citizen.locator("#request_content").fill(
        "Đăng ký thường trú cho con Nguyễn Minh Khôi tại nơi thường trú của cha."
    )
    citizen.locator("#members-5-relation").select_option("grandchild")
    citizen.get_by_role("button", name="Nộp hồ sơ").click()
    expect(citizen.get_by_role("heading", name="Biên nhận hồ sơ")).to_be_visible()
    second = citizen.locator("#dossier-code").inner_text()
    with services(server.app).db.unit_of_work() as session:
        residence = get_dossier(session, second)
    assert residence.procedure_code == "1.004222"
    assert residence.data["members"][-1] == {
        "full_name": "Nguyễn Minh Khôi",
        "birth_date": "2026-11-10",
        "sex": "male",
        "relation": "grandchild",
    }
