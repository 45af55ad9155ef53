"""Bad input gives a clear bilingual error and no output."""

from __future__ import annotations

import dataclasses
import io

import pikepdf
import pytest

from signing.errors import (
    CertificateExpiredError,
    CertificateNotTrustedError,
    CertificateRevokedError,
    FieldAlreadySignedError,
    RevocationUnavailableError,
    SigningError,
    TimestampUnavailableError,
    UnsupportedPdfError,
    WeakAlgorithmError,
    WrongPinError,
)
from signing.model import PadesLevel, UnknownStatusPolicy
from signing.pades import SignOptions, sign_document
from signing.pkcs12_signer import Pkcs12Signer


def _sign(pki, trust, pdf, who="leader", pin="123456", **options):
    return sign_document(
        pdf,
        signer=Pkcs12Signer(pki.pkcs12_path(who), pin),
        trust=trust,
        options=SignOptions(**options),
    )


def _assert_bilingual(error: SigningError) -> None:
    assert error.code.startswith("signing.")
    assert error.message_vi and error.message_en and error.message_vi != error.message_en


@pytest.mark.integration
@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("revoked", CertificateRevokedError),
        ("expired", CertificateExpiredError),
        ("weak", WeakAlgorithmError),
        ("stranger", CertificateNotTrustedError),
    ],
)
def test_unfit_certificates_are_refused(who, error, pki, trust, pdfa):
    with pytest.raises(error) as caught:
        _sign(pki, trust, pdfa, who=who)
    _assert_bilingual(caught.value)


@pytest.mark.integration
def test_wrong_pin(pki, trust, pdfa):
    with pytest.raises(WrongPinError) as caught:
        _sign(pki, trust, pdfa, pin="000000")
    _assert_bilingual(caught.value)


@pytest.mark.integration
def test_tsa_down(pki, trust, pdfa, unused_port):
    down = dataclasses.replace(trust, tsa_url=f"http://127.0.0.1:{unused_port}/tsa", timeout=2)
    with pytest.raises(TimestampUnavailableError) as caught:
        _sign(pki, down, pdfa, level=PadesLevel.B_T)
    _assert_bilingual(caught.value)


@pytest.mark.integration
def test_ocsp_down_refuses_by_default(pki, trust, pdfa, pki_services_down):
    with pytest.raises(RevocationUnavailableError) as caught:
        _sign(pki, dataclasses.replace(trust, timeout=2), pdfa)
    _assert_bilingual(caught.value)


@pytest.mark.integration
def test_ocsp_down_warns_when_configured(pki, trust, pdfa, pki_services_down):
    signed = _sign(
        pki, dataclasses.replace(trust, timeout=2), pdfa, unknown_status=UnknownStatusPolicy.WARN
    )

    assert not signed.check.revocation_checked
    assert signed.warnings and "could not be obtained" in signed.warnings[0]


@pytest.mark.integration
def test_encrypted_pdf(pki, trust, pdfa):
    buffer = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdfa)) as pdf:
        pdf.save(buffer, encryption=pikepdf.Encryption(owner="o", user="", R=6))
    with pytest.raises(UnsupportedPdfError) as caught:
        _sign(pki, trust, buffer.getvalue())
    assert caught.value.details["reason"] == "encrypted"


@pytest.mark.integration
def test_broken_xref(pki, trust, pdfa):
    start = pdfa.rindex(b"startxref")
    broken = pdfa[:start] + b"startxref\n999999999\n%%EOF\n"
    with pytest.raises(UnsupportedPdfError) as caught:
        _sign(pki, trust, broken)
    assert caught.value.details["reason"] == "damaged"


@pytest.mark.integration
def test_not_a_pdf(pki, trust):
    with pytest.raises(UnsupportedPdfError):
        _sign(pki, trust, b"hello")


@pytest.mark.integration
def test_field_already_signed(pki, trust, pdfa):
    signed = _sign(pki, trust, pdfa, field_name="approval")
    with pytest.raises(FieldAlreadySignedError) as caught:
        _sign(pki, trust, signed.pdf, field_name="approval")
    _assert_bilingual(caught.value)
