"""Descriptive metadata XML: ``EAD.xml`` (dossier) and ``EAD_doc_<n>.xml`` (documents).

The files keep the names DOMAIN.md gives them but follow our own profile
(``schemas/xsd/eforms-archive-metadata-1.xsd``), which carries every item of
the archival metadata circular plus retention, which E-ARK leaves out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from lxml import etree

from archive.codes import iso, retention_expiry
from archive.metadata import DocumentMetadata, DossierMetadata
from archive.record import DossierRecord
from archive.xml_schemas import NS, q

_HS = q("hs")


def _sub(parent: etree._Element, name: str, text: object = "") -> etree._Element:
    el = etree.SubElement(parent, _HS + name)
    if isinstance(text, datetime):
        el.text = iso(text)
    elif isinstance(text, date):
        el.text = text.isoformat()
    else:
        el.text = str(text)
    return el


def _keywords(parent: etree._Element, words: Iterable[str]) -> None:
    box = etree.SubElement(parent, _HS + "keywords")
    for word in words:
        _sub(box, "keyword", word)


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def dossier_xml(meta: DossierMetadata, record: DossierRecord) -> bytes:
    """The dossier-level descriptive metadata file."""
    root = etree.Element(_HS + "dossier", nsmap={None: NS["hs"]})
    _sub(root, "archiveCode", meta.archive_code)
    _sub(root, "title", meta.title)
    retention = _sub(root, "retention", meta.retention.value)
    if meta.retention_years:
        retention.set("years", str(meta.retention_years))
    expiry = retention_expiry(record.closed.date(), meta.retention, meta.retention_years)
    if expiry is not None:
        retention.set("expires", iso(expiry))
    _sub(root, "accessMode", meta.access.value)
    _sub(root, "language", meta.language)
    _sub(root, "startDate", meta.start_date)
    _sub(root, "endDate", meta.end_date)
    _keywords(root, meta.keywords)
    for name, value in (
        ("documentCount", meta.document_count),
        ("sheetCount", meta.sheet_count),
        ("pageCount", meta.page_count),
        ("physicalCondition", meta.physical_condition),
        ("informationSign", meta.information_sign),
        ("trustLevel", meta.trust_level.value),
        ("paperOriginalCode", meta.paper_original_code),
        ("backupStatus", meta.backup_status),
        ("backupMode", meta.backup_mode),
        ("description", meta.description),
    ):
        _sub(root, name, value)
    procedure = _sub(root, "procedure")
    for name, value in (
        ("code", record.procedure_code),
        ("name", record.procedure_name),
        ("agencyId", record.agency_id),
        ("agencyName", record.agency_name),
    ):
        _sub(procedure, name, value)
    applicant = _sub(root, "applicant")
    _sub(applicant, "kind", record.applicant_kind)
    _sub(applicant, "identifier", record.applicant_id)
    _sub(applicant, "name", record.applicant_name)
    _sub(root, "submitted", record.submitted)
    _sub(root, "closed", record.closed)
    history = _sub(root, "history")
    for change in record.history:
        step = _sub(history, "step")
        _sub(step, "status", change.status)
        _sub(step, "at", change.at)
        _sub(step, "officer", change.officer)
        _sub(step, "opinion", change.opinion)
    return _serialise(root)


def document_xml(meta: DocumentMetadata) -> bytes:
    """One document's descriptive metadata file."""
    root = etree.Element(_HS + "document", nsmap={None: NS["hs"]})
    _sub(root, "identifier", meta.identifier)
    _sub(root, "dossierCode", meta.dossier_code)
    _sub(root, "order", meta.order)
    _sub(root, "documentType", meta.document_type)
    _sub(root, "numberSymbol", meta.number_symbol)
    if meta.issued is not None:
        _sub(root, "issued", meta.issued)
    _sub(root, "issuingAgency", meta.issuing_agency)
    _sub(root, "summary", meta.summary)
    _sub(root, "language", meta.language)
    _sub(root, "pageCount", meta.page_count)
    _keywords(root, meta.keywords)
    for name, value in (
        ("accessMode", meta.access.value),
        ("signerName", meta.signer_name),
        ("signerPosition", meta.signer_position),
        ("trustLevel", meta.trust_level.value),
        ("format", meta.format),
        ("physicalCondition", meta.physical_condition),
        ("description", meta.description),
        ("fileName", meta.file_name),
    ):
        _sub(root, name, value)
    _sub(root, "checksum", meta.sha256).set("algorithm", "SHA-256")
    _sub(root, "size", meta.size)
    _sub(root, "role", meta.role)
    return _serialise(root)


def read_dossier(xml: bytes) -> dict[str, str]:
    """The flat items of an ``EAD.xml`` (for indexing at ingest)."""
    root = etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False))
    items = {etree.QName(el).localname: (el.text or "") for el in root.iter() if len(el) == 0}
    retention = root.find(_HS + "retention")
    if retention is not None:
        items["retention_years"] = retention.get("years", "")
        items["retention_expires"] = retention.get("expires", "")
    items["keywords"] = " ".join(k.text or "" for k in root.iter(_HS + "keyword"))
    applicant = root.find(_HS + "applicant")
    if applicant is not None:
        items["applicantId"] = applicant.findtext(_HS + "identifier", "")
        items["applicantName"] = applicant.findtext(_HS + "name", "")
    procedure = root.find(_HS + "procedure")
    if procedure is not None:
        items["procedureCode"] = procedure.findtext(_HS + "code", "")
        items["procedureName"] = procedure.findtext(_HS + "name", "")
        items["agencyId"] = procedure.findtext(_HS + "agencyId", "")
    return items
