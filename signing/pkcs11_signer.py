"""Signer backed by a PKCS#11 token or HSM (SoftHSM2 in tests, real HSMs in production).

One :meth:`Pkcs11Signer.open` is one logged-in session: a batch signs every
document inside it, so the PIN is checked once and the key handle is reused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pkcs11
import pkcs11.exceptions as p11_errors
from asn1crypto import x509
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
from pyhanko.sign.signers import Signer as PyHankoSigner

from signing.errors import KeyUnavailableError, WrongPinError

DEFAULT_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


@dataclass(frozen=True)
class Pkcs11Signer:
    """A key labelled ``key_label`` on the token ``token_label`` of ``module``."""

    token_label: str
    key_label: str
    pin: str
    module: str = DEFAULT_MODULE
    """Path of the PKCS#11 library (``libsofthsm2.so``, a vendor HSM module)."""
    cert_label: str | None = None
    """Label of the certificate object; defaults to ``key_label``."""
    ca_chain: tuple[x509.Certificate, ...] = ()
    """CA certificates to embed beside the signer's (when the token holds only the signer's)."""

    @contextmanager
    def open(self) -> Iterator[PyHankoSigner]:
        try:
            session = open_pkcs11_session(
                self.module,
                token_criteria=TokenCriteria(label=self.token_label),
                user_pin=self.pin,
            )
        except (p11_errors.PinIncorrect, p11_errors.PinLenRange, p11_errors.PinInvalid) as exc:
            raise WrongPinError(
                f"Mã PIN của thiết bị ký '{self.token_label}' không đúng.",
                f"Wrong PIN for the token '{self.token_label}'.",
                details={"token": self.token_label},
            ) from exc
        except (p11_errors.PKCS11Error, PyHankoSigningError, OSError, RuntimeError) as exc:
            raise KeyUnavailableError(
                f"Không mở được thiết bị ký '{self.token_label}': {exc}.",
                f"Cannot open the token '{self.token_label}' ({type(exc).__name__}: {exc}).",
                details={"token": self.token_label, "module": self.module},
            ) from exc
        try:
            signer = PKCS11Signer(
                session,
                key_label=self.key_label,
                cert_label=self.cert_label or self.key_label,
                other_certs_to_pull=None,
                ca_chain=list(self.ca_chain) or None,
            )
            try:
                signer.signing_cert  # noqa: B018 (loads key and certificate now)
            except (p11_errors.PKCS11Error, PyHankoSigningError) as exc:
                raise KeyUnavailableError(
                    f"Không tìm thấy khóa/chứng thư '{self.key_label}' trên thiết bị ký.",
                    f"Key or certificate '{self.key_label}' not found on the token ({exc}).",
                    details={"token": self.token_label, "key": self.key_label},
                ) from exc
            yield signer
        finally:
            session.close()


def check_token(module: str, token_label: str) -> None:
    """The module loads and a token labelled ``token_label`` is present (no login)."""
    try:
        pkcs11.lib(module).get_token(token_label=token_label)
    except (p11_errors.PKCS11Error, OSError, RuntimeError) as exc:
        raise KeyUnavailableError(
            f"Không thấy thiết bị ký '{token_label}' qua thư viện {module}.",
            f"Token '{token_label}' not found through {module} ({type(exc).__name__}: {exc}).",
            details={"token": token_label, "module": module},
        ) from exc
