"""A configured verifier: the trust store and revocation policy chosen once.

The portal builds one from its settings; the archive ingest and the command
line can build their own. The trust store is loaded on first use (the demo
PKI is created lazily).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from signing.validation.model import RevocationPolicy, VerificationReport
from signing.validation.trust_store import TrustStore
from signing.validation.verifier import DEFAULT_MAX_BYTES, verify_pdf


@dataclass
class Verifier:
    """``verify(data)`` with a fixed trust store and revocation policy."""

    load_trust: Callable[[], TrustStore]
    revocation: RevocationPolicy = RevocationPolicy.BOTH
    max_bytes: int = DEFAULT_MAX_BYTES
    _trust: TrustStore | None = field(default=None, init=False, repr=False)

    @property
    def trust(self) -> TrustStore:
        if self._trust is None:
            self._trust = self.load_trust()
        return self._trust

    def verify(self, data: bytes, *, max_bytes: int | None = None) -> VerificationReport:
        """Verify ``data``; ``max_bytes`` may only lower the configured limit."""
        limit = min(self.max_bytes, max_bytes) if max_bytes else self.max_bytes
        return verify_pdf(data, trust=self.trust, revocation=self.revocation, max_bytes=limit)
