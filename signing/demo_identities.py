"""The people and agencies of the demo PKI, and what ``--as`` accepts.

| ``--as`` | who | key | used for |
|---|---|---|---|
| ``citizen`` | Nguyễn Văn An | RSA 2048 | citizens' forms, signed remotely (CSC) |
| ``officer`` | Lê Thị Hoa | ECDSA P-256 | officers' steps |
| ``leader`` | Trần Quốc Bình, GIÁM ĐỐC | RSA 2048 | results (leader appearance) |
| ``000.00.00.H56`` | Sở Nội vụ tỉnh Demo | RSA 2048 | agency seal, attachments |
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


AGENCY_NAME = "Sở Nội vụ tỉnh Demo"
IDENTITIES: tuple[DemoIdentity, ...] = (
    DemoIdentity("citizen", "citizen", "citizen", "Nguyễn Văn An"),
    DemoIdentity(
        "officer", "officer", "officer", "Lê Thị Hoa", organization=AGENCY_NAME, key="ec256"
    ),
    DemoIdentity(
        "leader", "leader", "leader", "Trần Quốc Bình", title="GIÁM ĐỐC", organization=AGENCY_NAME
    ),
    DemoIdentity("000.00.00.H56", "agency-h56", "agency", AGENCY_NAME, organization=AGENCY_NAME),
    DemoIdentity("revoked", "revoked", "test", "Phạm Văn Thu Hồi", status="revoked"),
    DemoIdentity("expired", "expired", "test", "Hoàng Thị Hết Hạn", status="expired"),
    DemoIdentity("weak", "weak", "test", "Đỗ Văn Yếu", key="rsa1024"),
    DemoIdentity("stranger", "stranger", "test", "Người Lạ", arch=UNTRUSTED_ARCH),
    # Last, so that registering its key does not renumber the other certificates.
    DemoIdentity(
        "hsm-leader",
        "hsm-leader",
        "leader",
        "Trần Quốc Bình",
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
