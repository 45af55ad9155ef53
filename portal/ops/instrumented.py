"""The core's signing, verification and fixity calls as the portal makes them: counted and timed.

Core packages know nothing of Prometheus. The portal signs through
:func:`sign_document` and :func:`sign_batch` here (same arguments as
:mod:`signing`'s), verifies through :class:`ObservedVerifier` (the app's
``services().verifier``) and :class:`ObservedSignatureVerifier` (archive
ingest), and reports fixity audits with :func:`count_fixity_failures`; the
prefill resolver's failures reach :func:`count_prefill_failure` through the
observer :mod:`portal.services` wires. Labels come from closed sets only
(see :mod:`portal.ops.metrics`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import signing
from archive.errors import ArchiveError
from archive.ports import SignatureVerifier, VerificationSummary
from eforms.errors import EformsError
from forms_builder.prefill import SourceFailure
from portal.ops.metrics import (
    FIXITY_FAILURES,
    PREFILL_ERRORS,
    SIGNATURES,
    SIGNING_SECONDS,
    VERIFICATION_REFUSED,
    VERIFICATIONS,
    VERIFY_SECONDS,
)
from signing import BatchItem, Pkcs11Signer, Pkcs12Signer, RemoteSigner, SignedDocument
from signing.batch import ProgressCallback
from signing.pades import SignOptions
from signing.ports import Signer
from signing.trust import TrustSettings
from signing.validation import OpenedPdf, VerificationInputError, VerificationReport, Verifier

__all__ = [
    "ObservedSignatureVerifier",
    "ObservedVerifier",
    "count_fixity_failures",
    "count_prefill_failure",
    "sign_batch",
    "sign_document",
    "signer_backend",
]

OK = "ok"
UNEXPECTED = "unexpected"
"""The outcome of a signature that failed with something other than a project error."""

_BACKENDS: tuple[tuple[type, str], ...] = (
    (Pkcs12Signer, "pkcs12"),
    (Pkcs11Signer, "pkcs11"),
    (RemoteSigner, "remote"),
)


def signer_backend(signer: Signer) -> str:
    """``pkcs12``, ``pkcs11``, ``remote`` or ``other``: where the key lives."""
    return next((name for kind, name in _BACKENDS if isinstance(signer, kind)), "other")


def _outcome(exc: Exception) -> str:
    return exc.code if isinstance(exc, EformsError) else UNEXPECTED


def sign_document(
    pdf: bytes,
    *,
    signer: Signer,
    trust: TrustSettings,
    options: SignOptions | None = None,
) -> SignedDocument:
    """:func:`signing.sign_document`, counted by outcome and timed when it succeeds."""
    labels = (signer_backend(signer), (options or SignOptions()).level.value)
    started = time.perf_counter()
    try:
        signed = signing.sign_document(pdf, signer=signer, trust=trust, options=options)
    except Exception as exc:  # counted, then raised as it was
        SIGNATURES.labels(*labels, _outcome(exc)).inc()
        raise
    SIGNING_SECONDS.labels(*labels).observe(time.perf_counter() - started)
    SIGNATURES.labels(*labels, OK).inc()
    return signed


def sign_batch(
    pdfs: Sequence[bytes],
    *,
    signer: Signer,
    trust: TrustSettings,
    options: SignOptions | None = None,
    progress: ProgressCallback | None = None,
) -> list[BatchItem]:
    """:func:`signing.sign_batch`, each document counted by its outcome.

    The batch shares one unlock and one round of revocation data, so each
    signed document is timed as the batch's time divided among its documents.
    A batch refused as a whole (wrong PIN, revoked certificate) counts every
    document as failed with that error.
    """
    labels = (signer_backend(signer), (options or SignOptions()).level.value)
    started = time.perf_counter()
    try:
        items = signing.sign_batch(
            pdfs, signer=signer, trust=trust, options=options, progress=progress
        )
    except Exception as exc:  # counted, then raised as it was
        SIGNATURES.labels(*labels, _outcome(exc)).inc(len(pdfs))
        raise
    share = (time.perf_counter() - started) / max(1, len(pdfs))
    for item in items:
        if item.result is not None:
            SIGNING_SECONDS.labels(*labels).observe(share)
            SIGNATURES.labels(*labels, OK).inc()
        else:
            SIGNATURES.labels(*labels, item.error.code if item.error else UNEXPECTED).inc()
    return items


class ObservedVerifier(Verifier):
    """The app's :class:`~signing.validation.Verifier`, counting each verdict and its time.

    A file refused before any signature is checked (not a PDF, too big, too
    many signatures) counts as ``refused``, once, whichever call refused it.
    """

    def open(
        self, data: bytes, *, max_bytes: int | None = None, max_signatures: int | None = None
    ) -> OpenedPdf:
        try:
            return super().open(data, max_bytes=max_bytes, max_signatures=max_signatures)
        except VerificationInputError:
            VERIFICATIONS.labels(VERIFICATION_REFUSED).inc()
            raise

    def verify(
        self,
        data: bytes | OpenedPdf,
        *,
        max_bytes: int | None = None,
        max_signatures: int | None = None,
    ) -> VerificationReport:
        started = time.perf_counter()
        pdf = (
            data
            if isinstance(data, OpenedPdf)
            else self.open(data, max_bytes=max_bytes, max_signatures=max_signatures)
        )
        report = super().verify(pdf)
        VERIFY_SECONDS.observe(time.perf_counter() - started)
        VERIFICATIONS.labels(report.indication.value).inc()
        return report


class ObservedSignatureVerifier:
    """An :class:`archive.ports.SignatureVerifier` that counts what ``inner`` decides."""

    def __init__(self, inner: SignatureVerifier) -> None:
        self.inner = inner

    def verify_pdf(self, pdf: bytes) -> VerificationSummary:
        started = time.perf_counter()
        try:
            summary = self.inner.verify_pdf(pdf)
        except ArchiveError:  # the port raises only when the bytes are not a PDF
            VERIFICATIONS.labels(VERIFICATION_REFUSED).inc()
            raise
        VERIFY_SECONDS.observe(time.perf_counter() - started)
        VERIFICATIONS.labels(summary.indication.value).inc()
        return summary


def count_prefill_failure(source: str, failure: SourceFailure) -> None:
    """The prefill resolver's ``on_source_failure`` observer."""
    PREFILL_ERRORS.labels(source, failure.value).inc()


def count_fixity_failures(totals: Mapping[str, int]) -> None:
    """Add a fixity audit's non-``ok`` totals (changed, missing, unexpected, errors)."""
    for outcome, count in totals.items():
        if outcome != OK and count:
            FIXITY_FAILURES.labels(outcome).inc(count)
