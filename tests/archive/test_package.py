"""Building packages: own validation, XSDs, the E-ARK validator, BagIt, and refusals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from archive.bagit_wrap import check_bag, wrap_bag
from archive.builder import BuiltPackage, build_package
from archive.demo import DEMO_PROCEDURES, demo_record
from archive.mets import read_context, write_representation_mets, write_root_mets
from archive.report_verifier import ReportVerifier
from archive.validation import validate_package
from archive.xml_schemas import q, schema_errors
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


def _created(package: Path):  # noqa: ANN202 (test helper)
    from datetime import datetime

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
