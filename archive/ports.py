"""Ports of the archive package.

Signature verification is built by the signing package (issue 8); the
archive needs only this small contract, so the wiring can switch adapters
without touching ingest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Indication(StrEnum):
    """ETSI EN 319 102-1 main indications."""

    TOTAL_PASSED = "TOTAL_PASSED"
    TOTAL_FAILED = "TOTAL_FAILED"
    INDETERMINATE = "INDETERMINATE"


@dataclass(frozen=True)
class SignatureSummary:
    """The verdict on one signature of a document."""

    field_name: str
    indication: Indication
    sub_indication: str = ""
    """ETSI sub-indication (``HASH_FAILURE``, ``NO_CERTIFICATE_CHAIN_FOUND``...)."""
    signer: str = ""
    """Subject common name of the signing certificate."""
    signing_time: str = ""
    chain_anchored: bool = False
    """The signer's certificate path was built up to one of the verifier's trust
    anchors (true for a chain whose revocation status only could not be fetched;
    false for a self-signed or unknown issuer)."""
    timestamp_ok: bool | None = None
    """The signature timestamp verified; ``None`` when the signature has none."""


@dataclass(frozen=True)
class DocumentProblem:
    """A problem of the document as a whole (damaged file, too many signatures)."""

    code: str
    message_vi: str
    message_en: str


@dataclass(frozen=True)
class VerificationSummary:
    """The verdict on all signatures of one PDF, and the full report for PREMIS."""

    indication: Indication
    """Worst indication over the signatures; TOTAL_PASSED when none is signed."""
    signatures: tuple[SignatureSummary, ...] = ()
    report: Mapping[str, Any] = field(default_factory=dict)
    """JSON-ready report, stored as is in the PREMIS event detail."""
    problems: tuple[DocumentProblem, ...] = ()
    """Document-level problems: any of them means the signatures are not proven."""

    @property
    def signed(self) -> bool:
        return bool(self.signatures)


class SignatureVerifier(Protocol):
    """Verifies every signature of a PDF against configured trust anchors."""

    def verify_pdf(self, pdf: bytes) -> VerificationSummary:
        """Verify each signature of ``pdf`` and return the summary.

        An unsigned PDF gives TOTAL_PASSED with no signatures. A document
        changed after signing gives TOTAL_FAILED (``HASH_FAILURE``); a chain
        to no trust anchor gives INDETERMINATE with ``chain_anchored`` false.
        A file that could be read only by repairing it, or one with more
        signatures than the verifier checks, carries a document ``problem``.
        Never raises for a bad signature; raises ``ArchiveError`` only if the
        bytes are not a PDF.
        """
        ...
