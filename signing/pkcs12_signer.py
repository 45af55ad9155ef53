"""Signer backed by a PKCS#12 file (demo identities and tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pyhanko.sign.signers import Signer as PyHankoSigner
from pyhanko.sign.signers import SimpleSigner

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
            signer = SimpleSigner.load_pkcs12_data(
                data, other_certs=[], passphrase=self.pin.encode()
            )
        except ValueError as exc:
            raise WrongPinError(
                "Mã PIN của tệp khóa không đúng (hoặc tệp hỏng). Kiểm tra lại và thử lại.",
                "The PIN of the key file is wrong (or the file is damaged). Check and retry.",
                details={"path": str(self.path)},
            ) from exc
        yield signer
