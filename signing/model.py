"""Value objects and closed choices of the signing package."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

VIETNAM_TIME = timezone(timedelta(hours=7))
"""Vietnam has no daylight saving time: a fixed +07:00 offset is exact."""


class PadesLevel(enum.Enum):
    """PAdES baseline levels (ETSI EN 319 142-1)."""

    B_B = "B-B"
    """Signature only."""
    B_T = "B-T"
    """Plus a signature timestamp from a TSA."""
    B_LT = "B-LT"
    """Plus the chain and revocation data in the document's DSS."""
    B_LTA = "B-LTA"
    """Plus a document timestamp over everything (archival)."""

    @property
    def needs_timestamp(self) -> bool:
        return self is not PadesLevel.B_B

    @property
    def needs_revocation_info(self) -> bool:
        return self in (PadesLevel.B_LT, PadesLevel.B_LTA)


class AppearanceKind(enum.Enum):
    """Visible appearances of Decree 30/2020/NĐ-CP (appendix I)."""

    NONE = "none"
    """Invisible signature (citizens' forms, officers' internal steps)."""
    LEADER = "leader"
    """Blue signature image between the title and the name of the leader."""
    SEAL = "seal"
    """Red agency seal overlapping the left third of the leader's signature image."""
    ATTACHMENT = "attachment"
    """Agency name and ISO 8601 time, top right of page 1, Times-metric 10 pt."""


class UnknownStatusPolicy(enum.Enum):
    """What to do when a certificate's revocation status cannot be obtained."""

    REFUSE = "refuse"
    WARN = "warn"


class DigestAlgorithm(enum.Enum):
    """Digests the rules allow (SHA-2 and SHA-3 families)."""

    SHA256 = "sha256"
    SHA384 = "sha384"
    SHA512 = "sha512"
    SHA3_256 = "sha3_256"
    SHA3_384 = "sha3_384"
    SHA3_512 = "sha3_512"


@dataclass(frozen=True)
class CertificateCheck:
    """The outcome of checking the signer's certificate before signing."""

    subject: str
    """The signer's name (certificate common name)."""
    subject_dn: str
    """The whole subject, human readable."""
    issuer: str
    serial_number: int
    valid_from: datetime
    valid_to: datetime
    revocation_checked: bool
    """True when a good status came from OCSP or a CRL."""
    warnings: tuple[str, ...] = ()
    """English notes, e.g. that the status could not be obtained (policy ``warn``)."""


@dataclass(frozen=True)
class SignedDocument:
    """A signed PDF and what was done to it."""

    pdf: bytes
    field_name: str
    level: PadesLevel
    check: CertificateCheck
    warnings: tuple[str, ...] = field(default=())
