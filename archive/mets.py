"""METS files of an E-ARK CSIP package: the root ``METS.xml`` and each representation's.

Both are written from what is on disk, so every file listed carries the
size, SHA-256 and MIME type of the bytes really there. Attributes follow
the CSIP profile (root OBJID, TYPE, csip:CONTENTINFORMATIONTYPE, PROFILE;
metsHdr with csip:OAISPACKAGETYPE and agents; dmdSec/amdSec references;
fileSec groups; one structMap labelled CSIP).
"""

from __future__ import annotations

import hashlib
import mimetypes
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lxml import etree

from archive.codes import iso
from archive.xml_schemas import NS, q

_M = q("mets")
_X = q("xlink")
_C = q("csip")
PROFILES = {
    "SIP": "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml",
    "AIP": "https://earkaip.dilcis.eu/profile/E-ARK-AIP.xml",
    "DIP": "https://earkdip.dilcis.eu/profile/E-ARK-DIP.xml",
}
CONTENT_INFO_NAME = "eforms-dossier-1"
"""Our content information type: an administrative-procedure dossier (profile v1)."""
CONTENT_TYPE = "Mixed"
"""csip content category: a dossier mixes forms, attachments and results."""
SCHEMA_LOCATION = (
    f"{NS['mets']} schemas/mets.xsd {NS['xlink']} schemas/xlink.xsd "
    f"{NS['csip']} schemas/DILCISExtensionMETS.xsd {NS['sip']} schemas/DILCISExtensionSIPMETS.xsd"
)
_MIME = {
    ".xml": "text/xml",
    ".xsd": "text/xml",
    ".pdf": "application/pdf",
    ".json": "application/json",
}


@dataclass(frozen=True)
class MetsContext:
    """What the METS header says about the package."""

    objid: str
    label: str
    package_type: str
    """``SIP``, ``AIP`` or ``DIP``."""
    created: datetime
    software: str
    software_version: str
    agency_name: str
    agency_id: str


@dataclass(frozen=True)
class FileFacts:
    """Size, checksum and type of one file on disk."""

    path: str
    """POSIX path relative to the METS file's folder."""
    size: int
    sha256: str
    mime_type: str


def mime_of(path: Path) -> str:
    """MIME type from the name (what METS MIMETYPE says)."""
    return (
        _MIME.get(path.suffix.lower())
        or mimetypes.guess_type(path.name)[0]
        or ("application/octet-stream")
    )


def file_facts(base: Path, path: Path) -> FileFacts:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return FileFacts(path.relative_to(base).as_posix(), size, digest.hexdigest(), mime_of(path))


def _files(base: Path, folder: str) -> Iterator[FileFacts]:
    root = base / folder
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            yield file_facts(base, path)


def _xml_id(kind: str, path: str) -> str:
    return f"{kind}-{uuid.uuid5(uuid.NAMESPACE_URL, path)}"


def _header(root: etree._Element, ctx: MetsContext) -> None:
    hdr = etree.SubElement(root, _M + "metsHdr")
    hdr.set("CREATEDATE", iso(ctx.created))
    hdr.set("LASTMODDATE", iso(ctx.created))
    hdr.set("RECORDSTATUS", "NEW")
    hdr.set(_C + "OAISPACKAGETYPE", ctx.package_type)
    software = etree.SubElement(
        hdr, _M + "agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE"
    )
    etree.SubElement(software, _M + "name").text = ctx.software
    note = etree.SubElement(software, _M + "note")
    note.text = ctx.software_version
    note.set(_C + "NOTETYPE", "SOFTWARE VERSION")
    agency = etree.SubElement(
        hdr, _M + "agent", ROLE="OTHER", OTHERROLE="SUBMITTER", TYPE="ORGANIZATION"
    )
    etree.SubElement(agency, _M + "name").text = ctx.agency_name
    ident = etree.SubElement(agency, _M + "note")
    ident.text = ctx.agency_id
    ident.set(_C + "NOTETYPE", "IDENTIFICATIONCODE")


