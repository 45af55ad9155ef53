"""The verdict rules on plain findings, and the report's JSON round trip (no PKI needed)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from portal.settings import Settings, SettingsError
from signing.validation import (
    Coverage,
    Indication,
    Modification,
    SubIndication,
    report_from_dict,
)
from signing.validation.model import (
    CertificateInfo,
    CertificateStatus,
    ChangesAfter,
    RevocationPolicy,
    SignatureKind,
    SignatureReport,
    VerificationReport,
    worst,
)
from signing.validation.verdict import Findings, decide

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
GOOD = Findings(
    intact=True,
    valid=True,
    trusted=True,
    trust_problem=None,
    revocation_time=None,
    ca_revoked=False,
    signing_time=NOW,
    signing_time_attested=True,
    timestamp_ok=True,
    cert_valid_to=NOW + timedelta(days=365),
    coverage=Coverage.ENTIRE_FILE,
    modification=Modification.NONE,
    permitted=True,
)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, (Indication.TOTAL_PASSED, None)),
        ({"intact": False, "valid": False}, (Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)),
        ({"valid": False}, (Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE)),
        ({"coverage": Coverage.UNCLEAR}, (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)),
        (
            {"coverage": Coverage.ENTIRE_REVISION, "modification": Modification.FORM_FILLING},
            (Indication.TOTAL_PASSED, None),
        ),
        (
            {
                "coverage": Coverage.ENTIRE_REVISION,
                "modification": Modification.OTHER,
                "permitted": False,
            },
            (Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE),
        ),
        (
            {
                "coverage": Coverage.ENTIRE_REVISION,
                "modification": Modification.UNKNOWN,
                "permitted": None,
            },
            (Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE),
        ),
        (
            {"trusted": False, "revocation_time": NOW - timedelta(hours=1)},
            (Indication.TOTAL_FAILED, SubIndication.REVOKED),
        ),
        (
            # Revoked after the time the signer claims; no timestamp proves that time.
            {
                "trusted": False,
                "revocation_time": NOW + timedelta(hours=1),
                "signing_time_attested": False,
                "timestamp_ok": None,
            },
            (Indication.INDETERMINATE, SubIndication.REVOKED_NO_POE),
        ),
        (
            # A timestamp proves the signature predates the revocation, and the
            # certificate was good at that time (EN 319 102-1 § 5.6.2.4).
            {"revocation_time": NOW + timedelta(hours=1), "judged_at": NOW},
            (Indication.TOTAL_PASSED, None),
        ),
        (
            # ... but no status data from that time: it cannot be told.
            {
                "trusted": False,
                "trust_problem": "TRY_LATER",
                "revocation_time": NOW + timedelta(hours=1),
                "judged_at": NOW,
            },
            (Indication.INDETERMINATE, SubIndication.TRY_LATER),
        ),
        (
            # Expired since; judged good at the proven signing time.
            {"cert_valid_to": NOW + timedelta(days=1), "judged_at": NOW},
            (Indication.TOTAL_PASSED, None),
        ),
        (
            {
                "trusted": False,
                "trust_problem": "OUT_OF_BOUNDS_NO_POE",
                "cert_valid_to": NOW - timedelta(days=1),
            },
            (Indication.TOTAL_FAILED, SubIndication.EXPIRED),
        ),
        (
            {"trusted": False, "trust_problem": "OUT_OF_BOUNDS_NO_POE", "signing_time": None},
            (Indication.INDETERMINATE, SubIndication.OUT_OF_BOUNDS_NO_POE),
        ),
        (
            {"trusted": False, "trust_problem": "NO_CERTIFICATE_CHAIN_FOUND"},
            (Indication.INDETERMINATE, SubIndication.NO_CERTIFICATE_CHAIN_FOUND),
        ),
        (
            {"trusted": False, "trust_problem": "TRY_LATER"},
            (Indication.INDETERMINATE, SubIndication.TRY_LATER),
        ),
        (
            {"trusted": False, "trust_problem": "SOMETHING_NEW"},
            (Indication.INDETERMINATE, SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE),
        ),
        ({"timestamp_ok": False}, (Indication.INDETERMINATE, SubIndication.NO_POE)),
    ],
)
def test_rules(
    changes: dict[str, object], expected: tuple[Indication, SubIndication | None]
) -> None:
    indication, sub, problems = decide(dataclasses.replace(GOOD, **changes))  # type: ignore[arg-type]
    assert (indication, sub) == expected
    assert bool(problems) is (indication is not Indication.TOTAL_PASSED)
    assert all(p.message_vi and p.message_en for p in problems)


def test_worst_of_nothing_is_indeterminate() -> None:
    assert worst([]) is Indication.INDETERMINATE
    assert worst([Indication.TOTAL_PASSED, Indication.TOTAL_FAILED]) is Indication.TOTAL_FAILED


def test_report_round_trips_through_json() -> None:
    cert = CertificateInfo("CN=A", "CN=B", "1f", NOW, NOW + timedelta(days=1), "0" * 64)
    sig = SignatureReport(
        field_name="Sig1",
        kind=SignatureKind.SIGNATURE,
        indication=Indication.TOTAL_PASSED,
        subindication=None,
        intact=True,
        valid=True,
        trusted=True,
        signer=cert,
        chain=(cert,),
        certificate_status=CertificateStatus("good", ("ocsp/embedded",), checked_at=NOW),
        signing_time=NOW,
        signing_time_attested=True,
        timestamp_valid=True,
        pades_level="B-LT",
        changes=ChangesAfter(Coverage.ENTIRE_REVISION, 2, 3, Modification.LTA_UPDATES, True),
    )
    report = VerificationReport(
        Indication.TOTAL_PASSED, None, (sig,), NOW, "a" * 64, 10, RevocationPolicy.BOTH, ("CN=B",)
    )
    assert report_from_dict(report.to_dict()) == report
    # Reports kept in the history before ``checked_at`` existed still load.
    older = report.to_dict()
    del older["signatures"][0]["certificate_status"]["checked_at"]
    assert report_from_dict(older).signatures[0].certificate_status.checked_at is None


def test_revocation_setting_is_checked() -> None:
    with pytest.raises(SettingsError):
        Settings.from_env({"EFORMS_VERIFY_REVOCATION": "sometimes"})
