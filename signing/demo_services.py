"""The demo's signing services in one place: PKI, its HTTP services, remote signing.

``make run`` and the command line use :class:`DemoSigning`: it loads or
creates the demo PKI, serves OCSP/CRL/TSA and the CSC test server on
loopback (in-process, on daemon threads), and resolves a demo identity
(``citizen``, ``leader``, ``000.00.00.H56``, ...) to a signer and an
appearance. Citizens sign through the CSC server ("remote signing");
officers, leaders and agencies through their PKCS#12 files.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from signing import appearance as appearances
from signing.csc_client import CscClient
from signing.csc_server import CscTestServer
from signing.demo_images import seal_png, signature_png
from signing.demo_pki import DEFAULT_PORT, DEMO_PIN, IDENTITIES, DemoPKI, identity
from signing.errors import DemoSigningDisabledError, PkiError, UnknownIdentityError
from signing.model import AppearanceKind
from signing.pkcs12_signer import Pkcs12Signer
from signing.pki_server import PkiServer
from signing.ports import Signer
from signing.remote_signer import RemoteSigner
from signing.trust import TrustSettings

DEMO_CSC_CLIENT = "eforms-portal"
DEMO_LEADER = "leader"
DEMO_AGENCY = "000.00.00.H56"
_IDENTITY_IDS = frozenset(i.id for i in IDENTITIES)


@dataclass
class DemoSigning:
    """Demo PKI plus its running services; :meth:`start` is idempotent."""

    data_dir: Path
    pki_port: int = DEFAULT_PORT
    csc_port: int = 0
    """Port of the CSC test server; 0 picks a free one."""
    enabled: bool = True
    """Whether the demo keys may sign. Off in production mode: :meth:`start` and
    :meth:`signer` then refuse instead of creating demo keys (PIN 123456)."""
    _pki: DemoPKI | None = field(default=None, repr=False)
    _pki_server: PkiServer | None = field(default=None, repr=False)
    _csc: CscTestServer | None = field(default=None, repr=False)
    _csc_secret: str = field(default_factory=lambda: secrets.token_urlsafe(16), repr=False)

    @property
    def pki(self) -> DemoPKI:
        if self._pki is None:
            self._pki = DemoPKI.load_or_create(self.data_dir, port=self.pki_port)
        return self._pki

    def start(self, *, pki_services: bool = True) -> DemoSigning:
        """Serve OCSP/CRL/TSA (unless already served, e.g. by ``eforms pki serve``) and CSC."""
        self._require_enabled()
        if pki_services and self._pki_server is None:
            server = PkiServer(self.pki)
            try:
                server.start()
                self._pki_server = server
            except PkiError:
                pass  # the port is taken: another process serves the same PKI
        if self._csc is None:
            self._csc = CscTestServer(
                clients={DEMO_CSC_CLIENT: self._csc_secret},
                credentials=self.pki.csc_credentials(),
                port=self.csc_port,
            ).start()
        return self

    @property
    def serving(self) -> bool:
        """Whether this process serves the demo PKI and the CSC server."""
        return self._csc is not None

    def stop(self) -> None:
        for server in (self._csc, self._pki_server):
            if server is not None:
                server.stop()
        self._csc = self._pki_server = None

    @property
    def csc_url(self) -> str:
        self.start(pki_services=False)
        assert self._csc is not None
        return self._csc.url

    def remote_client(self) -> CscClient:
        return CscClient(self.csc_url, DEMO_CSC_CLIENT, self._csc_secret)

    def trust(self) -> TrustSettings:
        """The demo root, intermediate and TSA."""
        return self.pki.trust()

    def leader_identity(self, username: str) -> str:
        """The demo identity of the same name, else the demo leader."""
        return username if username in _IDENTITY_IDS else DEMO_LEADER

    def seal_identity(self, agency_id: str) -> str:
        """The demo organisation certificate of the agency, else the demo home agency's."""
        return agency_id if agency_id in _IDENTITY_IDS else DEMO_AGENCY

    @property
    def citizen_signing(self) -> bool:
        return self.enabled

    @property
    def leader_pin_required(self) -> bool:
        """Demo keys open with the demo PIN."""
        return False

    def citizen_signer(self, personal_id: str, *, pin: str) -> Signer:
        """Every demo citizen signs remotely with the demo citizen's credential."""
        return self.signer("citizen", pin=pin, remote=True)

    def signer(
        self, identity_id: str, *, pin: str | None = None, remote: bool | None = None
    ) -> Signer:
        """The signer of a demo identity; citizens sign remotely unless ``remote`` says no."""
        self._require_enabled()
        pin = DEMO_PIN if pin is None else pin
        ident = identity(identity_id)
        if ident.key == "token":
            raise UnknownIdentityError(
                f"'{identity_id}' ký bằng thiết bị PKCS#11, không có tệp khóa demo.",
                f"'{identity_id}' signs with a PKCS#11 token (Pkcs11Signer), not a demo key file.",
                details={"identity": identity_id},
            )
        if remote is None:
            remote = ident.role == "citizen"
        if remote:
            return RemoteSigner(self.remote_client(), f"cred-{ident.label}", pin)
        return Pkcs12Signer(self.pki.pkcs12_path(ident.id), pin)

    def _require_enabled(self) -> None:
        if self.enabled:
            return
        raise DemoSigningDisabledError(
            "Bản cài đặt đang ở chế độ vận hành (EFORMS_DEMO=0) nhưng chưa cấu hình chữ ký số "
            "thật (thiết bị PKCS#11 hoặc dịch vụ ký từ xa) cho người ký; không ký bằng khóa "
            "demo (mã PIN 123456). Hãy cấu hình người ký, hoặc đặt EFORMS_DEMO=1 (hay "
            "EFORMS_ALLOW_DEMO_IN_PRODUCTION=1) nếu đây là bản dùng thử.",
            "This installation runs in production mode (EFORMS_DEMO=0) and has no real signer "
            "(PKCS#11 token or remote signing service) configured; the demo keys (PIN 123456) "
            "do not sign. Configure the signer, or set EFORMS_DEMO=1 (or "
            "EFORMS_ALLOW_DEMO_IN_PRODUCTION=1) if this is a demo installation.",
        )

    def appearance(
        self,
        identity_id: str,
        kind: AppearanceKind,
        *,
        name: str | None = None,
        title: str | None = None,
        when: datetime | None = None,
    ) -> appearances.Appearance | None:
        """The Decree 30 appearance of ``kind`` for a demo identity, with demo images.

        The names and titles are the demo certificates' (``name`` and ``title`` are ignored).
        """
        ident = identity(identity_id)
        agency = ident.organization or ident.common_name
        if kind is AppearanceKind.LEADER:
            return appearances.leader(
                name=ident.common_name,
                title=ident.title or "THỦ TRƯỞNG",
                signature_png=signature_png(ident.common_name),
            )
        if kind is AppearanceKind.SEAL:
            return appearances.seal(seal_png=seal_png(agency))
        if kind is AppearanceKind.ATTACHMENT:
            return appearances.attachment(agency_name=agency, when=when)
        return None
