"""Checks on a citizen's uploaded attachment, by content and never by file name.

Accepted: PDF, JPEG and PNG, recognised by their first bytes. A PDF must
open with pikepdf, carry no encryption and no JavaScript (document-level
names, ``OpenAction`` or annotation actions). An image may be required to
have at least a given resolution (dots per inch, as the file declares it).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from PIL import Image, UnidentifiedImageError

from forms_builder.errors import AttachmentRefused

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
ACCEPTED_TYPES = (PDF, JPEG, PNG)

_MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
_JS_KEYS = ("/JS", "/JavaScript")


@dataclass(frozen=True)
class AttachmentRule:
    """What one upload slot accepts (from the definition, capped by the app's limit)."""

    max_bytes: int
    media_types: tuple[str, ...] = ACCEPTED_TYPES
    min_dpi: int | None = None


def sniff_media_type(head: bytes) -> str | None:
    """The media type the first bytes announce, or None when it is none we accept."""
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    return None


def check_attachment(data: bytes, *, rule: AttachmentRule) -> str:
    """The media type of ``data`` if it is acceptable; ``AttachmentRefused`` with the reason."""
    if len(data) > rule.max_bytes:
        mb = rule.max_bytes / (1024 * 1024)
        raise AttachmentRefused(
            f"Tệp vượt quá dung lượng cho phép ({mb:g} MB).",
            f"The file is larger than allowed ({mb:g} MB).",
            details={"size": len(data), "max_bytes": rule.max_bytes},
        )
    media_type = sniff_media_type(data[:16])
    if media_type is None or media_type not in rule.media_types:
        raise AttachmentRefused(
            "Chỉ nhận tệp PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp, không theo tên).",
            "Only PDF, JPEG or PNG files are accepted (checked by content, not by name).",
            details={"detected": media_type},
        )
    if media_type == PDF:
        _check_pdf(data)
    else:
        _check_image(data, min_dpi=rule.min_dpi)
    return media_type


def _check_pdf(data: bytes) -> None:
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise _encrypted() from exc
    except pikepdf.PdfError as exc:
        raise AttachmentRefused(
            "Tệp PDF bị hỏng cấu trúc, không mở được.",
            "The PDF file has a broken structure and cannot be opened.",
            details={"reason": str(exc)[:200]},
        ) from exc
    with pdf:
        if pdf.is_encrypted:
            raise _encrypted()
        if _has_javascript(pdf):
            raise AttachmentRefused(
                "Tệp PDF có chứa mã JavaScript nên không được nhận.",
                "The PDF file contains JavaScript and is not accepted.",
            )


def _encrypted() -> AttachmentRefused:
    return AttachmentRefused(
        "Tệp PDF được mã hoá hoặc đặt mật khẩu; vui lòng nộp bản không mã hoá.",
        "The PDF file is encrypted or password-protected; please upload an unencrypted copy.",
    )


def _has_javascript(pdf: pikepdf.Pdf) -> bool:
    names = pdf.Root.get("/Names")
    if names is not None and "/JavaScript" in names:
        return True
    if _action_has_js(pdf.Root.get("/OpenAction")) or _action_has_js(pdf.Root.get("/AA")):
        return True
    for page in pdf.pages:
        if _action_has_js(page.obj.get("/AA")):
            return True
        for annot in page.obj.get("/Annots") or []:
            if _action_has_js(annot.get("/A")) or _action_has_js(annot.get("/AA")):
                return True
    return False


def _action_has_js(obj: object, depth: int = 0) -> bool:
    if obj is None or depth > 4:
        return False
    if isinstance(obj, pikepdf.Dictionary):
        if obj.get("/S") == pikepdf.Name.JavaScript or any(k in obj for k in _JS_KEYS):
            return True
        return any(_action_has_js(obj.get(k), depth + 1) for k in obj.keys())
    if isinstance(obj, pikepdf.Array):
        return any(_action_has_js(item, depth + 1) for item in obj)
    return False


def _check_image(data: bytes, *, min_dpi: int | None) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            dpi = image.info.get("dpi")
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise AttachmentRefused(
            "Tệp ảnh bị hỏng, không đọc được.",
            "The image file is damaged and cannot be read.",
        ) from exc
    if min_dpi is None:
        return
    actual = min(float(dpi[0]), float(dpi[1])) if dpi else 0.0
    if actual + 0.5 < min_dpi:
        raise AttachmentRefused(
            f"Ảnh cần độ phân giải tối thiểu {min_dpi} dpi (ảnh này: {actual:.0f} dpi).",
            f"The image needs at least {min_dpi} dpi (this one: {actual:.0f} dpi).",
            details={"dpi": actual, "min_dpi": min_dpi},
        )
