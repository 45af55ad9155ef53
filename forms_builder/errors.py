"""Errors of the form builder: invalid definitions, refused edits, failed gates.

Every error carries a stable ``code`` and a message in Vietnamese and
English. :class:`DefinitionInvalid` also carries the list of
:class:`Problem` values, each pointing at the exact place in the definition
(a JSON pointer) so an author can fix it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from eforms.errors import EformsError


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a definition."""

    pointer: str
    """JSON pointer into the definition document, e.g. ``/sections/0/fields/2/type``."""
    code: str
    """Stable machine code, e.g. ``field.unknown_type``."""
    message_vi: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        """A JSON-ready form."""
        return {
            "pointer": self.pointer,
            "code": self.code,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


class FormError(EformsError):
    """Base of every form-builder error."""

    code = "forms.error"
    http_status = 400


class DefinitionInvalid(FormError):
    """The definition breaks the meta-schema or a semantic rule."""

    code = "forms.definition_invalid"
    http_status = 422

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        first = self.problems[0] if self.problems else None
        where = f" ({first.pointer or '/'})" if first else ""
        count = len(self.problems)
        super().__init__(
            f"Định nghĩa biểu mẫu có {count} lỗi{where}: {first.message_vi if first else ''}",
            f"The form definition has {count} problem(s){where}: "
            f"{first.message_en if first else ''}",
            details={"problems": [p.as_dict() for p in self.problems]},
        )


class RuleError(FormError):
    """A rule expression uses an operator or shape the evaluator does not allow."""

    code = "forms.rule_invalid"
    http_status = 422


class DefinitionNotFound(FormError):
    """No definition with this code (and version)."""

    code = "forms.not_found"
    http_status = 404


class DefinitionImmutable(FormError):
    """A published or retired version cannot be changed; make a new draft."""

    code = "forms.immutable"
    http_status = 409


class InvalidTransition(FormError):
    """The status change is not allowed (e.g. publishing a retired version)."""

    code = "forms.invalid_transition"
    http_status = 409


class PublishRefused(FormError):
    """The publishing gate failed: a test case or the render check did not pass."""

    code = "forms.publish_refused"
    http_status = 409


class NotOwner(FormError):
    """The form belongs to another agency: read-only for this author."""

    code = "forms.not_owner"
    http_status = 403


class ChecksumMismatch(FormError):
    """An imported definition does not match the checksum it carries."""

    code = "forms.checksum_mismatch"
    http_status = 422


class NoVersionInForce(FormError):
    """No published version of the form is in force on the given date."""

    code = "forms.no_version_in_force"
    http_status = 404


class EditTargetMissing(FormError):
    """The section or field an edit names is not in the definition."""

    code = "forms.edit_target_missing"
    http_status = 404


class AttachmentRefused(FormError):
    """An uploaded file is not an acceptable attachment (type, size, resolution, content)."""

    code = "forms.attachment_refused"
    http_status = 422
