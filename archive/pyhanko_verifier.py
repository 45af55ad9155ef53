"""Signature verification with pyHanko directly, against given trust roots.

A stand-in for the signing package's verification module (issue 8) behind
the :class:`~archive.ports.SignatureVerifier` port. Revocation is checked
with what the document carries (and fetched when ``allow_fetching``);
status that cannot be obtained gives INDETERMINATE, never a pass.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from asn1crypto import x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko_certvalidator import ValidationContext

from archive.errors import ArchiveError
from archive.ports import Indication, SignatureSummary, VerificationSummary

_RANK = {Indication.TOTAL_PASSED: 0, Indication.INDETERMINATE: 1, Indication.TOTAL_FAILED: 2}


class PyHankoVerifier:
    """Verify PAdES signatures with pyHanko's validator."""

    def __init__(
        self,
        trust_roots: Sequence[x509.Certificate],
        *,
        other_certs: Sequence[x509.Certificate] = (),
        allow_fetching: bool = False,
    ) -> None:
        self._roots = list(trust_roots)
        self._others = list(other_certs)
        self._fetch = allow_fetching

    def _context(self, reader: PdfFileReader) -> ValidationContext:
        try:
            dss = DocumentSecurityStore.read_dss(reader)
        except NoDSSFoundError:
            dss = None
        if dss is not None:
            return dss.as_validation_context(
                {
                    "trust_roots": self._roots,
                    "other_certs": self._others,
                    "allow_fetching": self._fetch,
                    "revocation_mode": "soft-fail",
                }
            )
        return ValidationContext(
            trust_roots=self._roots,
            other_certs=self._others,
            allow_fetching=self._fetch,
            revocation_mode="soft-fail",
        )

    def verify_pdf(self, pdf: bytes) -> VerificationSummary:
        """See :meth:`archive.ports.SignatureVerifier.verify_pdf`."""
        if b"/ByteRange" not in pdf:
            # A signature's byte range and value sit uncompressed in the file (they
            # cannot live in an object stream), so without one nothing is signed.
            return VerificationSummary(Indication.TOTAL_PASSED, report={"signatures": []})
        try:
            reader = PdfFileReader(io.BytesIO(pdf), strict=False)
            sigs = [
                s
                for s in reader.embedded_signatures
                if s.sig_object.get("/Type") != "/DocTimeStamp"
            ]
        except (PdfError, ValueError, KeyError) as exc:
            raise ArchiveError(
                "Không đọc được tệp PDF để kiểm tra chữ ký.",
                "The PDF cannot be read to verify its signatures.",
                code="archive.unreadable_pdf",
            ) from exc
        summaries = []
        reports: list[dict[str, Any]] = []
        for sig in sigs:
            summary, report = self._verify_one(sig, reader)
            summaries.append(summary)
            reports.append(report)
        worst = max((s.indication for s in summaries), key=_RANK.__getitem__, default=None)
        return VerificationSummary(
            indication=worst or Indication.TOTAL_PASSED,
            signatures=tuple(summaries),
            report={"verifier": "pyhanko", "signatures": reports},
        )

    def _verify_one(self, sig: Any, reader: PdfFileReader) -> tuple[SignatureSummary, dict]:
        try:
            status = validate_pdf_signature(sig, self._context(reader))
        except (PdfError, ValueError) as exc:
            summary = SignatureSummary(sig.field_name, Indication.TOTAL_FAILED, "FORMAT_FAILURE")
            return summary, {"field": sig.field_name, "error": str(exc)}
        indication, sub = _classify(status)
        signer = status.signing_cert.subject.native.get("common_name", "")
        when = status.signer_reported_dt.isoformat() if status.signer_reported_dt else ""
        report = {
            "field": sig.field_name,
            "indication": indication.value,
            "sub_indication": sub,
            "signer": signer,
            "signing_time": when,
            "intact": status.intact,
            "valid": status.valid,
            "trusted": status.trusted,
            "coverage": str(status.coverage),
            "modification_level": str(status.modification_level),
            "docmdp_ok": status.docmdp_ok,
        }
        return SignatureSummary(sig.field_name, indication, sub, signer, when), report


def _classify(status: Any) -> tuple[Indication, str]:
    if not status.intact:
        return Indication.TOTAL_FAILED, "HASH_FAILURE"
    if not status.valid:
        return Indication.TOTAL_FAILED, "SIG_CRYPTO_FAILURE"
    if status.docmdp_ok is False:
        return Indication.TOTAL_FAILED, "FORMAT_FAILURE"
    if not status.trusted:
        return Indication.INDETERMINATE, "NO_CERTIFICATE_CHAIN_FOUND"
    if getattr(status, "revoked", False):
        return Indication.TOTAL_FAILED, "REVOKED"
    return Indication.TOTAL_PASSED, ""
