"""Real signing backends chosen by settings only: a PKCS#11 token and a CSC v2 service.

The "national" PKI here is a certomancer PKI of its own, outside the
installation's data directory, served on loopback; the installation knows it
only through ``EFORMS_VERIFY_TRUST_ROOTS`` and ``EFORMS_TSA_URL``, exactly as a
province would configure the national roots and its TSA. Leaders and the
agency sign from a fresh SoftHSM2 token (keys imported during the test) or
from credentials of a CSC v2 server on loopback.
"""

from __future__ import annotations

import dataclasses
import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from asn1crypto import pem
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from pyhanko.pdf_utils.reader import PdfFileReader

from dossiers import DocumentKind, Status
from portal import create_app
from portal.cli import cli
from portal.demo import DEMO_CITIZEN_ID
from portal.services import services
from portal.settings import Settings, SettingsError
from signing.configured import ConfiguredSigning
from signing.csc_server import CscTestServer
from signing.demo_images import seal_png, signature_png
from signing.demo_pki import DemoPKI
from signing.pki_server import PkiServer
from tests.conftest import install_seeded_db, login, make_settings, softhsm_tokens_changed
from tests.portal.test_results import _dossier, _free_port, _to_awaiting_approval
from tests.signing.conftest import SOFTHSM_MODULE, validate_all

pytestmark = pytest.mark.integration

TOKEN_LABEL = "so-tu-phap"
TOKEN_PIN = "864213"
AGENCY = "000.00.00.H56"


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoPKI, Path]]:
    """A PKI outside the installation, its OCSP/CRL/TSA served; with its root as a PEM file."""
    directory = tmp_path_factory.mktemp("national")
    pki = DemoPKI.load_or_create(directory, port=_free_port())
    server = PkiServer(pki)
    server.start()
    root = directory / "root.pem"
    root.write_bytes(pki.root_pem())
    (directory / "intermediate.pem").write_bytes(pem.armor("CERTIFICATE", pki.intermediate.dump()))
    yield pki, root
    server.stop()


@pytest.fixture(scope="module")
def token(national: tuple[DemoPKI, Path], softhsm_dir: Path) -> None:
    """A fresh SoftHSM2 token with the leader's and the agency's keys, labelled by identity."""
    pki, _root = national
    directory = softhsm_dir

    def run(*args: str) -> None:
        subprocess.run(args, cwd=directory, check=True, capture_output=True, timeout=60)

    run("softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL, "--pin", TOKEN_PIN,
        "--so-pin", "97531864")  # fmt: skip
    for number, identity in enumerate(("leader", AGENCY), start=1):
        key_id = f"{number:02d}"
        key = directory / "key.pem"
        key.write_bytes(pki.private_key_pem(identity))
        run("softhsm2-util", "--import", str(key), "--token", TOKEN_LABEL, "--label", identity,
            "--id", key_id, "--pin", TOKEN_PIN)  # fmt: skip
        key.unlink()
        der = directory / "cert.der"
        der.write_bytes(pki.certificate(identity).dump())
        run("pkcs11-tool", "--module", SOFTHSM_MODULE, "--token-label", TOKEN_LABEL, "--login",
            "--pin", TOKEN_PIN, "--write-object", str(der), "--type", "cert", "--label", identity,
            "--id", key_id)  # fmt: skip
    softhsm_tokens_changed(SOFTHSM_MODULE)


def _images(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "leader.png").write_bytes(signature_png("Trần Văn Lãnh Đạo"))
    (directory / f"{AGENCY}.png").write_bytes(seal_png("Sở Tư pháp"))
    return directory


def _pkcs11_settings(data_dir: Path, national: tuple[DemoPKI, Path], **extra: object) -> Settings:
    pki, root = national
    values: dict[str, object] = {
        "demo": False,
        "signing_backend": "pkcs11",
        "pkcs11_module": SOFTHSM_MODULE,
        "pkcs11_token": TOKEN_LABEL,
        "pkcs11_pin": TOKEN_PIN,
        "verify_trust_roots": str(root),
        "signing_ca_certs": str(root.parent / "intermediate.pem"),
        "tsa_url": pki.tsa_url,
        "signing_images_dir": str(_images(data_dir.parent / "images")),
        **extra,
    }
    return make_settings(data_dir, **values)


@pytest.fixture(scope="module")
def hsm_app(
    tmp_path_factory: pytest.TempPathFactory,
    seeded_sqlite: Path,
    national: tuple[DemoPKI, Path],
    token: None,
) -> Iterator[Flask]:
    data_dir = tmp_path_factory.mktemp("hsm-install") / "data"
    install_seeded_db(seeded_sqlite, data_dir)
    application = create_app(_pkcs11_settings(data_dir, national))
    yield application
    services(application).db.dispose()


def _signers(pdf: bytes) -> dict[str, str]:
    reader = PdfFileReader(io.BytesIO(pdf))
    return {
        s.field_name: s.signer_cert.subject.native["common_name"]
        for s in reader.embedded_signatures
        if s.sig_object.get("/Type") != "/DocTimeStamp"
    }


