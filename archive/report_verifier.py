"""The archive's signature check through the project's verification (issue 8).

Ingest verifies every signed document with the same code and verdict as
auditors and the public page; this adapter maps that report onto the small
``SignatureVerifier`` port. Certificate status comes from what the
documents carry (PAdES B-LT/B-LTA embed it); the portal's wiring lets the
verifier fetch what is missing (B-B/B-T documents).
"""

from __future__ import annotations

import hashlib

from archive.errors import ArchiveError
from archive.ports import DocumentProblem, Indication, SignatureSummary, VerificationSummary
from signing.validation import (
    RevocationPolicy,
    SignatureReport,
    TrustStore,
    VerificationInputError,
    verify_pdf,
)

UNSIGNED = "no_signature"
"""The report's problem code for a PDF without signatures: not a problem here."""


class ReportVerifier:
    """:class:`archive.ports.SignatureVerifier` over ``signing.validation.verify_pdf``."""

    def __init__(
        self, trust: TrustStore, *, revocation: RevocationPolicy = RevocationPolicy.EMBEDDED
    ) -> None:
        self.trust = trust
        self.revocation = revocation
        self._anchors = frozenset(hashlib.sha256(root.dump()).hexdigest() for root in trust.roots)

    def verify_pdf(self, pdf: bytes) -> VerificationSummary:
        try:
            report = verify_pdf(pdf, trust=self.trust, revocation=self.revocation)
        except VerificationInputError as exc:
            raise ArchiveError(
                exc.message_vi, exc.message_en, code="archive.unreadable_pdf"
            ) from exc
        problems = tuple(
            DocumentProblem(p.code, p.message_vi, p.message_en)
            for p in report.problems
            if p.code != UNSIGNED
        )
        if not report.signatures and not problems:
            return VerificationSummary(Indication.TOTAL_PASSED, (), report.to_dict())
        signatures = tuple(self._summary(s) for s in report.signatures)
        indication = Indication(str(report.indication.value))
        return VerificationSummary(indication, signatures, report.to_dict(), problems)

    def _summary(self, s: SignatureReport) -> SignatureSummary:
        return SignatureSummary(
            field_name=s.field_name,
            indication=Indication(str(s.indication.value)),
            sub_indication=s.subindication.value if s.subindication else "",
            signer=s.signer.subject if s.signer else "",
            signing_time=s.signing_time.isoformat() if s.signing_time else "",
            chain_anchored=bool(s.chain) and s.chain[-1].sha256 in self._anchors,
            timestamp_ok=s.timestamp_valid,
        )
