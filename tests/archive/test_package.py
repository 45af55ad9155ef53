"""Building packages: own validation, XSDs, the E-ARK validator, BagIt, and refusals."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pikepdf
import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from archive.bagit_wrap import check_bag, wrap_bag
from archive.builder import BuiltPackage, build_package
from archive.demo import DEMO_PROCEDURES, demo_record
from archive.mets import read_context, write_representation_mets, write_root_mets
from archive.report_verifier import ReportVerifier
from archive.validation import validate_package
from archive.xml_schemas import q, schema_errors
from signing.demo_pki import DemoPKI
from signing.validation import RevocationPolicy, TrustStore
from tests.archive.conftest import KNOWN_EARK_SIP_BUG


def test_package_has_the_csip_layout_and_passes_own_validation(
    sip: BuiltPackage, verifier: ReportVerifier
) -> None:
    root = sip.path
    for rel in (
        "METS.xml",
        "metadata/descriptive/EAD.xml",
        "metadata/preservation/PREMIS.xml",
        "representations/rep1/METS.xml",
        "representations/rep1/metadata/descriptive/EAD_doc_1.xml",
        "representations/rep1/metadata/descriptive/EAD_doc_3.xml",
        "schemas/mets.xsd",
        "schemas/premis-v3-0.xsd",
        "schemas/eforms-archive-metadata-1.xsd",
    ):
        assert (root / rel).is_file(), rel
    assert validate_package(root, verifier=verifier) == []


def test_every_xml_file_is_valid_against_its_schema(sip: BuiltPackage) -> None:
    xml_files = sorted(sip.path.rglob("*.xml"))
    assert len(xml_files) == 7
    for path in xml_files:
        assert schema_errors(path) == [], path


def test_mets_carries_the_csip_attributes(sip: BuiltPackage) -> None:
    mets = etree.parse(str(sip.path / "METS.xml")).getroot()
    csip = q("csip")
    assert mets.get("OBJID") == sip.package_id
    assert mets.get("PROFILE") == "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
    hdr = mets.find(q("mets", "metsHdr"))
    assert hdr.get(csip + "OAISPACKAGETYPE") == "SIP"
    assert hdr.get("CREATEDATE").endswith("+07:00")
    files = list(mets.iter(q("mets", "file")))
    assert files and all(
        f.get("CHECKSUMTYPE") == "SHA-256" and f.get("SIZE") and f.get("CREATED") for f in files
    )
    struct = mets.find(q("mets", "structMap"))
    assert struct.get("LABEL") == "CSIP"
    labels = [d.get("LABEL") for d in struct[0]]
    assert labels == ["Metadata", "Documentation", "Schemas", "Representations"]


def test_descriptive_metadata_counts_pages_and_carries_retention(sip: BuiltPackage) -> None:
    ead = etree.parse(str(sip.path / "metadata/descriptive/EAD.xml")).getroot()
    hs = q("hs")
    assert ead.findtext(hs + "documentCount") == "3"
    data = sorted((sip.path / "representations/rep1/data").glob("*.pdf"))
    pages = 1 + sum(len(pikepdf.open(p).pages) for p in data)  # + the scanned image
    assert ead.findtext(hs + "pageCount") == str(pages)
    retention = ead.find(hs + "retention")
    assert retention.text == "06" and retention.get("expires") == "2037-01-01T00:00:00+07:00"


def test_sip_passes_the_eark_validator(sip: BuiltPackage, eark: Callable) -> None:
    (report,) = eark(sip.path)
    errors = [e for e in report["errors"] if e["rule"] != KNOWN_EARK_SIP_BUG]
    assert errors == []


def test_bagit_wrap_validates_and_detects_a_change(sip: BuiltPackage, tmp_path: Path) -> None:
    bag = wrap_bag(sip.path, tmp_path / "bag")
    assert check_bag(bag) == []
    assert validate_package(bag / "data" / sip.path.name) == []
    target = next((bag / "data").rglob("*.pdf"))
    target.write_bytes(target.read_bytes() + b"%")
    assert check_bag(bag)


def _flip_byte(path: Path, offset: int = 200) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _reseal(package: Path) -> None:
    """Rewrite both METS files from what is on disk, as a forger would."""
    ctx = read_context(package / "METS.xml", package_type="SIP", created=_created(package))
    write_representation_mets(package / "representations/rep1", ctx)
    write_root_mets(package, ctx)


def _created(package: Path) -> datetime:
    hdr = etree.parse(str(package / "METS.xml")).getroot().find(q("mets", "metsHdr"))
    return datetime.fromisoformat(hdr.get("CREATEDATE"))


def _result(package: Path) -> Path:
    return next((package / "representations/rep1/data").glob("*ket-qua.pdf"))


def _wrong_checksum(package: Path) -> None:
    mets = package / "METS.xml"
    tree = etree.parse(str(mets))
    file_el = next(tree.getroot().iter(q("mets", "file")))
    file_el.set("CHECKSUM", "0" * 64)
    tree.write(str(mets), xml_declaration=True, encoding="UTF-8")


def _self_signed_signer(common_name: str) -> signers.SimpleSigner:
    """A stranger's key and self-signed certificate bearing the agency's name."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=None,
    )


