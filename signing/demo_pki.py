"""The demo PKI: a root and an intermediate CA, signers, OCSP, CRL and a TSA.

Built with certomancer from a configuration this module writes in code. Keys
are generated at first run into ``<data_dir>/pki/keys`` (never committed);
the certificates are re-issued deterministically from the keys and the dates
fixed at creation (RSA PKCS#1 v1.5 signatures are deterministic), so the
same data dir always yields byte-identical certificates.

The service URLs written into the certificates (OCSP responder, CRL
distribution point) and the TSA URL point to ``http://127.0.0.1:<port>``;
:mod:`signing.pki_server` serves them there.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import x509
from certomancer.registry import CertomancerConfig, PKIArchitecture
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pyhanko_certvalidator import ValidationContext

from signing.csc_server import Credential
from signing.errors import PkiError, UnknownIdentityError
from signing.trust import TrustSettings

ARCH = "eforms-demo"
"""certomancer architecture of the trusted demo PKI."""
UNTRUSTED_ARCH = "untrusted"
"""A second, unrelated PKI whose root nobody trusts (for verification tests)."""
DEMO_PIN = "123456"
"""PIN of every demo PKCS#12 file and remote credential (demo only, documented)."""
DEFAULT_PORT = 9780
STATE_FILE = "pki.json"


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
    """``rsa2048``, ``ec256`` or ``rsa1024`` (the last only to test refusal)."""
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
)
_CA_LABELS = ("root", "interm", "ocsp", "tsa", "xroot")


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


class DemoPKI:
    """A loaded demo PKI; make one with :meth:`load_or_create`."""

    def __init__(self, directory: Path, *, port: int, created: datetime) -> None:
        self.directory = directory
        self.port = port
        self.created = created
        self.base_url = f"http://127.0.0.1:{port}"
        config = CertomancerConfig(
            _certomancer_config(base_url=self.base_url, created=created),
            key_search_dir=str(directory / "keys"),
        )
        self.arch: PKIArchitecture = config.get_pki_arch(ARCH)
        self.untrusted_arch: PKIArchitecture = config.get_pki_arch(UNTRUSTED_ARCH)

    @classmethod
    def load_or_create(cls, data_dir: Path, *, port: int = DEFAULT_PORT) -> DemoPKI:
        """Load the PKI under ``data_dir/pki``, creating keys and state at first run.

        ``port`` only matters at creation: it is written into the certificates.
        """
        directory = Path(data_dir) / "pki"
        state_path = directory / STATE_FILE
        if state_path.exists():
            state = json.loads(state_path.read_text())
            return cls(
                directory,
                port=int(state["port"]),
                created=datetime.fromisoformat(state["created"]),
            )
        try:
            _generate_keys(directory / "keys")
        except OSError as exc:
            raise PkiError(
                f"Không tạo được khóa PKI demo trong {directory}: {exc}.",
                f"Cannot create the demo PKI keys in {directory}: {exc}.",
            ) from exc
        created = datetime.now(UTC).replace(microsecond=0)
        state_path.write_text(json.dumps({"port": port, "created": created.isoformat()}))
        return cls(directory, port=port, created=created)

    # -- certificates -------------------------------------------------------------
    @property
    def root(self) -> x509.Certificate:
        """The trust anchor of the demo PKI."""
        return self.arch.get_cert("root")

    @property
    def intermediate(self) -> x509.Certificate:
        return self.arch.get_cert("interm")

    @property
    def untrusted_root(self) -> x509.Certificate:
        """Root of the unrelated PKI the ``stranger`` identity chains to."""
        return self.untrusted_arch.get_cert("xroot")

    def root_pem(self) -> bytes:
        """The trust anchor as PEM (``eforms pki root``)."""
        from asn1crypto import pem

        return pem.armor("CERTIFICATE", self.root.dump())

    def certificate(self, identity_id: str) -> x509.Certificate:
        ident = identity(identity_id)
        return self._arch_of(ident).get_cert(ident.label)

    def chain(self, identity_id: str) -> tuple[x509.Certificate, ...]:
        """The issuing CAs of ``identity_id`` up to and including its root."""
        ident = identity(identity_id)
        arch = self._arch_of(ident)
        return tuple(arch.get_cert(lbl) for lbl in arch.get_chain(ident.label))

    def pkcs12(self, identity_id: str, *, pin: str = DEMO_PIN) -> bytes:
        """A PKCS#12 file with the identity's key, certificate and chain."""
        ident = identity(identity_id)
        return self._arch_of(ident).package_pkcs12(ident.label, password=pin.encode())

    def pkcs12_path(self, identity_id: str) -> Path:
        """The identity's PKCS#12 file under the PKI dir (written on first use)."""
        ident = identity(identity_id)
        path = self.directory / "p12" / f"{ident.label}.p12"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(self.pkcs12(identity_id))
            path.chmod(0o600)
        return path

    def private_key_pem(self, identity_id: str) -> bytes:
        """The identity's private key (PKCS#8 PEM), e.g. to import into a token."""
        return (self.directory / "keys" / f"{identity(identity_id).label}.key.pem").read_bytes()

    def csc_credentials(self) -> list[Credential]:
        """Remote-signing credentials for the CSC test server: one per signing identity.

        The credential id is ``<identity id>``'s label prefixed with ``cred-``,
        the user id is the identity id, the PIN is :data:`DEMO_PIN`.
        """
        credentials = []
        for ident in IDENTITIES:
            key = serialization.load_pem_private_key(self.private_key_pem(ident.id), None)
            certs = (self.certificate(ident.id), *self.chain(ident.id))
            credentials.append(
                Credential(
                    credential_id=f"cred-{ident.label}",
                    user_id=ident.id,
                    key=key,
                    certificates=certs,
                    pin=DEMO_PIN,
                )
            )
        return credentials

    def _arch_of(self, ident: DemoIdentity) -> PKIArchitecture:
        return self.untrusted_arch if ident.arch == UNTRUSTED_ARCH else self.arch

    # -- services -----------------------------------------------------------------
    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/{ARCH}/tsa/tsa"

    def trust(self, *, timeout: int = 5) -> TrustSettings:
        """Trust the demo root only; timestamps from the demo TSA."""
        return TrustSettings(
            trust_roots=(self.root,),
            other_certs=(self.intermediate,),
            tsa_url=self.tsa_url,
            timeout=timeout,
        )

    def validation_context(
        self, *, allow_fetching: bool = True, revocation_mode: str = "hard-fail"
    ) -> ValidationContext:
        """A fresh validation context trusting only the demo root.

        Revocation data is fetched over HTTP from the demo services unless
        ``allow_fetching`` is off (then only data embedded in a document counts).
        """
        return self.trust().validation_context(
            allow_fetching=allow_fetching, revocation_mode=revocation_mode
        )


