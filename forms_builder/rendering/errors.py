"""Errors of the rendering step: unknown layout, WeasyPrint failures, bad PDF/A."""

from __future__ import annotations

from forms_builder.errors import FormError

__all__ = ["LayoutUnknown", "RenderError", "RenderFailed"]


class RenderError(FormError):
    """Base of every rendering error."""

    code = "forms.render_error"
    http_status = 500


class LayoutUnknown(RenderError):
    """The definition names a print layout this installation does not ship."""

    code = "forms.layout_unknown"
    http_status = 422


class RenderFailed(RenderError):
    """WeasyPrint could not turn the HTML into a PDF (the cause is chained)."""

    code = "forms.render_failed"
    http_status = 500
