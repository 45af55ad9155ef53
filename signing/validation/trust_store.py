"""The trust store of a verification: anchors, helper certificates, network limits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp, x509
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

from signing.trust import TrustSettings, load_certificates
from signing.validation.model import RevocationPolicy


@dataclass(frozen=True)
class EmbeddedValidationData:
    """Certificates, OCSP responses and CRLs the document carries (its DSS)."""

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
        """Every certificate in the PEM or DER files is a trust anchor."""
        roots: list[x509.Certificate] = []
        for path in paths:
            roots.extend(load_certificates(Path(path)))
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
        self, *, revocation: RevocationPolicy, embedded: EmbeddedValidationData
    ) -> ValidationContext:
        """A fresh context; contexts cache what they fetch, so use one per signature.

        Revocation is checked in hard-fail mode: a certificate whose status
        cannot be obtained is not trusted (INDETERMINATE / TRY_LATER).
        """
        use_embedded = revocation is not RevocationPolicy.ONLINE
        return ValidationContext(
            trust_roots=list(self.roots),
            other_certs=[*self.intermediates, *embedded.certs],
            ocsps=list(embedded.ocsps) if use_embedded else [],
            crls=list(embedded.crls) if use_embedded else [],
            allow_fetching=revocation is not RevocationPolicy.EMBEDDED,
            revocation_mode="hard-fail",
            fetcher_backend=RequestsFetcherBackend(per_request_timeout=self.timeout),
        )
