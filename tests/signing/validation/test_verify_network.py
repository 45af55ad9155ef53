"""Uploaded files must not make the verifier send requests where they choose (SSRF).

The signer's certificate of the uploaded PDF names a loopback server in every
place a certificate can hold a URL (AIA caIssuers, AIA OCSP, CRL distribution
point) and chains to no trusted root. The server records what it receives:
nothing, whatever the revocation policy and whichever report is made.
"""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pikepdf
import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.validation import (
    Indication,
    RevocationPolicy,
    SubIndication,
    TrustStore,
    etsi_xml_report,
    verify_pdf,
)


class Listener:
    """A loopback HTTP server that answers 404 and remembers every request path."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        paths = self.paths

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                paths.append(self.path)
                self.send_response(404)
                self.end_headers()

            do_POST = do_GET  # noqa: N815 - OCSP requests are POSTs

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Quiet."""

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Listener:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    with Listener() as server:
        yield server


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(url: str) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A signer's certificate from an issuer nobody has, full of URLs pointing at ``url``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    access = x509.AuthorityInformationAccess(
        [
            x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS,
                x509.UniformResourceIdentifier(f"{url}/internal-admin?issuer"),
            ),
            x509.AccessDescription(
                AuthorityInformationAccessOID.OCSP,
                x509.UniformResourceIdentifier(f"{url}/internal-admin?ocsp"),
            ),
        ]
    )
    crl_point = x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                [x509.UniformResourceIdentifier(f"{url}/internal-admin?crl")], None, None, None
            )
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Attacker"))
        .issuer_name(_name("Nonexistent CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(access, critical=False)
        .add_extension(crl_point, critical=False)
        .sign(issuer_key, hashes.SHA256())
    )
    return cert, key


def _signed_by(cert: x509.Certificate, key: rsa.RSAPrivateKey) -> bytes:
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore(),
    )
    pdf = pikepdf.new()
    pdf.add_blank_page()
    blank = io.BytesIO()
    pdf.save(blank)
    out = io.BytesIO()
    signers.PdfSigner(signers.PdfSignatureMetadata(field_name="Sig"), signer).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(blank.getvalue())), output=out
    )
    return out.getvalue()


@pytest.fixture()
def hostile_pdf(listener: Listener) -> bytes:
    return _signed_by(*_certificate(listener.url))


@pytest.mark.parametrize("revocation", list(RevocationPolicy), ids=lambda p: p.value)
@pytest.mark.parametrize(
    "make_report",
    [
        pytest.param(lambda data, trust, policy: verify_pdf(data, trust=trust, revocation=policy)),
        pytest.param(
            lambda data, trust, policy: etsi_xml_report(data, trust=trust, revocation=policy)
        ),
    ],
    ids=["json", "etsi-xml"],
)
def test_urls_in_an_uploaded_certificate_are_never_fetched(
    hostile_pdf: bytes,
    listener: Listener,
    verify_trust: TrustStore,
    revocation: RevocationPolicy,
    make_report: Callable[[bytes, TrustStore, RevocationPolicy], object],
) -> None:
    make_report(hostile_pdf, verify_trust, revocation)
    assert listener.paths == []


def test_an_unknown_issuer_is_reported_without_fetching_it(
    hostile_pdf: bytes, listener: Listener, verify_trust: TrustStore
) -> None:
    report = verify_pdf(hostile_pdf, trust=verify_trust)
    assert report.indication is Indication.INDETERMINATE
    assert report.signatures[0].subindication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert listener.paths == []
