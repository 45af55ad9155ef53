"""Verdicts on our own signed PDFs: levels, tampering, revoked, expired, unknown CA."""

from __future__ import annotations

import json
from collections.abc import Callable

import jsonschema
import pytest

from signing.model import PadesLevel
from signing.validation import (
    Coverage,
    Indication,
    Modification,
    RevocationPolicy,
    SubIndication,
    TrustStore,
    VerificationReport,
    render_html,
    report_json,
    verify_pdf,
)
from signing.validation.rendering import report_schema


def check_schema(report: VerificationReport) -> dict:
    data = json.loads(report_json(report))
    jsonschema.validate(data, report_schema())
    return data


@pytest.mark.integration
@pytest.mark.parametrize("level", list(PadesLevel), ids=lambda lv: lv.value)
def test_our_signature_passes_at_its_level(
    pdfa: bytes, sign_as: Callable[..., bytes], verify_trust: TrustStore, level: PadesLevel
) -> None:
    signed = sign_as(pdfa, "leader", level)
    report = verify_pdf(signed, trust=verify_trust)
    check_schema(report)
    assert report.indication is Indication.TOTAL_PASSED, report
    sig = next(s for s in report.signatures if s.kind.value == "signature")
    assert sig.pades_level == level.value
    assert sig.signer is not None and "Phạm Văn Lãnh Đạo" in sig.signer.subject
    assert [c.subject for c in sig.chain][-1] == verify_trust.roots[0].subject.human_friendly
    assert sig.certificate_status.status == "good" and sig.certificate_status.sources
    assert sig.signing_time_attested is level.needs_timestamp
    assert sig.changes is not None and sig.changes.permitted is not False
    if level is PadesLevel.B_B or level is PadesLevel.B_T:
        assert sig.changes.coverage is Coverage.ENTIRE_FILE
    else:
        assert sig.changes.modification is Modification.LTA_UPDATES


@pytest.mark.integration
def test_embedded_only_passes_at_b_lta_and_names_the_source(
    pdfa: bytes, sign_as: Callable[..., bytes], verify_trust: TrustStore
) -> None:
    signed = sign_as(pdfa, "leader", PadesLevel.B_LTA)
    report = verify_pdf(signed, trust=verify_trust, revocation=RevocationPolicy.EMBEDDED)
    assert report.indication is Indication.TOTAL_PASSED, report
    assert report.signatures[0].certificate_status.sources == ("ocsp/embedded",)


@pytest.mark.integration
def test_b_b_offline_without_status_is_indeterminate_try_later(
    signed_pdf: bytes, pdfa: bytes, sign_as: Callable[..., bytes], verify_trust: TrustStore
) -> None:
    signed = sign_as(pdfa, "leader", PadesLevel.B_B)
    report = verify_pdf(signed, trust=verify_trust, revocation=RevocationPolicy.EMBEDDED)
    assert report.indication is Indication.INDETERMINATE
    assert report.signatures[0].subindication is SubIndication.TRY_LATER


@pytest.mark.integration
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_any_byte_changed_in_the_signed_range_is_hash_failure(
    signed_pdf: bytes, verify_trust: TrustStore, where: str
) -> None:
    import re

    m = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", signed_pdf))[-1]
    b, c, d = int(m.group(2)), int(m.group(3)), int(m.group(4))
    pos = {"start": 200, "middle": b // 2, "end": c + d - 30}[where]
    data = bytearray(signed_pdf)
    data[pos] = data[pos] ^ 0x01
    report = verify_pdf(bytes(data), trust=verify_trust)
    assert report.indication is Indication.TOTAL_FAILED
    assert report.signatures[0].subindication is SubIndication.HASH_FAILURE
    assert report.signatures[0].problems[0].code == "hash"
    check_schema(report)


@pytest.mark.integration
def test_revoked_before_signing_is_total_failed_revoked(
    pdfa: bytes, raw_sign: Callable[..., bytes], verify_trust: TrustStore
) -> None:
    report = verify_pdf(raw_sign(pdfa, "revoked", timestamp=True), trust=verify_trust)
    sig = report.signatures[0]
    assert (report.indication, sig.subindication) == (
        Indication.TOTAL_FAILED,
        SubIndication.REVOKED,
    )
    assert sig.certificate_status.status == "revoked"
    assert sig.certificate_status.revocation_time is not None
    assert "thu hồi" in sig.problems[0].message_vi
    check_schema(report)


@pytest.mark.integration
def test_unknown_ca_is_indeterminate_no_chain(
    pdfa: bytes, raw_sign: Callable[..., bytes], verify_trust: TrustStore
) -> None:
    report = verify_pdf(raw_sign(pdfa, "stranger"), trust=verify_trust)
    sig = report.signatures[0]
    assert report.indication is Indication.INDETERMINATE
    assert sig.subindication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert sig.intact and sig.valid and not sig.trusted and sig.chain == ()


@pytest.mark.integration
def test_expired_certificate_with_timestamp_after_expiry_is_expired(
    pdfa: bytes, raw_sign: Callable[..., bytes], verify_trust: TrustStore
) -> None:
    report = verify_pdf(raw_sign(pdfa, "expired", timestamp=True), trust=verify_trust)
    sig = report.signatures[0]
    assert (report.indication, sig.subindication) == (
        Indication.TOTAL_FAILED,
        SubIndication.EXPIRED,
    )


@pytest.mark.integration
def test_trusting_another_root_makes_our_signature_indeterminate(
    signed_pdf: bytes, pki, verify_trust: TrustStore
) -> None:
    other = TrustStore(roots=(pki.untrusted_root,))
    report = verify_pdf(signed_pdf, trust=other)
    assert report.indication is Indication.INDETERMINATE
    assert report.signatures[0].subindication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


@pytest.mark.integration
def test_three_signatures_each_reported_and_html_in_both_languages(
    pdfa: bytes, sign_as: Callable[..., bytes], verify_trust: TrustStore
) -> None:
    pdf = pdfa
    for who in ("citizen", "officer", "leader"):
        pdf = sign_as(pdf, who, PadesLevel.B_T)
    report = verify_pdf(pdf, trust=verify_trust)
    assert report.indication is Indication.TOTAL_PASSED
    revisions = [s.changes.signed_revision for s in report.signatures if s.changes]
    assert revisions == [2, 3, 4]
    first = report.signatures[0]
    assert first.changes is not None and first.changes.modification is Modification.FORM_FILLING
    html = render_html(report)
    assert "HỢP LỆ" in html and "VALID" in html and "Nguyễn Văn An" in html