def _ref(
    parent: etree._Element, tag: str, facts: FileFacts, ctx: MetsContext, **attrs: str
) -> None:
    el = etree.SubElement(parent, _M + tag)
    el.set("LOCTYPE", "URL")
    el.set(_X + "type", "simple")
    el.set(_X + "href", facts.path)
    for key, value in attrs.items():
        el.set(key, value)
    el.set("MIMETYPE", facts.mime_type)
    el.set("SIZE", str(facts.size))
    el.set("CREATED", iso(ctx.created))
    el.set("CHECKSUM", facts.sha256)
    el.set("CHECKSUMTYPE", "SHA-256")


def _metadata_sections(root: etree._Element, base: Path, ctx: MetsContext) -> tuple[list, list]:
    dmd_ids, amd_ids = [], []
    for facts in _files(base, "metadata/descriptive"):
        sec = etree.SubElement(root, _M + "dmdSec", ID=_xml_id("dmd", facts.path))
        sec.set("CREATED", iso(ctx.created))
        sec.set("STATUS", "CURRENT")
        _ref(sec, "mdRef", facts, ctx, MDTYPE="OTHER", OTHERMDTYPE="EFORMS-TT05-2025")
        dmd_ids.append(sec.get("ID"))
    preservation = list(_files(base, "metadata/preservation"))
    if preservation:
        amd = etree.SubElement(root, _M + "amdSec")
        for facts in preservation:
            md = etree.SubElement(amd, _M + "digiprovMD", ID=_xml_id("digiprov", facts.path))
            md.set("CREATED", iso(ctx.created))
            md.set("STATUS", "CURRENT")
            _ref(md, "mdRef", facts, ctx, MDTYPE="PREMIS")
            amd_ids.append(md.get("ID"))
    return dmd_ids, amd_ids


def _group(file_sec: etree._Element, use: str) -> etree._Element:
    # CSIP63 as the E-ARK validator reads it wants OTHER + a name on every group.
    grp = etree.SubElement(file_sec, _M + "fileGrp", ID=_xml_id("grp", use), USE=use)
    grp.set(_C + "CONTENTINFORMATIONTYPE", "OTHER")
    grp.set(_C + "OTHERCONTENTINFORMATIONTYPE", CONTENT_INFO_NAME)
    return grp


def _file(grp: etree._Element, facts: FileFacts, ctx: MetsContext) -> str:
    file_id = _xml_id("file", facts.path)
    el = etree.SubElement(grp, _M + "file", ID=file_id, MIMETYPE=facts.mime_type)
    el.set("SIZE", str(facts.size))
    el.set("CREATED", iso(ctx.created))
    el.set("CHECKSUM", facts.sha256)
    el.set("CHECKSUMTYPE", "SHA-256")
    loc = etree.SubElement(el, _M + "FLocat", LOCTYPE="URL")
    loc.set(_X + "type", "simple")
    loc.set(_X + "href", facts.path)
    return file_id


def _root(ctx: MetsContext, objid: str) -> etree._Element:
    nsmap = {k: NS[k] for k in ("mets", "xlink", "csip", "sip", "xsi")}
    root = etree.Element(_M + "mets", nsmap=nsmap)
    root.set("OBJID", objid)
    root.set("LABEL", ctx.label)
    root.set("TYPE", CONTENT_TYPE)
    root.set(_C + "CONTENTINFORMATIONTYPE", "MIXED")
    root.set("PROFILE", PROFILES[ctx.package_type])
    root.set(q("xsi", "schemaLocation"), SCHEMA_LOCATION)
    return root


def _struct_div(parent: etree._Element, label: str, **attrs: str) -> etree._Element:
    return etree.SubElement(
        parent, _M + "div", ID=_xml_id("div", label + attrs.get("ID", "")), LABEL=label
    )


