"""PKCS#11 (SoftHSM2), remote signing (CSC v2), external two-step and batches."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from signing.batch import sign_batch
from signing.errors import (
    CertificateRevokedError,
    FieldAlreadySignedError,
    SigningError,
    WrongPinError,
)
from signing.external import complete_external, prepare_external
from signing.model import PadesLevel
from signing.pades import SignOptions, run, sign_document
from signing.pkcs11_signer import Pkcs11Signer
from signing.remote_signer import RemoteSigner


@pytest.mark.integration
def test_pkcs11_token_signs_b_lt(softhsm_token, trust, pdfa, assert_signed, check_pdfsig):
    signer = Pkcs11Signer(
        token_label=softhsm_token.label, key_label=softhsm_token.key_label, pin=softhsm_token.pin
    )

    signed = sign_document(
        pdfa, signer=signer, trust=trust, options=SignOptions(level=PadesLevel.B_LT)
    )

    assert_signed(signed.pdf, signed.field_name, PadesLevel.B_LT)
    check_pdfsig(signed.pdf, 1)


@pytest.mark.integration
def test_key_generated_on_token_signs(
    softhsm_token, token_generated_key, pki, trust, pdfa, assert_signed, check_pdfsig
):
    leader_before = pki.certificate("leader").dump()
    signer = Pkcs11Signer(
        token_label=softhsm_token.label, key_label=token_generated_key, pin=softhsm_token.pin
    )

    signed = sign_document(
        pdfa, signer=signer, trust=trust, options=SignOptions(level=PadesLevel.B_LTA)
    )

    assert_signed(signed.pdf, signed.field_name, PadesLevel.B_LTA)
    check_pdfsig(signed.pdf, 1)
    assert pki.certificate("leader").dump() == leader_before  # nothing renumbered


@pytest.mark.integration
def test_pkcs11_wrong_pin(softhsm_token, trust, pdfa):
    signer = Pkcs11Signer(
        token_label=softhsm_token.label, key_label=softhsm_token.key_label, pin="999999"
    )
    with pytest.raises(WrongPinError):
        sign_document(pdfa, signer=signer, trust=trust)


@pytest.mark.integration
def test_pkcs11_batch_in_one_session(softhsm_token, trust, pdfa, assert_signed):
    signer = Pkcs11Signer(
        token_label=softhsm_token.label, key_label=softhsm_token.key_label, pin=softhsm_token.pin
    )
    seen = []

    items = sign_batch(
        [pdfa] * 4,
        signer=signer,
        trust=trust,
        options=SignOptions(level=PadesLevel.B_T),
        progress=lambda done, total, phase: seen.append((done, total, phase)),
    )

    assert all(item.result is not None for item in items)
    for item in items:
        assert_signed(item.result.pdf, item.result.field_name, PadesLevel.B_T)
    assert (4, 4, "prepared") in seen and (4, 4, "done") in seen


@pytest.mark.integration
def test_csc_lists_and_describes_credentials(csc_client, pki):
    assert csc_client.list_credentials("citizen") == ["cred-citizen"]
    credential = csc_client.credential("cred-citizen")
    assert credential.certificate.dump() == pki.certificate("citizen").dump()
    assert credential.key_algorithm == "rsa" and credential.key_bits == 2048


@pytest.mark.integration
@pytest.mark.parametrize("who", ["citizen", "officer"])  # RSA and ECDSA P-256
def test_remote_signature_validates(who, csc_client, trust, pdfa, assert_signed, check_pdfsig):
    signed = sign_document(
        pdfa,
        signer=RemoteSigner(csc_client, f"cred-{who}", "123456"),
        trust=trust,
        options=SignOptions(level=PadesLevel.B_LT),
    )

    assert_signed(signed.pdf, signed.field_name, PadesLevel.B_LT)
    check_pdfsig(signed.pdf, 1)


@pytest.mark.integration
def test_remote_wrong_pin(csc_client, trust, pdfa):
    with pytest.raises(WrongPinError):
        sign_document(pdfa, signer=RemoteSigner(csc_client, "cred-citizen", "111111"), trust=trust)


@pytest.mark.integration
def test_remote_batch_uses_one_sign_hash_call(csc, csc_client, trust, pdfa, assert_signed):
    already_signed = sign_document(
        pdfa,
        signer=RemoteSigner(csc_client, "cred-leader", "123456"),
        trust=trust,
        options=SignOptions(field_name="approval"),
    )
    before = csc.sign_hash_calls

    items = sign_batch(
        [pdfa, already_signed.pdf, pdfa, pdfa],
        signer=RemoteSigner(csc_client, "cred-leader", "123456"),
        trust=trust,
        options=SignOptions(level=PadesLevel.B_LTA, field_name="approval"),
    )

    assert csc.sign_hash_calls == before + 1
    assert isinstance(items[1].error, FieldAlreadySignedError)
    for item in (items[0], items[2], items[3]):
        assert item.result is not None
        assert_signed(item.result.pdf, "approval", PadesLevel.B_LTA)


@pytest.mark.integration
def test_batch_with_revoked_certificate_fails_whole(pki, trust, pdfa):
    from signing.pkcs12_signer import Pkcs12Signer

    with pytest.raises(CertificateRevokedError):
        sign_batch(
            [pdfa, pdfa], signer=Pkcs12Signer(pki.pkcs12_path("revoked"), "123456"), trust=trust
        )


@pytest.mark.integration
@pytest.mark.parametrize("level", [PadesLevel.B_B, PadesLevel.B_LTA], ids=lambda lv: lv.value)
def test_external_two_step(level, pki, trust, pdfa, assert_signed, check_pdfsig):
    pending = run(
        prepare_external(
            pdfa,
            certificate=pki.certificate("leader"),
            chain=pki.chain("leader"),
            trust=trust,
            options=SignOptions(level=level),
        )
    )
    # The "client" holds the key and signs the digest it was given.
    key = load_pem_private_key(pki.private_key_pem("leader"), None)
    value = key.sign(pending.digest_to_sign, padding.PKCS1v15(), Prehashed(hashes.SHA256()))

    signed = run(complete_external(pending, value, trust=trust))

    assert_signed(signed.pdf, signed.field_name, level)
    check_pdfsig(signed.pdf, 1)


@pytest.mark.integration
def test_external_signature_from_wrong_key_is_refused(pki, trust, pdfa):
    pending = run(
        prepare_external(
            pdfa, certificate=pki.certificate("leader"), chain=pki.chain("leader"), trust=trust
        )
    )
    other = load_pem_private_key(pki.private_key_pem("citizen"), None)
    value = other.sign(pending.digest_to_sign, padding.PKCS1v15(), Prehashed(hashes.SHA256()))

    with pytest.raises(SigningError) as caught:
        run(complete_external(pending, value, trust=trust))
    assert caught.value.code == "signing.bad_signature_value"
