"""The official forms shipped with eforms, as definition documents.

One JSON file per form version (``<form>.v<N>[-<legal basis>].json``). They
follow the official paper forms field by field as far as the sources allow;
each records in ``provenance`` and in the fields' ``confidence`` which legal
text it follows and how sure each part is. :func:`install_library` loads
them into a fresh installation (the demo seed calls it), each published
version through the publishing gate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from forms_builder.services import FormService

__all__ = ["LIBRARY_DIR", "install_library", "library_documents", "library_paths"]

LIBRARY_DIR = Path(__file__).parent


def library_paths() -> list[Path]:
    """Every shipped definition file, in a stable order."""
    return sorted(LIBRARY_DIR.glob("*.json"))


def library_documents() -> list[dict[str, Any]]:
    """Every shipped definition document, oldest version of each code first."""
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in library_paths()]
    return sorted(docs, key=lambda d: (d["code"], d["version"]))


def install_library(service: FormService) -> list[str]:
    """Install the shipped versions that are missing; return their ``CODE@VERSION``."""
    installed = []
    for doc in library_documents():
        definition = service.install(doc)
        if definition is not None:
            installed.append(definition.ref)
    return installed
