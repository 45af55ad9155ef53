"""One signature or document timestamp checked with pyHanko, turned into our report.

pyHanko does the cryptography, path building, revocation and the difference
analysis of later revisions; :mod:`signing.validation.verdict` decides.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509
from pyhanko.sign.ades.report import AdESSubIndic
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import (
    DocumentTimestampStatus,
    PdfSignatureStatus,
    RevocationDetails,
    SignatureCoverageLevel,
)
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    InsufficientRevinfoError,
    PathBuildingError,
    PathValidationError,
)

from signing.validation import wording
from signing.validation.long_term import (
    LongTerm,
    PastSignature,
    PastTimestamp,
    past_signature,
    past_timestamp,
)
from signing.validation.model import (
    CertificateInfo,
    CertificateStatus,
    ChangesAfter,
    Coverage,
    Indication,
    Modification,
    SignatureKind,
    SignatureReport,
    SubIndication,
)
from signing.validation.trust_store import EmbeddedValidationData
from signing.validation.verdict import Findings, decide


@dataclass(frozen=True)
class CheckContext:
    """What every check of one document shares."""

    total_revisions: int
    long_term: LongTerm
    """Anchors, the document's validation data, the verification time, proofs so far."""
    unaccounted_tail: bool = False
    """Bytes after the last ``%%EOF`` that belong to no revision (appended content)."""

    @property
    def embedded(self) -> EmbeddedValidationData:
        return self.long_term.embedded


def _indic_name(indic: AdESSubIndic | None) -> str | None:
    """The EN 319 102-1 name of pyHanko's sub-indication (e.g. ``TRY_LATER``)."""
    return str(indic.standard_name) if indic is not None else None


def is_document_timestamp(sig: EmbeddedPdfSignature) -> bool:
    return sig.sig_object.get("/Type") == "/DocTimeStamp"


async def check_signature(
    sig: EmbeddedPdfSignature, vc: ValidationContext, ctx: CheckContext
) -> SignatureReport:
    """Validate one signature (``/Sig``) or document timestamp (``/DocTimeStamp``).

    First at the verification time; then, if that failed only because of
    time and a timestamp proves an earlier existence, again at that time
    (:mod:`signing.validation.long_term`).
    """
    if is_document_timestamp(sig):
        ts_status = await async_validate_pdf_timestamp(sig, validation_context=vc)
        past_ts = await past_timestamp(sig, ts_status, ctx.long_term)
        return _timestamp_report(sig, ts_status, past_ts, ctx)
    status = await async_validate_pdf_signature(sig, vc)
    trust_problem = await _trust_problem(sig, status, vc)
    past = await past_signature(sig, status, vc, trust_problem, ctx.long_term)
    if past is not None:
        # The check that counts: the signer at the proven signing time.
        trust_problem = await _trust_problem(sig, past.status, past.context)
    return _signature_report(sig, status, past, vc, ctx, trust_problem)


async def _trust_problem(
    sig: EmbeddedPdfSignature, status: PdfSignatureStatus, vc: ValidationContext
) -> str | None:
    trust_problem = _indic_name(status.trust_problem_indic)
    if trust_problem == "CERTIFICATE_CHAIN_GENERAL_FAILURE":
        trust_problem = await _refine_chain_failure(sig, vc)
    return trust_problem


async def _refine_chain_failure(sig: EmbeddedPdfSignature, vc: ValidationContext) -> str:
    """pyHanko files missing revocation data under a general chain failure: tell TRY_LATER."""
    validator = CertificateValidator(
        sig.signer_cert, intermediate_certs=sig.other_embedded_certs, validation_context=vc
    )
    try:
        await validator.async_validate_path()
    except InsufficientRevinfoError:
        return "TRY_LATER"
    except (PathValidationError, PathBuildingError, ValueError):
        return "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    return "CERTIFICATE_CHAIN_GENERAL_FAILURE"


def failed_report(
    *, field_name: str, kind: SignatureKind, exc: Exception, format_failure: bool
) -> SignatureReport:
    """The report of a signature whose check raised: never a pass."""
    detail = f"{type(exc).__name__}: {exc}"[:300]
    indication, sub, key = (
        (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE, "format")
        if format_failure
        else (Indication.INDETERMINATE, SubIndication.GENERIC, "error")
    )
    return SignatureReport(
        field_name=field_name,
        kind=kind,
        indication=indication,
        subindication=sub,
        intact=False,
        valid=False,
        trusted=False,
        signer=None,
        chain=(),
        certificate_status=CertificateStatus(status="unknown"),
        signing_time=None,
        signing_time_attested=False,
        timestamp_valid=None,
        pades_level=None,
        changes=None,
        problems=(wording.problem(key, detail),),
    )


