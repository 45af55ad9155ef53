"""The archive's signature check through the project's verification (issue 8).

Ingest verifies every signed document with the same code and verdict as
auditors and the public page; this adapter maps that report onto the small
``SignatureVerifier`` port. Certificate status comes from what the
documents carry (PAdES B-LT/B-LTA embed it); the portal's wiring lets the
verifier fetch what is missing (B-B/B-T documents).
"""

from __future__ import annotations

from archive.errors import ArchiveError
from archive.ports import Indication, SignatureSummary, VerificationSummary
from signing.validation import RevocationPolicy, TrustStore, VerificationInputError, verify_pdf


class ReportVerifier:
    """:class:`archive.ports.SignatureVerifier` over ``signing.validation.verify_pdf``."""

    def __init__(
        self, trust: TrustStore, *, revocation: RevocationPolicy = RevocationPolicy.EMBEDDED
    ) -> None:
        self.trust = trust
        self.revocation = revocation

    def verify_pdf(self, pdf: bytes) -> VerificationSummary:
        try:
            report = verify_pdf(pdf, trust=self.trust, revocation=self.revocation)
        except VerificationInputError as exc:
            raise ArchiveError(
                exc.message_vi, exc.message_en, code="archive.unreadable_pdf"
            ) from exc
        if not report.signatures:
            return VerificationSummary(Indication.TOTAL_PASSED, (), report.to_dict())
        signatures = tuple(
            SignatureSummary(
                field_name=s.field_name,
                indication=Indication(str(s.indication.value)),
                sub_indication=s.subindication.value if s.subindication else "",
                signer=s.signer.subject if s.signer else "",
                signing_time=s.signing_time.isoformat() if s.signing_time else "",
            )
            for s in report.signatures
        )
        return VerificationSummary(
            Indication(str(report.indication.value)), signatures, report.to_dict()
        )
