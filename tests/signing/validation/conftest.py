"""Fixtures for verification: our own signed PDFs and signatures pyHanko makes directly.

``raw_sign`` goes around :func:`signing.sign_document` on purpose: that
function refuses revoked, expired and unknown certificates, and the verifier
must be tested on exactly such signatures.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper

from signing.demo_pki import DEMO_PIN, DemoPKI
from signing.model import PadesLevel
from signing.pades import SignOptions, sign_document
from signing.pkcs12_signer import Pkcs12Signer
from signing.pki_server import PkiServer
from signing.validation import TrustStore

RawSign = Callable[..., bytes]


@pytest.fixture(scope="session")
def verify_trust(pki: DemoPKI, pki_server: PkiServer) -> TrustStore:
    return TrustStore.from_trust_settings(pki.trust())


@pytest.fixture(scope="session")
def root_pem(pki: DemoPKI, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo root as a PEM file (what ``--trust`` and ``EFORMS_VERIFY_TRUST_ROOTS`` take)."""
    path = tmp_path_factory.mktemp("trust") / "root.pem"
    path.write_bytes(pki.root_pem())
    return path


@pytest.fixture(scope="session")
def pyhanko_signer(pki: DemoPKI) -> Callable[[str], signers.Signer]:
    def load(identity: str) -> signers.Signer:
        signer = signers.SimpleSigner.load_pkcs12(
            str(pki.pkcs12_path(identity)), passphrase=DEMO_PIN.encode()
        )
        assert signer is not None
        return signer

    return load


@pytest.fixture(scope="session")
def raw_sign(
    pki: DemoPKI, pki_server: PkiServer, pyhanko_signer: Callable[[str], signers.Signer]
) -> RawSign:
    """``raw_sign(pdf, identity, timestamp=False, field="Sig")``: a PAdES signature, no checks."""

    def sign(pdf: bytes, identity: str, *, timestamp: bool = False, field: str = "Sig") -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        fields.append_signature_field(writer, fields.SigFieldSpec(field))
        meta = signers.PdfSignatureMetadata(field_name=field, subfilter=SigSeedSubFilter.PADES)
        stamper = HTTPTimeStamper(pki.tsa_url, timeout=5) if timestamp else None
        out = io.BytesIO()
        signers.PdfSigner(meta, pyhanko_signer(identity), timestamper=stamper).sign_pdf(
            writer, output=out
        )
        return out.getvalue()

    return sign


@pytest.fixture(scope="session")
def sign_as(pki: DemoPKI, pki_server: PkiServer) -> Callable[..., bytes]:
    """``sign_as(pdf, identity, level)`` through the signing package (checks included)."""

    def sign(pdf: bytes, identity: str = "leader", level: PadesLevel = PadesLevel.B_B) -> bytes:
        signer = Pkcs12Signer(pki.pkcs12_path(identity), DEMO_PIN)
        options = SignOptions(level=level)
        return sign_document(pdf, signer=signer, trust=pki.trust(), options=options).pdf

    return sign


@pytest.fixture(scope="session")
def signed_pdf(pdfa: bytes, sign_as: Callable[..., bytes]) -> bytes:
    """The corpus base: our PDF/A form signed B-T by the leader."""
    return sign_as(pdfa, "leader", PadesLevel.B_T)
