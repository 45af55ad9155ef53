"""Trust anchors, the TSA and how revocation data is fetched.

One :class:`TrustSettings` value says whom a signature must chain to and
where timestamps come from. The demo PKI gives one
(:meth:`signing.demo_pki.DemoPKI.trust`); production builds one from the
national roots (PEM files) and the configured TSA.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import pem, x509
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

from signing.errors import SigningError
from signing.model import CertificateCheck


class StatusCache:
    """Good certificate checks by certificate fingerprint, with their time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[bytes, tuple[float, CertificateCheck]] = {}

    def get(self, fingerprint: bytes, max_age: float) -> CertificateCheck | None:
        with self._lock:
            entry = self._entries.get(fingerprint)
        if entry is None or time.monotonic() - entry[0] > max_age:
            return None
        return entry[1]

    def put(self, fingerprint: bytes, check: CertificateCheck) -> None:
        with self._lock:
            self._entries[fingerprint] = (time.monotonic(), check)


@dataclass(frozen=True)
class TrustSettings:
    """Trust anchors, extra CA certificates and the timestamp authority."""

    trust_roots: tuple[x509.Certificate, ...]
    other_certs: tuple[x509.Certificate, ...] = ()
    """Intermediate CAs to help build paths (not trusted by themselves)."""
    tsa_url: str | None = None
    """RFC 3161 endpoint for B-T and above; ``None`` allows B-B only."""
    timeout: int = 10
    """Seconds for each TSA, OCSP or CRL request."""
    status_cache_seconds: int = 60
    """How long a good pre-signing status check of a certificate is reused (0: never).

    A leader signing a stack of results one by one does not need a new OCSP
    round trip per document; a revocation is seen at most this late.
    """
    _timestampers: dict[tuple[str, int], HTTPTimeStamper] = field(
        default_factory=dict, compare=False, repr=False
    )
    status_cache: StatusCache = field(
        default_factory=lambda: StatusCache(), compare=False, repr=False
    )

    def validation_context(
        self, *, revocation_mode: str = "hard-fail", allow_fetching: bool = True
    ) -> ValidationContext:
        """A fresh context (contexts cache what they fetch; use one per operation)."""
        return ValidationContext(
            trust_roots=list(self.trust_roots),
            other_certs=list(self.other_certs),
            allow_fetching=allow_fetching,
            revocation_mode=revocation_mode,
            fetcher_backend=RequestsFetcherBackend(per_request_timeout=self.timeout),
        )

    def timestamper(self) -> HTTPTimeStamper:
        if not self.tsa_url:
            raise SigningError(
                "Chưa cấu hình dịch vụ cấp dấu thời gian (TSA); chỉ ký được mức B-B.",
                "No timestamp authority (TSA) is configured; only B-B signatures are possible.",
                code="signing.no_tsa",
            )
        # One client per settings value: pyHanko caches the TSA's dummy
        # response (used to size the signature) on it, saving a request per document.
        key = (self.tsa_url, self.timeout)
        if key not in self._timestampers:
            self._timestampers[key] = HTTPTimeStamper(self.tsa_url, timeout=self.timeout)
        return self._timestampers[key]


def load_certificates(path: Path) -> tuple[x509.Certificate, ...]:
    """Every certificate in a PEM or DER file (a trust store file)."""
    data = Path(path).read_bytes()
    if pem.detect(data):
        return tuple(x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True))
    return (x509.Certificate.load(data),)
