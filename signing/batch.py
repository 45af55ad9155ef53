"""Batch signing: a leader approves many results at once.

The key is unlocked once (one PKCS#11 session, one PIN check) and every
document goes through the two steps of :mod:`signing.external`. When the
backend can sign many digests in one round trip (a remote service, see
:class:`~signing.ports.BatchDigestSigner`), all digests go in one call
(one CSC ``signatures/signHash``). A document that fails step 1 (already
signed field, damaged PDF) is reported and the others are still signed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pyhanko.sign.signers import Signer as PyHankoSigner

from signing import errors
from signing.errors import SigningError
from signing.external import PendingSignature, complete_external, prepare_external
from signing.model import CertificateCheck, SignedDocument
from signing.pades import SignOptions, run
from signing.ports import BatchDigestSigner, Signer
from signing.trust import TrustSettings

ProgressCallback = Callable[[int, int, str], None]
"""Called as ``progress(done, total, phase)``; phase is ``prepared``, ``signed`` or ``done``."""


@dataclass(frozen=True)
class BatchItem:
    """One document's outcome: ``result`` or ``error``, never both."""

    index: int
    result: SignedDocument | None = None
    error: SigningError | None = None


def sign_batch(
    pdfs: Sequence[bytes],
    *,
    signer: Signer,
    trust: TrustSettings,
    options: SignOptions | None = None,
    progress: ProgressCallback | None = None,
) -> list[BatchItem]:
    """Sign every PDF of ``pdfs`` with one unlock of ``signer``; results in input order.

    A wrong PIN or an unfit certificate fails the whole batch (raised);
    problems of one document are reported in its :class:`BatchItem`.
    """
    opts = options or SignOptions()
    report = progress or (lambda done, total, phase: None)
    with signer.open() as pyhanko_signer:
        return run(_sign_all(pdfs, pyhanko_signer, trust=trust, options=opts, report=report))


async def _sign_all(
    pdfs: Sequence[bytes],
    pyhanko_signer: PyHankoSigner,
    *,
    trust: TrustSettings,
    options: SignOptions,
    report: ProgressCallback,
) -> list[BatchItem]:
    cert = pyhanko_signer.signing_cert
    chain = tuple(c for c in pyhanko_signer.cert_registry if c != cert)
    total = len(pdfs)
    items: dict[int, BatchItem] = {}
    pending: dict[int, PendingSignature] = {}
    check: CertificateCheck | None = None
    for index, pdf in enumerate(pdfs):
        try:
            pending[index] = await prepare_external(
                pdf,
                certificate=cert,
                chain=chain,
                trust=trust,
                options=options,
                known_check=check,
            )
            check = pending[index].check
        except SigningError as exc:
            if _fails_whole_batch(exc):
                raise
            items[index] = BatchItem(index, error=exc)
        report(index + 1, total, "prepared")
    values = await _raw_signatures(pyhanko_signer, list(pending.values()), report, total)
    shared = trust.validation_context()  # revocation data fetched once for the batch
    for done, (index, value) in enumerate(zip(pending, values, strict=True), start=1):
        try:
            items[index] = BatchItem(
                index,
                result=await complete_external(pending[index], value, trust=trust, context=shared),
            )
        except SigningError as exc:
            items[index] = BatchItem(index, error=exc)
        report(done, len(pending), "done")
    return [items[i] for i in range(total)]


async def _raw_signatures(
    pyhanko_signer: PyHankoSigner,
    pending: list[PendingSignature],
    report: ProgressCallback,
    total: int,
) -> list[bytes]:
    if not pending:
        return []
    digest = pending[0].digest
    if isinstance(pyhanko_signer, BatchDigestSigner):
        values = await pyhanko_signer.async_sign_digests(
            [p.digest_to_sign for p in pending], digest
        )
        report(len(pending), total, "signed")
        return values
    values = []
    for done, item in enumerate(pending, start=1):
        values.append(await pyhanko_signer.async_sign_raw(item.data_to_sign, digest.value))
        report(done, total, "signed")
    return values


def _fails_whole_batch(exc: SigningError) -> bool:
    """Certificate and service problems are the same for every document."""
    return isinstance(exc, _WHOLE_BATCH_ERRORS)


_WHOLE_BATCH_ERRORS = (
    errors.CertificateRevokedError,
    errors.CertificateExpiredError,
    errors.CertificateNotTrustedError,
    errors.RevocationUnavailableError,
    errors.WeakAlgorithmError,
    errors.TimestampUnavailableError,
)
