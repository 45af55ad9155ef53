"""Signer backed by a PKCS#12 file (demo identities and tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers import Signer as PyHankoSigner
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.errors import KeyUnavailableError, WrongPinError


@dataclass(frozen=True)
class Pkcs12Signer:
    """A key and certificate chain in a PKCS#12 file protected by ``pin``."""

    path: Path
    pin: str

    @contextmanager
    def open(self) -> Iterator[PyHankoSigner]:
        try:
            data = Path(self.path).read_bytes()
        except OSError as exc:
            raise KeyUnavailableError(
                f"Không đọc được tệp khóa {self.path}: {exc.strerror}.",
                f"Cannot read the key file {self.path}: {exc.strerror}.",
            ) from exc
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(data, self.pin.encode())
        except ValueError as exc:
            raise WrongPinError(
                "Mã PIN của tệp khóa không đúng (hoặc tệp hỏng). Kiểm tra lại và thử lại.",
                "The PIN of the key file is wrong (or the file is damaged). Check and retry.",
                details={"path": str(self.path)},
            ) from exc
        if key is None or cert is None:
            raise KeyUnavailableError(
                f"Tệp {self.path} không chứa khóa và chứng thư số.",
                f"The file {self.path} holds no key and certificate.",
            )
        yield _LoadedKeySigner(key, cert, extra)


class _LoadedKeySigner(SimpleSigner):
    """pyHanko's SimpleSigner, keeping the parsed key instead of re-parsing it per signature.

    ``SimpleSigner.sign_raw`` parses the DER key on every call (about 50 ms
    for RSA 2048 here, twice per document counting the size estimate); a
    loaded key signs in about 1 ms. Dry runs return a placeholder of the
    right size instead of a real signature.
    """

    def __init__(self, key, cert, extra) -> None:  # type: ignore[no-untyped-def]
        asn1_cert = translate_pyca_cryptography_cert_to_asn1(cert)
        chain = [translate_pyca_cryptography_cert_to_asn1(c) for c in extra]
        super().__init__(
            signing_cert=asn1_cert,
            signing_key=translate_pyca_cryptography_key_to_asn1(key),
            cert_registry=SimpleCertificateStore.from_certs([asn1_cert, *chain]),
        )
        self._key = key

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            if isinstance(self._key, rsa.RSAPrivateKey):
                return bytes(self._key.key_size // 8)
            return bytes(2 * (self._key.key_size // 8 + 3) + 2)
        return self.sign_raw(data, digest_algorithm)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), hash_algo)
        if mechanism == "ecdsa" and isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)