def _signature_report(
    sig: EmbeddedPdfSignature,
    status: PdfSignatureStatus,
    past: PastSignature | None,
    vc: ValidationContext,
    ctx: CheckContext,
    trust_problem: str | None,
) -> SignatureReport:
    """``status`` is the check at the verification time, ``past`` the second look, if any."""
    judged = past.status if past is not None else status
    judged_at = past.judged_at if past is not None else None
    ts = judged.timestamp_validity
    timestamp_ok = None if ts is None else bool(ts.intact and ts.valid and ts.trusted)
    attested = bool(timestamp_ok)
    signing_time = ts.timestamp if attested and ts is not None else status.signer_reported_dt
    changes = _changes(sig, status, ctx)
    # A revocation seen now counts even when the certificate is judged in the past.
    revo = judged.revocation_details or status.revocation_details
    cert = status.signing_cert
    findings = Findings(
        intact=status.intact,
        valid=status.valid,
        trusted=judged.trusted,
        trust_problem=trust_problem,
        revocation_time=revo.revocation_date if revo else None,
        ca_revoked=bool(revo and revo.ca_revoked),
        signing_time=signing_time,
        signing_time_attested=attested,
        timestamp_ok=timestamp_ok,
        cert_valid_to=cert["tbs_certificate"]["validity"]["not_after"].native,
        coverage=changes.coverage,
        modification=changes.modification,
        permitted=changes.permitted,
        judged_at=judged_at,
    )
    indication, sub, problems = decide(findings)
    context = past.context if past is not None and judged_at is not None else vc
    return SignatureReport(
        field_name=str(sig.field_name),
        kind=SignatureKind.SIGNATURE,
        indication=indication,
        subindication=sub,
        intact=status.intact,
        valid=status.valid,
        trusted=judged.trusted,
        signer=certificate_info(cert),
        chain=_chain(judged),
        certificate_status=CertificateStatus(
            status=_cert_status(judged.trusted, revo, trust_problem, judged_at),
            sources=_revocation_sources(cert, context, ctx.embedded),
            revocation_time=revo.revocation_date if revo else None,
            revocation_reason=revo.revocation_reason.native if revo else None,
            checked_at=judged_at or ctx.long_term.validation_time,
        ),
        signing_time=signing_time,
        signing_time_attested=attested,
        timestamp_valid=timestamp_ok,
        pades_level=_base_level(sig, attested, _embedded_sources(cert, ctx.embedded)),
        changes=changes,
        digest_algorithm=status.md_algorithm,
        signature_algorithm=status.pkcs7_signature_mechanism,
        problems=problems,
    )


def _timestamp_report(
    sig: EmbeddedPdfSignature,
    status: DocumentTimestampStatus,
    past: PastTimestamp | None,
    ctx: CheckContext,
) -> SignatureReport:
    """``status`` at the verification time, ``past`` at the time a later proof gives."""
    changes = _changes(sig, status, ctx)
    judged = past.status if past is not None else status
    trust_problem = _indic_name(judged.trust_problem_indic)
    findings = Findings(
        intact=status.intact,
        valid=status.valid,
        trusted=judged.trusted,
        trust_problem=trust_problem,
        revocation_time=None,
        ca_revoked=False,
        signing_time=status.timestamp,
        signing_time_attested=True,
        timestamp_ok=None,
        cert_valid_to=None,
        coverage=changes.coverage,
        modification=changes.modification,
        permitted=changes.permitted,
        judged_at=past.judged_at if past is not None else None,
    )
    indication, sub, problems = decide(findings)
    ok = indication is Indication.TOTAL_PASSED
    return SignatureReport(
        field_name=str(sig.field_name),
        kind=SignatureKind.DOCUMENT_TIMESTAMP,
        indication=indication,
        subindication=sub,
        intact=status.intact,
        valid=status.valid,
        trusted=judged.trusted,
        signer=certificate_info(status.signing_cert),
        chain=_chain(judged),
        certificate_status=CertificateStatus(
            status="good" if judged.trusted else "unknown",
            checked_at=past.judged_at if past is not None else ctx.long_term.validation_time,
        ),
        signing_time=status.timestamp,
        signing_time_attested=ok,
        timestamp_valid=ok,
        pades_level=None,
        changes=changes,
        digest_algorithm=status.md_algorithm,
        signature_algorithm=status.pkcs7_signature_mechanism,
        problems=problems,
    )


