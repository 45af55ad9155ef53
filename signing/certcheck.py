"""Checking the signer's certificate before signing.

Validity period, key usage (digitalSignature or nonRepudiation), the chain to
a trust anchor and the revocation status (OCSP, then CRL) are checked with
pyhanko-certvalidator against the validation context the caller passes. A
revoked or expired certificate is always refused; when the status cannot be
obtained, :class:`~signing.model.UnknownStatusPolicy` decides.
"""

from __future__ import annotations

from datetime import datetime

from asn1crypto import x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InsufficientRevinfoError,
    InvalidCertificateError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)

from signing.errors import (
    CertificateExpiredError,
    CertificateNotTrustedError,
    CertificateRevokedError,
    RevocationUnavailableError,
)
from signing.model import CertificateCheck, UnknownStatusPolicy
from signing.policy import check_key, display_name

SIGNING_KEY_USAGE = frozenset({"digital_signature", "non_repudiation"})


async def check_signer_certificate(
    cert: x509.Certificate,
    *,
    chain: tuple[x509.Certificate, ...],
    context: ValidationContext,
    unknown_status: UnknownStatusPolicy = UnknownStatusPolicy.REFUSE,
    soft_context: ValidationContext | None = None,
) -> CertificateCheck:
    """Check ``cert`` for signing now; raise a :class:`SigningError` subclass if unfit.

    ``context`` must be in hard-fail revocation mode. ``soft_context`` (soft-fail)
    is used for the second attempt when the status is unknown and the policy is
    ``warn``.
    """
    check_key(cert)
    name = display_name(cert)
    try:
        await _validate(cert, chain, context)
    except RevokedError as exc:
        when = exc.revocation_dt.isoformat()
        raise CertificateRevokedError(
            f"Chứng thư số của '{name}' đã bị thu hồi (từ {when}). Không thể ký; "
            "hãy liên hệ tổ chức cung cấp dịch vụ chứng thực để được cấp chứng thư mới.",
            f"The certificate of '{name}' was revoked (since {when}). It cannot sign; "
            "ask the certification authority for a new certificate.",
            details={"subject": name, "revoked_at": when},
        ) from exc
    except (ExpiredError, NotYetValidError) as exc:
        raise _expired(cert, name) from exc
    except InsufficientRevinfoError as exc:
        if unknown_status is UnknownStatusPolicy.REFUSE or soft_context is None:
            raise RevocationUnavailableError(
                f"Không lấy được trạng thái thu hồi của chứng thư '{name}' (OCSP/CRL "
                "không phản hồi). Thử lại sau hoặc kiểm tra kết nối tới dịch vụ OCSP.",
                f"The revocation status of '{name}' could not be obtained (OCSP and CRL "
                "did not answer). Try again later or check the OCSP service.",
                details={"subject": name, "cause": str(exc)},
            ) from exc
        await _validate(cert, chain, soft_context)
        return _result(
            cert,
            checked=False,
            warnings=(
                f"Revocation status of '{name}' could not be obtained; signed under the "
                "'warn' policy.",
            ),
        )
    except (PathBuildingError, PathValidationError, InvalidCertificateError) as exc:
        raise CertificateNotTrustedError(
            f"Chứng thư số của '{name}' không hợp lệ để ký: không dẫn tới CA tin cậy "
            "hoặc không có mục đích sử dụng ký số.",
            f"The certificate of '{name}' cannot sign: it does not chain to a trusted "
            f"CA or lacks the signing key usage ({exc}).",
            details={"subject": name, "cause": str(exc)},
        ) from exc
    return _result(cert, checked=True, warnings=())


async def _validate(
    cert: x509.Certificate, chain: tuple[x509.Certificate, ...], context: ValidationContext
) -> None:
    validator = CertificateValidator(
        cert, intermediate_certs=list(chain), validation_context=context
    )
    # Either usage qualifies a signing certificate; check them one at a time
    # because pyhanko-certvalidator requires all usages listed.
    try:
        await validator.async_validate_usage({"non_repudiation"})
    except InvalidCertificateError:
        await validator.async_validate_usage({"digital_signature"})


def _expired(cert: x509.Certificate, name: str) -> CertificateExpiredError:
    start = cert["tbs_certificate"]["validity"]["not_before"].native
    end = cert["tbs_certificate"]["validity"]["not_after"].native
    return CertificateExpiredError(
        f"Chứng thư số của '{name}' không còn hiệu lực (hiệu lực từ {start:%d/%m/%Y} "
        f"đến {end:%d/%m/%Y}). Hãy gia hạn hoặc dùng chứng thư khác.",
        f"The certificate of '{name}' is not valid now (valid {start:%Y-%m-%d} to "
        f"{end:%Y-%m-%d}). Renew it or use another certificate.",
        details={"subject": name, "valid_from": start.isoformat(), "valid_to": end.isoformat()},
    )


def _result(
    cert: x509.Certificate, *, checked: bool, warnings: tuple[str, ...]
) -> CertificateCheck:
    validity = cert["tbs_certificate"]["validity"]
    not_before: datetime = validity["not_before"].native
    not_after: datetime = validity["not_after"].native
    return CertificateCheck(
        subject=display_name(cert),
        subject_dn=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        serial_number=cert.serial_number,
        valid_from=not_before,
        valid_to=not_after,
        revocation_checked=checked,
        warnings=warnings,
    )
