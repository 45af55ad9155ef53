"""Attachment checks by content: type, size, resolution, PDF structure."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from forms_builder.attachments import JPEG, PDF, PNG, AttachmentRule, check_attachment
from forms_builder.errors import AttachmentRefused

RULE = AttachmentRule(max_bytes=1024 * 1024)


def _image(fmt: str, dpi: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buf, format=fmt, dpi=(dpi, dpi))
    return buf.getvalue()


def test_types_are_recognised_by_content() -> None:
    assert check_attachment(_image("PNG", 300), rule=RULE) == PNG
    assert check_attachment(_image("JPEG", 300), rule=RULE) == JPEG


def test_minimum_resolution_is_enforced() -> None:
    rule = AttachmentRule(max_bytes=RULE.max_bytes, min_dpi=200)
    assert check_attachment(_image("JPEG", 200), rule=rule) == JPEG
    with pytest.raises(AttachmentRefused) as caught:
        check_attachment(_image("PNG", 72), rule=rule)
    assert "200 dpi" in caught.value.message_vi and "72 dpi" in caught.value.message_en


def test_size_limit_and_unknown_types() -> None:
    with pytest.raises(AttachmentRefused, match="larger"):
        check_attachment(b"%PDF-" + b"0" * RULE.max_bytes, rule=RULE)
    with pytest.raises(AttachmentRefused):
        check_attachment(b"GIF89a" + b"0" * 10, rule=RULE)
    with pytest.raises(AttachmentRefused):
        check_attachment(b"%PDF-1.7", rule=AttachmentRule(max_bytes=100, media_types=(PNG,)))
    assert PDF
