"""Errors of verification: input that cannot be read at all.

A signature that fails a check is not an error: it is a result in the
report. These errors mean there is no report to give (exit code 3 of
``eforms verify``).
"""

from __future__ import annotations

from signing.errors import SigningError


class VerificationInputError(SigningError):
    """Base of errors about the input of a verification."""

    code = "signing.verify.input"
    http_status = 422


class UnreadablePdfError(VerificationInputError):
    """The input is not a PDF, or is damaged beyond reading (truncated, broken xref)."""

    code = "signing.verify.unreadable"


class TooManySignaturesError(VerificationInputError):
    """The input has more signatures than this place of verification checks."""

    code = "signing.verify.too_many_signatures"
    http_status = 422


class DocumentTooLargeError(VerificationInputError):
    """The input is larger than the verifier accepts."""

    code = "signing.verify.too_large"
    http_status = 413


class TrustAnchorError(SigningError):
    """A trust anchor file is missing, unreadable or holds no certificate (configuration)."""

    code = "signing.verify.trust_anchor"
    http_status = 500
