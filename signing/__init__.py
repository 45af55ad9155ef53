"""Signing: PAdES signatures for citizens, officers, leaders and agency seals.

What other packages call:

- :func:`sign_document` (one PDF) and :func:`sign_batch` (many PDFs, one key
  unlock, one remote ``signHash``), with :class:`SignOptions` (level B-B to
  B-LTA, Decree 30 appearance, field name, digest, unknown-status policy);
- :func:`prepare_external` / :func:`complete_external`: two-step signing when
  the key is elsewhere (a browser, a phone, a remote service);
- signers (the :class:`~signing.ports.Signer` port): :class:`Pkcs12Signer`,
  :class:`Pkcs11Signer`, :class:`RemoteSigner` over a
  :class:`~signing.ports.RemoteSigningService` such as :class:`CscClient`
  (Cloud Signature Consortium API v2);
- :class:`TrustSettings`: trust anchors, TSA, revocation fetching;
- the demo: :class:`DemoPKI` (certomancer; also what verification tests need:
  trust root PEM, a revoked, an expired and an unknown-CA certificate),
  :class:`PkiServer` (OCSP/CRL/TSA on loopback), :class:`CscTestServer`,
  :class:`DemoSigning` (all of it, plus identity -> signer and appearance).

Every failure is a :class:`SigningError` subclass with a stable code and
Vietnamese and English messages; a call that raises has written nothing.
"""

from signing.appearance import Appearance, Box
from signing.batch import BatchItem, sign_batch
from signing.csc_client import CscClient
from signing.csc_server import CscTestServer
from signing.demo_pki import DEMO_PIN, IDENTITIES, DemoIdentity, DemoPKI
from signing.demo_services import DemoSigning
from signing.errors import SigningError
from signing.external import PendingSignature, complete_external, prepare_external
from signing.model import (
    AppearanceKind,
    CertificateCheck,
    DigestAlgorithm,
    PadesLevel,
    SignedDocument,
    UnknownStatusPolicy,
)
from signing.pades import SignOptions, sign_document
from signing.pkcs11_signer import Pkcs11Signer
from signing.pkcs12_signer import Pkcs12Signer
from signing.pki_server import PkiServer
from signing.remote_signer import RemoteSigner
from signing.trust import TrustSettings, load_certificates

__all__ = [
    "DEMO_PIN",
    "IDENTITIES",
    "Appearance",
    "AppearanceKind",
    "BatchItem",
    "Box",
    "CertificateCheck",
    "CscClient",
    "CscTestServer",
    "DemoIdentity",
    "DemoPKI",
    "DemoSigning",
    "DigestAlgorithm",
    "PadesLevel",
    "PendingSignature",
    "PkiServer",
    "Pkcs11Signer",
    "Pkcs12Signer",
    "RemoteSigner",
    "SignOptions",
    "SignedDocument",
    "SigningError",
    "TrustSettings",
    "UnknownStatusPolicy",
    "complete_external",
    "load_certificates",
    "prepare_external",
    "sign_batch",
    "sign_document",
]
