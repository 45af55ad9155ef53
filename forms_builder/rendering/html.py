"""A filled form as HTML in the layout of its official paper form."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import jinja2

from forms_builder.codelists import CodeLists, default_code_lists
from forms_builder.model import FormDefinition, PrintRendering
from forms_builder.rendering.errors import RenderFailed
from forms_builder.rendering.layouts import LayoutContext, resolve_layout
from forms_builder.rendering.qr import lookup_url, qr_svg_data_uri
from forms_builder.rendering.values import display_values

__all__ = ["render_html"]

_TEMPLATES = resources.files("forms_builder.rendering") / "templates"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _css() -> str:
    return (_TEMPLATES / "form.css").read_text(encoding="utf-8")


def render_html(
    definition: FormDefinition,
    data: Mapping[str, Any],
    *,
    dossier_code: str | None = None,
    base_url: str | None = None,
    signed_on: date | None = None,
    code_lists: CodeLists | None = None,
) -> str:
    """The HTML of ``data`` filled into ``definition``'s print layout.

    With both ``dossier_code`` and ``base_url`` the page carries a QR code
    (and a link) to ``<base_url>/tra-cuu/<dossier_code>``. ``signed_on`` fills
    the declarant's date line; without it the line stays blank as on paper.
    Raises :class:`~forms_builder.rendering.errors.LayoutUnknown` for a
    layout this installation does not ship.
    """
    layout = resolve_layout(definition)
    lists = code_lists or default_code_lists()
    url = lookup_url(base_url, dossier_code) if dossier_code and base_url else None
    places: dict[str, tuple[str, ...]] = {}
    in_words: set[tuple[str, str]] = set()
    for p in definition.print_layout.places if definition.print_layout else ():
        name = layout.aliases.get(p.place, p.place)
        places[name] = (*places.get(name, ()), p.field_id)
        if p.render == PrintRendering.DATE_IN_WORDS:
            in_words.add((name, p.field_id))
    ctx = LayoutContext(
        definition=definition,
        layout=layout,
        shown=display_values(definition, data, lists),
        places=places,
        in_words=frozenset(in_words),
        qr_svg=qr_svg_data_uri(url) if url else None,
        lookup_url=url,
        dossier_code=dossier_code,
        signed_on=signed_on,
    )
    try:
        template = _environment().get_template(layout.template)
        return template.render(ctx=ctx, form=definition, css=_css())
    except jinja2.TemplateError as exc:
        raise RenderFailed(
            f"Mẫu in {layout.template} của bố cục {layout.name} bị lỗi; báo quản trị hệ thống.",
            f"Print template {layout.template} of layout {layout.name} is broken; "
            "tell the administrator.",
            details={"layout": layout.name, "cause": f"{type(exc).__name__}: {exc}"},
        ) from exc
