"""Rendering a filled form: HTML in the official layout, then PDF/A-3b.

- :func:`render_pdf`: the document of a submission, with ``data.json``
  embedded (relationship ``Data``) and a QR code to the lookup page.
- :func:`render_html`: the same page as HTML (previews, the benchmark).
- :func:`check_pdfa`: the PDF/A-3b checks, read back with pikepdf.
- :func:`check_renders`: the publishing gate's render check.

Layouts and the places they print are in :mod:`.layouts` and ``docs/render.md``.
"""

from forms_builder.rendering.errors import LayoutUnknown, RenderError, RenderFailed
from forms_builder.rendering.html import render_html
from forms_builder.rendering.layouts import LAYOUTS, Layout, resolve_layout
from forms_builder.rendering.pikepdf_check import PdfaProblem, check_pdfa
from forms_builder.rendering.qr import lookup_url, qr_svg_data_uri
from forms_builder.rendering.render import (
    VIETNAM_TZ,
    RenderedForm,
    check_renders,
    data_json_bytes,
    render_pdf,
)

__all__ = [
    "LAYOUTS",
    "VIETNAM_TZ",
    "Layout",
    "LayoutUnknown",
    "PdfaProblem",
    "RenderError",
    "RenderFailed",
    "RenderedForm",
    "check_pdfa",
    "check_renders",
    "data_json_bytes",
    "lookup_url",
    "qr_svg_data_uri",
    "render_html",
    "render_pdf",
    "resolve_layout",
]
