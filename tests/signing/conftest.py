"""Shared fixtures: a fresh demo PKI served on loopback, PDF/A inputs, SoftHSM, CSC.

Everything runs on real components: certomancer's services over real HTTP,
WeasyPrint PDF/A-3b inputs, SoftHSM2 through PKCS#11, the CSC v2 test
server. Keys are generated into temporary directories at run time.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from weasyprint import HTML

from signing.csc_client import CscClient
from signing.csc_server import CscTestServer
from signing.demo_pki import DEMO_PIN, DemoPKI
from signing.model import PadesLevel
from signing.pki_server import PkiServer
from signing.trust import TrustSettings
from tests.conftest import softhsm_tokens_changed

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPKI:
    return DemoPKI.load_or_create(tmp_path_factory.mktemp("pki"), port=free_port())


@pytest.fixture(scope="session")
def pki_server(pki: DemoPKI) -> Iterator[PkiServer]:
    with PkiServer(pki) as server:
        yield server


@pytest.fixture()
def trust(pki: DemoPKI, pki_server: PkiServer) -> TrustSettings:
    """Fresh per test: its certificate-status cache starts empty."""
    return pki.trust()


@pytest.fixture()
def pki_services_down(pki_server: PkiServer) -> Iterator[None]:
    """Stop OCSP, CRL and TSA for one test, then serve them again."""
    pki_server.stop()
    try:
        yield
    finally:
        pki_server.start()


def render_pdfa(pages: int = 3) -> bytes:
    """A PDF/A-3b form-like document in Liberation Serif, made by WeasyPrint."""
    rows = "".join(
        f"<p>Dòng {i}: Tờ khai thay đổi thông tin cư trú — Nguyễn Văn An, "
        "số định danh 001203004567.</p>"
        for i in range(pages * 28)
    )
    html = (
        "<html lang='vi'><head><style>@page { size: A4; margin: 2cm; "
        "font-family: 'Liberation Serif'; } body { font-family: 'Liberation Serif'; "
        "font-size: 12pt; }</style></head><body><h1>TỜ KHAI</h1>" + rows + "</body></html>"
    )
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")


@pytest.fixture(scope="session")
def pdfa() -> bytes:
    return render_pdfa(3)


@dataclass(frozen=True)
class Verdict:
    field_name: str
    intact: bool
    valid: bool
    trusted: bool
    timestamped: bool


def validate_all(pdf: bytes, pki: DemoPKI) -> dict[str, Verdict]:
    """pyHanko's verdict for every signature (document timestamps excluded)."""
    reader = PdfFileReader(io.BytesIO(pdf))
    verdicts = {}
    for sig in reader.embedded_signatures:
        if sig.sig_object.get("/Type") == "/DocTimeStamp":
            continue
        status = validate_pdf_signature(sig, pki.validation_context())
        verdicts[sig.field_name] = Verdict(
            sig.field_name,
            status.intact,
            status.valid,
            status.trusted,
            status.timestamp_validity is not None and status.timestamp_validity.valid,
        )
    return verdicts


def assert_level(pdf: bytes, field_name: str, level: PadesLevel, pki: DemoPKI) -> None:
    """The signature ``field_name`` validates as intact, valid, trusted at ``level``."""
    verdict = validate_all(pdf, pki)[field_name]
    assert verdict.intact and verdict.valid and verdict.trusted, verdict
    assert verdict.timestamped == level.needs_timestamp
    reader = PdfFileReader(io.BytesIO(pdf))
    sig = next(s for s in reader.embedded_signatures if s.field_name == field_name)
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    if level.needs_revocation_info:
        # Only what the document carries: no fetching allowed.
        offline = DocumentSecurityStore.read_dss(reader).as_validation_context(
            {"trust_roots": [pki.root], "allow_fetching": False, "revocation_mode": "hard-fail"}
        )
        status = validate_pdf_signature(sig, offline)
        assert status.bottom_line, status.pretty_print_details()
    doc_timestamps = [
        s for s in reader.embedded_signatures if s.sig_object.get("/Type") == "/DocTimeStamp"
    ]
    if level is PadesLevel.B_LTA:
        assert doc_timestamps
        ts_status = validate_pdf_timestamp(doc_timestamps[-1], pki.validation_context())
        assert ts_status.valid and ts_status.trusted
    else:
        assert not doc_timestamps


def pdfsig_verdicts(pdf: bytes, tmp_path: Path) -> list[str]:
    """poppler's ``Signature Validation`` line for each signature that is not a timestamp."""
    path = tmp_path / "pdfsig-input.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    blocks = re.split(r"^Signature #\d+:", out.stdout, flags=re.M)[1:]
    verdicts = []
    for block in blocks:
        if "Signature Type: ETSI.CAdES.detached" not in block:
            continue  # document timestamps ("unknown" type): pdfsig does not verify them
        match = re.search(r"Signature Validation: (.*)", block)
        verdicts.append(match.group(1).strip() if match else "missing")
    return verdicts


