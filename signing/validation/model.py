"""The verification report: value objects and closed choices.

Names of indications and sub-indications are those of ETSI EN 319 102-1
(§ 5.1.3), so machine consumers can map them one to one. The JSON form
(:meth:`VerificationReport.to_dict`) is described by
``schemas/verification-report.schema.json``.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


class Indication(enum.Enum):
    """Main indication of ETSI EN 319 102-1, ordered from best to worst."""

    TOTAL_PASSED = "TOTAL_PASSED"
    INDETERMINATE = "INDETERMINATE"
    TOTAL_FAILED = "TOTAL_FAILED"

    @property
    def rank(self) -> int:
        """0 for passed, 1 for indeterminate, 2 for failed (``max`` = worst)."""
        return list(Indication).index(self)


class SubIndication(enum.Enum):
    """Sub-indications of ETSI EN 319 102-1 that this verifier reports."""

    FORMAT_FAILURE = "FORMAT_FAILURE"
    HASH_FAILURE = "HASH_FAILURE"
    SIG_CRYPTO_FAILURE = "SIG_CRYPTO_FAILURE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"
    SIG_CONSTRAINTS_FAILURE = "SIG_CONSTRAINTS_FAILURE"
    CHAIN_CONSTRAINTS_FAILURE = "CHAIN_CONSTRAINTS_FAILURE"
    CERTIFICATE_CHAIN_GENERAL_FAILURE = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    CRYPTO_CONSTRAINTS_FAILURE = "CRYPTO_CONSTRAINTS_FAILURE"
    NO_SIGNING_CERTIFICATE_FOUND = "NO_SIGNING_CERTIFICATE_FOUND"
    NO_CERTIFICATE_CHAIN_FOUND = "NO_CERTIFICATE_CHAIN_FOUND"
    REVOKED_NO_POE = "REVOKED_NO_POE"
    REVOKED_CA_NO_POE = "REVOKED_CA_NO_POE"
    OUT_OF_BOUNDS_NO_POE = "OUT_OF_BOUNDS_NO_POE"
    TIMESTAMP_ORDER_FAILURE = "TIMESTAMP_ORDER_FAILURE"
    NO_POE = "NO_POE"
    TRY_LATER = "TRY_LATER"
    SIGNED_DATA_NOT_FOUND = "SIGNED_DATA_NOT_FOUND"
    GENERIC = "GENERIC"


class RevocationPolicy(enum.Enum):
    """Where certificate status may come from."""

    EMBEDDED = "embedded"
    """Only OCSP responses and CRLs inside the document (offline, archives)."""
    ONLINE = "online"
    """Only what the OCSP responders and CRL points answer now."""
    BOTH = "both"
    """Embedded data first, the network for what is missing (the default)."""


class Coverage(enum.Enum):
    """What the bytes under a signature are (pyHanko's coverage levels)."""

    ENTIRE_FILE = "ENTIRE_FILE"
    ENTIRE_REVISION = "ENTIRE_REVISION"
    CONTIGUOUS_BLOCK_FROM_START = "CONTIGUOUS_BLOCK_FROM_START"
    UNCLEAR = "UNCLEAR"


class Modification(enum.Enum):
    """The worst kind of change made after a signature (pyHanko's diff analysis)."""

    NONE = "NONE"
    LTA_UPDATES = "LTA_UPDATES"
    """Validation data (DSS) and document timestamps only."""
    FORM_FILLING = "FORM_FILLING"
    """Form fields filled, new signatures in existing or new fields."""
    ANNOTATIONS = "ANNOTATIONS"
    """Comments and other annotations added, changed or removed."""
    OTHER = "OTHER"
    """Anything else: page content, objects replaced, structure changed."""
    UNKNOWN = "UNKNOWN"
    """The analysis could not tell (an error is stated)."""


class SignatureKind(enum.Enum):
    SIGNATURE = "signature"
    DOCUMENT_TIMESTAMP = "document_timestamp"


@dataclass(frozen=True)
class CertificateInfo:
    """One certificate of a chain, as a person reads it."""

    subject: str
    issuer: str
    serial_number: str
    """Hexadecimal."""
    valid_from: datetime
    valid_to: datetime
    sha256: str
    """Fingerprint of the DER encoding, hexadecimal."""


@dataclass(frozen=True)
class CertificateStatus:
    """The signer's certificate status as this verification found it."""

    status: str
    """``good``, ``revoked``, ``expired``, ``not_yet_valid`` or ``unknown``, when checked."""
    sources: tuple[str, ...] = ()
    """Where revocation data came from: ``ocsp/embedded``, ``crl/online``, ..."""
    revocation_time: datetime | None = None
    """Set whenever a revocation is known, also one after :attr:`checked_at`."""
    revocation_reason: str | None = None
    checked_at: datetime | None = None
    """When the status holds: the verification time, or the signing time a timestamp
    proves when the certificate was judged there (long-term validation, EN 319 102-1
    § 5.6.2.4: expired or revoked since, or the document's status data no longer fresh).
    ``None`` in reports made before this was recorded."""


@dataclass(frozen=True)
class ChangesAfter:
    """What was changed in the file after the signature's revision."""

    coverage: Coverage
    signed_revision: int
    """1-based index of the revision the signature covers."""
    total_revisions: int
    modification: Modification
    permitted: bool | None
    """Whether the changes stay within what the signature permits (DocMDP/FieldMDP)."""
    docmdp_permission: int | None = None
    """``/P`` of a certification signature (1 none, 2 forms, 3 forms + annotations)."""


@dataclass(frozen=True)
class Problem:
    """One reason a check did not pass, in both languages."""

    code: str
    message_vi: str
    message_en: str


@dataclass(frozen=True)
class SignatureReport:
    """Everything found about one signature or document timestamp."""

    field_name: str
    kind: SignatureKind
    indication: Indication
    subindication: SubIndication | None
    intact: bool
    valid: bool
    trusted: bool
    signer: CertificateInfo | None
    chain: tuple[CertificateInfo, ...]
    """From the signer's issuer up to the trust anchor (empty when no path was found)."""
    certificate_status: CertificateStatus
    signing_time: datetime | None
    signing_time_attested: bool
    """True when a valid, trusted timestamp token attests the signing time."""
    timestamp_valid: bool | None
    """Signature timestamp: ``None`` when there is none."""
    pades_level: str | None
    """``B-B`` .. ``B-LTA`` reached, ``None`` when not a PAdES signature."""
    changes: ChangesAfter | None
    digest_algorithm: str | None = None
    signature_algorithm: str | None = None
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class VerificationReport:
    """The report on one PDF; :attr:`indication` is the worst of its signatures."""

    indication: Indication
    subindication: SubIndication | None
    signatures: tuple[SignatureReport, ...]
    verification_time: datetime
    document_sha256: str
    document_size: int
    revocation_policy: RevocationPolicy
    trust_anchors: tuple[str, ...]
    """Subjects of the trust anchors this verification used."""
    problems: tuple[Problem, ...] = ()
    """Document-level problems (no signature, too many signatures)."""
    engine: str = field(default="")
    """The library doing the cryptography and its version."""

    @property
    def unchanged(self) -> bool:
        """True when every signature passed, i.e. nothing outside the permitted changed."""
        return bool(self.signatures) and self.indication is Indication.TOTAL_PASSED

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``schemas/verification-report.schema.json``)."""
        return _jsonable(asdict(self)) | {"schema_version": "1"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def worst(indications: list[Indication]) -> Indication:
    """The worst of ``indications``; INDETERMINATE when there are none."""
    if not indications:
        return Indication.INDETERMINATE
    return max(indications, key=lambda ind: ind.rank)


def report_from_dict(data: dict[str, Any]) -> VerificationReport:
    """Rebuild a report from its JSON form (:meth:`VerificationReport.to_dict`)."""

    def when(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    def cert(c: dict[str, Any]) -> CertificateInfo:
        return CertificateInfo(
            subject=c["subject"],
            issuer=c["issuer"],
            serial_number=c["serial_number"],
            valid_from=datetime.fromisoformat(c["valid_from"]),
            valid_to=datetime.fromisoformat(c["valid_to"]),
            sha256=c["sha256"],
        )

    def problems(items: list[dict[str, str]]) -> tuple[Problem, ...]:
        return tuple(Problem(**p) for p in items)

    def sub(value: str | None) -> SubIndication | None:
        return SubIndication(value) if value else None

    def signature(s: dict[str, Any]) -> SignatureReport:
        ch, st = s["changes"], s["certificate_status"]
        return SignatureReport(
            field_name=s["field_name"],
            kind=SignatureKind(s["kind"]),
            indication=Indication(s["indication"]),
            subindication=sub(s["subindication"]),
            intact=s["intact"],
            valid=s["valid"],
            trusted=s["trusted"],
            signer=cert(s["signer"]) if s["signer"] else None,
            chain=tuple(cert(c) for c in s["chain"]),
            certificate_status=CertificateStatus(
                status=st["status"],
                sources=tuple(st["sources"]),
                revocation_time=when(st["revocation_time"]),
                revocation_reason=st["revocation_reason"],
                checked_at=when(st.get("checked_at")),
            ),
            signing_time=when(s["signing_time"]),
            signing_time_attested=s["signing_time_attested"],
            timestamp_valid=s["timestamp_valid"],
            pades_level=s["pades_level"],
            changes=ChangesAfter(
                coverage=Coverage(ch["coverage"]),
                signed_revision=ch["signed_revision"],
                total_revisions=ch["total_revisions"],
                modification=Modification(ch["modification"]),
                permitted=ch["permitted"],
                docmdp_permission=ch["docmdp_permission"],
            )
            if ch
            else None,
            digest_algorithm=s["digest_algorithm"],
            signature_algorithm=s["signature_algorithm"],
            problems=problems(s["problems"]),
        )

    return VerificationReport(
        indication=Indication(data["indication"]),
        subindication=sub(data["subindication"]),
        signatures=tuple(signature(s) for s in data["signatures"]),
        verification_time=datetime.fromisoformat(data["verification_time"]),
        document_sha256=data["document_sha256"],
        document_size=data["document_size"],
        revocation_policy=RevocationPolicy(data["revocation_policy"]),
        trust_anchors=tuple(data["trust_anchors"]),
        problems=problems(data["problems"]),
        engine=data["engine"],
    )
