"""``verify_pdf``: every signature and document timestamp of a PDF, one report.

Used by ``eforms verify``, the portal's auditor and public pages, the JSON
API and the archive ingest, so that all of them reach the same verdict.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import io
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any, TypeVar

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from signing.validation import wording
from signing.validation.errors import DocumentTooLargeError, UnreadablePdfError
from signing.validation.model import (
    Indication,
    RevocationPolicy,
    SignatureKind,
    SignatureReport,
    SubIndication,
    VerificationReport,
    worst,
)
from signing.validation.pyhanko_checks import (
    CheckContext,
    check_signature,
    failed_report,
    is_document_timestamp,
)
from signing.validation.trust_store import EmbeddedValidationData, TrustStore

T = TypeVar("T")
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_SIGNATURES = 600


@dataclass(frozen=True)
class BrokenSignature:
    """A filled signature field whose signature cannot even be parsed."""

    field_name: str
    kind: SignatureKind
    error: Exception


Signature = EmbeddedPdfSignature | BrokenSignature
READ_ERRORS = (PdfError, SignatureValidationError, ValueError, KeyError, TypeError, IndexError)


def verify_pdf(
    data: bytes,
    *,
    trust: TrustStore,
    revocation: RevocationPolicy = RevocationPolicy.BOTH,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_signatures: int = DEFAULT_MAX_SIGNATURES,
) -> VerificationReport:
    """Verify every signature and document timestamp in ``data``.

    Raises :class:`UnreadablePdfError` when ``data`` is not a readable PDF
    and :class:`DocumentTooLargeError` above ``max_bytes``. A document
    without signatures, or with more than ``max_signatures``, gets an
    INDETERMINATE report saying so.
    """
    if len(data) > max_bytes:
        raise DocumentTooLargeError(
            f"Tệp quá lớn ({len(data)} byte; tối đa {max_bytes}).",
            f"The file is too large ({len(data)} bytes; at most {max_bytes}).",
            details={"size": len(data), "max_bytes": max_bytes},
        )
    reader, signatures, embedded, lenient = _open(data)
    base = VerificationReport(
        indication=Indication.INDETERMINATE,
        subindication=None,
        signatures=(),
        verification_time=datetime.now(UTC).replace(microsecond=0),
        document_sha256=hashlib.sha256(data).hexdigest(),
        document_size=len(data),
        revocation_policy=revocation,
        trust_anchors=trust.anchor_names(),
        engine=f"pyHanko {version('pyHanko')}",
    )
    if not signatures:
        return dataclasses.replace(base, problems=(wording.problem("no_signature"),))
    if len(signatures) > max_signatures:
        detail = f"{len(signatures)} > {max_signatures}"
        return dataclasses.replace(base, problems=(wording.problem("too_many", detail),))
    ctx = CheckContext(
        total_revisions=reader.xrefs.total_revisions,
        embedded=embedded,
        unaccounted_tail=not data[-4096:].rstrip().endswith(b"%%EOF"),
    )
    reports = run_async(_check_all(signatures, trust, revocation, ctx))
    reports = _with_lta_levels(reports)
    indication = worst([r.indication for r in reports])
    first_bad = next((r for r in reports if r.indication is indication), None)
    report = dataclasses.replace(
        base,
        indication=indication,
        subindication=first_bad.subindication if first_bad else None,
        signatures=tuple(reports),
    )
    if lenient:
        # A damaged file read only by repairing it is never a pass.
        return dataclasses.replace(
            report,
            indication=worst([indication, Indication.INDETERMINATE]),
            subindication=report.subindication or SubIndication.FORMAT_FAILURE,
            problems=(wording.problem("damaged"),),
        )
    return report


def _open(data: bytes) -> tuple[PdfFileReader, list[Signature], EmbeddedValidationData, bool]:
    """Read ``data`` strictly, else leniently (the last value says so), else refuse."""
    if b"%PDF-" not in data[:1024]:
        raise UnreadablePdfError(
            "Tệp không phải là PDF (không có phần đầu %PDF-).",
            "The file is not a PDF (no %PDF- header).",
        )
    first_error: Exception | None = None
    for strict in (True, False):
        try:
            reader = PdfFileReader(io.BytesIO(data), strict=strict)
            return reader, _collect_signatures(reader), _embedded_data(reader), not strict
        except READ_ERRORS as exc:
            first_error = first_error or exc
    raise UnreadablePdfError(
        f"Không đọc được tệp PDF (hỏng hoặc bị cắt cụt): {first_error}.",
        f"The PDF cannot be read (damaged or truncated): {first_error}.",
        details={"reason": f"{type(first_error).__name__}: {first_error}"[:300]},
    ) from first_error


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run``, also from code that already runs an event loop (in a worker thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _embedded_data(reader: PdfFileReader) -> EmbeddedValidationData:
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return EmbeddedValidationData()
    ocsps = tuple(ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps)
    crls = tuple(asn1_crl.CertificateList.load(ref.get_object().data) for ref in dss.crls)
    return EmbeddedValidationData(certs=tuple(dss.load_certs()), ocsps=ocsps, crls=crls)


async def _check_all(
    signatures: list[Signature],
    trust: TrustStore,
    revocation: RevocationPolicy,
    ctx: CheckContext,
) -> list[SignatureReport]:
    reports = []
    # One context for the document: certificates, paths and revocation data
    # fetched for one signature serve the others (same document, same moment).
    vc = trust.validation_context(revocation=revocation, embedded=ctx.embedded)
    for index, sig in enumerate(signatures):
        field_name = _field_name(sig, index)
        if isinstance(sig, BrokenSignature):
            reports.append(
                failed_report(
                    field_name=field_name, kind=sig.kind, exc=sig.error, format_failure=True
                )
            )
            continue
        kind = (
            SignatureKind.DOCUMENT_TIMESTAMP
            if is_document_timestamp(sig)
            else SignatureKind.SIGNATURE
        )
        try:
            reports.append(await check_signature(sig, vc, ctx))
        except SignatureValidationError as exc:
            # pyHanko names malformed signatures (bad /SubFilter, CMS, /ByteRange).
            reports.append(
                failed_report(field_name=field_name, kind=kind, exc=exc, format_failure=True)
            )
        except Exception as exc:  # noqa: BLE001 - the cause goes into the report; never a pass
            reports.append(
                failed_report(field_name=field_name, kind=kind, exc=exc, format_failure=False)
            )
    return reports


def _collect_signatures(reader: PdfFileReader) -> list[Signature]:
    """Every filled signature field; unlike pyHanko's list, broken ones are kept."""
    good: list[EmbeddedPdfSignature] = []
    broken: list[Signature] = []
    for name, sig_obj, sig_field in enumerate_sig_fields(reader, filled_status=True):
        kind = (
            SignatureKind.DOCUMENT_TIMESTAMP
            if sig_obj.get_object().get("/Type") == "/DocTimeStamp"
            else SignatureKind.SIGNATURE
        )
        try:
            sig = EmbeddedPdfSignature(reader, sig_field, name)
        except (PdfError, ValueError, KeyError, TypeError, IndexError, AssertionError) as exc:
            broken.append(BrokenSignature(str(name), kind, exc))
            continue
        good.append(sig)
    return [*sorted(good, key=lambda s: s.signed_revision), *broken]


def _field_name(sig: EmbeddedPdfSignature | BrokenSignature, index: int) -> str:
    try:
        return str(sig.field_name)
    except (KeyError, TypeError, ValueError):
        return f"#{index + 1}"


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
