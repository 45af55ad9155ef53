"""Data only: JSON Schemas and XSDs, with path helpers.

``xsd/`` holds the XML schemas archival packages use (METS 1.12, PREMIS 3.0,
XLink, the E-ARK METS extensions and the project's descriptive metadata
profile); ``xsd/README.md`` says where each came from.
``dossier-record.schema.json`` is the JSON input of ``eforms archive build
--from-json``. Nothing here is edited at run time.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SCHEMAS_DIR", "XSD_DIR", "xsd_path"]

SCHEMAS_DIR = Path(__file__).parent
XSD_DIR = SCHEMAS_DIR / "xsd"


def xsd_path(name: str) -> Path:
    """Path of the bundled XSD ``name`` (e.g. ``mets.xsd``)."""
    path = XSD_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"no bundled schema {name!r} in {XSD_DIR}")
    return path
