"""Field bindings: which form field is filled from which source, and how strictly.

A form definition binds a field like this (JSON)::

    "prefill": {"source": "population", "path": "permanent_residence.text",
                "subject": "applicant", "locked": true, "on_unavailable": "manual"}

``path`` is dotted keys into the record's JSON form (``to_dict()``), with
list indexes as numbers (``household.members.0.full_name``); for the
citizen store the first key is the record name (``birth_certificate.child_name``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from forms_builder.prefill.errors import BindingError

__all__ = ["FieldBinding", "OnUnavailable", "extract_path", "normalise_value"]

_PATH = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*")
_KEYS = frozenset({"source", "path", "subject", "locked", "on_unavailable", "subject_field"})
"""``subject_field`` belongs to the form (where the subject's identifier is typed)."""
_MISSING = object()


class OnUnavailable(StrEnum):
    """What happens to a bound field when its source cannot answer."""

    MANUAL = "manual"
    """The field stays editable and the citizen types it in."""
    BLOCK = "block"
    """The form opens, but submission waits until the source answers."""


@dataclass(frozen=True)
class FieldBinding:
    """One form field filled from one source."""

    field: str
    """Key of the form field (dotted for nested groups is fine: it is opaque here)."""
    source: str
    """Name of the source (``population``, ``enterprise``, ``citizen_store``)."""
    path: str
    """Dotted path into the record's JSON form."""
    subject: str = "applicant"
    """Whose identifier to look up: a role the caller maps to an ID (``applicant``, ``mother``)."""
    locked: bool = False
    """Locked values cannot be edited and are checked again at submission."""
    on_unavailable: OnUnavailable = OnUnavailable.MANUAL

    def __post_init__(self) -> None:
        if not self.field or not self.source or not _PATH.fullmatch(self.path):
            raise BindingError(
                f"Liên kết điền sẵn của trường '{self.field}' không hợp lệ (nguồn, đường dẫn).",
                f"The prefill binding of field '{self.field}' is malformed (source, path).",
                details={"field": self.field, "path": self.path},
            )

    @classmethod
    def from_dict(cls, field: str, data: Mapping[str, Any]) -> FieldBinding:
        """Read the ``prefill`` object of a definition's field; unknown keys are refused."""
        unknown = set(data) - _KEYS
        if unknown or "source" not in data or "path" not in data:
            raise BindingError(
                f"Liên kết điền sẵn của trường '{field}' thiếu 'source'/'path' "
                f"hoặc có khóa lạ: {sorted(unknown)}.",
                f"The prefill binding of field '{field}' lacks 'source'/'path' "
                f"or has unknown keys: {sorted(unknown)}.",
                details={"field": field, "unknown": sorted(unknown)},
            )
        try:
            policy = OnUnavailable(data.get("on_unavailable", "manual"))
        except ValueError as exc:
            raise BindingError(
                f"Trường '{field}': on_unavailable phải là 'manual' hoặc 'block'.",
                f"Field '{field}': on_unavailable must be 'manual' or 'block'.",
                details={"field": field},
            ) from exc
        return cls(
            field=field,
            source=str(data["source"]),
            path=str(data["path"]),
            subject=str(data.get("subject", "applicant")),
            locked=bool(data.get("locked", False)),
            on_unavailable=policy,
        )


def extract_path(document: Any, path: str) -> tuple[bool, Any]:
    """``(True, value)`` at dotted ``path`` in ``document``, or ``(False, None)``."""
    current = document
    for key in path.split("."):
        if isinstance(current, Mapping):
            current = current.get(key, _MISSING)
        elif isinstance(current, list) and key.isdigit():
            index = int(key)
            current = current[index] if index < len(current) else _MISSING
        else:
            current = _MISSING
        if current is _MISSING:
            return False, None
    return True, current


def normalise_value(value: Any) -> Any:
    """A comparable form: strings NFC-normalised with spaces collapsed, dates ISO.

    Vietnamese text may arrive composed or decomposed (``ệ`` as one code point
    or three); both must compare equal when a locked value is checked.
    """
    if isinstance(value, str):
        return " ".join(unicodedata.normalize("NFC", value).split())
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): normalise_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise_value(v) for v in value]
    return value
