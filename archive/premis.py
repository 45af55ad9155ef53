"""PREMIS 3 preservation metadata: objects, events and agents of a package.

Events after ingest (fixity checks, accesses, disposal) cannot be written
into an AIP whose objects are locked; they are kept in the database and
exported with :func:`premis_xml` when a DIP is made.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from lxml import etree

from archive.codes import iso
from archive.xml_schemas import NS, q

_P = q("premis")
ID_TYPE = "local"


class EventType(StrEnum):
    """Event types, worded as in the Library of Congress event type vocabulary."""

    INGESTION = "ingestion"
    VALIDATION = "validation"
    FIXITY_CHECK = "fixity check"
    FORMAT_IDENTIFICATION = "format identification"
    SIGNATURE_VALIDATION = "digital signature validation"
    MIGRATION = "migration"
    DELETION = "deletion"
    """Disposal: the content was destroyed under a disposal decision."""
    ACCESS = "access"


@dataclass(frozen=True)
class PremisObject:
    """One file of the package."""

    identifier: str
    """Path inside the package."""
    sha256: str
    size: int
    format_name: str
    """MIME type, and the PDF/A part when declared."""


@dataclass(frozen=True)
class PremisAgent:
    identifier: str
    name: str
    agent_type: str
    """``software``, ``organization`` or ``person``."""
    version: str = ""


@dataclass(frozen=True)
class PremisEvent:
    identifier: str
    event_type: str
    """An :class:`EventType`, or a dossier audit action (``dossier.submit``)."""
    at: datetime
    outcome: str
    """``success`` or ``failure``."""
    detail: str = ""
    outcome_detail: Mapping[str, Any] = field(default_factory=dict)
    """JSON-ready; written as the outcome detail note (e.g. a verification report)."""
    agents: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()


def _text(parent: etree._Element, name: str, value: str) -> etree._Element:
    el = etree.SubElement(parent, _P + name)
    el.text = value
    return el


def _identifier(parent: etree._Element, kind: str, value: str, *, prefix: str = "") -> None:
    box = etree.SubElement(parent, _P + f"{prefix or kind}Identifier")
    _text(box, f"{prefix or kind}IdentifierType", ID_TYPE)
    _text(box, f"{prefix or kind}IdentifierValue", value)


def _object(root: etree._Element, obj: PremisObject) -> None:
    el = etree.SubElement(root, _P + "object")
    el.set(q("xsi", "type"), "premis:file")
    _identifier(el, "object", obj.identifier)
    chars = etree.SubElement(el, _P + "objectCharacteristics")
    fixity = etree.SubElement(chars, _P + "fixity")
    _text(fixity, "messageDigestAlgorithm", "SHA-256")
    _text(fixity, "messageDigest", obj.sha256)
    _text(chars, "size", str(obj.size))
    fmt = etree.SubElement(chars, _P + "format")
    _text(etree.SubElement(fmt, _P + "formatDesignation"), "formatName", obj.format_name)
    _text(el, "originalName", obj.identifier.rsplit("/", 1)[-1])


def _event(root: etree._Element, event: PremisEvent) -> None:
    el = etree.SubElement(root, _P + "event")
    _identifier(el, "event", event.identifier)
    _text(el, "eventType", str(event.event_type))
    _text(el, "eventDateTime", iso(event.at))
    if event.detail:
        _text(etree.SubElement(el, _P + "eventDetailInformation"), "eventDetail", event.detail)
    outcome = etree.SubElement(el, _P + "eventOutcomeInformation")
    _text(outcome, "eventOutcome", event.outcome)
    if event.outcome_detail:
        note = json.dumps(event.outcome_detail, ensure_ascii=False, sort_keys=True, default=str)
        _text(etree.SubElement(outcome, _P + "eventOutcomeDetail"), "eventOutcomeDetailNote", note)
    for agent in event.agents:
        _identifier(el, "agent", agent, prefix="linkingAgent")
    for obj in event.objects:
        _identifier(el, "object", obj, prefix="linkingObject")


def _agent(root: etree._Element, agent: PremisAgent) -> None:
    el = etree.SubElement(root, _P + "agent")
    _identifier(el, "agent", agent.identifier)
    _text(el, "agentName", agent.name)
    _text(el, "agentType", agent.agent_type)
    if agent.version:
        _text(el, "agentVersion", agent.version)


def premis_xml(
    objects: Sequence[PremisObject],
    events: Sequence[PremisEvent],
    agents: Sequence[PremisAgent],
) -> bytes:
    """A PREMIS 3.0 document (root ``premis``, version 3.0)."""
    root = etree.Element(_P + "premis", nsmap={"premis": NS["premis"], "xsi": NS["xsi"]})
    root.set("version", "3.0")
    for obj in objects:
        _object(root, obj)
    for event in events:
        _event(root, event)
    for agent in agents:
        _agent(root, agent)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def add_events(
    premis: bytes, events: Sequence[PremisEvent], agents: Sequence[PremisAgent]
) -> bytes:
    """A copy of a PREMIS document with more events and agents (schema order kept)."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, remove_blank_text=True)
    root = etree.fromstring(premis, parser)
    first_agent = root.find(_P + "agent")
    holder = etree.Element("holder")
    for event in events:
        _event(holder, event)
    for new in list(holder):
        if first_agent is not None:
            first_agent.addprevious(new)
        else:
            root.append(new)
    known = {
        el.findtext(f"{_P}agentIdentifier/{_P}agentIdentifierValue")
        for el in root.iter(_P + "agent")
    }
    for agent in agents:
        if agent.identifier not in known:
            _agent(root, agent)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
