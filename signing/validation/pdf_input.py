"""Reading the input of a verification once: the PDF, its signatures, its validation data.

Unlike pyHanko's ``embedded_signatures``, signatures whose dictionary or CMS
cannot be parsed are kept (as :class:`BrokenSignature`), so that they are
reported as failures instead of silently dropped. The JSON and the ETSI XML
reports are made from the same :class:`OpenedPdf`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp, x509
from asn1crypto.core import Sequence
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.general import (
    MultivaluedAttributeError,
    NonexistentAttributeError,
    find_unique_cms_attribute,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from signing.validation.errors import DocumentTooLargeError, UnreadablePdfError
from signing.validation.model import SignatureKind
from signing.validation.trust_store import EmbeddedValidationData

DEFAULT_MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class BrokenSignature:
    """A filled signature field whose signature cannot even be parsed."""

    field_name: str
    kind: SignatureKind
    error: Exception


Signature = EmbeddedPdfSignature | BrokenSignature
READ_ERRORS = (PdfError, SignatureValidationError, ValueError, KeyError, TypeError, IndexError)


@dataclass(frozen=True)
class OpenedPdf:
    """A PDF read once, ready to be verified and reported on."""

    data: bytes
    reader: PdfFileReader
    signatures: tuple[Signature, ...]
    """Every filled signature field, in revision order; unparseable ones at the end."""
    embedded: EmbeddedValidationData
    repaired: bool
    """Read only by repairing a damaged cross-reference table (never a pass)."""


def open_pdf(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> OpenedPdf:
    """Read ``data`` strictly, else leniently (``repaired``), else refuse.

    Raises :class:`DocumentTooLargeError` above ``max_bytes`` and
    :class:`UnreadablePdfError` when ``data`` is not a readable PDF.
    """
    if len(data) > max_bytes:
        raise DocumentTooLargeError(
            f"Tệp quá lớn ({len(data)} byte; tối đa {max_bytes}).",
            f"The file is too large ({len(data)} bytes; at most {max_bytes}).",
            details={"size": len(data), "max_bytes": max_bytes},
        )
    if b"%PDF-" not in data[:1024]:
        raise UnreadablePdfError(
            "Tệp không phải là PDF (không có phần đầu %PDF-).",
            "The file is not a PDF (no %PDF- header).",
        )
    first_error: Exception | None = None
    for strict in (True, False):
        try:
            reader = PdfFileReader(io.BytesIO(data), strict=strict)
            signatures = _collect_signatures(reader)
            embedded = _embedded_data(reader, signatures)
            return OpenedPdf(data, reader, tuple(signatures), embedded, repaired=not strict)
        except READ_ERRORS as exc:
            first_error = first_error or exc
    raise UnreadablePdfError(
        f"Không đọc được tệp PDF (hỏng hoặc bị cắt cụt): {first_error}.",
        f"The PDF cannot be read (damaged or truncated): {first_error}.",
        details={"reason": f"{type(first_error).__name__}: {first_error}"[:300]},
    ) from first_error


def _embedded_data(reader: PdfFileReader, signatures: list[Signature]) -> EmbeddedValidationData:
    """The DSS of the document, plus the revocation data archived in the signatures' CMS."""
    certs: list[x509.Certificate] = []
    ocsps: list[ocsp.OCSPResponse] = []
    crls: list[asn1_crl.CertificateList] = []
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        pass
    else:
        certs.extend(dss.load_certs())
        ocsps.extend(ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps)
        crls.extend(asn1_crl.CertificateList.load(ref.get_object().data) for ref in dss.crls)
    for sig in signatures:
        if isinstance(sig, EmbeddedPdfSignature):
            archived_ocsps, archived_crls = _cms_revocation_archive(sig)
            ocsps.extend(archived_ocsps)
            crls.extend(archived_crls)
    return EmbeddedValidationData(certs=tuple(certs), ocsps=tuple(ocsps), crls=tuple(crls))


def _cms_revocation_archive(
    sig: EmbeddedPdfSignature,
) -> tuple[list[ocsp.OCSPResponse], list[asn1_crl.CertificateList]]:
    """The Adobe ``revocationInfoArchival`` signed attribute (OCSP/CRL at signing), if any."""
    try:
        archived = find_unique_cms_attribute(
            sig.signer_info["signed_attrs"], "adobe_revocation_info_archival"
        )
    except (NonexistentAttributeError, MultivaluedAttributeError):
        return [], []
    ocsps = archived["ocsp"] if isinstance(archived["ocsp"], Sequence) else ()
    crls = archived["crl"] if isinstance(archived["crl"], Sequence) else ()
    return list(ocsps), list(crls)


def _collect_signatures(reader: PdfFileReader) -> list[Signature]:
    """Every filled signature field; unlike pyHanko's list, broken ones are kept."""
    good: list[EmbeddedPdfSignature] = []
    broken: list[Signature] = []
    for name, sig_obj, sig_field in enumerate_sig_fields(reader, filled_status=True):
        kind = (
            SignatureKind.DOCUMENT_TIMESTAMP
            if sig_obj.get_object().get("/Type") == "/DocTimeStamp"
            else SignatureKind.SIGNATURE
        )
        try:
            sig = EmbeddedPdfSignature(reader, sig_field, name)
        except (PdfError, ValueError, KeyError, TypeError, IndexError, AssertionError) as exc:
            broken.append(BrokenSignature(str(name), kind, exc))
            continue
        good.append(sig)
    return [*sorted(good, key=lambda s: s.signed_revision), *broken]


def field_name(sig: Signature, index: int) -> str:
    """The signature field's name, or ``#n`` when even that cannot be read."""
    try:
        return str(sig.field_name)
    except (KeyError, TypeError, ValueError):
        return f"#{index + 1}"
