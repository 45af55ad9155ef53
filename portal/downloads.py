"""Streaming a stored document to the browser under its own (Vietnamese) file name."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

from flask import Response

from dossiers.model import Document
from storage.ports import ObjectStore

__all__ = ["attachment_disposition", "document_response"]

_ASCII_FALLBACK = {"đ": "d", "Đ": "D"}


def attachment_disposition(file_name: str) -> str:
    """A ``Content-Disposition`` for ``file_name``, whatever its letters (RFC 6266).

    HTTP headers are Latin-1: ``Giấy khai sinh.pdf`` goes in ``filename*`` as
    UTF-8, with an ASCII ``filename`` (``Giay khai sinh.pdf``) for old clients.
    """
    folded = "".join(_ASCII_FALLBACK.get(c, c) for c in file_name)
    plain = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    plain = "".join(c for c in plain if c.isprintable() and c not in '"\\/') or "tai-lieu"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def document_response(store: ObjectStore, document: Document) -> Response:
    """The document's bytes streamed from ``store``, closed when the response ends."""
    reader = store.get(document.object_key)

    def stream() -> Iterator[bytes]:
        with reader:
            yield from reader.chunks()

    response = Response(stream(), mimetype=document.media_type)
    response.headers["Content-Disposition"] = attachment_disposition(document.file_name)
    response.headers["Content-Length"] = str(document.size)
    return response