@pytest.fixture(scope="session")
def check_pdfsig(tmp_path_factory: pytest.TempPathFactory) -> Callable[[bytes, int], None]:
    directory = tmp_path_factory.mktemp("pdfsig")

    def check(pdf: bytes, expected: int) -> None:
        verdicts = pdfsig_verdicts(pdf, directory)
        assert verdicts == ["Signature is Valid."] * expected

    return check


@pytest.fixture(scope="session")
def csc(pki: DemoPKI) -> Iterator[CscTestServer]:
    with CscTestServer(
        clients={"portal": "secret-for-tests"}, credentials=pki.csc_credentials()
    ) as server:
        yield server


@pytest.fixture()
def csc_client(csc: CscTestServer) -> CscClient:
    return CscClient(csc.url, "portal", "secret-for-tests")


@dataclass(frozen=True)
class Token:
    label: str
    pin: str
    key_label: str


@pytest.fixture(scope="session")
def softhsm_token(pki: DemoPKI, softhsm_dir: Path) -> Token:
    """A fresh SoftHSM2 token in the session's token folder holding the leader's key and chain."""
    directory = softhsm_dir
    token = Token(label="eforms-test", pin="246810", key_label="leader")
    run = _runner(directory)
    run(
        "softhsm2-util",
        "--init-token",
        "--free",
        "--label",
        token.label,
        "--pin",
        token.pin,
        "--so-pin",
        "13579111",
    )
    key = directory / "leader.key.pem"
    key.write_bytes(pki.private_key_pem("leader"))
    run(
        "softhsm2-util",
        "--import",
        str(key),
        "--token",
        token.label,
        "--label",
        token.key_label,
        "--id",
        "01",
        "--pin",
        token.pin,
    )
    key.unlink()
    for label, cert_id, cert in (
        ("leader", "01", pki.certificate("leader")),
        ("interm", "02", pki.intermediate),
        ("root", "03", pki.root),
    ):
        der = directory / f"{label}.der"
        der.write_bytes(cert.dump())
        run(
            "pkcs11-tool",
            "--module",
            SOFTHSM_MODULE,
            "--token-label",
            token.label,
            "--login",
            "--pin",
            token.pin,
            "--write-object",
            str(der),
            "--type",
            "cert",
            "--label",
            label,
            "--id",
            cert_id,
        )
    softhsm_tokens_changed(SOFTHSM_MODULE)
    return token


def _runner(cwd: Path) -> Callable[..., None]:
    def run(*args: str) -> None:
        subprocess.run(
            args, cwd=cwd, check=True, capture_output=True, timeout=60, env={**os.environ}
        )

    return run


@pytest.fixture(scope="session")
def assert_signed(pki: DemoPKI) -> Callable[[bytes, str, PadesLevel], None]:
    """``assert_signed(pdf, field_name, level)``: see :func:`assert_level`."""
    return lambda pdf, field_name, level: assert_level(pdf, field_name, level, pki)


@pytest.fixture(scope="session")
def verdicts(pki: DemoPKI) -> Callable[[bytes], dict[str, Verdict]]:
    return lambda pdf: validate_all(pdf, pki)


@pytest.fixture(scope="session")
def demo_pin() -> str:
    return DEMO_PIN


@pytest.fixture()
def unused_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    return free_port()


@pytest.fixture(scope="session")
def token_generated_key(
    softhsm_token: Token,
    pki: DemoPKI,
    pki_server: PkiServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    """A key pair generated on the token; the demo CA certifies its public key.

    The private key never leaves SoftHSM. Returns the key label.
    """
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        PublicFormat,
        load_der_public_key,
    )

    directory = tmp_path_factory.mktemp("token-key")
    run = _runner(directory)
    base = [
        "pkcs11-tool",
        "--module",
        SOFTHSM_MODULE,
        "--token-label",
        softhsm_token.label,
        "--login",
        "--pin",
        softhsm_token.pin,
    ]
    run(*base, "--keypairgen", "--key-type", "rsa:2048", "--label", "hsm-leader", "--id", "10")
    run(*base, "--read-object", "--type", "pubkey", "--id", "10", "-o", "pub.der")
    public = load_der_public_key((directory / "pub.der").read_bytes())
    cert = pki.register_token_key(
        "hsm-leader", public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    (directory / "cert.der").write_bytes(cert.dump())
    run(
        *base, "--write-object", "cert.der", "--type", "cert", "--label", "hsm-leader", "--id", "10"
    )
    pki_server.stop()  # serve OCSP for the new certificate too
    pki_server.start()
    return "hsm-leader"
