"""Data only: the project's JSON Schemas and XSDs, with path helpers.

Schemas are read from the package directory and never edited at run time.
``xsd/`` holds the XML schemas archival packages use (METS 1.12, PREMIS 3.0,
XLink, the E-ARK METS extensions and the project's descriptive metadata
profile); ``xsd/README.md`` says where each came from.
``dossier-record.schema.json`` is the JSON input of ``eforms archive build
--from-json``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["SCHEMAS_DIR", "XSD_DIR", "load_json_schema", "schema_path", "xsd_path"]

SCHEMAS_DIR = Path(__file__).parent
XSD_DIR = SCHEMAS_DIR / "xsd"


def schema_path(name: str) -> Path:
    """Path of the schema file ``name`` (e.g. ``form-definition.schema.json``)."""
    path = SCHEMAS_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"no schema named {name!r} in {SCHEMAS_DIR}")
    return path


@cache
def _load(name: str) -> str:
    return schema_path(name).read_text(encoding="utf-8")


def load_json_schema(name: str) -> dict[str, Any]:
    """A fresh copy of the JSON Schema ``name`` (callers may not share one dict)."""
    loaded: dict[str, Any] = json.loads(_load(name))
    return loaded


def xsd_path(name: str) -> Path:
    """Path of the bundled XSD ``name`` (e.g. ``mets.xsd``)."""
    path = XSD_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"no bundled schema {name!r} in {XSD_DIR}")
    return path