def write_representation_mets(rep_dir: Path, ctx: MetsContext) -> Path:
    """Write ``<rep>/METS.xml`` listing the representation's metadata and data."""
    root = _root(ctx, f"{ctx.objid}/{rep_dir.name}")
    _header(root, ctx)
    dmd_ids, amd_ids = _metadata_sections(root, rep_dir, ctx)
    file_sec = etree.SubElement(root, _M + "fileSec", ID=_xml_id("filesec", rep_dir.name))
    grp = _group(file_sec, "Data")
    data_ids = [_file(grp, facts, ctx) for facts in _files(rep_dir, "data")]
    _struct_map(root, ctx, dmd_ids, amd_ids, [("Data", data_ids)], rep_dir.name)
    return _write(root, rep_dir / "METS.xml")


def write_root_mets(package: Path, ctx: MetsContext) -> Path:
    """Write the package's ``METS.xml`` (after every representation's METS)."""
    root = _root(ctx, ctx.objid)
    _header(root, ctx)
    dmd_ids, amd_ids = _metadata_sections(root, package, ctx)
    file_sec = etree.SubElement(root, _M + "fileSec", ID=_xml_id("filesec", "root"))
    groups: list[tuple[str, list[str]]] = []
    for use, folder in (("Documentation", "documentation"), ("Schemas", "schemas")):
        listed = list(_files(package, folder))
        if listed:
            grp = _group(file_sec, use)
            groups.append((use, [_file(grp, facts, ctx) for facts in listed]))
    reps = sorted(p for p in (package / "representations").iterdir() if p.is_dir())
    mptrs = []
    for rep in reps:
        use = f"Representations/{rep.name}"
        grp = _group(file_sec, use)
        facts = file_facts(package, rep / "METS.xml")
        mptrs.append((use, _file(grp, facts, ctx), facts.path))
    struct = _struct_map(root, ctx, dmd_ids, amd_ids, groups, ctx.objid)
    representations = _struct_div(struct[0], "Representations")
    for _, file_id, _ in mptrs:
        etree.SubElement(representations, _M + "fptr", FILEID=file_id)
    for use, file_id, href in mptrs:
        div = _struct_div(representations, use)
        mptr = etree.SubElement(div, _M + "mptr", LOCTYPE="URL")
        mptr.set(_X + "type", "simple")
        mptr.set(_X + "href", href)
        mptr.set(_X + "title", file_id)
    return _write(root, package / "METS.xml")


def _struct_map(
    root: etree._Element,
    ctx: MetsContext,
    dmd_ids: list[str],
    amd_ids: list[str],
    groups: list[tuple[str, list[str]]],
    label: str,
) -> etree._Element:
    struct = etree.SubElement(root, _M + "structMap", ID=_xml_id("structmap", label))
    struct.set("TYPE", "PHYSICAL")
    struct.set("LABEL", "CSIP")
    top = _struct_div(struct, label)
    meta = _struct_div(top, "Metadata")
    if dmd_ids:
        meta.set("DMDID", " ".join(dmd_ids))
    if amd_ids:
        meta.set("ADMID", " ".join(amd_ids))
    for use, ids in groups:
        div = _struct_div(top, use)
        for file_id in ids:
            etree.SubElement(div, _M + "fptr", FILEID=file_id)
    return struct


def _write(root: etree._Element, path: Path) -> Path:
    path.write_bytes(
        etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    )
    return path


def read_context(mets_path: Path, *, package_type: str, created: datetime) -> MetsContext:
    """The header facts of an existing METS file, for rewriting it as ``package_type``."""
    from archive.xml_schemas import parse

    root = parse(mets_path).getroot()
    names = {}
    for agent in root.iter(_M + "agent"):
        note = agent.find(_M + "note")
        names[agent.get("OTHERROLE") or agent.get("ROLE")] = (
            agent.findtext(_M + "name", ""),
            note.text if note is not None else "",
        )
    software, version = names.get("CREATOR", ("", ""))
    agency, agency_id = names.get("SUBMITTER", ("", ""))
    return MetsContext(
        objid=root.get("OBJID", ""),
        label=root.get("LABEL", ""),
        package_type=package_type,
        created=created,
        software=software,
        software_version=version or "",
        agency_name=agency,
        agency_id=agency_id or "",
    )
