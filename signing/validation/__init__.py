"""Verification of PDF signatures and document timestamps (ETSI EN 319 102-1).

What other packages call:

- :func:`verify_pdf` (bytes in, :class:`VerificationReport` out) with a
  :class:`TrustStore` and a :class:`RevocationPolicy`; the archive ingest,
  the portal and ``eforms verify`` all use it; :func:`open_pdf` reads a file
  once when several reports are made of it;
- renderings of a report: :func:`report_json` (validated against
  ``schemas/verification-report.schema.json``), :func:`render_html`,
  :func:`render_pdf` (WeasyPrint), and :func:`etsi_xml_report` (the ETSI TS
  119 102-2 XML report, made by pyHanko).

The verdict is ours (:mod:`signing.validation.verdict`), not pyHanko's
``bottom_line``: coverage and later changes count; a timestamped signature
whose certificate has since expired or been revoked is judged at the time
its timestamp proves (:mod:`signing.validation.long_term`). Unreadable input
raises :class:`UnreadablePdfError`; a check that raises is reported, never
passed.
"""

from signing.validation.errors import (
    DocumentTooLargeError,
    TooManySignaturesError,
    TrustAnchorError,
    UnreadablePdfError,
    VerificationInputError,
)
from signing.validation.etsi_report import etsi_xml_report
from signing.validation.model import (
    CertificateInfo,
    CertificateStatus,
    ChangesAfter,
    Coverage,
    Indication,
    Modification,
    Problem,
    RevocationPolicy,
    SignatureKind,
    SignatureReport,
    SubIndication,
    VerificationReport,
    report_from_dict,
)
from signing.validation.pdf_input import OpenedPdf, open_pdf
from signing.validation.rendering import render_html, render_pdf, report_json
from signing.validation.service import Verifier
from signing.validation.trust_store import TrustStore
from signing.validation.verifier import verify_pdf

__all__ = [
    "CertificateInfo",
    "CertificateStatus",
    "ChangesAfter",
    "Coverage",
    "DocumentTooLargeError",
    "Indication",
    "Modification",
    "OpenedPdf",
    "Problem",
    "RevocationPolicy",
    "SignatureKind",
    "SignatureReport",
    "SubIndication",
    "TooManySignaturesError",
    "TrustAnchorError",
    "TrustStore",
    "UnreadablePdfError",
    "VerificationInputError",
    "VerificationReport",
    "Verifier",
    "etsi_xml_report",
    "open_pdf",
    "render_html",
    "render_pdf",
    "report_from_dict",
    "report_json",
    "verify_pdf",
]
