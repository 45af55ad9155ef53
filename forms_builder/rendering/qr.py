"""The QR code that points to the dossier's public lookup page."""

from __future__ import annotations

import base64
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

__all__ = ["LOOKUP_PATH", "lookup_url", "qr_svg_data_uri"]

LOOKUP_PATH = "/tra-cuu/"
"""Path of the public lookup page; the dossier code follows it."""


def lookup_url(base_url: str, dossier_code: str) -> str:
    """``<base_url>/tra-cuu/<dossier code>`` (the code is URL-quoted, dots kept)."""
    return f"{base_url.rstrip('/')}{LOOKUP_PATH}{quote(dossier_code, safe='.-_')}"


def qr_svg_data_uri(url: str) -> str:
    """A ``data:`` URI of an SVG QR code for ``url`` (vector, no raster, no fonts).

    Error correction level M survives a fold or a stain on a printed copy; the
    quiet zone is the standard four modules.
    """
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M,
        border=4,
        image_factory=qrcode.image.svg.SvgPathFillImage,
    )
    code.add_data(url)
    code.make(fit=True)
    svg = code.make_image().to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
