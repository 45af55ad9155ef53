"""A :class:`~signing.ports.Signer` over any :class:`~signing.ports.RemoteSigningService`.

pyHanko hands the signer the data to sign (the CMS signed attributes); this
adapter hashes it locally and sends only the digest, as ETSI TS 119 432 and
CSC prescribe. In a batch all digests go to the service in one call.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from pyhanko.sign.signers import Signer as PyHankoSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.model import DigestAlgorithm
from signing.policy import check_digest
from signing.ports import RemoteCredential, RemoteSigningService


@dataclass(frozen=True)
class RemoteSigner:
    """The credential ``credential_id`` of ``service``, unlocked with ``pin``."""

    service: RemoteSigningService
    credential_id: str
    pin: str | None

    @contextmanager
    def open(self) -> Iterator[PyHankoSigner]:
        credential = self.service.credential(self.credential_id)
        yield _RemotePyHankoSigner(self, credential)


class _RemotePyHankoSigner(PyHankoSigner):
    def __init__(self, owner: RemoteSigner, credential: RemoteCredential) -> None:
        self._owner = owner
        super().__init__(
            signing_cert=credential.certificate,
            cert_registry=SimpleCertificateStore.from_certs(
                [credential.certificate, *credential.chain]
            ),
        )

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            return bytes(512 if self.signing_cert.public_key.algorithm == "rsa" else 72)
        digest = check_digest(digest_algorithm)
        value = hashlib.new(digest.value, data).digest()
        return (await self.async_sign_digests([value], digest))[0]

    async def async_sign_digests(
        self, digests: Sequence[bytes], digest: DigestAlgorithm
    ) -> list[bytes]:
        owner = self._owner
        return await asyncio.to_thread(
            owner.service.sign_digests,
            owner.credential_id,
            list(digests),
            digest=digest,
            pin=owner.pin,
        )
