"""Ports of the signing package: where keys live and how remote services sign.

Three kinds of adapters implement :class:`Signer`: a PKCS#12 file
(:mod:`signing.pkcs12_signer`), a PKCS#11 token or HSM
(:mod:`signing.pkcs11_signer`) and any remote signing service
(:mod:`signing.remote_signer`). Remote services themselves implement
:class:`RemoteSigningService`, which signs a list of digests: the CSC API v2
adapter (:mod:`signing.csc_client`) is one; a Vietnamese provider's REST API
would be another, beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from asn1crypto import x509
from pyhanko.sign.signers import Signer as PyHankoSigner

from signing.model import DigestAlgorithm


class Signer(Protocol):
    """A signing key with its certificate."""

    def open(self) -> AbstractContextManager[PyHankoSigner]:
        """Unlock the key once (PIN, token session, remote login) for one or many signatures.

        The context yields a pyHanko signer whose ``signing_cert`` and
        ``cert_registry`` (the chain) are loaded. Every signature made inside
        the context reuses the same session. Raises ``WrongPinError`` for a
        wrong PIN and ``KeyUnavailableError`` when the key cannot be found.
        """
        ...


@runtime_checkable
class BatchDigestSigner(Protocol):
    """A pyHanko signer that can sign many digests in one round trip."""

    async def async_sign_digests(
        self, digests: Sequence[bytes], digest: DigestAlgorithm
    ) -> list[bytes]:
        """Raw signature values over ``digests`` (already hashed), in order, in one call."""
        ...


@dataclass(frozen=True)
class RemoteCredential:
    """A signing credential held by a remote service."""

    credential_id: str
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    key_algorithm: str
    """``rsa`` or ``ec``."""
    key_bits: int


class RemoteSigningService(Protocol):
    """A remote signing service (ETSI TS 119 432): hashes go out, signatures come back."""

    def list_credentials(self, user_id: str) -> list[str]:
        """The credential ids ``user_id`` may sign with."""
        ...

    def credential(self, credential_id: str) -> RemoteCredential:
        """The certificate, chain and key of ``credential_id``."""
        ...

    def sign_digests(
        self,
        credential_id: str,
        digests: Sequence[bytes],
        *,
        digest: DigestAlgorithm,
        pin: str | None,
    ) -> list[bytes]:
        """Authorise and sign every digest in one request; signatures in the same order.

        Raw signature values: PKCS#1 v1.5 for RSA, DER ``ECDSA-Sig-Value``
        for ECDSA. Raises ``WrongPinError`` when the service refuses the PIN,
        ``RemoteSigningError`` for any other failure.
        """
        ...
