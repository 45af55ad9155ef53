"""Results: the officer drafts, the leader signs and seals, the citizen downloads.

One app per module on a real demo PKI (OCSP, CRL and TSA on loopback); the
signatures are checked with pyHanko against the demo root.
"""

from __future__ import annotations

import html
import http.server
import io
import re
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dossiers import (
    Applicant,
    ApplicantKind,
    DocumentKind,
    Status,
    Submission,
    get_dossier,
    submit,
)
from forms_builder.prefill import FieldBinding
from portal import create_app
from portal.demo import DEMO_CITIZEN_ID
from portal.dossiers.batch import batch_sign_job
from portal.services import services
from storage.audit import AuditFilter, search_events
from storage.schema import UserRow
from tests.conftest import install_seeded_db, login, make_settings
from tests.signing.conftest import validate_all

BIRTH_DATA = {
    "addressee": "000.00.00.H56",
    "requester": {"full_name": "Trần Văn Công Dân", "relation": "father"},
    "child": {
        "full_name": "Trần Minh An",
        "birth_date": "2026-11-02",
        "sex": "male",
        "birth_facility": "Bệnh viện Phụ sản Hà Nội",
    },
    "mother": {"full_name": "Nguyễn Thị Bình"},
    "father": {"full_name": "Trần Văn Công Dân"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, seeded_sqlite: Path) -> Iterator[Flask]:
    data_dir = tmp_path_factory.mktemp("results") / "data"
    settings = make_settings(data_dir, pki_port=_free_port())
    install_seeded_db(seeded_sqlite, data_dir)
    application = create_app(settings)
    yield application
    services(application).signing.stop()
    services(application).db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _submit(app: Flask, key: str) -> str:
    svc = services(app)
    with svc.db.unit_of_work() as session:
        citizen = session.scalar(select(UserRow).where(UserRow.username == "citizen"))
        assert citizen is not None
        dossier = submit(
            session,
            Submission(
                procedure_code="1.001193",
                applicant=Applicant(
                    ApplicantKind.PERSON, DEMO_CITIZEN_ID, "Trần Văn Công Dân", citizen.id
                ),
                data=BIRTH_DATA,
                form_code="1.001193.TKKS",
                idempotency_key=key,
            ),
            policy=svc.dossier_policy,
            actor="citizen",
        )
    return dossier.code


def _act(client: FlaskClient, code: str, action: str, note: str = "") -> None:
    response = client.post(f"/dossiers/{code}/act", data={"action": action, "note": note})
    assert response.status_code == 302


def _dossier(app: Flask, code: str):  # type: ignore[no-untyped-def]
    with services(app).db.unit_of_work() as session:
        return get_dossier(session, code)


def _to_awaiting_approval(app: Flask, client: FlaskClient, key: str) -> str:
    code = _submit(app, key)
    login(client, "officer")
    _act(client, code, "receive")
    _act(client, code, "start_processing")
    assert client.post(f"/dossiers/{code}/result/draft").status_code == 302
    _act(client, code, "submit_for_approval")
    client.post("/logout")
    assert _dossier(app, code).status is Status.AWAITING_APPROVAL
    return code


def test_draft_sign_issue_download_and_prefill(app: Flask, client: FlaskClient) -> None:
    code = _submit(app, "r-1")
    login(client, "officer")
    _act(client, code, "receive")
    _act(client, code, "request_supplement", "Thiếu giấy chứng sinh")
    client.post("/logout")
    login(client, "citizen")
    _act(client, code, "supplement")
    client.post("/logout")
    login(client, "officer")
    _act(client, code, "resume")
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Soạn dự thảo kết quả" in page
    assert client.post(f"/dossiers/{code}/result/draft").status_code == 302
    draft = _dossier(app, code).documents_of(DocumentKind.RESULT_DRAFT)
    assert len(draft) == 1 and not draft[0].signed
    _act(client, code, "submit_for_approval")
    client.post("/logout")

    login(client, "leader")
    assert "Phê duyệt và ký số kết quả" in client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert client.post(f"/dossiers/{code}/result/sign").status_code == 302
    dossier = _dossier(app, code)
    assert dossier.status is Status.RESULT_ISSUED
    (result,) = dossier.documents_of(DocumentKind.RESULT)
    assert result.signed
    client.post("/logout")

    login(client, "citizen")
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert f"/dossiers/{code}/documents/{result.id}" in page
    response = client.get(f"/dossiers/{code}/documents/{result.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.get_data()
    verdicts = validate_all(pdf, services(app).signing.pki)
    assert [v.field_name for v in verdicts.values()] == ["leader_1", "seal_1"]
    assert all(v.intact and v.valid and v.trusted and v.timestamped for v in verdicts.values())
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert str(doc.open_metadata()["pdfaid:part"]) == "3"
    # The citizen may not read the unsigned draft, through either download address.
    assert client.get(f"/dossiers/{code}/documents/{draft[0].id}").status_code == 404
    assert client.get(f"/citizen/ho-so/{code}/tai-lieu/{draft[0].id}").status_code == 404
    with services(app).db.unit_of_work() as session:
        events, _total = search_events(session, AuditFilter(object_id=code), limit=100)
        actions = {e.action for e in events}
    assert {"dossier.download", "dossier.supplement", "dossier.issue_result"} <= actions

    # An auditor picks the signed result on the dossier page and verifies it.
    client.post("/logout")
    login(client, "auditor")
    assert "Kiểm tra chữ ký số" in client.get(f"/dossiers/{code}").get_data(as_text=True)
    checked = client.post(f"/verification/dossiers/{code}/{result.id}")
    assert checked.status_code == 302
    report_page = client.get(checked.headers["Location"]).get_data(as_text=True)
    assert "TOTAL_PASSED" in report_page and code in report_page

    # Anyone scanning the QR sees that the kept result is authentic and unchanged.
    public = app.test_client().get(f"/tra-cuu/{code}").get_data(as_text=True)
    assert "có chữ ký số hợp lệ" in public and DEMO_CITIZEN_ID not in public

    # A later form of the same citizen is prefilled from the birth certificate.
    binding = FieldBinding("ho_ten_con", "citizen_store", "birth_certificate.child_name")
    resolved = services(app).prefill.resolver.resolve((binding,), {"applicant": DEMO_CITIZEN_ID})
    item = resolved.values["ho_ten_con"]
    assert (item.value, item.provenance) == ("Trần Minh An", code)


Rect = tuple[float, float, float, float]
"""x1, y1, x2, y2 in points from the page's top left (as pdftotext lays text out)."""
QR_SIZE = 28 * 72 / 25.4
"""The QR code's size in result.html (28 mm), vertically centred on the lookup address."""


def _words(pdf: bytes, tmp_path: Path) -> tuple[float, list[tuple[str, Rect]]]:
    """The page height and every word of page 1 with its box (poppler's pdftotext -bbox)."""
    path = tmp_path / "result.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', out)[1])  # type: ignore[index]
    words = [
        (html.unescape(m[5]), (float(m[1]), float(m[2]), float(m[3]), float(m[4])))
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            out,
        )
    ]
    return height, words


def _line(words: list[tuple[str, Rect]], text: str) -> Rect:
    """The box of the first run of words reading ``text``."""
    wanted = text.split()
    for i in range(len(words) - len(wanted) + 1):
        run = words[i : i + len(wanted)]
        if [w for w, _ in run] == wanted:
            boxes = [b for _, b in run]
            return (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
    raise AssertionError(f"{text!r} is not on page 1")


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_signature_and_seal_sit_in_the_signing_block(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    """Under "THỦ TRƯỞNG CƠ QUAN (Ký số, đóng dấu)", clear of the QR code and lookup address."""
    code = _to_awaiting_approval(app, client, "pos-1")
    login(client, "leader")
    client.post(f"/dossiers/{code}/result/sign")
    (result,) = _dossier(app, code).documents_of(DocumentKind.RESULT)
    with services(app).object_store.get(result.object_key) as reader:
        pdf = reader.read()

    height, words = _words(pdf, tmp_path)
    role = _line(words, "THỦ TRƯỞNG CƠ QUAN")
    instruction = _line(words, "(Ký số, đóng dấu)")
    # The date line ends at the right edge of the text area; the signing block is the
    # right half, centred on its heading.
    right = next(
        b[2]
        for (before, _), (w, b) in zip(words, words[1:], strict=False)
        if before == "năm" and w.isdigit()
    )
    centre = (role[0] + role[2]) / 2
    lookup = _line(words, "Tra cứu / Look up:")
    url_end = max(b[2] for w, b in words if w.startswith("http"))
    middle = (lookup[1] + lookup[3]) / 2
    footer = (0.0, middle - QR_SIZE / 2, url_end, middle + QR_SIZE / 2)

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        widgets = {
            str(f.T): (
                float(f.Rect[0]),
                height - float(f.Rect[3]),
                float(f.Rect[2]),
                height - float(f.Rect[1]),
            )
            for f in doc.Root.AcroForm.Fields
        }
    assert set(widgets) == {"leader_1", "seal_1"}  # the prepared fields, filled
    for name, (x1, top, x2, bottom) in widgets.items():
        assert 2 * centre - right - 1 <= x1 and x2 <= right + 1, name
        assert top >= instruction[3] and bottom <= footer[1], name
        assert not _overlaps((x1, top, x2, bottom), footer), name
    verdicts = validate_all(pdf, services(app).signing.pki)
    assert all(v.intact and v.valid and v.trusted for v in verdicts.values())


def test_officer_of_another_agency_cannot_download(app: Flask, client: FlaskClient) -> None:
    code = _to_awaiting_approval(app, client, "r-2")
    draft = _dossier(app, code).documents_of(DocumentKind.RESULT_DRAFT)[0]
    login(client, "officer2")
    assert client.get(f"/dossiers/{code}/documents/{draft.id}").status_code == 403


def test_signing_without_draft_or_in_wrong_status_is_refused(
    app: Flask, client: FlaskClient
) -> None:
    code = _submit(app, "r-3")
    login(client, "officer")
    _act(client, code, "receive")
    # Drafting before processing has started: refused, nothing stored.
    client.post(f"/dossiers/{code}/result/draft")
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Chỉ soạn kết quả khi hồ sơ đang xử lý" in page
    assert not _dossier(app, code).documents
    _act(client, code, "start_processing")
    # Submitting for approval without a drafted result: refused.
    _act(client, code, "submit_for_approval")
    assert "Chưa có dự thảo kết quả" in client.get(f"/dossiers/{code}").get_data(as_text=True)
    client.post("/logout")
    login(client, "leader")
    client.post(f"/dossiers/{code}/result/sign")
    dossier = _dossier(app, code)
    assert dossier.status is Status.IN_PROCESSING and not dossier.documents


class _Unavailable(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_error(503, "down for maintenance")

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


def test_tsa_down_leaves_the_dossier_unchanged(app: Flask, client: FlaskClient) -> None:
    code = _to_awaiting_approval(app, client, "r-4")
    signing = services(app).signing
    port = signing.pki_port
    signing.stop()
    down = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Unavailable)
    thread = threading.Thread(target=down.serve_forever, daemon=True)
    thread.start()
    try:
        login(client, "leader")
        client.post(f"/dossiers/{code}/result/sign")
        page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    finally:
        down.shutdown()
        down.server_close()
        signing.stop()
    dossier = _dossier(app, code)
    assert dossier.status is Status.AWAITING_APPROVAL
    assert not dossier.documents_of(DocumentKind.RESULT)
    assert "flash-error" in page
    # Once the services are back, the same click signs.
    client.post(f"/dossiers/{code}/result/sign")
    assert _dossier(app, code).status is Status.RESULT_ISSUED


def test_batch_approval_signs_every_selected_dossier(app: Flask, client: FlaskClient) -> None:
    codes = [_to_awaiting_approval(app, client, f"b-{i}") for i in range(3)]
    login(client, "leader")
    queue = client.get("/leader/").get_data(as_text=True)
    assert all(f'name="codes" value="{c}"' in queue for c in codes)
    response = client.post("/leader/batch-sign", data={"codes": codes})
    assert response.status_code == 302
    job_id = response.headers["Location"].rsplit("/", 1)[-1]
    job = services(app).jobs.wait(job_id, timeout=120)
    assert job.state == "succeeded", job.error_message
    assert sorted(job.result["issued"]) == sorted(codes) and not job.result["refused"]
    page = client.get(f"/leader/jobs/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and codes[0] in page
    for code in codes:
        (result,) = _dossier(app, code).documents_of(DocumentKind.RESULT)
        with services(app).object_store.get(result.object_key) as reader:
            verdicts = validate_all(reader.read(), services(app).signing.pki)
        assert len(verdicts) == 2 and all(v.valid and v.trusted for v in verdicts.values())


def test_batch_refuses_dossiers_of_another_agency(app: Flask, client: FlaskClient) -> None:
    login(client, "leader2")
    code = _submit(app, "b-other")
    assert client.post("/leader/batch-sign", data={"codes": [code]}).status_code == 403
    assert client.post("/leader/batch-sign", data={}).status_code == 302


class _Recorder:
    """Collects what a job reports (the ledger's reporter skips calls closer than 0.5 s)."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int | None, str]] = []

    def report(self, done: int, total: int | None = None, message: str = "") -> None:
        self.calls.append((done, total, message))


def test_batch_progress_only_moves_forward_and_refusals_are_bilingual(
    app: Flask, client: FlaskClient
) -> None:
    codes = [_to_awaiting_approval(app, client, f"m-{i}") for i in range(3)]
    not_ready = _submit(app, "m-not-ready")
    with services(app).db.unit_of_work() as session:
        leader = session.scalar(select(UserRow).where(UserRow.username == "leader"))
        assert leader is not None
        leader_id = leader.id
    recorder = _Recorder()
    job = batch_sign_job(services(app))
    result = job(
        recorder,
        codes=[*codes, not_ready],
        username="leader",
        user_id=leader_id,
        agency_ids=["000.00.00.H56"],
    )

    assert sorted(result["issued"]) == sorted(codes)
    done = [d for d, _t, _m in recorder.calls]
    assert done == sorted(done), recorder.calls  # never runs 1..n again
    assert {t for _d, t, _m in recorder.calls} == {done[-1]} and done[-1] > 3 * len(codes)
    phases = list(dict.fromkeys(m for _d, _t, m in recorder.calls))
    assert phases == ["prepared", "leader signatures", "agency seals", "issued"]
    reason = result["refused"][not_ready]
    status = _dossier(app, not_ready).status
    assert "chờ phê duyệt" in reason["vi"] and status.label("vi") in reason["vi"]
    assert "not awaiting approval" in reason["en"] and status.label("en") in reason["en"]

    # The progress page shows each reason in the reader's language.
    ledger = services(app).job_ledger
    job_id = ledger.create("results.batch_sign", {"codes": [*codes, not_ready]})
    ledger.update(job_id, state="succeeded", done=15, total=15, message="issued", result=result)
    login(client, "leader")
    page = client.get(f"/leader/jobs/{job_id}").get_data(as_text=True)
    assert html.escape(reason["vi"]) in page and "Trả kết quả" in page
    client.get("/lang/en")
    page = client.get(f"/leader/jobs/{job_id}").get_data(as_text=True)
    assert html.escape(reason["en"]) in page and reason["vi"] not in page


def test_progress_page_refreshes_until_the_job_is_finished(app: Flask, client: FlaskClient) -> None:
    ledger = services(app).job_ledger
    job_id = ledger.create("results.batch_sign", {"codes": []})
    ledger.update(job_id, state="running", done=2, total=6, message="leader signatures")
    login(client, "leader")
    page = client.get(f"/leader/jobs/{job_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page and "2 / 6" in page
    other = ledger.create("archive.fixity_audit", {})
    assert client.get(f"/leader/jobs/{other}").status_code == 404
    assert client.get("/leader/jobs/no-such-job").status_code == 404
