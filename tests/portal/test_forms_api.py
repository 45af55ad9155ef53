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
    assert len(operations) == 8
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
