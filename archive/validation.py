"""Check a package completely and list every problem found.

Checks: the CSIP layout; every XML file against the bundled schemas; every
file listed in a METS file exists with the announced size and SHA-256, and
no file is left unlisted; document formats (PDF/A declared in the XMP,
images at least 200 dpi, MP4/MP3 accepted); every signature re-verified
through the :class:`~archive.ports.SignatureVerifier` port, where only
TOTAL_PASSED is accepted (and, as a warning, a revocation status that could
not be fetched for a chain to a trusted root). Nothing stops at the first
problem: the archivist gets the whole list.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from archive.errors import ArchiveError
from archive.metadata import pdfa_part
from archive.mets import file_facts, mime_of
from archive.ports import Indication, SignatureSummary, SignatureVerifier
from archive.xml_schemas import parse, q, schema_errors

MIN_DPI = 200
IMAGE_TYPES = {"image/jpeg", "image/png", "image/tiff"}
MEDIA_TYPES = {"video/mp4", "audio/mpeg"}
_M = q("mets")
_HREF = q("xlink", "href")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a package."""

    code: str
    """Stable: ``structure``, ``xml_schema``, ``identity``, ``missing_file``, ``size``,
    ``checksum``, ``unlisted_file``, ``format``, ``signature``."""
    path: str
    text_vi: str
    text_en: str
    severity: str = "error"
    """``error`` refuses the package; ``warning`` is reported only."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "path": self.path,
            "severity": self.severity,
            "message_vi": self.text_vi,
            "message_en": self.text_en,
        }


def _p(code: str, path: str, vi: str, en: str, severity: str = "error") -> Problem:
    return Problem(code, path, vi, en, severity)


def _structure(package: Path) -> list[Problem]:
    required = ["METS.xml", "metadata/descriptive/EAD.xml", "schemas"]
    problems = [
        _p("structure", r, f"Thiếu {r}.", f"{r} is missing.")
        for r in required
        if not (package / r).exists()
    ]
    reps = [p for p in (package / "representations").glob("*") if p.is_dir()]
    if not reps:
        problems.append(
            _p("structure", "representations", "Không có biểu diễn nào.", "No representation.")
        )
    for rep in reps:
        rel = rep.relative_to(package).as_posix()
        if not (rep / "METS.xml").is_file():
            problems.append(_p("structure", f"{rel}/METS.xml", "Thiếu METS.", "METS is missing."))
        if not any((rep / "data").glob("*")):
            problems.append(_p("structure", f"{rel}/data", "Không có dữ liệu.", "No data files."))
    return problems


def _identity(package: Path) -> list[Problem]:
    """The METS OBJID and the descriptive archive code name the same dossier."""
    try:
        objid = parse(package / "METS.xml").getroot().get("OBJID", "")
        code = (
            parse(package / "metadata/descriptive/EAD.xml")
            .getroot()
            .findtext(q("hs", "archiveCode"), "")
        )
    except (OSError, etree.XMLSyntaxError):
        return []  # reported by the structure and schema checks
    if objid == code:
        return []
    return [
        _p(
            "identity",
            "METS.xml",
            f"OBJID {objid!r} khác mã hồ sơ {code!r} trong EAD.xml.",
            f"OBJID {objid!r} differs from the archive code {code!r} in EAD.xml.",
        )
    ]


def _xml(package: Path) -> list[Problem]:
    problems = []
    for path in sorted(package.rglob("*.xml")):
        rel = path.relative_to(package).as_posix()
        for error in schema_errors(path)[:5]:
            problems.append(
                _p("xml_schema", rel, f"Không hợp lệ theo lược đồ: {error}", f"Invalid: {error}")
            )
    return problems


def _listed(mets_path: Path) -> list[tuple[str, int | None, str | None]]:
    """(href relative to the METS folder, size, checksum) of every reference."""
    try:
        root = parse(mets_path).getroot()
    except etree.XMLSyntaxError:
        return []
    refs = []
    for el in root.iter(_M + "mdRef", _M + "file"):
        href = el.get(_HREF) if el.tag == _M + "mdRef" else None
        if href is None:
            loc = el.find(_M + "FLocat")
            href = loc.get(_HREF) if loc is not None else None
        if href is None:
            continue
        size = el.get("SIZE")
        refs.append((href, int(size) if size and size.isdigit() else None, el.get("CHECKSUM")))
    return refs


def _inventory(package: Path) -> list[Problem]:
    problems: list[Problem] = []
    listed: set[str] = set()
    mets_files = [package / "METS.xml", *sorted(package.glob("representations/*/METS.xml"))]
    for mets in (m for m in mets_files if m.is_file()):
        base = mets.parent
        listed.add(mets.relative_to(package).as_posix())
        for href, size, checksum in _listed(mets):
            target = (base / href).resolve()
            rel = (base / href).relative_to(package).as_posix() if ".." not in href else href
            listed.add(rel)
            if not target.is_relative_to(package.resolve()) or not target.is_file():
                problems.append(
                    _p(
                        "missing_file",
                        rel,
                        "Tệp được liệt kê nhưng không có.",
                        "Listed in METS but missing.",
                    )
                )
                continue
            facts = file_facts(package, target)
            if size is not None and facts.size != size:
                problems.append(
                    _p(
                        "size",
                        rel,
                        f"Kích thước {facts.size} khác {size} trong METS.",
                        f"Size {facts.size} differs from {size} in METS.",
                    )
                )
            if checksum is None or facts.sha256 != checksum.lower():
                problems.append(
                    _p(
                        "checksum",
                        rel,
                        "Mã SHA-256 không khớp với METS.",
                        f"SHA-256 {facts.sha256} does not match METS ({checksum}).",
                    )
                )
    for path in sorted(p for p in package.rglob("*") if p.is_file()):
        rel = path.relative_to(package).as_posix()
        if rel not in listed:
            problems.append(
                _p(
                    "unlisted_file",
                    rel,
                    "Tệp không được liệt kê trong METS.",
                    "File present but not listed in any METS.",
                )
            )
    return problems


def _image_dpi(data: bytes) -> float | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            dpi = image.info.get("dpi")
    except UnidentifiedImageError:
        return None
    return float(min(dpi)) if dpi else None


def _formats(package: Path, verifier: SignatureVerifier | None) -> list[Problem]:
    problems = []
    for path in sorted(package.glob("representations/*/data/**/*")):
        if not path.is_file():
            continue
        rel = path.relative_to(package).as_posix()
        mime = mime_of(path)
        data = path.read_bytes()
        if mime == "application/pdf":
            if not pdfa_part(data):
                problems.append(
                    _p("format", rel, "Tài liệu không phải PDF/A.", "The document is not PDF/A.")
                )
            if verifier is not None:
                problems += _signatures(rel, data, verifier)
        elif mime in IMAGE_TYPES:
            dpi = _image_dpi(data)
            if dpi is None or dpi < MIN_DPI:
                problems.append(
                    _p(
                        "format",
                        rel,
                        f"Ảnh có độ phân giải {dpi} dpi, cần ít nhất {MIN_DPI}.",
                        f"Image resolution {dpi} dpi; at least {MIN_DPI} dpi is required.",
                    )
                )
        elif mime not in MEDIA_TYPES:
            problems.append(
                _p(
                    "format",
                    rel,
                    f"Định dạng {mime} không được chấp nhận.",
                    f"Format {mime} is not accepted (PDF/A, JPEG/PNG/TIFF, MP4, MP3).",
                )
            )
    return problems


def _status_unavailable(sig: SignatureSummary) -> bool:
    """Only the revocation status could not be fetched, for a path to a trust anchor.

    The one non-passing verdict ingest accepts (as a warning): the OCSP
    responder or CRL point did not answer (TRY_LATER), the signature is
    intact and cryptographically valid, its certificate path reaches one of
    the configured roots, and no signature timestamp failed.
    """
    return (
        sig.indication is Indication.INDETERMINATE
        and sig.sub_indication == "TRY_LATER"
        and sig.chain_anchored
        and sig.timestamp_ok is not False
    )


def _signatures(rel: str, data: bytes, verifier: SignatureVerifier) -> list[Problem]:
    """Every signature must pass; see :func:`_status_unavailable` for the one exception."""
    try:
        summary = verifier.verify_pdf(data)
    except ArchiveError as exc:
        return [_p("signature", rel, exc.message_vi, exc.message_en)]
    problems = [_p("signature", rel, p.message_vi, p.message_en) for p in summary.problems]
    for sig in summary.signatures:
        if sig.indication is Indication.TOTAL_PASSED:
            continue
        verdict = f"{sig.field_name} ({sig.signer}): {sig.indication.value} {sig.sub_indication}"
        if _status_unavailable(sig):
            problems.append(
                _p(
                    "signature",
                    rel,
                    f"Chữ ký {verdict}: chuỗi chứng thư đến gốc tin cậy nhưng chưa lấy được "
                    "tình trạng thu hồi (máy chủ OCSP/CRL không trả lời). Kiểm tra lại sau.",
                    f"Signature {verdict}: the chain reaches a trust anchor but the revocation "
                    "status could not be obtained (OCSP/CRL did not answer). Check again later.",
                    "warning",
                )
            )
            continue
        problems.append(
            _p(
                "signature",
                rel,
                f"Chữ ký {verdict}: chữ ký không được xác nhận hợp lệ. Chỉ nhận tài liệu "
                "có chữ ký hợp lệ (TOTAL_PASSED) của chứng thư số được tin cậy.",
                f"Signature {verdict}: the signature is not proven valid. Only documents "
                "whose signatures pass (TOTAL_PASSED) with a trusted certificate are accepted.",
            )
        )
    return problems


def validate_package(package: Path, *, verifier: SignatureVerifier | None = None) -> list[Problem]:
    """Every problem of the package folder (empty list: it is sound).

    Without ``verifier`` signatures are not re-verified.
    """
    package = Path(package)
    if not (package / "METS.xml").is_file() and not package.is_dir():
        return [_p("structure", str(package), "Không có thư mục gói.", "No package folder.")]
    return (
        _structure(package)
        + _xml(package)
        + _identity(package)
        + _inventory(package)
        + _formats(package, verifier)
    )


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]
