"""Errors of the signing package.

Every error names what went wrong and what the person can do, in Vietnamese
and English, and carries a stable ``code``. When a signing call raises, no
output has been written (callers write only what a call returns).
"""

from __future__ import annotations

from eforms.errors import EformsError


class SigningError(EformsError):
    """Base of every signing error."""

    code = "signing.error"
    http_status = 400


class WrongPinError(SigningError):
    """The PIN or passphrase of the key (file, token, remote credential) is wrong."""

    code = "signing.wrong_pin"
    http_status = 403


class KeyUnavailableError(SigningError):
    """The key or its certificate cannot be found or opened (token, file, service)."""

    code = "signing.key_unavailable"
    http_status = 503


class WeakAlgorithmError(SigningError):
    """The key or digest is weaker than the rules allow (RSA 2048, ECDSA 256, SHA-2)."""

    code = "signing.weak_algorithm"


class CertificateRevokedError(SigningError):
    """The signer's certificate is revoked."""

    code = "signing.certificate_revoked"


class CertificateExpiredError(SigningError):
    """The signer's certificate is outside its validity period."""

    code = "signing.certificate_expired"


class CertificateNotTrustedError(SigningError):
    """The signer's certificate does not chain to a trust anchor or is unfit for signing."""

    code = "signing.certificate_untrusted"


class RevocationUnavailableError(SigningError):
    """The certificate status could not be obtained (OCSP and CRL unreachable)."""

    code = "signing.revocation_unavailable"
    http_status = 503


class TimestampUnavailableError(SigningError):
    """The timestamp authority could not be reached or refused the request."""

    code = "signing.timestamp_unavailable"
    http_status = 503


class RemoteSigningError(SigningError):
    """The remote signing service failed or answered outside the protocol."""

    code = "signing.remote_failed"
    http_status = 502


class UnsupportedPdfError(SigningError):
    """The PDF cannot be signed: encrypted, damaged, or not a PDF."""

    code = "signing.unsupported_pdf"


class FieldAlreadySignedError(SigningError):
    """The requested signature field already holds a signature."""

    code = "signing.field_already_signed"
    http_status = 409


class UnknownIdentityError(SigningError):
    """No demo identity or configured signer has this name."""

    code = "signing.unknown_identity"
    http_status = 404


class PkiError(SigningError):
    """The demo PKI cannot be created, loaded or served."""

    code = "signing.pki"
    http_status = 500


class DemoSigningDisabledError(SigningError):
    """Production mode: the demo keys (PIN 123456) must not sign anything real."""

    code = "signing.demo_disabled"
    http_status = 503
