"""Our verdict on one signature, from plain findings (not pyHanko's ``bottom_line``).

TOTAL_PASSED needs all of: the signed bytes intact, the signature value
valid, the certificate trusted and in good standing, a valid timestamp if
one is present, and either coverage of the whole file or coverage of a whole
revision with every later change within what the signature permits (DocMDP
and FieldMDP: validation data and timestamps, form filling, annotations
where allowed). Anything else fails or is indeterminate with a stated
reason, in the order of EN 319 102-1: integrity first, then format and
coverage, then the certificate.

The certificate is judged at the verification time, or, for a timestamped
signature whose certificate has expired or been revoked since or whose
status data is no longer fresh, at the signing time the timestamp proves
(:mod:`signing.validation.long_term`, EN 319 102-1 § 5.6.2.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from signing.validation import wording
from signing.validation.model import Coverage, Indication, Modification, Problem, SubIndication

PASSED = (Indication.TOTAL_PASSED, None)


@dataclass(frozen=True)
class Findings:
    """What the checks established about one signature, as plain values."""

    intact: bool
    valid: bool
    trusted: bool
    trust_problem: str | None
    """pyHanko's AdES sub-indication name for a trust problem, if any."""
    revocation_time: datetime | None
    ca_revoked: bool
    signing_time: datetime | None
    signing_time_attested: bool
    timestamp_ok: bool | None
    """``None`` without a signature timestamp."""
    cert_valid_to: datetime | None
    coverage: Coverage
    modification: Modification
    permitted: bool | None
    judged_at: datetime | None = None
    """When the certificate was judged at a time a timestamp proves (long-term
    validation), that time; ``trusted`` and ``trust_problem`` are then the
    outcome there. ``None``: judged at the verification time."""


Verdict = tuple[Indication, SubIndication | None]


def decide(f: Findings) -> tuple[Indication, SubIndication | None, tuple[Problem, ...]]:
    """The indication, sub-indication and the reason (empty when passed)."""
    for check in (_integrity, _coverage, _changes, _revocation, _expiry, _trust, _timestamp):
        outcome = check(f)
        if outcome is not None:
            indication, sub, problem = outcome
            return indication, sub, (problem,)
    return Indication.TOTAL_PASSED, None, ()


Outcome = tuple[Indication, SubIndication, Problem] | None


def _integrity(f: Findings) -> Outcome:
    if not f.intact:
        return Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE, wording.problem("hash")
    if not f.valid:
        return Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE, wording.problem("crypto")
    return None


def _coverage(f: Findings) -> Outcome:
    if f.coverage in (Coverage.ENTIRE_FILE, Coverage.ENTIRE_REVISION):
        return None
    return Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE, wording.problem("coverage")


def _changes(f: Findings) -> Outcome:
    if f.coverage is Coverage.ENTIRE_FILE:
        return None
    if f.permitted is True and f.modification is not Modification.OTHER:
        return None
    key = "changes_unknown" if f.permitted is None else "changes"
    return Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE, wording.problem(key)


def _timestamp(f: Findings) -> Outcome:
    if f.timestamp_ok is False:
        return Indication.INDETERMINATE, SubIndication.NO_POE, wording.problem("timestamp")
    return None


def _revocation(f: Findings) -> Outcome:
    if f.revocation_time is None:
        return None
    if f.signing_time is not None and f.signing_time >= f.revocation_time:
        # Even the time the signer claims is after the revocation.
        return Indication.TOTAL_FAILED, SubIndication.REVOKED, wording.problem("revoked")
    if f.signing_time_attested and f.judged_at is not None and f.judged_at < f.revocation_time:
        # A timestamp proves the signature existed before the revocation, and the
        # certificate was judged at that time (EN 319 102-1 § 5.6.2.4): _trust decides.
        return None
    sub = SubIndication.REVOKED_CA_NO_POE if f.ca_revoked else SubIndication.REVOKED_NO_POE
    return Indication.INDETERMINATE, sub, wording.problem("revoked_later")


def _expiry(f: Findings) -> Outcome:
    if f.trust_problem != "OUT_OF_BOUNDS_NO_POE":
        return None
    if f.cert_valid_to is not None and f.signing_time is not None:
        if f.signing_time > f.cert_valid_to:
            return Indication.TOTAL_FAILED, SubIndication.EXPIRED, wording.problem("expired")
    return Indication.INDETERMINATE, SubIndication.OUT_OF_BOUNDS_NO_POE, wording.problem("expired")


def _trust(f: Findings) -> Outcome:
    if f.trusted:
        return None
    try:
        sub = SubIndication(f.trust_problem or "")
    except ValueError:
        sub = SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE
    key = {
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND: "no_chain",
        SubIndication.TRY_LATER: "try_later_at_signing" if f.judged_at else "try_later",
    }.get(sub, "untrusted")
    return Indication.INDETERMINATE, sub, wording.problem(key)
