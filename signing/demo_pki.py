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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asn1crypto import x509
from certomancer.registry import CertomancerConfig, PKIArchitecture
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pyhanko_certvalidator import ValidationContext

from signing.csc_server import Credential
from signing.demo_identities import (
    ARCH,
    CA_LABELS,
    IDENTITIES,
    UNTRUSTED_ARCH,
    DemoIdentity,
    identity,
)
from signing.demo_pki_config import certomancer_config
from signing.errors import PkiError
from signing.trust import TrustSettings

DEMO_PIN = "123456"
"""PIN of every demo PKCS#12 file and remote credential (demo only, documented)."""
DEFAULT_PORT = 9780
STATE_FILE = "pki.json"


class DemoPKI:
    """A loaded demo PKI; make one with :meth:`load_or_create`."""

    def __init__(self, directory: Path, *, port: int, created: datetime) -> None:
        self.directory = directory
        self.port = port
        self.created = created
        self.base_url = f"http://127.0.0.1:{port}"
        self._load()

    def _load(self) -> None:
        keys = self.directory / "keys"
        token_keys = frozenset(
            i.label
            for i in IDENTITIES
            if i.key == "token" and (keys / f"{i.label}.pub.pem").exists()
        )
        config = CertomancerConfig(
            certomancer_config(base_url=self.base_url, created=self.created, token_keys=token_keys),
            key_search_dir=str(keys),
        )
        self.token_keys = token_keys
        self.arch: PKIArchitecture = config.get_pki_arch(ARCH)
        self.untrusted_arch: PKIArchitecture = config.get_pki_arch(UNTRUSTED_ARCH)

    def register_token_key(self, identity_id: str, public_key_pem: bytes) -> x509.Certificate:
        """Issue the certificate of a ``token`` identity for a key generated on a token.

        Only the public key is stored. A running :class:`PkiServer` must be
        restarted to answer OCSP for the new certificate.
        """
        ident = identity(identity_id)
        if ident.key != "token":
            raise PkiError(
                f"Danh tính '{identity_id}' không dùng khóa trên thiết bị ký.",
                f"The identity '{identity_id}' does not use a token key.",
            )
        (self.directory / "keys" / f"{ident.label}.pub.pem").write_bytes(public_key_pem)
        self._load()
        return self.certificate(identity_id)

    @staticmethod
    def present(data_dir: Path) -> bool:
        """Whether ``data_dir`` holds a demo PKI (state file or keys); loads nothing."""
        directory = Path(data_dir) / "pki"
        return (directory / STATE_FILE).exists() or (directory / "keys").exists()

    @classmethod
    def load_or_create(cls, data_dir: Path, *, port: int = DEFAULT_PORT) -> DemoPKI:
        """Load the PKI under ``data_dir/pki``, creating keys and state at first run.

        ``port`` only matters at creation: it is written into the certificates.
        """
        directory = Path(data_dir) / "pki"
        state_path = directory / STATE_FILE
        if state_path.exists():
            state = json.loads(state_path.read_text())
            # Identities added since this PKI was made get their keys now.
            _generate_keys(directory / "keys")
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
        if ident.key == "token" and ident.label not in self.token_keys:
            raise PkiError(
                f"Chưa đăng ký khóa của thiết bị ký cho '{identity_id}'.",
                f"No token key registered yet for '{identity_id}' (register_token_key).",
            )
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
            if ident.key == "token":
                continue  # the private key lives on the token only
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
    specs = {label: "rsa2048" for label in CA_LABELS}
    specs.update({ident.label: ident.key for ident in IDENTITIES if ident.key != "token"})
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