def _forge_result(package: Path) -> None:
    """Replace the sealed result by the unsigned form sealed with a self-signed key, re-sealed."""
    form = next((package / "representations/rep1/data").glob("01_*.pdf"))
    writer = IncrementalPdfFileWriter(io.BytesIO(form.read_bytes()))
    fields.append_signature_field(writer, fields.SigFieldSpec("seal_1"))
    out = io.BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="seal_1", subfilter=fields.SigSeedSubFilter.PADES),
        _self_signed_signer("Sở Nội vụ tỉnh Demo"),
    ).sign_pdf(writer, output=out)
    _result(package).write_bytes(out.getvalue())
    _reseal(package)


TAMPERINGS: dict[str, tuple[Callable[[Path], None], set[str]]] = {
    "one changed byte": (
        lambda p: _flip_byte(next((p / "representations/rep1/data").glob("01_*"))),
        {"checksum"},
    ),
    "missing file": (
        lambda p: next((p / "representations/rep1/data").glob("01_*")).unlink(),
        {"missing_file"},
    ),
    "wrong checksum": (lambda p: _wrong_checksum(p), {"checksum"}),
    "invalid METS": (
        lambda p: (p / "METS.xml").write_text(
            (p / "METS.xml").read_text().replace("<mets:metsHdr", "<mets:bogus/><mets:metsHdr")
        ),
        {"xml_schema"},
    ),
    "other dossier's METS": (
        lambda p: (p / "METS.xml").write_text(
            (p / "METS.xml").read_text().replace('OBJID="000', 'OBJID="999', 1)
        ),
        {"identity"},
    ),
    "tampered signed result": (lambda p: (_flip_byte(_result(p), 1500), _reseal(p)), {"signature"}),
    "result signed with a self-signed certificate": (_forge_result, {"signature"}),
}


@pytest.mark.parametrize("tampering", sorted(TAMPERINGS))
def test_tampered_packages_are_refused_with_the_list(
    tampering: str, sip: BuiltPackage, verifier: ReportVerifier
) -> None:
    change, expected_codes = TAMPERINGS[tampering]
    change(sip.path)
    problems = validate_package(sip.path, verifier=verifier)
    errors = [p for p in problems if p.severity == "error"]
    assert errors, tampering
    assert expected_codes <= {p.code for p in errors}, [p.to_dict() for p in errors]
    assert all(p.text_vi and p.text_en and p.path for p in errors)


def test_a_signed_result_verifies_before_tampering(
    sip: BuiltPackage, verifier: ReportVerifier
) -> None:
    summary = verifier.verify_pdf(_result(sip.path).read_bytes())
    assert summary.signed and summary.indication == "TOTAL_PASSED", summary.report


def test_a_low_resolution_scan_and_a_plain_pdf_are_refused(sip: BuiltPackage) -> None:
    from PIL import Image

    data_dir = sip.path / "representations/rep1/data"
    scan = next(data_dir.glob("*.png"))
    Image.new("RGB", (50, 50)).save(scan, format="PNG", dpi=(72, 72))
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(next(data_dir.glob("01_*")))
    _reseal(sip.path)
    codes = [(p.code, Path(p.path).suffix) for p in validate_package(sip.path)]
    assert ("format", ".png") in codes and ("format", ".pdf") in codes


@pytest.mark.parametrize("procedure", sorted(DEMO_PROCEDURES))
def test_every_demo_procedure_packages_cleanly(
    procedure: str, seal: Callable[[bytes], bytes], verifier: ReportVerifier, tmp_path: Path
) -> None:
    record = demo_record(
        dossier_code=f"000.00.00.H56-261122-{procedure[-4:]}", procedure=procedure, sign=seal
    )
    built = build_package(record, out_dir=tmp_path, verifier=verifier)
    assert validate_package(built.path, verifier=verifier) == []
    ead = (built.path / "metadata/descriptive/EAD.xml").read_text()
    assert f"<code>{procedure}</code>" in ead


def test_only_an_unreachable_revocation_service_is_a_warning(
    sip: BuiltPackage, pki: DemoPKI
) -> None:
    """TRY_LATER for a chain to a trusted root is reported; an untrusted chain is refused."""
    offline = ReportVerifier(
        TrustStore.from_trust_settings(pki.trust()), revocation=RevocationPolicy.EMBEDDED
    )
    (sig,) = offline.verify_pdf(_result(sip.path).read_bytes()).signatures
    assert (sig.sub_indication, sig.chain_anchored) == ("TRY_LATER", True)
    problems = validate_package(sip.path, verifier=offline)
    assert [p.severity for p in problems if p.code == "signature"] == ["warning"]
    _forge_result(sip.path)
    forged = [p for p in validate_package(sip.path, verifier=offline) if p.code == "signature"]
    assert [p.severity for p in forged] == ["error"], [p.to_dict() for p in forged]
    assert "TOTAL_PASSED" in forged[0].text_en and "TOTAL_PASSED" in forged[0].text_vi
