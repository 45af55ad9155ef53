"""A configured verifier: the trust store and revocation policy chosen once.

The portal builds one from its settings; the archive ingest and the command
line can build their own. The trust store is loaded on first use (the demo
PKI is created lazily).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from signing.validation.errors import TooManySignaturesError
from signing.validation.etsi_report import etsi_xml_report
from signing.validation.model import RevocationPolicy, VerificationReport
from signing.validation.pdf_input import DEFAULT_MAX_BYTES, OpenedPdf, open_pdf
from signing.validation.trust_store import TrustStore
from signing.validation.verifier import verify_pdf


@dataclass
class Verifier:
    """``verify(data)`` and ``etsi_xml(pdf)`` with a fixed trust store and revocation policy."""

    load_trust: Callable[[], TrustStore]
    revocation: RevocationPolicy = RevocationPolicy.BOTH
    max_bytes: int = DEFAULT_MAX_BYTES
    _trust: TrustStore | None = field(default=None, init=False, repr=False)

    @property
    def trust(self) -> TrustStore:
        if self._trust is None:
            self._trust = self.load_trust()
        return self._trust

    def open(
        self, data: bytes, *, max_bytes: int | None = None, max_signatures: int | None = None
    ) -> OpenedPdf:
        """Read ``data`` once for one or more reports; the limits may only be lowered.

        With ``max_signatures`` (the public page and API, anyone may call them)
        a file with more signatures is refused with
        :class:`TooManySignaturesError` before any of them is checked; without
        it the report itself says when there are too many.
        """
        limit = min(self.max_bytes, max_bytes) if max_bytes else self.max_bytes
        pdf = open_pdf(data, max_bytes=limit)
        if max_signatures is not None and len(pdf.signatures) > max_signatures:
            count = len(pdf.signatures)
            raise TooManySignaturesError(
                f"Tệp có {count} chữ ký; trang kiểm tra công khai chỉ nhận tệp có tối đa "
                f"{max_signatures} chữ ký. Hãy nhờ cơ quan có thẩm quyền kiểm tra tệp này.",
                f"The file has {count} signatures; the public verification accepts at most "
                f"{max_signatures}. Ask an authorised office to verify this file.",
                details={"signatures": count, "max_signatures": max_signatures},
            )
        return pdf

    def verify(
        self,
        data: bytes | OpenedPdf,
        *,
        max_bytes: int | None = None,
        max_signatures: int | None = None,
    ) -> VerificationReport:
        """Verify ``data`` (bytes, or what :meth:`open` read); limits as in :meth:`open`."""
        pdf = (
            data
            if isinstance(data, OpenedPdf)
            else self.open(data, max_bytes=max_bytes, max_signatures=max_signatures)
        )
        return verify_pdf(pdf, trust=self.trust, revocation=self.revocation)

    def etsi_xml(self, pdf: OpenedPdf) -> bytes:
        """The ETSI TS 119 102-2 XML report of what :meth:`open` read (same signatures)."""
        return etsi_xml_report(pdf, trust=self.trust, revocation=self.revocation)
