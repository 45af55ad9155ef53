"""Two-step signing of a result with the leader's own device, through the JSON API.

The "device" is the leader's demo key, used here the way a USB token plug-in
would: it only ever sees ``data_to_sign`` and returns the raw signature value.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from flask import Flask
from flask.testing import FlaskClient

import portal.dossiers.external as external
from dossiers import DocumentKind, Status
from portal import create_app
from portal.services import services
from signing.demo_pki import DemoPKI
from storage.audit import AuditFilter, search_events
from tests.conftest import install_seeded_db, login, make_settings
from tests.portal.test_results import _dossier, _free_port, _to_awaiting_approval
from tests.signing.conftest import validate_all

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, seeded_sqlite: Path) -> Iterator[Flask]:
    data_dir = tmp_path_factory.mktemp("external") / "data"
    install_seeded_db(seeded_sqlite, data_dir)
    application = create_app(make_settings(data_dir, pki_port=_free_port()))
    yield application
    services(application).signing.stop()
    services(application).db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _pki(app: Flask) -> DemoPKI:
    return services(app).signing.pki  # type: ignore[attr-defined]


def _cert_b64(pki: DemoPKI, identity: str) -> dict[str, object]:
    return {
        "certificate": base64.b64encode(pki.certificate(identity).dump()).decode(),
        "chain": [base64.b64encode(c.dump()).decode() for c in pki.chain(identity)],
    }


def _device_sign(pki: DemoPKI, identity: str, data_to_sign: str) -> str:
    key = serialization.load_pem_private_key(pki.private_key_pem(identity), None)
    value = key.sign(base64.b64decode(data_to_sign), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(value).decode()


def _prepare(client: FlaskClient, code: str, body: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/dossiers/{code}/result/external/prepare", json=body)


def _complete(client: FlaskClient, code: str, body: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/dossiers/{code}/result/external/complete", json=body)


def _unchanged(app: Flask, code: str) -> None:
    dossier = _dossier(app, code)
    assert dossier.status is Status.AWAITING_APPROVAL
    assert not dossier.documents_of(DocumentKind.RESULT)


def test_leader_signs_with_own_device_then_the_agency_seals(
    app: Flask,
    client: FlaskClient,
) -> None:
    pki = _pki(app)
    code = _to_awaiting_approval(app, client, "ext-1")
    login(client, "leader")
    prepared = _prepare(client, code, _cert_b64(pki, "leader"))
    assert prepared.status_code == 200, prepared.get_json()
    step1 = prepared.get_json()
    assert step1["digest_algorithm"] == "sha256" and step1["field_name"] == "leader_1"
    _unchanged(app, code)  # preparing changes nothing

    # A value the certificate's key did not make, and a changed pending: refused.
    wrong = _complete(
        client,
        code,
        {
            "pending": step1["pending"],
            "signature": _device_sign(pki, "leader2", step1["data_to_sign"]),
        },
    )
    assert wrong.status_code == 400
    assert wrong.get_json()["error"]["code"] == "signing.bad_signature_value"
    tampered = (
        step1["pending"][:-3]
        + ("A" if step1["pending"][-3] != "A" else "B")
        + step1["pending"][-2:]
    )
    refused = _complete(client, code, {"pending": tampered, "signature": "AAAA"})
    assert refused.get_json()["error"]["code"] == "dossier.external_sign.tampered"
    _unchanged(app, code)

    signature = _device_sign(pki, "leader", step1["data_to_sign"])
    done = _complete(client, code, {"pending": step1["pending"], "signature": signature})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "result_issued"
    pdf = client.get(done.get_json()["document"]).get_data()
    verdicts = validate_all(pdf, pki)
    assert list(verdicts) == ["leader_1", "seal_1"]
    assert all(v.intact and v.valid and v.trusted and v.timestamped for v in verdicts.values())

    # The same pending cannot issue a second result.
    again = _complete(client, code, {"pending": step1["pending"], "signature": signature})
    assert again.status_code == 409
    with services(app).db.unit_of_work() as session:
        events, _total = search_events(session, AuditFilter(object_id=code), limit=100)
    actions = {(e.action, str(e.outcome)) for e in events}
    assert ("dossier.external_sign.prepare", "success") in actions
    assert ("dossier.external_sign.complete", "success") in actions
    assert ("dossier.external_sign.complete", "failure") in actions


def test_bad_certificates_other_agencies_and_expired_requests_are_refused(
    app: Flask,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pki = _pki(app)
    code = _to_awaiting_approval(app, client, "ext-2")
    anonymous = _prepare(client, code, _cert_b64(pki, "leader"))
    assert anonymous.status_code == 401
    assert anonymous.get_json()["error"]["code"] == "auth.required"
    login(client, "leader")
    # Another person's certificate, valid and trusted, is not the leader's.
    someone_else = _prepare(client, code, _cert_b64(pki, "leader2"))
    assert someone_else.status_code == 403
    refusal = someone_else.get_json()["error"]
    assert refusal["code"] == "dossier.external_sign.not_your_certificate"
    assert pki.certificate("leader2").subject.native["common_name"] in refusal["message"]
    garbage = _prepare(client, code, {"certificate": "bm90IGEgY2VydA=="})
    assert garbage.get_json()["error"]["code"] == "dossier.external_sign.bad_certificate"
    assert _prepare(client, code, {"certificate": 12}).status_code == 400
    assert (
        client.post(f"/api/v1/dossiers/{code}/result/external/prepare", data="x").status_code == 400
    )

    step1 = _prepare(client, code, _cert_b64(pki, "leader")).get_json()
    monkeypatch.setattr(external, "PENDING_SECONDS", -1)
    signature = _device_sign(pki, "leader", step1["data_to_sign"])
    expired = _complete(client, code, {"pending": step1["pending"], "signature": signature})
    assert expired.status_code == 410
    assert (
        "prepare it again" in expired.get_json()["error"]["message"]
        or "chuẩn bị" in (expired.get_json()["error"]["message"])
    )
    monkeypatch.undo()
    client.post("/logout")

    # A leader of another agency may not sign this agency's result.
    login(client, "leader2")
    other = _prepare(client, code, _cert_b64(pki, "leader2"))
    assert other.status_code in (403, 404)
    _unchanged(app, code)