def _result_pdf(app: Flask, code: str) -> bytes:
    (result,) = _dossier(app, code).documents_of(DocumentKind.RESULT)
    with services(app).object_store.get(result.object_key) as reader:
        return reader.read()


def test_leader_signs_and_agency_seals_from_the_token(
    hsm_app: Flask, national: tuple[DemoPKI, Path]
) -> None:
    pki, _root = national
    assert isinstance(services(hsm_app).signing, ConfiguredSigning)
    client = hsm_app.test_client()
    code = _to_awaiting_approval(hsm_app, client, "hsm-1")
    login(client, "leader")
    page = client.post(f"/dossiers/{code}/result/sign", follow_redirects=True)
    assert _dossier(hsm_app, code).status is Status.RESULT_ISSUED, page.get_data(as_text=True)

    pdf = _result_pdf(hsm_app, code)
    verdicts = validate_all(pdf, pki)
    assert list(verdicts) == ["leader_1", "seal_1"]
    assert all(v.intact and v.valid and v.trusted and v.timestamped for v in verdicts.values())
    assert _signers(pdf) == {
        "leader_1": pki.certificate("leader").subject.native["common_name"],
        "seal_1": pki.certificate(AGENCY).subject.native["common_name"],
    }
    # Nothing of the demo PKI was created or used by this installation.
    assert not DemoPKI.present(services(hsm_app).settings.data_dir)


def test_readiness_names_the_token_and_the_tsa(hsm_app: Flask) -> None:
    body = hsm_app.test_client().get("/readyz").get_json()
    checks = {c["name"]: c["status"] for c in body["checks"]}
    assert checks["signing.pkcs11"] == "ok" and checks["signing.tsa"] == "ok"
    assert "signing.demo_pki" not in checks


def _refused_sign(app: Flask, client: FlaskClient, key: str) -> tuple[str, str]:
    code = _to_awaiting_approval(app, client, key)
    login(client, "leader")
    response = client.post(f"/dossiers/{code}/result/sign", follow_redirects=True)
    page = response.get_data(as_text=True)
    dossier = _dossier(app, code)
    assert dossier.status is Status.AWAITING_APPROVAL
    assert not dossier.documents_of(DocumentKind.RESULT)
    client.post("/logout")
    return code, page


def test_wrong_pin_missing_key_and_missing_seal_image_change_nothing(
    tmp_path: Path, seeded_sqlite: Path, national: tuple[DemoPKI, Path], token: None
) -> None:
    data_dir = tmp_path / "data"
    install_seeded_db(seeded_sqlite, data_dir)
    app = create_app(_pkcs11_settings(data_dir, national, pkcs11_pin="000000"))
    client = app.test_client()
    _code, page = _refused_sign(app, client, "pin-1")
    assert "PIN" in page

    # The token has no key of that label.
    signing = services(app).signing
    assert isinstance(signing, ConfiguredSigning)
    services(app).signing = dataclasses.replace(
        signing, pkcs11=dataclasses.replace(signing.pkcs11, pin=TOKEN_PIN, key_label="x-{identity}")
    )
    _code, page = _refused_sign(app, client, "label-1")
    assert "x-leader" in page

    (tmp_path / "images" / f"{AGENCY}.png").unlink()
    services(app).signing = dataclasses.replace(signing, pkcs11=dataclasses.replace(
        signing.pkcs11, pin=TOKEN_PIN))  # fmt: skip
    _code, page = _refused_sign(app, client, "image-1")
    assert "EFORMS_SIGNING_IMAGES_DIR" in page
    services(app).db.dispose()


def test_cli_signs_with_the_token(
    hsm_app: Flask, national: tuple[DemoPKI, Path], tmp_path: Path
) -> None:
    pki, _root = national
    source = tmp_path / "in.pdf"
    source.write_bytes(_result_pdf_or_draft(hsm_app))
    out = tmp_path / "out.pdf"
    result = CliRunner().invoke(
        cli,
        [
            "sign",
            str(source),
            "-o",
            str(out),
            "--as",
            AGENCY,
            "--level",
            "B-T",
            "--appearance",
            "seal",
        ],  # fmt: skip
        obj=hsm_app,
    )
    assert result.exit_code == 0, result.output
    verdict = validate_all(out.read_bytes(), pki)
    assert all(v.intact and v.valid and v.trusted and v.timestamped for v in verdict.values())
    refused = CliRunner().invoke(
        cli, ["sign", str(source), "-o", str(tmp_path / "x.pdf"), "--as", AGENCY, "--remote"],
        obj=hsm_app,
    )  # fmt: skip
    assert refused.exit_code != 0 and "demo" in refused.output
    assert not (tmp_path / "x.pdf").exists()


def _result_pdf_or_draft(app: Flask) -> bytes:
    client = app.test_client()
    code = _to_awaiting_approval(app, client, "cli-1")
    (draft,) = _dossier(app, code).documents_of(DocumentKind.RESULT_DRAFT)
    with services(app).object_store.get(draft.object_key) as reader:
        return reader.read()