def _generate_keys(keys_dir: Path) -> None:
    keys_dir.mkdir(parents=True, exist_ok=True)
    specs = {label: "rsa2048" for label in _CA_LABELS}
    specs.update({ident.label: ident.key for ident in IDENTITIES})
    for label, kind in specs.items():
        path = keys_dir / f"{label}.key.pem"
        if path.exists():
            continue
        if kind == "ec256":
            key: Any = ec.generate_private_key(ec.SECP256R1())
        else:
            key = rsa.generate_private_key(65537, 1024 if kind == "rsa1024" else 2048)
        pem_bytes = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem_bytes)


def _fmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _validity(start: datetime, end: datetime) -> dict[str, str]:
    return {"valid-from": _fmt(start), "valid-to": _fmt(end)}


def _key_usage(*usages: str) -> dict[str, Any]:
    return {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(usages)},
    }


_CA_EXT = {"id": "basic_constraints", "critical": True, "value": {"ca": True}}
_REVINFO_EXTS = [
    {
        "id": "crl_distribution_points",
        "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["interm"]}},
    },
    {
        "id": "authority_information_access",
        "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": ["interm"]}},
    },
]


def _certomancer_config(*, base_url: str, created: datetime) -> dict[str, Any]:
    """The certomancer configuration, as a dict (dates derive from ``created``)."""
    day, year = timedelta(days=1), timedelta(days=365)
    start = created - day
    keys = {lbl: {"path": f"{lbl}.key.pem"} for lbl in _CA_LABELS}
    keys.update({i.label: {"path": f"{i.label}.key.pem"} for i in IDENTITIES})
    entities: dict[str, Any] = {
        "root": {"common-name": "eforms Demo Root CA"},
        "interm": {"common-name": "eforms Demo Issuing CA"},
        "ocsp": {"common-name": "eforms Demo OCSP Responder"},
        "tsa": {"common-name": "eforms Demo Time Stamping Authority"},
    }
    certs: dict[str, Any] = {
        "root": {
            "subject": "root",
            "issuer": "root",
            "authority-key": "root",
            "validity": _validity(start, created + 20 * year),
            "extensions": [_CA_EXT, _key_usage("digital_signature", "key_cert_sign", "crl_sign")],
        },
        "interm": {
            "issuer": "root",
            "validity": _validity(start, created + 10 * year),
            "extensions": [
                {
                    "id": "basic_constraints",
                    "critical": True,
                    "value": {"ca": True, "path-len-constraint": 0},
                },
                _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
                {
                    "id": "crl_distribution_points",
                    "smart-value": {
                        "schema": "crl-dist-url",
                        "params": {"crl-repo-names": ["root"]},
                    },
                },
            ],
        },
        "ocsp": {
            "issuer": "interm",
            "validity": _validity(start, created + 10 * year),
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                {"id": "ocsp_no_check"},
            ],
        },
        "tsa": {
            "issuer": "root",
            "validity": _validity(start, created + 10 * year),
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                {
                    "id": "crl_distribution_points",
                    "smart-value": {
                        "schema": "crl-dist-url",
                        "params": {"crl-repo-names": ["root"]},
                    },
                },
            ],
        },
    }
    for ident in IDENTITIES:
        if ident.arch != ARCH:
            continue
        entities[ident.label] = _entity(ident)
        certs[ident.label] = _leaf_cert(ident, created=created)
    return {
        "external-url-prefix": base_url,
        "keysets": {"demo": {"keys": keys}},
        "pki-architectures": {
            ARCH: {
                "keyset": "demo",
                "entity-defaults": {"country-name": "VN"},
                "entities": entities,
                "certs": certs,
                "services": _services(),
            },
            UNTRUSTED_ARCH: _untrusted_arch(start, created),
        },
    }


