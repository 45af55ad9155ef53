"""The authoring blueprint: build, test, publish; other agencies read only."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forms_builder import Status
from portal.services import services
from tests.conftest import login

CODE = "1.000777.TK01"
BASE = f"/authoring/forms/{CODE}/1"


def _create(client: FlaskClient) -> None:
    response = client.post(
        "/authoring/forms/new",
        data={
            "code": CODE,
            "procedure_vi": "Thủ tục thử",
            "procedure_en": "Test procedure",
            "title_vi": "Tờ khai thử",
            "title_en": "Test declaration",
            "legal_document": "01/2026/TT-TEST",
            "legal_title": "Thông tư thử",
            "issued_on": "2026-01-01",
            "effective_from": "2026-02-01",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def _add(client: FlaskClient, parent: str, kind: str, key: str, **extra: str) -> None:
    data = {"parent": parent, "type": kind, "key": key, "label_vi": key, "label_en": key}
    data.update(extra)
    response = client.post(f"{BASE}/fields", data=data)
    assert response.status_code == 302
    page = client.get(BASE).get_data(as_text=True)
    assert f"<code>{key}</code>" in page, page[:3000]


def test_author_builds_tests_and_publishes(app: Flask, client: FlaskClient) -> None:
    login(client, "author")
    _create(client)
    _add(client, "s_main", "text", "ho_ten", required="y")
    _add(client, "s_main", "date", "ngay_sinh")
    _add(client, "s_main", "choice", "gioi_tinh", code_list="sexes")
    _add(client, "s_main", "repeat", "thanh_vien")
    page = client.get(f"{BASE}/preview").get_data(as_text=True)
    assert 'name="thanh_vien-0-item"' in page and 'name="gioi_tinh"' in page
    response = client.post(
        f"{BASE}/preview",
        data={
            "ho_ten": "Nguyễn Văn A",
            "ngay_sinh": "1990-01-02",
            "gioi_tinh": "male",
            "thanh_vien-0-item": "Con",
            "save_case": "1",
            "case_name": "hợp lệ",
        },
    )
    assert response.status_code == 302
    client.post(f"{BASE}/preview", data={"ngay_sinh": "2024-02-30", "save_case": "1"})
    page = client.get(f"{BASE}/tests").get_data(as_text=True)
    assert "2/2" in page
    assert client.post(f"{BASE}/status", data={"target": "testing"}).status_code == 302
    assert services(app).forms.get(CODE, 1).status == Status.TESTING
    assert client.post(f"{BASE}/publish").status_code == 302
    definition = services(app).forms.get(CODE, 1)
    assert definition.status == Status.PUBLISHED
    assert [t.accepted for t in definition.test_cases] == [True, False]
    assert set(definition.test_cases[1].errors) == {"ho_ten", "ngay_sinh"}
    response = client.post(
        f"{BASE}/fields",
        data={"parent": "s_main", "type": "text", "key": "x", "label_vi": "x", "label_en": "x"},
    )
    assert response.status_code == 409
    assert "phiên bản nháp mới" in response.get_data(as_text=True)
    assert "không thể sửa" in client.get(BASE).get_data(as_text=True)


def test_other_agency_reads_but_cannot_edit(app: Flask, client: FlaskClient) -> None:
    login(client, "author")
    _create(client)
    client.post("/logout")
    login(client, "author2")
    page = client.get(BASE).get_data(as_text=True)
    assert "chỉ được xem" in page and "Thêm trường" not in page
    response = client.post(
        f"{BASE}/fields",
        data={"parent": "s_main", "type": "text", "key": "x", "label_vi": "x", "label_en": "x"},
    )
    assert response.status_code == 403
    assert services(app).forms.get(CODE, 1).sections[0].fields == ()


def test_invalid_edit_is_reported_with_pointer(client: FlaskClient) -> None:
    login(client, "author")
    _create(client)
    _add(client, "s_main", "text", "ho_ten")
    response = client.post(
        f"{BASE}/fields",
        data={
            "parent": "s_main",
            "type": "text",
            "key": "ho_ten",
            "label_vi": "a",
            "label_en": "a",
        },
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"/sections/0/fields/1/key: Khóa dữ liệu", page)


def test_shipped_forms_preview_and_check(app: Flask, client: FlaskClient) -> None:
    from forms_builder.library import install_library
    from forms_builder.wtforms_form import encode_formdata

    install_library(services(app).forms)
    login(client, "author")
    for code, version in (("1.001193.TKKS", 1), ("1.004222.CT01", 2), ("1.013225.MS01", 1)):
        page = client.get(f"/authoring/forms/{code}/{version}/preview")
        assert page.status_code == 200 and "Kiểm tra dữ liệu" in page.get_data(as_text=True)
    compiled = services(app).forms.compile("1.004222.CT01", 2)
    good = encode_formdata(compiled, compiled.definition.test_cases[0].data)
    page = client.post("/authoring/forms/1.004222.CT01/2/preview", data={**good, "check": "1"})
    assert "hồ sơ sẽ được chấp nhận" in page.get_data(as_text=True)
    page = client.post(
        "/authoring/forms/1.004222.CT01/2/preview",
        data={"members-0-full_name": "A", "add_row": "members"},
    )
    assert 'name="members-1-full_name"' in page.get_data(as_text=True)


def _citizen_drafts(app: Flask, datas: list[dict[str, str]]) -> None:
    """Drafts of version 1 saved for the demo citizen, as the citizen pages save them."""
    from sqlalchemy import select

    from dossiers.drafts import create_draft
    from storage.schema.accounts import UserRow

    definition = services(app).forms.get(CODE, 1)
    with services(app).db.unit_of_work() as session:
        citizen = session.scalars(select(UserRow).where(UserRow.username == "citizen")).one()
        for data in datas:
            create_draft(
                session,
                user_id=citizen.id,
                procedure_code=definition.procedure_code,
                definition=definition,
                data=data,
            )


def test_publish_page_counts_open_drafts_and_what_they_re_enter(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "author")
    _create(client)
    _add(client, "s_main", "text", "ho_ten", required="y")
    _add(client, "s_main", "date", "ngay_sinh")
    client.post(
        f"{BASE}/preview",
        data={"ho_ten": "Nguyễn Văn A", "ngay_sinh": "1990-01-02", "save_case": "1"},
    )
    page = client.get(f"{BASE}/publish").get_data(as_text=True)
    assert "Hồ sơ đang soạn: 0; phải nhập lại: 0." in page
    assert client.post(f"{BASE}/publish").status_code == 302
    _citizen_drafts(app, [{"ho_ten": "B"}, {"ho_ten": "C", "ngay_sinh": "1991-02-03"}])
    assert client.post(f"/authoring/forms/{CODE}/new-version").status_code == 302
    response = client.post(
        f"/authoring/forms/{CODE}/2/fields/f_ngay_sinh",
        data={"label_vi": "Ngày sinh", "label_en": "Birth date", "key": "ngay_sinh"}
        | {"required": "y"},
    )
    assert response.status_code == 302
    page = client.get(f"/authoring/forms/{CODE}/2/publish").get_data(as_text=True)
    assert "Hồ sơ đang soạn: 2; phải nhập lại: 1." in page
    assert "v1: 2" in page and "vẫn dùng phiên bản đã bắt đầu" in page
    table = page[page.index('id="re-enter"') :]
    assert re.search(r"<code>ngay_sinh</code></td><td>Ngày sinh</td><td>1</td>", table)
    client.get("/lang/en")
    page = client.get(f"/authoring/forms/{CODE}/2/publish").get_data(as_text=True)
    assert "keeps the version it was started on" in page and "Birth date" in page
    assert client.post(f"/authoring/forms/{CODE}/2/publish").status_code == 302
    assert services(app).forms.get(CODE, 2).status == Status.PUBLISHED


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"minimum": "inf"}, "Giá trị nhỏ nhất: Cần một số hữu hạn"),
        ({"minimum": "1e400"}, "Giá trị nhỏ nhất: Cần một số hữu hạn"),
        ({"maximum": "nan"}, "Giá trị lớn nhất: Cần một số hữu hạn"),
        ({"minimum": "abc"}, "Giá trị nhỏ nhất: Cần một số hữu hạn"),
        ({"visible_when": "{not json"}, "Điều kiện hiển thị (JSON Logic): Cần JSON hợp lệ"),
        ({"visible_when": "[1]"}, "Điều kiện hiển thị (JSON Logic): Cần một đối tượng JSON"),
    ],
)
def test_field_editor_refuses_bad_numbers_naming_the_field(
    app: Flask, client: FlaskClient, changes: dict[str, str], named: str
) -> None:
    login(client, "author")
    _create(client)
    _add(client, "s_main", "number", "so_luong")
    data = {"label_vi": "Số lượng", "label_en": "Count", "key": "so_luong", **changes}
    response = client.post(f"{BASE}/fields/f_so_luong", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = page[page.index('class="error-summary"') :]
    (item,) = re.findall(r"<li><a[^>]*>([^<]*)</a></li>", summary[: summary.index("</ul>")])
    assert item.startswith(named), item
    field = services(app).forms.get(CODE, 1).sections[0].fields[0]
    assert (field.minimum, field.maximum, field.visible_when) == (None, None, None)
    assert "Infinity" not in client.get(f"{BASE}/export").get_data(as_text=True)


def test_field_editor_saves_finite_numbers(app: Flask, client: FlaskClient) -> None:
    login(client, "author")
    _create(client)
    _add(client, "s_main", "number", "so_luong")
    data = {"label_vi": "Số lượng", "label_en": "Count", "key": "so_luong"}
    response = client.post(
        f"{BASE}/fields/f_so_luong", data=data | {"minimum": " 1e2 ", "maximum": "2.5e3"}
    )
    assert response.status_code == 302
    field = services(app).forms.get(CODE, 1).sections[0].fields[0]
    assert (field.minimum, field.maximum) == (100, 2500)


def test_raw_json_editor_refuses_infinity(app: Flask, client: FlaskClient) -> None:
    import json

    login(client, "author")
    _create(client)
    _add(client, "s_main", "number", "so_luong")
    doc = json.loads(client.get(f"{BASE}/export").get_data(as_text=True))["definition"]
    doc["sections"][0]["fields"][0]["maximum"] = "MARK"
    text = json.dumps(doc).replace('"MARK"', "Infinity")
    page = client.post(f"{BASE}/json", data={"document": text}, follow_redirects=True)
    assert "/sections/0/fields/0/maximum:" in page.get_data(as_text=True)
    assert services(app).forms.get(CODE, 1).sections[0].fields[0].maximum is None


def _legal(**values: str) -> dict[str, str]:
    data = {
        "document": "02/2027/TT-TEST",
        "title": "Thông tư sửa đổi",
        "issued_on": "2027-01-05",
        "effective_from": "2027-03-01",
        "scheduled_from": "",
    }
    data.update(values)
    return {f"legal-{k}": v for k, v in data.items()}


def test_legal_basis_editor_changes_a_new_version(app: Flask, client: FlaskClient) -> None:
    login(client, "author")
    _create(client)
    _add(client, "s_main", "text", "ho_ten", required="y")
    client.post(f"{BASE}/preview", data={"ho_ten": "Nguyễn Văn A", "save_case": "1"})
    page = client.get(BASE).get_data(as_text=True)
    assert 'name="legal-document"' in page and 'value="01/2026/TT-TEST"' in page
    assert client.post(f"{BASE}/publish").status_code == 302
    assert client.post(f"{BASE}/legal-basis", data=_legal()).status_code == 409
    client.post(f"/authoring/forms/{CODE}/new-version")
    v2 = f"/authoring/forms/{CODE}/2"
    response = client.post(f"{v2}/legal-basis", data=_legal(scheduled_from="2027-04-01"))
    assert response.status_code == 302
    second = services(app).forms.get(CODE, 2)
    assert (second.legal_basis.document, second.legal_basis.title) == (
        "02/2027/TT-TEST",
        "Thông tư sửa đổi",
    )
    assert second.in_force_from.isoformat() == "2027-04-01"
    assert services(app).forms.get(CODE, 1).legal_basis.document == "01/2026/TT-TEST"
    page = client.get(f"{v2}/publish").get_data(as_text=True)
    assert "01/2026/TT-TEST → 02/2027/TT-TEST" in page
    for bad, pointer in (
        (_legal(effective_from="2026-12-31"), "/legal_basis/effective_from:"),
        (_legal(scheduled_from="2027-02-01"), "/effective_from:"),
    ):
        page = client.post(f"{v2}/legal-basis", data=bad, follow_redirects=True)
        assert pointer in page.get_data(as_text=True)
    page = client.post(f"{v2}/legal-basis", data=_legal(document=""), follow_redirects=True)
    assert "Số, ký hiệu văn bản ban hành mẫu:" in page.get_data(as_text=True)
    assert services(app).forms.get(CODE, 2).in_force_from.isoformat() == "2027-04-01"


def test_publishing_without_an_accepted_test_case_is_refused(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "author")
    _create(client)
    _add(client, "s_main", "text", "ho_ten", required="y")
    client.post(f"{BASE}/preview", data={"save_case": "1", "case_name": "thiếu họ tên"})
    assert [c.accepted for c in services(app).forms.get(CODE, 1).test_cases] == [False]
    page = client.get(f"{BASE}/publish", follow_redirects=True).get_data(as_text=True)
    assert "cần ít nhất một ca kiểm thử được chấp nhận" in page and "/test_cases" in page
    assert client.post(f"{BASE}/publish").status_code == 302
    assert services(app).forms.get(CODE, 1).status == Status.DRAFT
