"""Document information and XMP for PDF/A-3b, written from one set of values.

PDF/A requires the Info dictionary and the XMP packet to agree entry by
entry (ISO 19005-3, 6.6.2.3). The document will be signed with pyHanko,
which appends itself to an existing ``/Producer``: leaving ``/Producer``
out of both lets pyHanko write it to Info and XMP alike, so the signed file
stays consistent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

__all__ = ["DocumentInfo", "info_entries", "xmp_packet"]


@dataclass(frozen=True)
class DocumentInfo:
    """What the PDF says about itself."""

    title: str
    subject: str
    keywords: tuple[str, ...]
    creator_tool: str
    created: datetime
    """Timezone-aware; written with its offset (``+07:00`` in Viet Nam)."""
    language: str = "vi"


def _pdf_date(moment: datetime) -> str:
    offset = moment.strftime("%z") or "+0000"
    sign, hours, minutes = offset[0], offset[1:3], offset[3:5]
    zone = "Z" if offset in ("+0000", "-0000") else f"{sign}{hours}'{minutes}'"
    return moment.strftime("D:%Y%m%d%H%M%S") + zone


def _xmp_date(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def info_entries(info: DocumentInfo) -> dict[str, str]:
    """The Info dictionary entries (without ``/Producer``)."""
    return {
        "Title": info.title,
        "Subject": info.subject,
        "Keywords": ", ".join(info.keywords),
        "Creator": info.creator_tool,
        "CreationDate": _pdf_date(info.created),
        "ModDate": _pdf_date(info.created),
    }


def xmp_packet(info: DocumentInfo) -> bytes:
    """The XMP packet: PDF/A-3B identification plus the Info values (no producer)."""
    when = _xmp_date(info.created)
    e = escape
    body = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
<pdfaid:part>3</pdfaid:part>
<pdfaid:conformance>B</pdfaid:conformance>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(info.title)}</rdf:li></rdf:Alt></dc:title>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{e(info.subject)}</rdf:li></rdf:Alt>
</dc:description>
<dc:language><rdf:Bag><rdf:li>{e(info.language)}</rdf:li></rdf:Bag></dc:language>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<xmp:CreatorTool>{e(info.creator_tool)}</xmp:CreatorTool>
<xmp:CreateDate>{when}</xmp:CreateDate>
<xmp:ModifyDate>{when}</xmp:ModifyDate>
<xmp:MetadataDate>{when}</xmp:MetadataDate>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<pdf:Keywords>{e(", ".join(info.keywords))}</pdf:Keywords>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return body.encode("utf-8")