def _entity(ident: DemoIdentity) -> dict[str, str]:
    entity = {"common-name": ident.common_name}
    if ident.organization:
        entity["organization-name"] = ident.organization
    if ident.title:
        entity["title"] = ident.title
    return entity


def _leaf_cert(ident: DemoIdentity, *, created: datetime) -> dict[str, Any]:
    day, year = timedelta(days=1), timedelta(days=365)
    if ident.status == "expired":
        validity = _validity(created - 2 * year, created - year)
    else:
        validity = _validity(created - day, created + 3 * year)
    # Seals (organisation certificates) and people alike sign documents:
    # digitalSignature + nonRepudiation (contentCommitment).
    cert: dict[str, Any] = {
        "issuer": "interm",
        "validity": validity,
        "extensions": [_key_usage("digital_signature", "non_repudiation"), *_REVINFO_EXTS],
    }
    if ident.status == "revoked":
        cert["revocation"] = {
            "revoked-since": _fmt(created - timedelta(hours=1)),
            "reason": "key_compromise",
        }
    return cert


def _services() -> dict[str, Any]:
    return {
        "ocsp": {
            "interm": {"for-issuer": "interm", "responder-cert": "ocsp", "signing-key": "ocsp"}
        },
        "crl-repo": {
            "root": {
                "for-issuer": "root",
                "signing-key": "root",
                "simulated-update-schedule": "P90D",
            },
            "interm": {
                "for-issuer": "interm",
                "signing-key": "interm",
                "simulated-update-schedule": "P7D",
            },
        },
        "cert-repo": {"root": {"for-issuer": "root", "publish-issued-certs": True}},
        "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
    }


def _untrusted_arch(start: datetime, created: datetime) -> dict[str, Any]:
    year = timedelta(days=365)
    stranger = identity("stranger")
    return {
        "keyset": "demo",
        "entity-defaults": {"country-name": "VN"},
        "entities": {
            "xroot": {"common-name": "Unknown Root CA"},
            stranger.label: _entity(stranger),
        },
        "certs": {
            "xroot": {
                "subject": "xroot",
                "issuer": "xroot",
                "authority-key": "xroot",
                "validity": _validity(start, created + 20 * year),
                "extensions": [
                    _CA_EXT,
                    _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
                ],
            },
            stranger.label: {
                "issuer": "xroot",
                "validity": _validity(start, created + 3 * year),
                "extensions": [_key_usage("digital_signature", "non_repudiation")],
            },
        },
    }