def _changes(
    sig: EmbeddedPdfSignature,
    status: PdfSignatureStatus | DocumentTimestampStatus,
    ctx: CheckContext,
) -> ChangesAfter:
    coverage = Coverage((status.coverage or SignatureCoverageLevel.UNCLEAR).name)
    level = status.modification_level
    docmdp = sig.docmdp_level
    permitted = status.docmdp_ok
    if permitted is None and level is not None:
        # Document timestamps carry no DocMDP verdict: only "other" changes are refused.
        permitted = level is not ModificationLevel.OTHER
    modification = Modification(level.name) if level is not None else Modification.UNKNOWN
    if ctx.unaccounted_tail:
        # pyHanko's revision-by-revision analysis does not see bytes outside any revision.
        modification, permitted = Modification.OTHER, False
    return ChangesAfter(
        coverage=coverage,
        signed_revision=sig.signed_revision + 1,
        total_revisions=ctx.total_revisions,
        modification=modification,
        permitted=permitted,
        docmdp_permission=int(docmdp.value) if docmdp is not None else None,
    )


def certificate_info(cert: x509.Certificate) -> CertificateInfo:
    validity = cert["tbs_certificate"]["validity"]
    return CertificateInfo(
        subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        serial_number=format(cert.serial_number, "x"),
        valid_from=validity["not_before"].native,
        valid_to=validity["not_after"].native,
        sha256=hashlib.sha256(cert.dump()).hexdigest(),
    )


def _chain(status: PdfSignatureStatus | DocumentTimestampStatus) -> tuple[CertificateInfo, ...]:
    """Issuer first, trust anchor last; the signer itself is reported apart."""
    if status.validation_path is None:
        return ()
    certs = list(status.validation_path.iter_certs(include_root=True))
    return tuple(certificate_info(c) for c in reversed(certs[:-1]))


def _cert_status(
    trusted: bool,
    revo: RevocationDetails | None,
    trust_problem: str | None,
    judged_at: datetime | None,
) -> str:
    """The status at the time judged: a revocation after a proven signing time is not counted."""
    if revo is not None and (judged_at is None or revo.revocation_date <= judged_at):
        return "revoked"
    if trust_problem == "OUT_OF_BOUNDS_NO_POE":
        return "expired"
    if trust_problem == "NOT_YET_VALID":
        return "not_yet_valid"
    return "good" if trusted else "unknown"


def _revocation_sources(
    cert: x509.Certificate, vc: ValidationContext, embedded: EmbeddedValidationData
) -> tuple[str, ...]:
    """Which OCSP responses and CRLs about the signer's certificate were at hand."""
    embedded_ocsp = {resp.dump() for resp in embedded.ocsps}
    embedded_crl = {c.dump() for c in embedded.crls}
    sources: list[str] = []
    for resp in vc.ocsps:
        if _ocsp_serials(resp) & {cert.serial_number}:
            where = "embedded" if resp.dump() in embedded_ocsp else "online"
            sources.append(f"ocsp/{where}")
    for crl in vc.crls:
        if crl["tbs_cert_list"]["issuer"] == cert.issuer:
            where = "embedded" if crl.dump() in embedded_crl else "online"
            sources.append(f"crl/{where}")
    return tuple(dict.fromkeys(sources))


def _embedded_sources(cert: x509.Certificate, embedded: EmbeddedValidationData) -> bool:
    """Whether the document itself carries status data for ``cert`` (B-LT)."""
    return any(cert.serial_number in _ocsp_serials(r) for r in embedded.ocsps) or any(
        c["tbs_cert_list"]["issuer"] == cert.issuer for c in embedded.crls
    )


def _ocsp_serials(resp: object) -> set[int]:
    try:
        data = resp["response_bytes"]["response"].parsed  # type: ignore[index]
        return {
            r["cert_id"]["serial_number"].native for r in data["tbs_response_data"]["responses"]
        }
    except (KeyError, TypeError, ValueError):
        return set()


def _base_level(sig: EmbeddedPdfSignature, attested: bool, has_embedded: bool) -> str | None:
    """B-B, B-T or B-LT from this signature alone; B-LTA is decided per document."""
    if sig.sig_object.get("/SubFilter") != "/ETSI.CAdES.detached":
        return None
    if not attested:
        return "B-B"
    if has_embedded:
        return "B-LT"
    return "B-T"
