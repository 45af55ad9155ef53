"""Long-term validation: a signature judged at the time a timestamp proves (EN 319 102-1).

A signature does not lose its worth when its certificate expires, is
revoked later, or when the status data kept in the document is no longer
"fresh": a validated timestamp is a proof of existence (POE), and
EN 319 102-1 (§ 5.5, § 5.6.2.4 past signature validation) judges the
certificate at the time that proof gives. This module decides when such a
second look applies and runs it with pyHanko's own point-in-time validation
(a ``ValidationContext`` with ``moment``), on the validation data the
document carries (DSS/VRI and the CMS revocation archive), never fetched.

Proofs of existence used, from the last revision back:

- a document timestamp that passed proves that every earlier revision
  (signatures, their timestamps, the DSS) existed at its time;
- a signature timestamp that passed proves the signature existed at its time
  (the signing time, "best signature time");
- a timestamp with no later proof proves itself while its TSA certificate
  has not expired at the verification time: only the freshness of its status
  data is then judged against its own time. After the TSA certificate has
  expired, a later document timestamp is needed (that is what B-LTA is for).

Signatures without a timestamp (B-B) get no second look: nothing proves
when they existed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509
from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import (
    DocumentTimestampStatus,
    PdfSignatureStatus,
    SignatureStatus,
)
from pyhanko_certvalidator import ValidationContext

from signing.validation.trust_store import EmbeddedValidationData, TrustStore

TIME_PROBLEMS = frozenset(
    {
        "TRY_LATER",
        "OUT_OF_BOUNDS_NO_POE",
        "OUT_OF_BOUNDS_NOT_REVOKED",
        "REVOKED_NO_POE",
        "REVOKED_CA_NO_POE",
        "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
        # pyHanko files stale or missing status data under this one.
        "CERTIFICATE_CHAIN_GENERAL_FAILURE",
    }
)
"""Trust problems that depend on when a certificate is judged (EN 319 102-1 § 5.6.2.4)."""


@dataclass(frozen=True)
class Proof:
    """A document timestamp that passed: every revision before it existed at :attr:`time`."""

    revision: int
    """pyHanko's 0-based index of the revision the document timestamp covers."""
    time: datetime


@dataclass(frozen=True)
class LongTerm:
    """What a long-term check needs: the anchors, the document's data, the proofs so far."""

    trust: TrustStore
    embedded: EmbeddedValidationData
    validation_time: datetime
    """The verification time (now, unless a later verification is simulated)."""
    proofs: tuple[Proof, ...] = ()

    def context_at(self, moment: datetime) -> ValidationContext:
        return self.trust.past_validation_context(embedded=self.embedded, moment=moment)

    def proof_time(
        self, *, revision: int, own_time: datetime, tsa: x509.Certificate
    ) -> datetime | None:
        """When a timestamp token of ``revision`` is proven to have existed, if it is."""
        later = [p.time for p in self.proofs if p.revision > revision]
        if later:
            return min(later)
        if self.validation_time <= tsa["tbs_certificate"]["validity"]["not_after"].native:
            return own_time
        return None


@dataclass(frozen=True)
class PastSignature:
    """A signature checked again: the signer at :attr:`judged_at`, its timestamp at its proof."""

    status: PdfSignatureStatus
    context: ValidationContext
    """The context the signer's certificate was judged with."""
    judged_at: datetime | None
    """The proven signing time, or ``None`` when the signer passed at the verification time."""


@dataclass(frozen=True)
class PastTimestamp:
    """A document timestamp checked again at the time a later proof gives."""

    status: DocumentTimestampStatus
    judged_at: datetime


def time_problem(status: SignatureStatus) -> bool:
    """Intact and valid, and not trusted for a reason a past judgement can settle."""
    indic = status.trust_problem_indic
    name = str(indic.standard_name) if indic is not None else None
    return status.intact and status.valid and not status.trusted and name in TIME_PROBLEMS


async def past_signature(
    sig: EmbeddedPdfSignature,
    status: PdfSignatureStatus,
    vc: ValidationContext,
    trust_problem: str | None,
    lt: LongTerm,
) -> PastSignature | None:
    """Check ``sig`` again at its proven signing time, when that can change the outcome."""
    ts = status.timestamp_validity
    if not (status.intact and status.valid) or ts is None or not (ts.intact and ts.valid):
        return None
    signer_later = not status.trusted and trust_problem in TIME_PROBLEMS
    token_later = time_problem(ts)
    if not status.trusted and not signer_later:
        return None  # untrusted for a reason that does not depend on time
    if not (signer_later or token_later):
        return None  # nothing to look at again
    if signer_later and not _within_validity(status.signing_cert, ts.timestamp):
        return None  # expired (or not yet valid) at the proven time: nothing to judge there
    revoked = status.revocation_details
    if revoked is not None and revoked.revocation_date <= ts.timestamp:
        return None  # revoked before the proven time: no past judgement can help
    token_vc = vc
    if token_later:
        moment = lt.proof_time(
            revision=sig.signed_revision, own_time=ts.timestamp, tsa=ts.signing_cert
        )
        if moment is None:
            return None
        token_vc = lt.context_at(moment)
    signer_vc = lt.context_at(ts.timestamp) if signer_later else vc
    past = await async_validate_pdf_signature(
        sig, signer_vc, ts_validation_context=token_vc, skip_diff=True
    )
    proven = past.timestamp_validity
    if proven is None or not proven.trusted:
        return None  # the timestamp proves nothing: the check at the verification time stands
    return PastSignature(past, signer_vc, ts.timestamp if signer_later else None)


async def past_timestamp(
    sig: EmbeddedPdfSignature, status: DocumentTimestampStatus, lt: LongTerm
) -> PastTimestamp | None:
    """Check a document timestamp again at the time its proof gives, when that can help."""
    if not time_problem(status):
        return None
    moment = lt.proof_time(
        revision=sig.signed_revision, own_time=status.timestamp, tsa=status.signing_cert
    )
    if moment is None:
        return None
    past = await async_validate_pdf_timestamp(sig, lt.context_at(moment), skip_diff=True)
    return PastTimestamp(past, moment)


def _within_validity(cert: x509.Certificate, moment: datetime) -> bool:
    validity = cert["tbs_certificate"]["validity"]
    return bool(validity["not_before"].native <= moment <= validity["not_after"].native)


def with_proof(lt: LongTerm, proofs: Iterable[Proof]) -> LongTerm:
    return LongTerm(lt.trust, lt.embedded, lt.validation_time, (*lt.proofs, *proofs))
