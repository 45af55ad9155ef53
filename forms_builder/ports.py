"""Ports of the form builder: what it needs from elsewhere, as Protocols."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from forms_builder.model import FormDefinition

__all__ = ["RenderCheck"]


class RenderCheck(Protocol):
    """The PDF/A render check of the publishing gate (provided by the rendering issue)."""

    def __call__(self, definition: FormDefinition, data: Mapping[str, Any]) -> list[str]:
        """Render ``data`` with ``definition``'s print layout to PDF/A-3b and check it.

        Return the problems found, one readable line each (an empty list means
        the PDF rendered and is valid PDF/A). Must not raise for a bad
        rendering; raise only when the checker itself cannot run.
        """
        ...
