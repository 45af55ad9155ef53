"""The form-definitions JSON API: schemathesis against its OpenAPI document, and flows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings

from forms_builder.library import install_library, library_documents
from portal.services import services
from tests.conftest import login


@pytest.fixture
def library_app(app: Flask) -> Iterator[Flask]:
    install_library(services(app).forms)
    yield app


def test_api_conforms_to_its_openapi_document(library_app: Flask) -> None:
    """Schemathesis generates requests for every operation and checks each answer.

    The operations are driven here rather than through schemathesis' pytest
    plugin, whose collection hook does not work with pytest 9.
    """
    api_schema = schemathesis.openapi.from_wsgi("/api/forms/openapi.json", library_app)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 9
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate()

        check()


def test_read_endpoints(library_app: Flask) -> None:
    client = library_app.test_client()
    listed = client.get("/api/forms").get_json()
    assert {f["code"] for f in listed} == {"1.001193.TKKS", "1.004222.CT01", "1.013225.MS01"}
    one = client.get("/api/forms/1.004222.CT01/2").get_json()
    assert one["definition"]["legal_basis"]["document"] == "116/2026/TT-BCA"
    assert one["checksum"].startswith("sha256:")
    old = client.get("/api/forms/1.004222.CT01/in-force?on=2026-07-01").get_json()
    assert old["definition"]["version"] == 1
    schema_doc = client.get("/api/forms/1.004222.CT01/2/schema").get_json()
    assert schema_doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    communes = client.get("/api/forms/code-lists/communes?parent=01").get_json()
    assert {"code": "00070", "label": "Phường Hoàn Kiếm"} in communes and len(communes) < 200
    missing = client.get("/api/forms/9.999999.X/1")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "forms.not_found"


def test_create_and_publish_through_the_api(app: Flask, client: FlaskClient) -> None:
    doc = json.loads(json.dumps(library_documents()[0]))
    doc.update(code="1.001193.TKKS2", status="draft")
    assert client.post("/api/forms", json=doc).status_code == 401
    login(client, "author")
    bad = dict(
        doc,
        sections=[
            {
                "id": "s1",
                "title": {"vi": "a", "en": "a"},
                "fields": [
                    {"id": "f", "key": "k", "type": "nope", "label": {"vi": "a", "en": "a"}}
                ],
            }
        ],
    )
    response = client.post("/api/forms", json=bad)
    assert response.status_code == 422
    assert response.get_json()["error"]["problems"][0]["pointer"] == "/sections/0/fields/0/type"
    response = client.post("/api/forms", json=doc)
    assert response.status_code == 201 and response.headers["Location"].endswith("/1")
    published = client.post("/api/forms/1.001193.TKKS2/1/publish")
    assert published.status_code == 200 and published.get_json()["ref"] == "1.001193.TKKS2@1"
    client.post("/logout")
    login(client, "author2")
    doc.update(code="1.001193.TKKS2")
    assert client.post("/api/forms", json=doc).status_code == 403


def test_huge_version_numbers_are_not_found(library_app: Flask) -> None:
    client = library_app.test_client()
    for path in ("/api/forms/1.004222.CT01/99999999999999999999", "/api/forms/0/2147483648/schema"):
        assert client.get(path).status_code == 404


def _tkks_draft(client: FlaskClient, code: str) -> dict[str, Any]:
    doc = json.loads(json.dumps(library_documents()[0]))
    doc.update(code=code, status="draft")
    response = client.post("/api/forms", json=doc)
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    return doc


def test_unpublished_versions_are_for_authors_and_admins(library_app: Flask) -> None:
    client = library_app.test_client()
    login(client, "author")
    _tkks_draft(client, "1.001193.TKKS9")
    client.post("/logout")
    ref = "/api/forms/1.001193.TKKS9/1"
    for path in (ref, f"{ref}/schema"):
        response = client.get(path)
        assert response.status_code == 401
        error = response.get_json()["error"]
        assert (error["code"], error["status"]) == ("auth.required", 401)
        assert "chưa ban hành" in error["message"]
    assert "1.001193.TKKS9" not in {f["code"] for f in client.get("/api/forms").get_json()}
    assert client.get("/api/forms/1.001193.TKKS9").status_code == 404
    assert client.get("/api/forms/1.004222.CT01/1").status_code == 200  # official forms stay public
    login(client, "citizen")
    response = client.get(ref)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "accounts.permission_denied"
    assert client.get(f"{ref}/schema").status_code == 403
    assert "1.001193.TKKS9" not in {f["code"] for f in client.get("/api/forms").get_json()}
    client.post("/logout")
    for reader in ("author2", "admin", "supervisor"):
        login(client, reader)
        assert client.get(ref).get_json()["definition"]["status"] == "draft"
        assert client.get("/api/forms/1.001193.TKKS9").status_code == 200
        client.post("/logout")
    login(client, "author")
    assert client.post(f"{ref}/publish").status_code == 200
    client.post("/logout")
    assert client.get(ref).status_code == 200 and client.get(f"{ref}/schema").status_code == 200


def test_publish_preview_and_report_count_open_drafts(library_app: Flask) -> None:
    from sqlalchemy import select

    from dossiers.drafts import create_draft
    from storage.schema.accounts import UserRow

    forms = services(library_app).forms
    first = forms.get("1.001193.TKKS", 1)
    long_name = "Nguyễn Thị Minh Khai Hồng Nhung"  # 31 characters
    with services(library_app).db.unit_of_work() as session:
        citizen = session.scalars(select(UserRow).where(UserRow.username == "citizen")).one()
        for name in (long_name, "An"):
            create_draft(
                session,
                user_id=citizen.id,
                procedure_code=first.procedure_code,
                definition=first,
                data={"child": {"full_name": name}},
            )
    client = library_app.test_client()
    assert client.get("/api/forms/1.001193.TKKS/2/publish").status_code == 401
    login(client, "author")
    doc = json.loads(json.dumps(library_documents()[0]))
    doc["status"] = "draft"
    child = next(s for s in doc["sections"] if s["id"] == "s_child")["fields"][0]
    child["fields"][0]["max_length"] = 20
    assert client.post("/api/forms", json=doc).status_code == 201
    preview = client.get("/api/forms/1.001193.TKKS/2/publish")
    assert preview.status_code == 200
    report = preview.get_json()
    assert report["published"] is False and report["compatible"] is False
    assert report["open_drafts"] == {
        "count": 2,
        "by_version": [{"version": 1, "count": 2}],
        "to_re_enter": 1,
    }
    assert [(f["field_id"], f["path"], f["drafts"]) for f in report["re_enter"]] == [
        ("f_child_name", "child.full_name", 1)
    ]
    assert forms.get("1.001193.TKKS", 2).status == "draft"
    published = client.post("/api/forms/1.001193.TKKS/2/publish").get_json()
    assert published["published"] is True and published["open_drafts"]["count"] == 2
    assert published["other_changes"] == []  # only the field changed
