"""The project-wide root error.

Each package roots its own small hierarchy here (``FormError``,
``SigningError``, ``ArchiveError``, ``StorageError``, ...). An error carries
a stable machine code and a message a person can act on, in Vietnamese and
English; the portal picks the language and maps the error to a status code.
"""

from __future__ import annotations

from typing import Any


class EformsError(Exception):
    """Base of every error this project raises on purpose.

    Subclasses set ``code`` (stable, machine readable, e.g. ``storage.locked``)
    and ``http_status`` (what the portal answers with). Instances carry the
    Vietnamese and English messages and optional structured ``details``.
    """

    code: str = "eforms.error"
    http_status: int = 400

    def __init__(
        self,
        message_vi: str,
        message_en: str | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message_en or message_vi)
        self.message_vi = message_vi
        self.message_en = message_en or message_vi
        if code is not None:
            self.code = code
        self.details: dict[str, Any] = dict(details or {})

    def message(self, lang: str = "vi") -> str:
        """The message in ``lang`` (``vi`` or ``en``); Vietnamese otherwise."""
        return self.message_en if lang == "en" else self.message_vi

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        """A JSON-ready form: code, message in ``lang``, both messages, details."""
        return {
            "code": self.code,
            "message": self.message(lang),
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "details": self.details,
        }
