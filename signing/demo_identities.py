"""The people and agencies of the demo PKI, and what ``--as`` accepts.

The ids are the demo accounts' usernames and the demo agencies' ids, and the
names are theirs, so a demo result shows who approved it and which agency sealed it.

| ``--as`` | who | key | used for |
|---|---|---|---|
| ``citizen`` | Nguyễn Văn An | RSA 2048 | citizens' forms, signed remotely (CSC) |
| ``officer`` | Lê Thị Tiếp Nhận | ECDSA P-256 | officers' steps |
| ``leader``, ``leader.ca``, ``leader2`` | each agency's leader | RSA 2048 | results |
| ``000.00.0{0,1,2}.H56`` | each demo agency | RSA 2048 | seals, attachments |
| ``revoked`` / ``expired`` / ``weak`` / ``stranger`` | test identities | | refusals, unknown CA |
"""

from __future__ import annotations

from dataclasses import dataclass

from signing.errors import UnknownIdentityError

ARCH = "eforms-demo"
"""certomancer architecture of the trusted demo PKI."""
UNTRUSTED_ARCH = "untrusted"
"""A second, unrelated PKI whose root nobody trusts (for verification tests)."""


@dataclass(frozen=True)
class DemoIdentity:
    """A person or agency of the demo with a certificate and a key."""

    id: str
    """What ``eforms sign --as`` accepts: a demo username or an agency id."""
    label: str
    """certomancer label of the entity, its key and its certificate."""
    role: str
    """``citizen``, ``officer``, ``leader``, ``agency`` or ``test``."""
    common_name: str
    title: str = ""
    """Position printed under a leader's signature (Decree 30/2020)."""
    organization: str = ""
    key: str = "rsa2048"
    """``rsa2048``, ``ec256``, ``rsa1024`` (only to test refusal) or ``token``.

    ``token``: the key is generated on a PKCS#11 token and never leaves it; the
    PKI only holds its public key (:meth:`DemoPKI.register_token_key`).
    """
    status: str = "good"
    """``good``, ``revoked`` or ``expired``."""
    arch: str = ARCH


# The demo agencies and accounts of ``portal/demo.py`` (the core cannot import the
# portal; tests/portal/test_demo_dossiers.py keeps the two lists in step).
AGENCY_NAME = "Sở Tư pháp (tỉnh thử nghiệm)"
"""The demo home agency, ``000.00.00.H56``."""
POLICE_NAME = "Công an tỉnh (tỉnh thử nghiệm)"
CONSTRUCTION_NAME = "Sở Xây dựng (tỉnh thử nghiệm)"
IDENTITIES: tuple[DemoIdentity, ...] = (
    # The demo citizen account; the name the population registry gives its personal ID.
    DemoIdentity("citizen", "citizen", "citizen", "Nguyễn Văn An"),
    DemoIdentity(
        "officer", "officer", "officer", "Lê Thị Tiếp Nhận", organization=AGENCY_NAME, key="ec256"
    ),
    DemoIdentity(
        "leader",
        "leader",
        "leader",
        "Phạm Văn Lãnh Đạo",
        title="GIÁM ĐỐC",
        organization=AGENCY_NAME,
    ),
    DemoIdentity("000.00.00.H56", "agency-h56", "agency", AGENCY_NAME, organization=AGENCY_NAME),
    DemoIdentity("revoked", "revoked", "test", "Phạm Văn Thu Hồi", status="revoked"),
    DemoIdentity("expired", "expired", "test", "Hoàng Thị Hết Hạn", status="expired"),
    DemoIdentity("weak", "weak", "test", "Đỗ Văn Yếu", key="rsa1024"),
    DemoIdentity("stranger", "stranger", "test", "Người Lạ", arch=UNTRUSTED_ARCH),
    # The other demo agencies: each its own leader and seal. After the ones above, so that
    # an existing demo PKI keeps their certificates' serial numbers.
    DemoIdentity(
        "leader.ca",
        "leader-ca",
        "leader",
        "Mai Thị Thủ Trưởng",
        title="GIÁM ĐỐC",
        organization=POLICE_NAME,
    ),
    DemoIdentity("000.00.01.H56", "agency-h56-01", "agency", POLICE_NAME, organization=POLICE_NAME),
    DemoIdentity(
        "leader2",
        "leader2",
        "leader",
        "Trịnh Văn Phê Duyệt",
        title="GIÁM ĐỐC",
        organization=CONSTRUCTION_NAME,
    ),
    DemoIdentity(
        "000.00.02.H56",
        "agency-h56-02",
        "agency",
        CONSTRUCTION_NAME,
        organization=CONSTRUCTION_NAME,
    ),
    # Last, so that registering its key does not renumber the other certificates.
    DemoIdentity(
        "hsm-leader",
        "hsm-leader",
        "leader",
        "Phạm Văn Lãnh Đạo",
        title="GIÁM ĐỐC",
        organization=AGENCY_NAME,
        key="token",
    ),
)
CA_LABELS = ("root", "interm", "ocsp", "tsa", "xroot")


def identity(identity_id: str) -> DemoIdentity:
    """The demo identity ``identity_id`` (username or agency id)."""
    for ident in IDENTITIES:
        if ident.id == identity_id or ident.label == identity_id:
            return ident
    known = ", ".join(i.id for i in IDENTITIES)
    raise UnknownIdentityError(
        f"Không có danh tính demo '{identity_id}'. Các danh tính: {known}.",
        f"No demo identity '{identity_id}'. Known identities: {known}.",
        details={"identity": identity_id},
    )
