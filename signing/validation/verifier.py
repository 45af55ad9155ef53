"""``verify_pdf``: every signature and document timestamp of a PDF, one report.

Used by ``eforms verify``, the portal's auditor and public pages, the JSON
API and the archive ingest, so that all of them reach the same verdict.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any, TypeVar

from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext

from signing.validation import wording
from signing.validation.long_term import LongTerm, Proof, with_proof
from signing.validation.model import (
    Indication,
    RevocationPolicy,
    SignatureKind,
    SignatureReport,
    SubIndication,
    VerificationReport,
    worst,
)
from signing.validation.pdf_input import (
    DEFAULT_MAX_BYTES,
    BrokenSignature,
    OpenedPdf,
    Signature,
    field_name,
    open_pdf,
)
from signing.validation.pyhanko_checks import (
    CheckContext,
    check_signature,
    failed_report,
    is_document_timestamp,
)
from signing.validation.trust_store import TrustStore

T = TypeVar("T")
DEFAULT_MAX_SIGNATURES = 600


def verify_pdf(
    data: bytes | OpenedPdf,
    *,
    trust: TrustStore,
    revocation: RevocationPolicy = RevocationPolicy.BOTH,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_signatures: int = DEFAULT_MAX_SIGNATURES,
    validation_time: datetime | None = None,
) -> VerificationReport:
    """Verify every signature and document timestamp in ``data``.

    ``data`` is the PDF, or what :func:`open_pdf` read from it (to make
    another report of the same reading). Raises :class:`UnreadablePdfError`
    when it is not a readable PDF and :class:`DocumentTooLargeError` above
    ``max_bytes``. A document without signatures, or with more than
    ``max_signatures``, gets an INDETERMINATE report saying so.

    ``validation_time`` verifies as of another moment than now (pyHanko's
    point-in-time validation), e.g. to see what an archive will answer
    years from now; only with :attr:`RevocationPolicy.EMBEDDED`, as status
    data fetched now says nothing about that moment.
    """
    if validation_time is not None and revocation is not RevocationPolicy.EMBEDDED:
        raise ValueError("validation_time needs RevocationPolicy.EMBEDDED")
    pdf = data if isinstance(data, OpenedPdf) else open_pdf(data, max_bytes=max_bytes)
    verification_time = (validation_time or datetime.now(UTC)).replace(microsecond=0)
    base = VerificationReport(
        indication=Indication.INDETERMINATE,
        subindication=None,
        signatures=(),
        verification_time=verification_time,
        document_sha256=hashlib.sha256(pdf.data).hexdigest(),
        document_size=len(pdf.data),
        revocation_policy=revocation,
        trust_anchors=trust.anchor_names(),
        engine=f"pyHanko {version('pyHanko')}",
    )
    if not pdf.signatures:
        return dataclasses.replace(base, problems=(wording.problem("no_signature"),))
    if len(pdf.signatures) > max_signatures:
        detail = f"{len(pdf.signatures)} > {max_signatures}"
        return dataclasses.replace(base, problems=(wording.problem("too_many", detail),))
    ctx = CheckContext(
        total_revisions=pdf.reader.xrefs.total_revisions,
        long_term=LongTerm(trust, pdf.embedded, verification_time),
        unaccounted_tail=not pdf.data[-4096:].rstrip().endswith(b"%%EOF"),
    )
    vc = trust.validation_context(
        revocation=revocation, embedded=pdf.embedded, moment=validation_time
    )
    reports = run_async(_check_all(pdf.signatures, vc, ctx))
    reports = _with_lta_levels(reports)
    indication = worst([r.indication for r in reports])
    first_bad = next((r for r in reports if r.indication is indication), None)
    report = dataclasses.replace(
        base,
        indication=indication,
        subindication=first_bad.subindication if first_bad else None,
        signatures=tuple(reports),
    )
    if pdf.repaired:
        # A damaged file read only by repairing it is never a pass.
        return dataclasses.replace(
            report,
            indication=worst([indication, Indication.INDETERMINATE]),
            subindication=report.subindication or SubIndication.FORMAT_FAILURE,
            problems=(wording.problem("damaged"),),
        )
    return report


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run``, also from code that already runs an event loop (in a worker thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _check_all(
    signatures: tuple[Signature, ...], vc: ValidationContext, ctx: CheckContext
) -> list[SignatureReport]:
    """Check every signature; the latest first, so document timestamps that pass
    can prove the existence of what came before them (long-term validation).

    One context for the document: certificates, paths and revocation data
    fetched for one signature serve the others (same document, same moment).
    """
    reports: dict[int, SignatureReport] = {}
    # ``signatures`` is in revision order, the unparseable ones at the end.
    for index in reversed(range(len(signatures))):
        sig = signatures[index]
        report = await _check_one(sig, index, vc, ctx)
        reports[index] = report
        if (
            isinstance(sig, EmbeddedPdfSignature)
            and report.kind is SignatureKind.DOCUMENT_TIMESTAMP
            and report.indication is Indication.TOTAL_PASSED
            and report.signing_time is not None
        ):
            proof = Proof(revision=sig.signed_revision, time=report.signing_time)
            ctx = dataclasses.replace(ctx, long_term=with_proof(ctx.long_term, [proof]))
    return [reports[i] for i in range(len(signatures))]


async def _check_one(
    sig: Signature, index: int, vc: ValidationContext, ctx: CheckContext
) -> SignatureReport:
    name = field_name(sig, index)
    if isinstance(sig, BrokenSignature):
        return failed_report(field_name=name, kind=sig.kind, exc=sig.error, format_failure=True)
    kind = (
        SignatureKind.DOCUMENT_TIMESTAMP if is_document_timestamp(sig) else SignatureKind.SIGNATURE
    )
    try:
        return await check_signature(sig, vc, ctx)
    except SignatureValidationError as exc:
        # pyHanko names malformed signatures (bad /SubFilter, CMS, /ByteRange).
        return failed_report(field_name=name, kind=kind, exc=exc, format_failure=True)
    except Exception as exc:  # noqa: BLE001 - the cause goes into the report; never a pass
        return failed_report(field_name=name, kind=kind, exc=exc, format_failure=False)


def _with_lta_levels(reports: list[SignatureReport]) -> list[SignatureReport]:
    """B-LT signatures followed by a valid document timestamp reach B-LTA."""
    stamps = [
        r.changes.signed_revision
        for r in reports
        if r.kind is SignatureKind.DOCUMENT_TIMESTAMP
        and r.indication is Indication.TOTAL_PASSED
        and r.changes is not None
    ]
    result = []
    for r in reports:
        later = r.changes is not None and any(rev > r.changes.signed_revision for rev in stamps)
        if r.pades_level == "B-LT" and later:
            r = dataclasses.replace(r, pades_level="B-LTA")
        result.append(r)
    return result


__all__ = ["verify_pdf"]
