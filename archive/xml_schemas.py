"""Offline XML Schema validation of every XML file a package holds.

One combined schema imports METS (with XLink and the E-ARK extensions),
PREMIS 3 and our descriptive profile from ``schemas/xsd``; a resolver maps
the URLs the XSDs import to the bundled copies, and the parser refuses the
network, so validation never leaves the machine.
"""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

from schemas import XSD_DIR

NS = {
    "mets": "http://www.loc.gov/METS/",
    "xlink": "http://www.w3.org/1999/xlink",
    "csip": "https://DILCIS.eu/XML/METS/CSIPExtensionMETS",
    "sip": "https://DILCIS.eu/XML/METS/SIPExtensionMETS",
    "premis": "http://www.loc.gov/premis/v3",
    "hs": "urn:eforms:xmlns:archive-metadata:1",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
"""Namespace prefixes used in every package."""

SCHEMA_FILES = {
    NS["mets"]: "mets.xsd",
    NS["xlink"]: "xlink.xsd",
    NS["csip"]: "DILCISExtensionMETS.xsd",
    NS["sip"]: "DILCISExtensionSIPMETS.xsd",
    NS["premis"]: "premis-v3-0.xsd",
    NS["hs"]: "eforms-archive-metadata-1.xsd",
}
"""The XSD of each namespace; these files are copied into each package's ``schemas/``."""

_URL_MAP = {
    "http://www.loc.gov/standards/xlink/xlink.xsd": "xlink.xsd",
    "http://www.loc.gov/standards/mets/xlink.xsd": "xlink.xsd",
    "http://www.w3.org/1999/xlink.xsd": "xlink.xsd",
    "http://www.w3.org/2001/xml.xsd": "xml.xsd",
    "http://www.loc.gov/standards/mets/mets.xsd": "mets.xsd",
    "http://www.loc.gov/premis/v3/premis.xsd": "premis-v3-0.xsd",
}


class _LocalResolver(etree.Resolver):
    def resolve(self, url: str, pubid: str | None, context: object) -> object:
        name = _URL_MAP.get(url) or (url.rsplit("/", 1)[-1] if "://" in url else None)
        if name and (XSD_DIR / name).is_file():
            return self.resolve_filename(str(XSD_DIR / name), context)
        return None


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalResolver())
    return parser


@functools.cache
def combined_schema() -> etree.XMLSchema:
    """The schema that validates METS, PREMIS and descriptive metadata files."""
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{(XSD_DIR / f).as_uri()}"/>'
        for ns, f in SCHEMA_FILES.items()
    )
    driver = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'targetNamespace="urn:eforms:xmlns:driver">{imports}</xs:schema>'
    )
    doc = etree.fromstring(driver.encode(), _parser(), base_url=(XSD_DIR / "x.xsd").as_uri())
    return etree.XMLSchema(doc)


def parse(path: Path) -> etree._ElementTree:
    """Parse an XML file without network access or entity expansion."""
    return etree.parse(str(path), _parser())


def schema_errors(path: Path) -> list[str]:
    """Problems of one XML file against the schemas (empty when valid)."""
    try:
        tree = parse(path)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    root_ns = etree.QName(tree.getroot()).namespace
    if root_ns not in SCHEMA_FILES:
        return [f"no schema for the root element's namespace {root_ns!r}"]
    schema = combined_schema()
    if schema.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def q(prefix: str, local: str = "") -> str:
    """Clark notation (``{namespace}local``) for a prefix of :data:`NS`."""
    return f"{{{NS[prefix]}}}{local}"
