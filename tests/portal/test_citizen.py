"""The citizen's side: open a prefilled form, drafts, attachments, submission, receipt."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from dossiers import DocumentKind, get_dossier
from forms_builder.library import install_library, library_documents
from forms_builder.submission import compile_form
from forms_builder.wtforms_form import encode_formdata
from portal import create_app
from portal.ops.metrics import SUBMISSIONS
from portal.services import services
from storage.audit import AuditFilter, search_events
from storage.schema import DossierRow, FormDraftRow
from storage.testing import free_port
from tests.conftest import install_seeded_db, login, make_settings

CT01 = "1.004222.CT01"
BIRTH = "1.001193.TKKS"

VALID: dict[str, Any] = {
    "addressee": "000.00.01.H56",
    "full_name": "Nguyễn Văn An",
    "birth_date": "2003-03-15",
    "sex": "male",
    "personal_id": "001203012345",
    "household_head_name": "Nguyễn Văn Hùng",
    "relation_to_head": "child",
    "household_head_personal_id": "001075008642",
    "request_content": "Đăng ký thường trú tại số 12 phố Hàng Bông, phường Hoàn Kiếm.",
    "members": [
        {
            "full_name": "Trần Thị Lan",
            "birth_date": "1978-09-05",
            "sex": "female",
            "personal_id": "001178013579",
            "relation": "wife",
        },
    ],
}


@pytest.fixture
def citizen(app: Flask, client: FlaskClient) -> Iterator[FlaskClient]:
    with app.app_context():
        install_library(services(app).forms)
    login(client, "citizen")
    yield client


def _form_post(app: Flask, code: str, data: dict[str, Any], **extra: Any) -> MultiDict[str, Any]:
    """What the page of form ``code`` posts for ``data``, plus the buttons in ``extra``."""
    with app.app_context():
        compiled = compile_form(services(app).forms.in_force(code))
    out: MultiDict[str, Any] = MultiDict(
        [(k, v) for k, values in encode_formdata(compiled, data).items() for v in values]
    )
    for key, value in extra.items():
        out.add(key, value)
    return out


def _formdata(app: Flask, data: dict[str, Any], **extra: Any) -> MultiDict[str, Any]:
    return _form_post(app, CT01, data, **extra)


def _draft_id(app: Flask) -> str:
    with services(app).db.unit_of_work() as session:
        row = session.query(FormDraftRow).order_by(FormDraftRow.created_at.desc()).first()
        assert row is not None
        return row.id


def _dossier_count(app: Flask) -> int:
    with services(app).db.unit_of_work() as session:
        return session.query(DossierRow).count()


def _pdf(data: bytes = b"") -> bytes:
    buf = io.BytesIO()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(buf)
    return buf.getvalue()


def test_procedures_list_the_forms_in_force(citizen: FlaskClient) -> None:
    page = citizen.get("/citizen/thu-tuc").get_data(as_text=True)
    assert "Đăng ký thường trú" in page
    assert f"/citizen/bieu-mau/{CT01}" in page


def test_form_opens_prefilled_with_source_and_locked_fields(citizen: FlaskClient) -> None:
    response = citizen.get(f"/citizen/bieu-mau/{CT01}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Nguyễn Văn An"' in page
    assert 'value="Nguyễn Văn Hùng"' in page  # household head
    assert "Cơ sở dữ liệu quốc gia về dân cư" in page
    assert "readonly" in page
    assert page.count('class="row-entry"') == 5  # household members


def test_unknown_form_code_is_404_with_message(citizen: FlaskClient) -> None:
    response = citizen.get("/citizen/bieu-mau/9.999999.XX")
    assert response.status_code == 404
    assert "9.999999.XX" in response.get_data(as_text=True)


def test_each_step_saves_a_draft_listed_on_home(app: Flask, citizen: FlaskClient) -> None:
    response = citizen.post(
        f"/citizen/bieu-mau/{CT01}", data=_formdata(app, VALID, add_row="members")
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="row-entry"') == 2
    draft = _draft_id(app)
    with services(app).db.unit_of_work() as session:
        row = session.get(FormDraftRow, draft)
        assert row is not None
        assert row.form_version == 2
        assert row.data["request_content"] == VALID["request_content"]
    home = citizen.get("/citizen/").get_data(as_text=True)
    assert f"/citizen/ban-nhap/{draft}" in home
    resumed = citizen.get(f"/citizen/ban-nhap/{draft}").get_data(as_text=True)
    assert "Hàng Bông" in resumed


def test_submit_creates_dossier_with_pdf_and_attachment_once(
    app: Flask, citizen: FlaskClient
) -> None:
    citizen.post(f"/citizen/bieu-mau/{CT01}", data=_formdata(app, VALID, save="1"))
    draft = _draft_id(app)
    upload = _formdata(app, VALID, upload="1")
    upload.add("attachment", (io.BytesIO(_pdf()), "Sổ hộ khẩu Đình.pdf"))
    assert "Sổ hộ khẩu Đình.pdf" in citizen.post(
        f"/citizen/ban-nhap/{draft}", data=upload, content_type="multipart/form-data"
    ).get_data(as_text=True)
    before = _dossier_count(app)
    submitted_before = SUBMISSIONS.labels(procedure="1.004222", channel="online")._value.get()
    first = citizen.post(f"/citizen/ban-nhap/{draft}", data=_formdata(app, VALID, submit="1"))
    assert first.status_code == 303, first.get_data(as_text=True)[:3000]
    again = citizen.post(f"/citizen/ban-nhap/{draft}", data=_formdata(app, VALID, submit="1"))
    assert again.headers["Location"] == first.headers["Location"]
    assert _dossier_count(app) == before + 1
    code = first.headers["Location"].rsplit("/", 1)[-1]
    receipt = citizen.get(first.headers["Location"]).get_data(as_text=True)
    assert code in receipt and "data:image/svg+xml" in receipt
    with services(app).db.unit_of_work() as session:
        dossier = get_dossier(session, code)
    assert dossier.form_code == CT01 and dossier.form_version == "2"
    (form_doc,) = dossier.documents_of(DocumentKind.FORM)
    assert len(dossier.documents_of(DocumentKind.ATTACHMENT)) == 1
    pdf = citizen.get(f"/citizen/ho-so/{code}/tai-lieu/{form_doc.id}")
    assert pdf.status_code == 200
    with pikepdf.open(io.BytesIO(pdf.data)) as doc:
        assert "data.json" in doc.attachments
    with services(app).db.unit_of_work() as session:
        events, _ = search_events(session, AuditFilter(object_id=code))
    actions = sorted(e.action for e in events)
    assert actions == [
        "dossier.document_added",
        "dossier.document_added",
        "dossier.download",
        "dossier.submit",
    ]
    # A Vietnamese file name reaches the browser intact (RFC 6266), with an ASCII fallback.
    (scan,) = dossier.documents_of(DocumentKind.ATTACHMENT)
    got = citizen.get(f"/citizen/ho-so/{code}/tai-lieu/{scan.id}")
    assert got.status_code == 200 and got.data.startswith(b"%PDF")
    disposition = got.headers["Content-Disposition"]
    assert 'filename="So ho khau Dinh.pdf"' in disposition
    assert "filename*=UTF-8''S%E1%BB%95%20h%E1%BB%99%20kh%E1%BA%A9u%20%C4%90%C3%ACnh.pdf" in (
        disposition
    )
    after = SUBMISSIONS.labels(procedure="1.004222", channel="online")._value.get()
    assert after == submitted_before + 1
    url = f"/citizen/ho-so/{code}/tai-lieu/{form_doc.id}"
    for username, status in (("officer.ca", 200), ("officer2", 403), ("auditor", 403)):
        citizen.post("/logout")
        login(citizen, username)
        assert citizen.get(url).status_code == status, username


def _started(app: Flask, citizen: FlaskClient) -> str:
    citizen.post(f"/citizen/bieu-mau/{CT01}", data=_formdata(app, VALID, save="1"))
    return _draft_id(app)


def _upload(
    app: Flask, citizen: FlaskClient, draft: str, content: bytes, name: str, status: int = 200
) -> str:
    data = _formdata(app, VALID, upload="1")
    data.add("attachment", (io.BytesIO(content), name))
    response = citizen.post(
        f"/citizen/ban-nhap/{draft}", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == status
    return response.get_data(as_text=True)


def _attachments(app: Flask, draft: str) -> list[Any]:
    with services(app).db.unit_of_work() as session:
        row = session.get(FormDraftRow, draft)
        assert row is not None
        return list(row.attachments)


def _encrypted_pdf() -> bytes:
    buf = io.BytesIO()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(buf, encryption=pikepdf.Encryption(owner="o", user="u"))
    return buf.getvalue()


def _javascript_pdf() -> bytes:
    buf = io.BytesIO()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pdf.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    )
    pdf.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"MZ\x90\x00" + b"\x00" * 200, "giay-to.pdf", "Chỉ nhận tệp PDF, JPEG hoặc PNG"),
        (_encrypted_pdf(), "ma-hoa.pdf", "mã hoá"),
        (_javascript_pdf(), "js.pdf", "JavaScript"),
        (b"%PDF-1.7\n garbage without objects", "hong.pdf", "hỏng cấu trúc"),
    ],
    ids=["renamed-exe", "encrypted-pdf", "javascript-pdf", "broken-pdf"],
)
def test_bad_attachments_are_refused_and_not_stored(
    app: Flask, citizen: FlaskClient, content: bytes, name: str, reason: str
) -> None:
    draft = _started(app, citizen)
    page = _upload(app, citizen, draft, content, name, status=422)
    assert reason in page
    assert _attachments(app, draft) == []
    assert list(services(app).object_store.list(f"drafts/{draft}/")) == []


def test_50_mb_upload_is_413_and_stores_nothing(app: Flask, citizen: FlaskClient) -> None:
    data = _formdata(app, VALID, upload="1")
    data.add("attachment", (io.BytesIO(b"%PDF-" + b"0" * (50 * 1024 * 1024)), "lon.pdf"))
    response = citizen.post(
        f"/citizen/bieu-mau/{CT01}", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)
    with services(app).db.unit_of_work() as session:
        assert session.query(FormDraftRow).count() == 0


def test_value_outside_code_list_is_refused(app: Flask, citizen: FlaskClient) -> None:
    draft = _started(app, citizen)
    before = _dossier_count(app)
    response = citizen.post(
        f"/citizen/ban-nhap/{draft}", data=_formdata(app, {**VALID, "sex": "robot"}, submit="1")
    )
    assert response.status_code == 422
    assert "error-summary" in response.get_data(as_text=True)
    assert _dossier_count(app) == before


def test_tampered_locked_value_is_refused(app: Flask, citizen: FlaskClient) -> None:
    draft = _started(app, citizen)
    before = _dossier_count(app)
    tampered = {**VALID, "full_name": "Người Khác"}
    response = citizen.post(f"/citizen/ban-nhap/{draft}", data=_formdata(app, tampered, submit="1"))
    assert response.status_code == 409
    assert "full_name" in response.get_data(as_text=True)
    assert _dossier_count(app) == before
    with services(app).db.unit_of_work() as session:
        events, _ = search_events(session, AuditFilter(action="citizen.submit", object_id=draft))
    assert [(e.outcome, e.details["reason"]) for e in events] == [
        ("failure", "prefill.locked_value_changed")
    ]


def test_another_citizens_draft_is_not_found(app: Flask, citizen: FlaskClient) -> None:
    response = citizen.get("/citizen/ban-nhap/not-a-draft")
    assert response.status_code == 404


def test_download_needs_login(app: Flask, client: FlaskClient) -> None:
    response = client.get("/citizen/ho-so/X/tai-lieu/1")
    assert response.status_code in (302, 401)


def test_concurrent_submits_of_one_draft_make_one_dossier(app: Flask, citizen: FlaskClient) -> None:
    """Two clicks racing (two requests at once) still make one dossier and one PDF."""
    draft = _started(app, citizen)
    other = app.test_client()
    login(other, "citizen")
    before = _dossier_count(app)
    locations: list[str] = []

    def click(client: FlaskClient) -> None:
        response = client.post(f"/citizen/ban-nhap/{draft}", data=_formdata(app, VALID, submit="1"))
        locations.append(response.headers.get("Location", str(response.status_code)))

    threads = [threading.Thread(target=click, args=(c,)) for c in (citizen, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(set(locations)) == 1 and locations[0].startswith("/citizen/bien-nhan/")
    assert _dossier_count(app) == before + 1
    code = locations[0].rsplit("/", 1)[-1]
    stored = [o.key for o in services(app).object_store.list(f"dossiers/{code}/")]
    with services(app).db.unit_of_work() as session:
        (form_doc,) = get_dossier(session, code).documents_of(DocumentKind.FORM)
    assert stored == [form_doc.object_key]


@pytest.fixture
def registry_down_client(tmp_path: Path, seeded_sqlite: Path) -> Iterator[FlaskClient]:
    """The app with the population source at a loopback port nobody listens on."""
    settings = make_settings(
        tmp_path / "down",
        prefill_population_url=f"http://127.0.0.1:{free_port()}/api",
        prefill_retries=0,
    )
    install_seeded_db(seeded_sqlite, settings.data_dir)
    application = create_app(settings)
    with application.app_context():
        install_library(services(application).forms)
    client = application.test_client()
    login(client, "citizen")
    yield client
    services(application).db.dispose()


def test_source_down_gives_a_calm_notice_and_editable_fields(
    registry_down_client: FlaskClient,
) -> None:
    response = registry_down_client.get(f"/citizen/bieu-mau/{CT01}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tạm thời chưa lấy được thông tin" in page
    assert 'value="Nguyễn Văn An"' not in page
    assert "readonly" not in page


@pytest.mark.parametrize("code", ["1.001193.TKKS", "1.013225.MS01"])
def test_other_library_forms_open_and_point_attachments_to_the_upload(
    citizen: FlaskClient, code: str
) -> None:
    response = citizen.get(f"/citizen/bieu-mau/{code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "tải lên ở mục Giấy tờ kèm theo" in page
    assert page.count('type="file"') == 1


def test_birth_form_prefills_the_requester_inside_its_group(citizen: FlaskClient) -> None:
    page = citizen.get(f"/citizen/bieu-mau/{BIRTH}").get_data(as_text=True)
    assert 'id="requester-full_name"' in page
    at = page.index('id="requester-full_name"')
    name = page[at - 300 : at + 200]
    assert 'value="Nguyễn Văn An"' in name and "readonly" in name
    assert 'id="requester-personal_id"' in page and 'value="001203012345"' in page
    # The registry's residence fills the address parts (province, commune, street).
    assert 'value="Số 12, ngõ 34 phố Hàng Bông"' in page


def _birth_case(app: Flask) -> dict[str, Any]:
    """The first accepted test case of the birth form, as the demo citizen declares it."""
    with app.app_context():
        definition = services(app).forms.in_force(BIRTH)
    case = next(c for c in definition.test_cases if c.accepted)
    data = json.loads(json.dumps(case.data))
    data["requester"].update(full_name="Nguyễn Văn An", personal_id="001203012345")
    return data


def _birth_formdata(app: Flask, data: dict[str, Any], **extra: Any) -> MultiDict[str, Any]:
    return _form_post(app, BIRTH, data, **extra)


def test_a_locked_value_inside_a_group_is_checked_at_submission(
    app: Flask, citizen: FlaskClient
) -> None:
    before = _dossier_count(app)
    tampered = _birth_case(app)
    tampered["requester"]["full_name"] = "Nguyễn Văn Cường"
    response = citizen.post(
        f"/citizen/bieu-mau/{BIRTH}", data=_birth_formdata(app, tampered, submit="1")
    )
    assert response.status_code == 409
    assert "requester.full_name" in response.get_data(as_text=True)
    assert _dossier_count(app) == before

    response = citizen.post(
        f"/citizen/ban-nhap/{_draft_id(app)}",
        data=_birth_formdata(app, _birth_case(app), submit="1"),
    )
    assert response.status_code == 303
    assert _dossier_count(app) == before + 1


def _store_birth_certificate(app: Flask) -> None:
    """What the leader's signature puts into the demo citizen's data store."""
    services(app).prefill.citizen_store.put_record(
        personal_id="001203012345",
        name="birth_certificate",
        data={"child_name": "Nguyễn Minh Khôi", "date_of_birth": "2026-11-10", "sex": "male"},
        dossier_code="000.00.00.H56-261120-0007",
        issued_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )


def test_ct01_adds_a_household_row_from_the_citizen_store(app: Flask, citizen: FlaskClient) -> None:
    _store_birth_certificate(app)
    page = citizen.get(f"/citizen/bieu-mau/{CT01}").get_data(as_text=True)
    assert page.count('class="row-entry"') == 6
    assert 'id="members-5-full_name"' in page
    row = page[page.index('id="members-5-full_name"') - 200 :]
    assert 'value="Nguyễn Minh Khôi"' in row[:400]
    assert "Kho dữ liệu điện tử của công dân" in page
    assert "000.00.00.H56-261120-0007" in page


@pytest.fixture
def signing_app(tmp_path: Path, seeded_sqlite: Path) -> Iterator[Flask]:
    """An app whose demo PKI and remote-signing server run on free ports."""
    settings = make_settings(tmp_path / "sig", pki_port=free_port())
    install_seeded_db(seeded_sqlite, settings.data_dir)
    application = create_app(settings)
    with application.app_context():
        install_library(services(application).forms)
    yield application
    services(application).signing.stop()
    services(application).db.dispose()


def test_citizen_signs_the_form_remotely_before_submitting(signing_app: Flask) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    client = signing_app.test_client()
    login(client, "citizen")
    client.post(f"/citizen/bieu-mau/{CT01}", data=_formdata(signing_app, VALID, save="1"))
    draft = _draft_id(signing_app)
    before = _dossier_count(signing_app)
    wrong = client.post(
        f"/citizen/ban-nhap/{draft}",
        data=_formdata(signing_app, VALID, submit="1", sign="1", sign_pin="000000"),
    )
    assert wrong.status_code >= 400 and "PIN" in wrong.get_data(as_text=True)
    assert _dossier_count(signing_app) == before
    signed = client.post(
        f"/citizen/ban-nhap/{draft}",
        data=_formdata(signing_app, VALID, submit="1", sign="1", sign_pin="123456"),
    )
    assert signed.status_code == 303, signed.get_data(as_text=True)[:2000]
    code = signed.headers["Location"].rsplit("/", 1)[-1]
    with services(signing_app).db.unit_of_work() as session:
        (form_doc,) = get_dossier(session, code).documents_of(DocumentKind.FORM)
    assert form_doc.signed
    pdf = client.get(f"/citizen/ho-so/{code}/tai-lieu/{form_doc.id}").data
    pki = services(signing_app).signing.pki
    context = ValidationContext(trust_roots=[pki.root], other_certs=[pki.intermediate])
    (embedded,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    status = validate_pdf_signature(embedded, context)
    assert status.intact and status.valid and status.trusted and status.timestamp_validity
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert "data.json" in doc.attachments


def test_data_store_page_says_when_it_is_empty(citizen: FlaskClient) -> None:
    page = citizen.get("/citizen/kho-du-lieu").get_data(as_text=True)
    assert "Kho dữ liệu của bạn chưa có kết quả nào" in page
    assert "/citizen/kho-du-lieu.json" not in page


def test_data_store_lists_records_and_exports_them_as_json(
    app: Flask, citizen: FlaskClient
) -> None:
    _store_birth_certificate(app)
    page = citizen.get("/citizen/kho-du-lieu").get_data(as_text=True)
    assert "Giấy khai sinh" in page and "Nguyễn Minh Khôi" in page
    assert "10/11/2026" in page and "Nam" in page
    assert "000.00.00.H56-261120-0007" in page

    response = citizen.get("/citizen/kho-du-lieu.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_json()
    assert body["personal_id"] == "001203012345"
    assert body["records"][0]["data"]["child_name"] == "Nguyễn Minh Khôi"
    assert body["records"][0]["dossier_code"] == "000.00.00.H56-261120-0007"
    with services(app).db.unit_of_work() as session:
        _, total = search_events(session, AuditFilter(action="citizen.data_store_export"))
    assert total == 1


def test_staff_cannot_open_a_citizens_data_store(app: Flask, client: FlaskClient) -> None:
    login(client, "officer")
    assert client.get("/citizen/kho-du-lieu").status_code == 403
    assert client.get("/citizen/kho-du-lieu.json").status_code == 403


def _registry_woman(born: range = range(1990, 2000)) -> Any:
    from forms_builder.prefill.bundled_sources import LazyRegistry

    people = LazyRegistry().get().people.values()
    return next(p for p in people if p.sex.value == "female" and p.date_of_birth.year in born)


def test_the_mothers_typed_id_fills_her_empty_fields_on_save(
    app: Flask, citizen: FlaskClient
) -> None:
    mother = _registry_woman()
    data = _birth_case(app)
    data["mother"] = {"personal_id": mother.personal_id}
    data["father"] = {"full_name": "Nguyễn Văn An", "personal_id": "001203012345"}
    response = citizen.post(f"/citizen/bieu-mau/{BIRTH}", data=_birth_formdata(app, data, save="1"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'value="{mother.full_name}"' in page
    with services(app).db.unit_of_work() as session:
        saved = session.get(FormDraftRow, _draft_id(app))
        assert saved is not None
        stored = saved.data
    assert stored["mother"]["full_name"] == mother.full_name
    assert stored["mother"]["birth_year"] == mother.date_of_birth.isoformat()
    assert stored["mother"]["ethnicity"] == "01"
    assert stored["mother"]["residence"]["commune"] == mother.permanent_residence.commune_code
    # The father typed his own name: it stays as typed, the rest is filled.
    assert stored["father"]["full_name"] == "Nguyễn Văn An"
    assert stored["father"]["birth_year"] == "2003-03-15"


def test_what_the_citizen_typed_is_not_overwritten_and_bad_ids_are_not_looked_up(
    app: Flask, citizen: FlaskClient
) -> None:
    mother = _registry_woman()
    data = _birth_case(app)
    data["mother"] = {"personal_id": mother.personal_id, "full_name": "Tên Tự Gõ"}
    data["father"] = {"personal_id": "0012030123"}  # too short
    response = citizen.post(f"/citizen/bieu-mau/{BIRTH}", data=_birth_formdata(app, data, save="1"))
    page = response.get_data(as_text=True)
    assert 'value="Tên Tự Gõ"' in page

    def hint_before(field_id: str) -> str:
        at = page.index(f'id="{field_id}"')
        return page[page.rindex('<div class="field', 0, at) : at]

    # The typed name is not said to come from the registry; the filled ethnicity is.
    assert "Điền sẵn từ" not in hint_before("mother-full_name")
    assert "Điền sẵn từ" in hint_before("mother-ethnicity")
    assert "Tạm thời chưa lấy được thông tin" not in page
    with services(app).db.unit_of_work() as session:
        saved = session.get(FormDraftRow, _draft_id(app))
        assert saved is not None
        stored = saved.data
    assert stored["mother"]["full_name"] == "Tên Tự Gõ"
    assert stored["father"]["full_name"] is None


MS01 = "1.013225.MS01"


def _ms01_case(app: Flask, name_start: str) -> dict[str, Any]:
    with app.app_context():
        definition = services(app).forms.in_force(MS01)
    case = next(c for c in definition.test_cases if c.name.startswith(name_start))
    data = json.loads(json.dumps(case.data))
    data.pop("land_rights", None)
    data.pop("drawings", None)
    return data


def _ms01_formdata(app: Flask, data: dict[str, Any], **extra: Any) -> MultiDict[str, Any]:
    return _form_post(app, MS01, data, **extra)


def _ms01_upload(
    app: Flask, citizen: FlaskClient, url: str, data: dict[str, Any], field: str, name: str
) -> Any:
    form = _ms01_formdata(app, data, upload="1", attachment_field=field)
    form.add("attachment", (io.BytesIO(_pdf()), name))
    return citizen.post(url, data=form, content_type="multipart/form-data")


@pytest.mark.parametrize("kind", ["Cá nhân", "Tổ chức xin phép"])
def test_construction_permit_is_submitted_with_a_file_for_each_required_item(
    app: Flask, citizen: FlaskClient, kind: str
) -> None:
    data = _ms01_case(app, kind)
    start = f"/citizen/bieu-mau/{MS01}"
    page = citizen.get(start).get_data(as_text=True)
    assert 'name="attachment_field"' in page and 'name="draft_token"' in page
    # Without the files the summary names the items by their labels.
    refused = citizen.post(start, data=_ms01_formdata(app, data, submit="1"))
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Giấy tờ chứng minh quyền sử dụng đất" in text or "quyền sử dụng đất" in text
    url = f"/citizen/ban-nhap/{_draft_id(app)}"
    _ms01_upload(app, citizen, url, data, "land_rights", "Giấy chứng nhận QSDĐ.pdf")
    page = _ms01_upload(app, citizen, url, data, "drawings", "Bản vẽ.pdf").get_data(as_text=True)
    assert "Đã đính kèm: Giấy chứng nhận QSDĐ.pdf" in page
    response = citizen.post(url, data=_ms01_formdata(app, data, submit="1"))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    code = response.headers["Location"].rsplit("/", 1)[-1]
    with services(app).db.unit_of_work() as session:
        dossier = get_dossier(session, code)
    assert [f["name"] for f in dossier.data["land_rights"]] == ["Giấy chứng nhận QSDĐ.pdf"]
    assert [f["name"] for f in dossier.data["drawings"]] == ["Bản vẽ.pdf"]
    assert len(dossier.documents_of(DocumentKind.ATTACHMENT)) == 2


def test_a_file_of_the_wrong_kind_for_its_item_is_refused(app: Flask, citizen: FlaskClient) -> None:
    data = _ms01_case(app, "Cá nhân")
    citizen.post(f"/citizen/bieu-mau/{MS01}", data=_ms01_formdata(app, data, save="1"))
    url = f"/citizen/ban-nhap/{_draft_id(app)}"
    form = _ms01_formdata(app, data, upload="1", attachment_field="drawings")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    form.add("attachment", (io.BytesIO(png), "ban-ve.png"))  # drawings take PDF only
    response = citizen.post(url, data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    assert _attachments(app, _draft_id(app)) == []
    form = _ms01_formdata(app, data, upload="1", attachment_field="no_such_item")
    form.add("attachment", (io.BytesIO(_pdf()), "x.pdf"))
    response = citizen.post(url, data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "không có trong tờ khai" in response.get_data(as_text=True)


def test_a_refused_file_stops_the_submission_it_came_with(app: Flask, citizen: FlaskClient) -> None:
    draft = _started(app, citizen)
    before = _dossier_count(app)
    form = _formdata(app, VALID, submit="1")
    form.add("attachment", (io.BytesIO(b"MZ\x90\x00not a pdf"), "giay-to.pdf"))
    response = citizen.post(
        f"/citizen/ban-nhap/{draft}", data=form, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert _dossier_count(app) == before


def test_pressing_submit_twice_on_the_first_page_makes_one_dossier(
    app: Flask, citizen: FlaskClient
) -> None:
    page = citizen.get(f"/citizen/bieu-mau/{CT01}").get_data(as_text=True)
    token = page.split('name="draft_token" value="', 1)[1].split('"', 1)[0]
    before = _dossier_count(app)
    with app.app_context():
        drafts_before = services(app).db.sessions().query(FormDraftRow).count()
    first = citizen.post(
        f"/citizen/bieu-mau/{CT01}", data=_formdata(app, VALID, submit="1", draft_token=token)
    )
    again = citizen.post(
        f"/citizen/bieu-mau/{CT01}", data=_formdata(app, VALID, submit="1", draft_token=token)
    )
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert _dossier_count(app) == before + 1
    with services(app).db.unit_of_work() as session:
        assert session.query(FormDraftRow).count() == drafts_before + 1


def test_the_typed_enterprise_code_fills_the_legal_representative_on_save(
    app: Flask, citizen: FlaskClient
) -> None:
    data = {"applicant_kind": "organisation", "investor": {"enterprise_code": "0109990001"}}
    page = citizen.post(
        f"/citizen/bieu-mau/{MS01}", data=_ms01_formdata(app, data, save="1")
    ).get_data(as_text=True)
    assert 'value="Nguyễn Văn Hùng"' in page and 'value="Giám đốc"' in page
    # Opening the form no longer looks the citizen's personal ID up as an enterprise.
    assert "Tạm thời chưa lấy được thông tin" not in citizen.get(
        f"/citizen/bieu-mau/{MS01}"
    ).get_data(as_text=True)


def test_a_changed_locked_value_is_put_back_on_save_so_the_citizen_is_not_stuck(
    app: Flask, citizen: FlaskClient
) -> None:
    draft = _started(app, citizen)
    changed = {**VALID, "sex": "female", "full_name": "Người Khác"}
    citizen.post(f"/citizen/ban-nhap/{draft}", data=_formdata(app, changed, save="1"))
    with services(app).db.unit_of_work() as session:
        row = session.get(FormDraftRow, draft)
        assert row is not None
        assert (row.data["sex"], row.data["full_name"]) == ("male", "Nguyễn Văn An")
    page = citizen.get(f"/citizen/ban-nhap/{draft}").get_data(as_text=True)
    assert 'value="Nguyễn Văn An"' in page and "Người Khác" not in page
    # The locked choice cannot be changed in the browser; its value travels hidden.
    assert '<input type="hidden" name="sex" value="male">' in page
    response = citizen.post(f"/citizen/ban-nhap/{draft}", data=_formdata(app, VALID, submit="1"))
    assert response.status_code == 303


def test_a_field_that_must_come_from_a_source_blocks_submission_while_it_is_down(
    registry_down_client: FlaskClient,
) -> None:
    app = registry_down_client.application
    doc = next(d for d in reversed(library_documents()) if d["code"] == CT01)
    doc = json.loads(json.dumps(doc))
    doc["version"] += 1
    for section in doc["sections"]:
        for f in section["fields"]:
            if f["key"] == "household_head_name":
                f["prefill"]["on_unavailable"] = "block"
    with app.app_context():
        services(app).forms.install(doc)
    before = _dossier_count(app)
    response = registry_down_client.post(
        f"/citizen/bieu-mau/{CT01}", data=_formdata(app, VALID, submit="1")
    )
    assert response.status_code == 503
    assert "chỉ nộp được khi" in response.get_data(as_text=True)
    assert _dossier_count(app) == before
