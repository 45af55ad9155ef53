"""Long-term validation: later verifications judge a timestamped signature at its proven time.

Each document is signed now with the demo PKI, then verified with the data it
carries only (``RevocationPolicy.EMBEDDED``) at a later validation time:
after the embedded OCSP answers went stale (+8 days), after the root's CRL
went stale (+120 days), after the signer's certificate expired (3 years),
and after the TSA's certificate expired (10 years).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from asn1crypto import ocsp
from certomancer.registry import CertLabel, ServiceLabel
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore

from signing.demo_pki import DemoPKI
from signing.model import PadesLevel
from signing.validation import (
    Indication,
    RevocationPolicy,
    SignatureKind,
    SubIndication,
    TrustStore,
    VerificationReport,
    render_html,
    verify_pdf,
)

DAY = timedelta(days=1)


def later(data: bytes, trust: TrustStore, when: datetime) -> VerificationReport:
    return verify_pdf(data, trust=trust, revocation=RevocationPolicy.EMBEDDED, validation_time=when)


def signer_expiry(pki: DemoPKI) -> datetime:
    return pki.certificate("leader")["tbs_certificate"]["validity"]["not_after"].native


@pytest.fixture(scope="module")
def long_term_pdfs(pdfa: bytes, sign_as: Callable[..., bytes]) -> dict[PadesLevel, bytes]:
    return {level: sign_as(pdfa, "leader", level) for level in PadesLevel}


MOMENTS = {
    "8-days": lambda pki: datetime.now().astimezone() + 8 * DAY,
    "120-days": lambda pki: datetime.now().astimezone() + 120 * DAY,
    "after-signer-expiry": lambda pki: signer_expiry(pki) + DAY,
}


@pytest.mark.integration
@pytest.mark.parametrize("level", [PadesLevel.B_LT, PadesLevel.B_LTA], ids=lambda lv: lv.value)
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_long_term_signature_passes_later_at_its_proven_signing_time(
    long_term_pdfs: dict[PadesLevel, bytes],
    pki: DemoPKI,
    verify_trust: TrustStore,
    level: PadesLevel,
    moment: str,
) -> None:
    when = MOMENTS[moment](pki)
    report = later(long_term_pdfs[level], verify_trust, when)
    assert report.indication is Indication.TOTAL_PASSED, report
    sig = report.signatures[0]
    assert sig.kind is SignatureKind.SIGNATURE and sig.pades_level == level.value
    assert sig.signing_time_attested and sig.signing_time is not None
    status = sig.certificate_status
    assert status.status == "good" and status.sources == ("ocsp/embedded",)
    # The embedded status data is no longer fresh: judged at the proven signing time.
    assert status.checked_at == sig.signing_time
    assert report.verification_time == when.replace(microsecond=0)
    assert "judged at the signing time the timestamp proves" in render_html(report)
    if level is PadesLevel.B_LTA:
        stamp = report.signatures[-1]
        assert stamp.kind is SignatureKind.DOCUMENT_TIMESTAMP
        assert stamp.indication is Indication.TOTAL_PASSED


@pytest.mark.integration
def test_right_after_signing_the_certificate_is_judged_now(
    long_term_pdfs: dict[PadesLevel, bytes], verify_trust: TrustStore
) -> None:
    when = datetime.now().astimezone() + DAY
    report = later(long_term_pdfs[PadesLevel.B_LT], verify_trust, when)
    assert report.indication is Indication.TOTAL_PASSED
    assert report.signatures[0].certificate_status.checked_at == when.replace(microsecond=0)


@pytest.mark.integration
@pytest.mark.parametrize("level", [PadesLevel.B_B, PadesLevel.B_T], ids=lambda lv: lv.value)
def test_without_kept_status_data_a_later_check_stays_indeterminate(
    long_term_pdfs: dict[PadesLevel, bytes], verify_trust: TrustStore, level: PadesLevel
) -> None:
    report = later(long_term_pdfs[level], verify_trust, datetime.now().astimezone() + 8 * DAY)
    assert report.indication is Indication.INDETERMINATE
    assert report.signatures[0].subindication is SubIndication.TRY_LATER


@pytest.mark.integration
@pytest.mark.parametrize("level", [PadesLevel.B_LT, PadesLevel.B_LTA], ids=lambda lv: lv.value)
def test_after_the_tsa_certificate_expired_nothing_proves_the_signing_time(
    long_term_pdfs: dict[PadesLevel, bytes],
    pki: DemoPKI,
    verify_trust: TrustStore,
    level: PadesLevel,
) -> None:
    """Ten years on, the demo TSA's certificate has expired: only a newer document timestamp
    (from a TSA still valid) could prove the signing time then."""
    tsa = pki.arch.get_cert(CertLabel("tsa"))
    when = tsa["tbs_certificate"]["validity"]["not_after"].native + DAY
    report = later(long_term_pdfs[level], verify_trust, when)
    assert report.indication is Indication.INDETERMINATE, report
    assert not report.signatures[0].signing_time_attested


def _embed_status_data(pdf: bytes, pki: DemoPKI, *, ocsps: list[ocsp.OCSPResponse] = ()) -> bytes:
    """Fetch (or take) status data for the signature and keep it in a DSS update, like B-LT does."""
    reader = PdfFileReader(io.BytesIO(pdf))
    vc = pki.validation_context()
    validate_pdf_signature(reader.embedded_signatures[0], vc)
    out = io.BytesIO(pdf)
    DocumentSecurityStore.add_dss(
        out,
        None,
        certs=[pki.intermediate],
        ocsps=[*vc.ocsps, *ocsps],
        crls=list(vc.crls),
    )
    return out.getvalue()


@pytest.mark.integration
@pytest.mark.parametrize("days", [8, 120])
def test_revoked_before_the_timestamp_still_fails_later(
    pdfa: bytes, raw_sign: Callable[..., bytes], pki: DemoPKI, verify_trust: TrustStore, days: int
) -> None:
    signed = _embed_status_data(raw_sign(pdfa, "revoked", timestamp=True), pki)
    report = later(signed, verify_trust, datetime.now().astimezone() + days * DAY)
    sig = report.signatures[0]
    assert (report.indication, sig.subindication) == (
        Indication.TOTAL_FAILED,
        SubIndication.REVOKED,
    ), report
    assert sig.certificate_status.status == "revoked"


def _revoked_answer(
    pki: DemoPKI, *, revoked_at: datetime, answered_at: datetime
) -> ocsp.OCSPResponse:
    """The demo OCSP responder's signed answer that the leader's certificate was revoked."""
    leader, issuer = pki.certificate("leader"), pki.intermediate
    responder = pki.arch.service_registry.summon_responder(
        ServiceLabel("interm"), at_time=answered_at
    )
    cert_id = ocsp.CertId(
        {
            "hash_algorithm": {"algorithm": "sha1"},
            "issuer_name_hash": issuer.subject.sha1,
            "issuer_key_hash": issuer.public_key.sha1,
            "serial_number": leader.serial_number,
        }
    )
    single = ocsp.SingleResponse(
        {
            "cert_id": cert_id,
            "cert_status": ocsp.CertStatus(
                name="revoked",
                value={"revocation_time": revoked_at, "revocation_reason": "key_compromise"},
            ),
            "this_update": answered_at,
            "next_update": answered_at + 7 * DAY,
        }
    )
    return responder.assemble_simple_ocsp_responses([single])


@pytest.mark.integration
def test_revoked_after_the_proven_signing_time_passes(
    long_term_pdfs: dict[PadesLevel, bytes], pki: DemoPKI, verify_trust: TrustStore
) -> None:
    """EN 319 102-1 § 5.6.2.4: the timestamp proves the signature predates the revocation."""
    signed = long_term_pdfs[PadesLevel.B_LT]
    signing_time = (
        later(signed, verify_trust, datetime.now().astimezone()).signatures[0].signing_time
    )
    assert signing_time is not None
    revoked_at = signing_time + timedelta(hours=1)
    answer = _revoked_answer(pki, revoked_at=revoked_at, answered_at=signing_time + 3 * DAY)
    out = io.BytesIO(signed)
    DocumentSecurityStore.add_dss(out, None, ocsps=[answer])
    # At +8 days the answer made at signing has gone stale; the revocation is fresh news.
    report = later(out.getvalue(), verify_trust, signing_time + 8 * DAY)
    sig = report.signatures[0]
    assert report.indication is Indication.TOTAL_PASSED, report
    assert sig.certificate_status.revocation_time == revoked_at
    assert sig.certificate_status.status == "good"
    assert sig.certificate_status.checked_at == signing_time


def test_a_validation_time_needs_embedded_data_only(
    signed_pdf: bytes, verify_trust: TrustStore
) -> None:
    with pytest.raises(ValueError, match="EMBEDDED"):
        verify_pdf(signed_pdf, trust=verify_trust, validation_time=datetime.now().astimezone())
