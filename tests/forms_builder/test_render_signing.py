"""The rendered PDF/A stays consistent after pyHanko signs it (Info and XMP agree)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pikepdf
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko_certvalidator.registry import SimpleCertificateStore

from forms_builder.rendering import check_pdfa, render_pdf
from forms_builder.validation import load_definition
from tests.forms_builder.layout_samples import CT01_DATA, ct01_doc


def _signer() -> signers.SimpleSigner:
    """A throwaway self-signed RSA-2048 certificate, made at run time."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Văn Hưởng")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    asn1_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    asn1_key = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return signers.SimpleSigner(
        signing_cert=asn1_cert,
        signing_key=asn1_key,
        cert_registry=SimpleCertificateStore.from_certs([asn1_cert]),
    )


def test_signed_document_keeps_pdfa_identification_and_consistent_metadata() -> None:
    rendered = render_pdf(load_definition(ct01_doc()), CT01_DATA)
    writer = IncrementalPdfFileWriter(io.BytesIO(rendered.pdf))
    meta = signers.PdfSignatureMetadata(field_name="Signature1", subfilter=SigSeedSubFilter.PADES)
    signed = signers.sign_pdf(writer, meta, signer=_signer()).getvalue()

    assert check_pdfa(signed, data_json=rendered.data_json) == []
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        xmp = pdf.open_metadata(set_pikepdf_as_editor=False)
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", "B")
        producer = str(pdf.docinfo.get("/Producer", ""))
        assert producer == xmp.get("pdf:Producer", "")
