"""The trust store of a verification: anchors, helper certificates, network limits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp, x509
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
from pyhanko_certvalidator.registry import CertificateRegistry

from signing.trust import TrustSettings, load_certificates
from signing.validation.errors import TrustAnchorError
from signing.validation.model import RevocationPolicy


@dataclass(frozen=True)
class EmbeddedValidationData:
    """Certificates, OCSP responses and CRLs the document carries.

    From its DSS (the VRI dictionaries point into the same arrays) and from
    the Adobe revocation archive attribute inside the signatures' CMS.
    """

    certs: tuple[x509.Certificate, ...] = ()
    ocsps: tuple[ocsp.OCSPResponse, ...] = ()
    crls: tuple[asn1_crl.CertificateList, ...] = ()


@dataclass(frozen=True)
class TrustStore:
    """Whom signatures must chain to: in production the national roots (PEM files)."""

    roots: tuple[x509.Certificate, ...]
    intermediates: tuple[x509.Certificate, ...] = ()
    """CA certificates that help build paths; not trusted by themselves."""
    timeout: int = 10
    """Seconds for each OCSP or CRL request when fetching online."""

    @classmethod
    def from_pem_files(cls, paths: Iterable[Path], *, timeout: int = 10) -> TrustStore:
        """Every certificate in the PEM or DER files is a trust anchor.

        Raises :class:`TrustAnchorError` for a file that cannot be read or
        holds anything but certificates.
        """
        roots: list[x509.Certificate] = []
        for path in paths:
            roots.extend(_anchors(Path(path)))
        return cls(roots=tuple(roots), timeout=timeout)

    @classmethod
    def from_trust_settings(cls, settings: TrustSettings) -> TrustStore:
        """The anchors the signing side uses (the demo PKI in the demo and tests)."""
        return cls(
            roots=settings.trust_roots,
            intermediates=settings.other_certs,
            timeout=settings.timeout,
        )

    def anchor_names(self) -> tuple[str, ...]:
        return tuple(root.subject.human_friendly for root in self.roots)

    def validation_context(
        self,
        *,
        revocation: RevocationPolicy,
        embedded: EmbeddedValidationData,
        moment: datetime | None = None,
    ) -> ValidationContext:
        """A context for checking at ``moment`` (default: now).

        Revocation is checked in hard-fail mode: a certificate whose status
        cannot be obtained is not trusted (INDETERMINATE / TRY_LATER).

        Certificates are never fetched from the URLs a certificate names
        (AIA ``caIssuers``): those URLs come from the file being verified,
        which anyone can upload, so following them would let the file make
        the server send requests where it chooses (SSRF). Paths are built
        from the anchors, the configured intermediates and the certificates
        the document carries. OCSP and CRL requests are only made for a path
        that already reaches an anchor, so their URLs were written by a
        trusted CA.
        """
        use_embedded = revocation is not RevocationPolicy.ONLINE
        fetching = revocation is not RevocationPolicy.EMBEDDED
        return ValidationContext(
            trust_roots=list(self.roots),
            certificate_registry=CertificateRegistry.build(
                [*self.intermediates, *embedded.certs], cert_fetcher=None
            ),
            moment=moment,
            ocsps=list(embedded.ocsps) if use_embedded else [],
            crls=list(embedded.crls) if use_embedded else [],
            allow_fetching=fetching,
            revocation_mode="hard-fail",
            fetcher_backend=RequestsFetcherBackend(per_request_timeout=self.timeout)
            if fetching
            else None,
        )

    def past_validation_context(
        self, *, embedded: EmbeddedValidationData, moment: datetime
    ) -> ValidationContext:
        """A context for judging a certificate at a proven past ``moment`` (long-term validation).

        Only the validation data the document carries, nothing fetched: the
        point is to show what the status was at ``moment``, which only data
        kept from that time can. Revocation data issued after ``moment`` is
        accepted for it (pyHanko's ``retroactive_revinfo``): an OCSP answer
        "good" or a CRL made a little after the signing time proves the
        certificate was not revoked when it signed; a revocation dated after
        ``moment`` does not count against it.
        """
        return ValidationContext(
            trust_roots=list(self.roots),
            certificate_registry=CertificateRegistry.build(
                [*self.intermediates, *embedded.certs], cert_fetcher=None
            ),
            moment=moment,
            ocsps=list(embedded.ocsps),
            crls=list(embedded.crls),
            allow_fetching=False,
            revocation_mode="hard-fail",
            retroactive_revinfo=True,
        )


def _anchors(path: Path) -> tuple[x509.Certificate, ...]:
    try:
        certs = load_certificates(path) if path.read_bytes().strip() else ()
        for cert in certs:
            cert.subject.human_friendly  # noqa: B018 - asn1crypto parses lazily: parse now
            cert.public_key.algorithm  # noqa: B018
    except OSError as exc:
        raise TrustAnchorError(
            f"Không đọc được tệp điểm tin cậy {path}: {exc.strerror}.",
            f"Cannot read the trust anchor file {path}: {exc.strerror}.",
            details={"path": str(path)},
        ) from exc
    except ValueError as exc:
        raise TrustAnchorError(
            f"Tệp điểm tin cậy {path} không phải là chứng thư số PEM hay DER hợp lệ.",
            f"The trust anchor file {path} is not a valid PEM or DER certificate.",
            details={"path": str(path), "reason": str(exc)[:200]},
        ) from exc
    if not certs:
        raise TrustAnchorError(
            f"Tệp điểm tin cậy {path} không chứa chứng thư số nào.",
            f"The trust anchor file {path} holds no certificate.",
            details={"path": str(path)},
        )
    return certs