@pytest.mark.parametrize(
    ("changes", "variable"),
    [
        ({"signing_backend": "hsm"}, "EFORMS_SIGNING_BACKEND"),
        ({"signing_backend": "pkcs11"}, "EFORMS_PKCS11_MODULE"),
        (
            {"signing_backend": "pkcs11", "pkcs11_module": SOFTHSM_MODULE, "pkcs11_token": "t",
             "pkcs11_pin": "1", "tsa_url": "http://127.0.0.1:1/tsa"},
            "EFORMS_VERIFY_TRUST_ROOTS",
        ),
        (
            {"signing_backend": "pkcs11", "pkcs11_module": "/nowhere/libtoken.so",
             "pkcs11_token": "t", "pkcs11_pin": "1", "tsa_url": "http://127.0.0.1:1/tsa",
             "verify_trust_roots": __file__},
            "EFORMS_PKCS11_MODULE",
        ),
        ({"signing_backend": "csc", "csc_url": "http://127.0.0.1:1"}, "EFORMS_CSC_CLIENT_ID"),
        ({"pkcs11_key_label": "seal"}, "EFORMS_PKCS11_KEY_LABEL"),
        ({"csc_url": "ftp://x", "csc_client_id": "a", "csc_client_secret": "b"}, "EFORMS_CSC_URL"),
    ],
)  # fmt: skip
def test_incomplete_signing_settings_are_refused(
    tmp_path: Path, changes: dict[str, str], variable: str
) -> None:
    env = {f"EFORMS_{k.upper()}": v for k, v in changes.items()}
    env["EFORMS_DATA_DIR"] = str(tmp_path)
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(env)
    assert refused.value.details["variable"] == variable
    assert variable in refused.value.message_vi and variable in refused.value.message_en


@pytest.fixture(scope="module")
def csc_server(national: tuple[DemoPKI, Path]) -> Iterator[CscTestServer]:
    pki, _root = national
    credentials = pki.csc_credentials()
    citizen = next(c for c in credentials if c.user_id == "citizen")
    # The provider knows the citizen by the personal identification number.
    credentials.append(
        dataclasses.replace(citizen, credential_id="cred-cccd", user_id=DEMO_CITIZEN_ID)
    )
    # The agency's seal is used by the server alone (implicit authorisation, SCAL1).
    credentials = [
        dataclasses.replace(c, pin=None) if c.user_id == AGENCY else c for c in credentials
    ]
    with CscTestServer(clients={"so-tu-phap": "s3cret"}, credentials=credentials) as server:
        yield server


def test_remote_signing_service_signs_for_leaders_agencies_and_citizens(
    tmp_path: Path,
    seeded_sqlite: Path,
    national: tuple[DemoPKI, Path],
    csc_server: CscTestServer,
) -> None:
    pki, root = national
    data_dir = tmp_path / "data"
    install_seeded_db(seeded_sqlite, data_dir)
    settings = make_settings(
        data_dir,
        signing_backend="csc",
        csc_url=csc_server.url,
        csc_client_id="so-tu-phap",
        csc_client_secret="s3cret",
        verify_trust_roots=str(root),
        tsa_url=pki.tsa_url,
        signing_images_dir=str(_images(tmp_path / "images")),
    )
    app = create_app(settings)
    client = app.test_client()
    code = _to_awaiting_approval(app, client, "csc-1")
    login(client, "leader")
    # The leader's remote credential needs the PIN, asked for on the dossier page.
    assert 'name="sign_pin"' in client.get(f"/dossiers/{code}").get_data(as_text=True)
    page = client.post(f"/dossiers/{code}/result/sign", data={"sign_pin": "999999"})
    assert _dossier(app, code).status is Status.AWAITING_APPROVAL
    page = client.post(
        f"/dossiers/{code}/result/sign", data={"sign_pin": "123456"}, follow_redirects=True
    )
    assert _dossier(app, code).status is Status.RESULT_ISSUED, page.get_data(as_text=True)
    pdf = _result_pdf(app, code)
    verdicts = validate_all(pdf, pki)
    assert list(verdicts) == ["leader_1", "seal_1"]
    assert all(v.intact and v.valid and v.trusted for v in verdicts.values())
    checks = {c["name"]: c["status"] for c in client.get("/readyz").get_json()["checks"]}
    assert checks["signing.remote"] == "ok"

    # The citizen's credential is found by the personal ID; another ID has none.
    signing = services(app).signing
    assert signing.citizen_signing
    with signing.citizen_signer(DEMO_CITIZEN_ID, pin="123456").open() as signer:
        assert signer.signing_cert.dump() == pki.certificate("citizen").dump()
    with pytest.raises(Exception) as missing:
        signing.citizen_signer("079099000001", pin="123456")
    assert getattr(missing.value, "code", "") == "signing.no_credential"
    client.post("/logout")
    services(app).db.dispose()
