"""Export and import of definitions as JSON files that carry their own checksum.

An export is ``{"format": "eforms.form-export/1", "checksum": "sha256:...",
"definition": {...}}``; the checksum covers the canonical JSON of the
definition without its status (see :func:`forms_builder.document.checksum`),
so a file edited by hand is refused on import unless its checksum is
removed on purpose (``require_checksum=False``: a new draft made by hand).
"""

from __future__ import annotations

import json
from typing import Any

from forms_builder.codelists import CodeLists
from forms_builder.document import checksum, definition_to_document
from forms_builder.errors import ChecksumMismatch, DefinitionInvalid, Problem
from forms_builder.model import FormDefinition
from forms_builder.validation import load_definition

__all__ = ["EXPORT_FORMAT", "export_definition", "import_definition", "read_document"]

EXPORT_FORMAT = "eforms.form-export/1"


def export_definition(d: FormDefinition) -> bytes:
    """The export file of ``d`` (UTF-8 JSON, indented for people to read)."""
    doc = definition_to_document(d)
    payload = {"format": EXPORT_FORMAT, "checksum": checksum(doc), "definition": doc}
    return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def read_document(raw: bytes) -> Any:
    """Parse JSON bytes; a syntax error becomes a :class:`DefinitionInvalid` at ``/``."""
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DefinitionInvalid(
            [
                Problem(
                    "",
                    "json.syntax",
                    f"Tệp không phải JSON hợp lệ: {exc}.",
                    f"The file is not valid JSON: {exc}.",
                )
            ]
        ) from exc


def import_definition(
    raw: bytes, *, code_lists: CodeLists | None = None, require_checksum: bool = True
) -> FormDefinition:
    """Check an export file (or a bare definition document) and return the definition."""
    payload = read_document(raw)
    if isinstance(payload, dict) and payload.get("format") == EXPORT_FORMAT:
        doc = payload.get("definition")
        claimed = payload.get("checksum")
    else:
        doc, claimed = payload, None
    if claimed is None and require_checksum:
        raise ChecksumMismatch(
            "Tệp nhập không có mã kiểm tra (checksum).",
            "The imported file carries no checksum.",
        )
    if claimed is not None and isinstance(doc, dict) and checksum(doc) != claimed:
        raise ChecksumMismatch(
            "Mã kiểm tra không khớp: nội dung tệp đã bị sửa sau khi xuất.",
            "Checksum mismatch: the file was changed after it was exported.",
            details={"claimed": claimed, "actual": checksum(doc)},
        )
    return load_definition(doc, code_lists=code_lists)
