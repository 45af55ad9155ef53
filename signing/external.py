"""External two-step signing: the server prepares, someone else signs, the server embeds.

Step 1, :func:`prepare_external`, checks the certificate, writes the signature
field and appearance with a placeholder, and returns a
:class:`PendingSignature`: plain bytes and numbers a stateless web app can
store anywhere. Its ``data_to_sign`` (the DER signed attributes) is what the
signer's key must sign; ``digest_to_sign`` is its hash, for signers that sign
digests (remote services, smart cards).

Step 2, :func:`complete_external`, checks the returned signature value
against the certificate, embeds the CMS container (with its signature
timestamp for B-T and above), then extends to B-LT (DSS with revocation data)
and B-LTA (document timestamp) as incremental updates.

Built on pyHanko's interrupted signing (``async_digest_doc_for_signing`` and
``PdfTBSDocument.async_finish_signing``). Batches use the same two steps so
that one remote call signs every document's digest.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asn1crypto import cms, x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import ExternalSigner, PdfSigner
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.validation.dss import async_add_validation_info
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing import document
from signing.errors import SigningError
from signing.model import CertificateCheck, DigestAlgorithm, PadesLevel, SignedDocument
from signing.pades import SignOptions, prepare, translate_errors
from signing.trust import TrustSettings

_PLACEHOLDER_BYTES = 512
"""Room for any allowed raw signature (RSA up to 4096 bits, ECDSA DER)."""


@dataclass(frozen=True)
class PendingSignature:
    """A document waiting for its signature value (step 1's result)."""

    prepared_pdf: bytes
    """The document with the signature field and an empty placeholder."""
    document_digest: bytes
    reserved_region_start: int
    reserved_region_end: int
    signed_attributes: bytes
    """DER of the CMS signed attributes: the data the key signs."""
    certificate: bytes
    chain: tuple[bytes, ...]
    digest: DigestAlgorithm
    level: PadesLevel
    field_name: str
    check: CertificateCheck

    @property
    def data_to_sign(self) -> bytes:
        return self.signed_attributes

    @property
    def digest_to_sign(self) -> bytes:
        """Hash of :attr:`data_to_sign` with :attr:`digest` (what signHash receives)."""
        return hashlib.new(self.digest.value, self.signed_attributes).digest()

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values (bytes in base64), for a web app to keep between the steps.

        Whoever keeps it must protect it against changes (the portal signs it).
        """
        check = dataclasses.asdict(self.check)
        check["valid_from"] = self.check.valid_from.isoformat()
        check["valid_to"] = self.check.valid_to.isoformat()
        check["warnings"] = list(self.check.warnings)
        return {
            "prepared_pdf": _b64(self.prepared_pdf),
            "document_digest": _b64(self.document_digest),
            "reserved_region": [self.reserved_region_start, self.reserved_region_end],
            "signed_attributes": _b64(self.signed_attributes),
            "certificate": _b64(self.certificate),
            "chain": [_b64(c) for c in self.chain],
            "digest": self.digest.value,
            "level": self.level.value,
            "field_name": self.field_name,
            "check": check,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> PendingSignature:
        """The inverse of :meth:`to_json`."""
        check = dict(value["check"])
        check["valid_from"] = datetime.fromisoformat(check["valid_from"])
        check["valid_to"] = datetime.fromisoformat(check["valid_to"])
        check["warnings"] = tuple(check["warnings"])
        start, end = value["reserved_region"]
        return cls(
            prepared_pdf=_unb64(value["prepared_pdf"]),
            document_digest=_unb64(value["document_digest"]),
            reserved_region_start=int(start),
            reserved_region_end=int(end),
            signed_attributes=_unb64(value["signed_attributes"]),
            certificate=_unb64(value["certificate"]),
            chain=tuple(_unb64(c) for c in value["chain"]),
            digest=DigestAlgorithm(value["digest"]),
            level=PadesLevel(value["level"]),
            field_name=str(value["field_name"]),
            check=CertificateCheck(**check),
        )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


async def prepare_external(
    pdf: bytes,
    *,
    certificate: x509.Certificate,
    chain: tuple[x509.Certificate, ...],
    trust: TrustSettings,
    options: SignOptions | None = None,
    known_check: CertificateCheck | None = None,
) -> PendingSignature:
    """Step 1: checks, field and appearance, placeholder; returns what must be signed."""
    opts = options or SignOptions()
    writer = document.open_for_signing(pdf)
    placeholder = _external_signer(certificate, chain, bytes(_PLACEHOLDER_BYTES))
    prepared = await prepare(
        writer,
        placeholder,
        trust=trust,
        options=opts,
        certificate=certificate,
        known_check=known_check,
    )
    # DSS and document timestamp come after the signature (extend_level).
    metadata = dataclasses.replace(
        prepared.metadata,
        embed_validation_info=False,
        use_pades_lta=False,
        validation_context=None,
    )
    pdf_signer = PdfSigner(
        metadata,
        signer=placeholder,
        timestamper=prepared.timestamper,
        stamp_style=prepared.stamp_style,
        new_field_spec=prepared.field_spec,
    )
    with translate_errors():
        prep_digest, _tbs, output = await pdf_signer.async_digest_doc_for_signing(
            writer, appearance_text_params=prepared.text_params
        )
        signed_attrs = await placeholder.signed_attrs(
            prep_digest.document_digest,
            opts.digest.value,
            attr_settings=PdfCMSSignedAttributes(signing_time=datetime.now(UTC)),
            use_pades=True,
        )
    return PendingSignature(
        prepared_pdf=output.getvalue(),
        document_digest=prep_digest.document_digest,
        reserved_region_start=prep_digest.reserved_region_start,
        reserved_region_end=prep_digest.reserved_region_end,
        signed_attributes=signed_attrs.dump(),
        certificate=certificate.dump(),
        chain=tuple(c.dump() for c in chain),
        digest=opts.digest,
        level=opts.level,
        field_name=prepared.metadata.field_name or "",
        check=prepared.check,
    )


async def complete_external(
    pending: PendingSignature,
    signature_value: bytes,
    *,
    trust: TrustSettings,
    context: ValidationContext | None = None,
) -> SignedDocument:
    """Step 2: verify ``signature_value``, embed it, extend to the requested level.

    ``context`` (optional) is shared by a batch so revocation data is fetched once.
    """
    cert = x509.Certificate.load(pending.certificate)
    chain = tuple(x509.Certificate.load(c) for c in pending.chain)
    _verify_raw(cert, pending.signed_attributes, signature_value, pending.digest)
    signer = _external_signer(cert, chain, signature_value)
    timestamper = trust.timestamper() if pending.level.needs_timestamp else None
    output = io.BytesIO(pending.prepared_pdf)
    with translate_errors():
        signed_cms = await signer.async_sign_prescribed_attributes(
            pending.digest.value,
            cms.CMSAttributes.load(pending.signed_attributes),
            timestamper=timestamper,
        )
        digest = PreparedByteRangeDigest(
            document_digest=pending.document_digest,
            reserved_region_start=pending.reserved_region_start,
            reserved_region_end=pending.reserved_region_end,
        )
        digest.fill_with_cms(output, signed_cms)
        pdf = await extend_level(output.getvalue(), pending, trust=trust, context=context)
    return SignedDocument(
        pdf=pdf,
        field_name=pending.field_name,
        level=pending.level,
        check=pending.check,
        warnings=pending.check.warnings,
    )


async def extend_level(
    pdf: bytes,
    pending: PendingSignature,
    *,
    trust: TrustSettings,
    context: ValidationContext | None = None,
) -> bytes:
    """Add the DSS (B-LT) and a document timestamp (B-LTA) as incremental updates."""
    if not pending.level.needs_revocation_info:
        return pdf
    context = context or trust.validation_context()
    reader = PdfFileReader(io.BytesIO(pdf))
    sig = next(s for s in reader.embedded_signatures if s.field_name == pending.field_name)
    with_dss = await async_add_validation_info(sig, context, output=io.BytesIO())
    if pending.level is not PadesLevel.B_LTA:
        return with_dss.getvalue()
    writer = IncrementalPdfFileWriter(with_dss)
    stamped = await PdfTimeStamper(trust.timestamper()).async_timestamp_pdf(
        writer, pending.digest.value, validation_context=context, output=io.BytesIO()
    )
    return stamped.getvalue()


def _external_signer(
    cert: x509.Certificate, chain: tuple[x509.Certificate, ...], value: bytes
) -> ExternalSigner:
    return ExternalSigner(
        signing_cert=cert,
        cert_registry=SimpleCertificateStore.from_certs([cert, *chain]),
        signature_value=value,
    )


def _verify_raw(
    cert: x509.Certificate, data: bytes, signature: bytes, digest: DigestAlgorithm
) -> None:
    """Refuse a signature value that does not match the certificate's key."""
    key = load_der_public_key(cert.public_key.dump())
    algorithm = getattr(hashes, digest.value.upper())()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algorithm))
        else:
            raise InvalidSignature("unsupported key type")
    except InvalidSignature as exc:
        raise SigningError(
            "Giá trị chữ ký nhận về không khớp với chứng thư số; tài liệu không được ký.",
            "The returned signature value does not match the certificate's key; "
            "the document was not signed.",
            code="signing.bad_signature_value",
        ) from exc
