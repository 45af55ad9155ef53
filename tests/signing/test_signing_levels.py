"""Every level, every local backend: pyHanko and pdfsig both accept the signature."""

from __future__ import annotations

import pytest

from signing.model import PadesLevel
from signing.pades import SignOptions, sign_document
from signing.pkcs12_signer import Pkcs12Signer


@pytest.mark.integration
@pytest.mark.parametrize("level", list(PadesLevel), ids=lambda lv: lv.value)
def test_pkcs12_signature_validates_at_requested_level(
    level, pki, trust, pdfa, demo_pin, assert_signed, check_pdfsig
):
    signer = Pkcs12Signer(pki.pkcs12_path("leader"), demo_pin)

    signed = sign_document(pdfa, signer=signer, trust=trust, options=SignOptions(level=level))

    assert signed.field_name == "signature_1"
    assert signed.check.revocation_checked
    assert_signed(signed.pdf, "signature_1", level)
    check_pdfsig(signed.pdf, 1)


@pytest.mark.integration
def test_ecdsa_p256_key_signs(pki, trust, pdfa, demo_pin, assert_signed, check_pdfsig):
    signer = Pkcs12Signer(pki.pkcs12_path("officer"), demo_pin)

    signed = sign_document(
        pdfa, signer=signer, trust=trust, options=SignOptions(level=PadesLevel.B_T)
    )

    assert_signed(signed.pdf, signed.field_name, PadesLevel.B_T)
    check_pdfsig(signed.pdf, 1)


@pytest.mark.integration
def test_sha512_digest(pki, trust, pdfa, demo_pin, assert_signed):
    from signing.model import DigestAlgorithm

    signed = sign_document(
        pdfa,
        signer=Pkcs12Signer(pki.pkcs12_path("leader"), demo_pin),
        trust=trust,
        options=SignOptions(digest=DigestAlgorithm.SHA512),
    )

    assert_signed(signed.pdf, signed.field_name, PadesLevel.B_B)
