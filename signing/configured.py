"""Production signing: who signs with which key, from the installation's settings.

:class:`DemoSigning` answers "which key signs for this person or agency" from
the demo PKI. :class:`ConfiguredSigning` answers it for a real installation:

- leaders and agency seals sign with keys on a PKCS#11 token or HSM (one
  token; the key label is made from the account's user name or the agency's
  id, ``{identity}`` by default) or with credentials of a remote signing
  service (CSC API v2; the credentials listed for that user id);
- citizens sign their forms remotely, with the credential their remote
  signing provider lists for their personal identification number;
- the trust anchors, intermediate CAs and the TSA are the configured ones;
- appearance images (the leader's signature, the agency's seal) are PNG
  files named after the identity in one folder.

Both classes offer the same calls (:class:`SigningDirectory`), so the pages
and commands do not care which one the installation uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from asn1crypto import x509

from signing import appearance as appearances
from signing.csc_client import CscClient
from signing.errors import KeyUnavailableError, SigningError
from signing.model import AppearanceKind
from signing.pkcs11_signer import Pkcs11Signer
from signing.ports import Signer
from signing.remote_signer import RemoteSigner
from signing.trust import TrustSettings, load_certificates

BACKENDS = ("demo", "pkcs11", "csc")
"""Values of the signing backend setting."""
DEFAULT_LEADER_TITLE = "THỦ TRƯỞNG CƠ QUAN"


class SigningDirectory(Protocol):
    """Signers and appearances by identity: the demo PKI or the configured keys."""

    @property
    def serving(self) -> bool:
        """Whether this process serves signing services of its own (the demo's)."""
        ...

    def start(self) -> SigningDirectory:
        """Be ready to sign (the demo starts its services); idempotent."""
        ...

    def stop(self) -> None: ...

    def trust(self) -> TrustSettings:
        """Trust anchors and TSA for pre-signing checks, timestamps and revocation data."""
        ...

    def leader_identity(self, username: str) -> str:
        """The identity a leader account signs as."""
        ...

    def seal_identity(self, agency_id: str) -> str:
        """The identity an agency seals as."""
        ...

    def signer(self, identity_id: str, *, pin: str | None = None) -> Signer:
        """The key of a leader, officer or agency."""
        ...

    @property
    def citizen_signing(self) -> bool:
        """Whether citizens can sign their forms here."""
        ...

    @property
    def leader_pin_required(self) -> bool:
        """Whether a leader types a PIN or OTP to sign (remote signing credentials)."""
        ...

    def citizen_signer(self, personal_id: str, *, pin: str) -> Signer:
        """The remote-signing credential of a citizen."""
        ...

    def appearance(
        self,
        identity_id: str,
        kind: AppearanceKind,
        *,
        name: str | None = None,
        title: str | None = None,
        when: datetime | None = None,
    ) -> appearances.Appearance | None:
        """The Decree 30 appearance of ``kind`` for ``identity_id``."""
        ...


@dataclass(frozen=True)
class Pkcs11Config:
    """One token holding the installation's signing keys."""

    module: str
    token_label: str
    pin: str = field(repr=False)
    key_label: str = "{identity}"
    """Label of an identity's key and certificate; ``{identity}`` is the user name or agency id."""


@dataclass(frozen=True)
class CscConfig:
    """A remote signing service speaking the CSC API v2."""

    base_url: str
    client_id: str
    client_secret: str = field(repr=False)


@dataclass
class ConfiguredSigning:
    """The installation's real keys, trust anchors and TSA (see the module docstring)."""

    backend: str
    """``pkcs11`` or ``csc``: where leaders' and agencies' keys are."""
    trust_roots: tuple[Path, ...]
    tsa_url: str
    images_dir: Path | None = None
    ca_certs: tuple[Path, ...] = ()
    """Intermediate CA certificates that help build paths (not trusted by themselves)."""
    pkcs11: Pkcs11Config | None = None
    csc: CscConfig | None = None
    """Remote signing: leaders and agencies when ``backend`` is ``csc``; citizens always."""
    leader_title: str = DEFAULT_LEADER_TITLE
    _trust: TrustSettings | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS[1:]:
            raise ValueError(f"backend must be pkcs11 or csc, not {self.backend!r}")
        if self.backend == "pkcs11" and self.pkcs11 is None:
            raise ValueError("the pkcs11 backend needs a Pkcs11Config")
        if self.backend == "csc" and self.csc is None:
            raise ValueError("the csc backend needs a CscConfig")

    @property
    def serving(self) -> bool:
        return False

    def start(self) -> ConfiguredSigning:
        return self

    def stop(self) -> None:
        return None

    def trust(self) -> TrustSettings:
        if self._trust is None:
            self._trust = TrustSettings(
                trust_roots=_certificates(self.trust_roots),
                other_certs=_certificates(self.ca_certs),
                tsa_url=self.tsa_url or None,
            )
        return self._trust

    def leader_identity(self, username: str) -> str:
        return username

    def seal_identity(self, agency_id: str) -> str:
        return agency_id

    def signer(self, identity_id: str, *, pin: str | None = None) -> Signer:
        if self.backend == "pkcs11":
            assert self.pkcs11 is not None
            token = self.pkcs11
            label = token.key_label.format(identity=identity_id)
            return Pkcs11Signer(
                token_label=token.token_label,
                key_label=label,
                pin=pin or token.pin,
                module=token.module,
                ca_chain=self.trust().other_certs,
            )
        return self._remote(identity_id, pin)

    @property
    def citizen_signing(self) -> bool:
        return self.csc is not None

    @property
    def leader_pin_required(self) -> bool:
        return self.backend == "csc"

    def citizen_signer(self, personal_id: str, *, pin: str) -> Signer:
        if self.csc is None:
            raise KeyUnavailableError(
                "Bản cài đặt này chưa kết nối dịch vụ ký số từ xa cho công dân; hãy nộp hồ sơ "
                "không ký số.",
                "This installation has no remote signing service for citizens; submit the form "
                "without a digital signature.",
                code="signing.citizen_signing_unavailable",
            )
        return self._remote(personal_id, pin)

    def _remote(self, user_id: str, pin: str | None) -> Signer:
        assert self.csc is not None
        client = CscClient(self.csc.base_url, self.csc.client_id, self.csc.client_secret)
        credentials = client.list_credentials(user_id)
        if not credentials:
            raise KeyUnavailableError(
                f"Dịch vụ ký số từ xa không có chứng thư số nào cho '{user_id}'. Hãy đăng ký "
                "chứng thư số với nhà cung cấp dịch vụ ký số từ xa.",
                f"The remote signing service holds no credential for '{user_id}'. Register a "
                "certificate with the remote signing provider.",
                code="signing.no_credential",
                details={"user": user_id},
            )
        return RemoteSigner(client, credentials[0], pin)

    def appearance(
        self,
        identity_id: str,
        kind: AppearanceKind,
        *,
        name: str | None = None,
        title: str | None = None,
        when: datetime | None = None,
    ) -> appearances.Appearance | None:
        if kind is AppearanceKind.LEADER:
            return appearances.leader(
                name=name or identity_id,
                title=title or self.leader_title,
                signature_png=self._image(identity_id, "chữ ký", "signature"),
            )
        if kind is AppearanceKind.SEAL:
            return appearances.seal(seal_png=self._image(identity_id, "con dấu", "seal"))
        if kind is AppearanceKind.ATTACHMENT:
            return appearances.attachment(agency_name=name or identity_id, when=when)
        return None

    def _image(self, identity_id: str, what_vi: str, what_en: str) -> bytes:
        """``<images_dir>/<identity>.png``: the visible signature needs it (Decree 30)."""
        path = Path(self.images_dir or "EFORMS_SIGNING_IMAGES_DIR") / f"{identity_id}.png"
        if self.images_dir is None or not path.is_file():
            raise SigningError(
                f"Chưa có ảnh {what_vi} của '{identity_id}' ({path}); hãy đặt tệp PNG nền trong "
                "suốt vào thư mục EFORMS_SIGNING_IMAGES_DIR.",
                f"No {what_en} image for '{identity_id}' ({path}); put a transparent PNG in the "
                "EFORMS_SIGNING_IMAGES_DIR folder.",
                code="signing.no_image",
                details={"identity": identity_id, "path": str(path)},
            )
        data = path.read_bytes()
        if not data.startswith(b"\x89PNG\r\n\x1a\n"):
            raise SigningError(
                f"Tệp ảnh {what_vi} {path} không phải PNG.",
                f"The {what_en} image {path} is not a PNG file.",
                code="signing.bad_image",
                details={"identity": identity_id, "path": str(path)},
            )
        return data


def _certificates(paths: Iterable[Path]) -> tuple[x509.Certificate, ...]:
    found: list[x509.Certificate] = []
    for path in paths:
        try:
            found.extend(load_certificates(path))
        except (OSError, ValueError) as exc:
            raise SigningError(
                f"Không đọc được chứng thư số trong {path}: {exc}.",
                f"Cannot read the certificates in {path}: {exc}.",
                code="signing.bad_trust_file",
                details={"path": str(path)},
            ) from exc
    return tuple(found)
