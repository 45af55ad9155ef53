"""The documents of a manifest: each listed once, present, of the declared type.

Types are recognised by content (the first bytes), never by file name; every
file of the bundle must be listed, so nothing is silently left out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dossiers.backfill.bundle import problem, safe_member_name
from dossiers.backfill.fields import choice, fields, json_list, optional_text, text
from dossiers.model import DocumentKind
from forms_builder.attachments import sniff_media_type

DOCUMENT_FIELDS = ({"file", "media_type"}, {"kind", "title", "signed"})
ALLOWED_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/tiff")
_TIFF_MAGIC = (b"II*\x00", b"MM\x00*")


@dataclass(frozen=True)
class BackfillFile:
    kind: DocumentKind
    title: str
    name: str
    """The file's own name (last part of its path in the bundle)."""
    media_type: str
    data: bytes
    signed: bool

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def check_documents(value: Any, members: Mapping[str, bytes]) -> tuple[BackfillFile, ...]:
    found: list[BackfillFile] = []
    listed: set[str] = set()
    for i, raw in enumerate(json_list(value, "documents")):
        where = f"documents[{i}]"
        item = fields(raw, where, DOCUMENT_FIELDS)
        name = _member(item, where, members, listed)
        data = members[name]
        media_type = _media_type(item, where, data)
        kind = choice(
            DocumentKind, item.get("kind", "attachment"), where, ("loại tài liệu", "kind")
        )
        if not isinstance(item.get("signed", False), bool):
            raise problem(
                f"{where}: 'signed' phải là true hoặc false.",
                f"{where}: 'signed' must be true or false.",
                field=where,
            )
        base = name.rsplit("/", 1)[-1]
        title = optional_text(item, "title", where, 500) or base
        found.append(
            BackfillFile(kind, title, base, media_type, data, bool(item.get("signed", False)))
        )
    _check_unlisted(members, listed)
    return tuple(found)


def _member(
    item: Mapping[str, Any], where: str, members: Mapping[str, bytes], listed: set[str]
) -> str:
    name = text(item, "file", where, 255)
    if not safe_member_name(name):
        raise problem(
            f"{where}: đường dẫn tệp không an toàn: {name!r} (chỉ dùng đường dẫn tương đối "
            "trong gói).",
            f"{where}: unsafe file path {name!r} (use a path relative to the bundle).",
            field=where,
        )
    if name in listed:
        raise problem(
            f"{where}: tệp '{name}' được kê hai lần.",
            f"{where}: file '{name}' is listed twice.",
            field=where,
        )
    if name not in members:
        raise problem(
            f"{where}: không có tệp '{name}' trong gói.",
            f"{where}: file '{name}' is missing from the bundle.",
            field=where,
        )
    listed.add(name)
    return name


def _media_type(item: Mapping[str, Any], where: str, data: bytes) -> str:
    declared = item.get("media_type")
    if declared not in ALLOWED_TYPES:
        raise problem(
            f"{where}: định dạng {declared!r} không được chấp nhận (chỉ "
            f"{', '.join(ALLOWED_TYPES)}).",
            f"{where}: type {declared!r} is not accepted (only {', '.join(ALLOWED_TYPES)}).",
            field=where,
        )
    actual = sniff_media_type(data[:16]) or ("image/tiff" if data[:4] in _TIFF_MAGIC else None)
    if actual != declared:
        raise problem(
            f"{where}: nội dung tệp không phải {declared} (tệp rỗng, hỏng hoặc khai sai định "
            "dạng).",
            f"{where}: the file's content is not {declared} (empty, damaged or declared wrongly).",
            field=where,
        )
    return str(declared)


def _check_unlisted(members: Mapping[str, bytes], listed: set[str]) -> None:
    extra = sorted(set(members) - listed)
    if extra:
        shown = ", ".join(extra[:5]) + (" …" if len(extra) > 5 else "")
        raise problem(
            f"gói có tệp không được kê trong 'documents': {shown}. Kê chúng hoặc bỏ khỏi gói.",
            f"the bundle has files not listed in 'documents': {shown}. List them or remove them.",
            unlisted=extra,
        )
