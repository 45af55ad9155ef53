"""Render a filled form to its PDF/A-3b document, and the publishing gate's check.

One path for a submission, the command line and the gate: HTML in the
official layout (:mod:`~forms_builder.rendering.html`), then PDF/A-3b with
the submitted data embedded (:mod:`~forms_builder.rendering.weasyprint_pdf`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from eforms import __version__
from forms_builder.codelists import CodeLists
from forms_builder.document import canonical_json
from forms_builder.errors import FormError
from forms_builder.model import FormDefinition
from forms_builder.rendering.html import render_html
from forms_builder.rendering.pdfa_metadata import DocumentInfo
from forms_builder.rendering.pikepdf_check import check_pdfa
from forms_builder.rendering.qr import lookup_url
from forms_builder.rendering.weasyprint_pdf import html_to_pdfa

__all__ = ["VIETNAM_TZ", "RenderedForm", "check_renders", "data_json_bytes", "render_pdf"]

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
"""Viet Nam time (UTC+07:00, no daylight saving): dates in the document use it."""


@dataclass(frozen=True)
class RenderedForm:
    """A rendered document and what it carries."""

    pdf: bytes
    pages: int
    data_json: bytes
    """The exact bytes embedded as ``data.json``."""
    lookup_url: str | None
    """Where the QR code points, when the document has one."""


def data_json_bytes(data: Mapping[str, Any]) -> bytes:
    """The canonical JSON of submitted data (sorted keys, UTF-8): what ``data.json`` holds."""
    return canonical_json(data)


def _info(definition: FormDefinition, dossier_code: str | None, created: datetime) -> DocumentInfo:
    title = definition.title.vi + (f" - {dossier_code}" if dossier_code else "")
    keywords = (definition.code, f"v{definition.version}") + (
        (dossier_code,) if dossier_code else ()
    )
    return DocumentInfo(
        title=title,
        subject=f"{definition.procedure_code} {definition.procedure_name.vi}",
        keywords=keywords,
        creator_tool=f"eforms {__version__}",
        created=created,
    )


def render_pdf(
    definition: FormDefinition,
    data: Mapping[str, Any],
    *,
    dossier_code: str | None = None,
    base_url: str | None = None,
    data_json: bytes | None = None,
    created: datetime | None = None,
    signed_on: date | None = None,
    code_lists: CodeLists | None = None,
) -> RenderedForm:
    """The PDF/A-3b document of ``data`` filled into ``definition``.

    ``data_json`` is embedded as ``data.json`` exactly as given (pass the
    bytes the dossier stores); by default the canonical JSON of ``data``.
    ``created`` (default now, Viet Nam time) goes into Info and XMP;
    ``signed_on`` (default the date of ``created`` when there is a dossier
    code) fills the declarant's date line. A QR code and link to the
    lookup page are printed when both ``dossier_code`` and ``base_url`` are
    given.
    """
    moment = created or datetime.now(VIETNAM_TZ).replace(microsecond=0)
    if signed_on is None and dossier_code:
        signed_on = moment.astimezone(VIETNAM_TZ).date()
    html = render_html(
        definition,
        data,
        dossier_code=dossier_code,
        base_url=base_url,
        signed_on=signed_on,
        code_lists=code_lists,
    )
    payload = data_json if data_json is not None else data_json_bytes(data)
    out = html_to_pdfa(html, data_json=payload, info=_info(definition, dossier_code, moment))
    url = lookup_url(base_url, dossier_code) if dossier_code and base_url else None
    return RenderedForm(out.pdf, out.pages, payload, url)


def check_renders(definition: FormDefinition, data: Mapping[str, Any]) -> list[str]:
    """The publishing gate's render check (:class:`forms_builder.ports.RenderCheck`).

    Renders ``data`` with a sample dossier code and QR, then runs the same
    PDF/A checks as the tests. Returns one readable line per problem; a
    layout that does not exist or a template that fails is a problem too.
    """
    try:
        rendered = render_pdf(
            definition,
            data,
            dossier_code="000.00.00.H00-000000-0000",
            base_url="https://example.invalid",
        )
    except FormError as exc:
        return [f"[{exc.code}] {exc.message_vi} / {exc.message_en}"]
    return [str(p) for p in check_pdfa(rendered.pdf, data_json=rendered.data_json)]
