"""A dossier from submission to a signed result the citizen downloads, in Chromium.

The citizen's submission is created through ``dossiers.submit`` (the citizen
form pages are another branch's work); everything after it is driven through
the pages: supplement request and supplement, resume, draft, submit for
approval, leader approval with signature and seal, download. The downloaded
PDF is validated with pyHanko against the demo root, and the citizen's data
store then prefills a later form from the result.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from dossiers import Applicant, ApplicantKind, Status, Submission, get_dossier, submit
from forms_builder.prefill import FieldBinding
from portal import create_app
from portal.demo import DEMO_CITIZEN_ID, DEMO_PASSWORD
from portal.services import services
from storage.schema import UserRow
from tests.conftest import install_seeded_db, make_settings
from tests.e2e.conftest import LiveServer, log_in
from tests.harness.net import free_port
from tests.signing.conftest import validate_all

pytestmark = pytest.mark.e2e

BIRTH_DATA = {
    "addressee": "000.00.00.H56",
    "requester": {"full_name": "Trần Văn Công Dân", "relation": "father"},
    "child": {"full_name": "Trần Minh Khôi", "birth_date": "2026-11-10", "sex": "male"},
    "mother": {"full_name": "Nguyễn Thị Bình"},
}


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


def _submitted(server: LiveServer) -> str:
    svc = services(server.app)
    with svc.db.unit_of_work() as session:
        citizen = session.scalar(select(UserRow).where(UserRow.username == "citizen"))
        assert citizen is not None
        return submit(
            session,
            Submission(
                procedure_code="1.001193",
                applicant=Applicant(
                    ApplicantKind.PERSON, DEMO_CITIZEN_ID, "Trần Văn Công Dân", citizen.id
                ),
                data=BIRTH_DATA,
                form_code="1.001193.TKKS",
                idempotency_key="e2e-flow",
            ),
            policy=svc.dossier_policy,
            actor="citizen",
        ).code


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
    code = _submitted(server)
    dossier_url = f"{server.url}/dossiers/{code}"

    officer = _as(browser, server, "officer")
    officer.goto(dossier_url)
    _click(officer, "Tiếp nhận")
    officer.get_by_label("Ý kiến xử lý / lý do / nội dung gửi người nộp").fill(
        "Đề nghị bổ sung giấy chứng sinh"
    )
    _click(officer, "Yêu cầu bổ sung")

    citizen = _as(browser, server, "citizen")
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

    # A later form of the same citizen: the birth certificate prefills the child's name.
    binding = FieldBinding("ho_ten_con", "citizen_store", "birth_certificate.child_name")
    resolver = services(server.app).prefill.resolver
    with ThreadPoolExecutor(1) as worker:
        result = worker.submit(
            resolver.resolve, (binding,), {"applicant": DEMO_CITIZEN_ID}
        ).result()
    item = result.values["ho_ten_con"]
    assert (item.value, item.source, item.provenance) == ("Trần Minh Khôi", "citizen_store", code)
