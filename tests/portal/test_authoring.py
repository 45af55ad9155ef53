"""The authoring blueprint: build, test, publish; other agencies read only."""

from __future__ import annotations

import re

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
