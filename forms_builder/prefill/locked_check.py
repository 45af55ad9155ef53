"""The submit-time check: locked values are fetched again and must not have changed.

A locked field is shown read-only, but the browser is not to be trusted: the
server fetches every locked value again at submission and refuses the
submission when the submitted value differs from what the source holds now
(tampering, or the registry changed since the form was opened).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from forms_builder.prefill.bindings import (
    FieldBinding,
    OnUnavailable,
    extract_path,
    normalise_value,
)
from forms_builder.prefill.errors import LockedValueChangedError, SourceUnavailableError
from forms_builder.prefill.resolver import PrefillResolver

__all__ = ["LockedCheck", "LockedValueChange", "check_locked_values"]

#: Submission is a server-side step the citizen waits for anyway: allow more time.
SUBMIT_BUDGET_SECONDS = 5.0


@dataclass(frozen=True)
class LockedValueChange:
    """A locked field whose submitted value is not what the source holds now."""

    field: str
    submitted: Any
    current: Any
    source: str


@dataclass(frozen=True)
class LockedCheck:
    """The outcome of :func:`check_locked_values`."""

    changed: tuple[LockedValueChange, ...]
    unverified: tuple[FieldBinding, ...]
    """Locked fields whose source could not be asked (or held nothing)."""

    @property
    def blocking_unverified(self) -> tuple[FieldBinding, ...]:
        """Unverified fields whose policy blocks submission."""
        return tuple(b for b in self.unverified if b.on_unavailable is OnUnavailable.BLOCK)

    @property
    def ok(self) -> bool:
        """Whether submission may go on."""
        return not self.changed and not self.blocking_unverified

    def raise_if_refused(self) -> None:
        """Raise :class:`LockedValueChangedError` or :class:`SourceUnavailableError`."""
        if self.changed:
            fields = [c.field for c in self.changed]
            raise LockedValueChangedError(
                "Một số thông tin được điền sẵn từ cơ sở dữ liệu đã bị thay đổi hoặc không còn "
                f"khớp với dữ liệu hiện tại ({', '.join(fields)}). Vui lòng mở lại tờ khai để "
                "cập nhật rồi nộp lại.",
                "Some values prefilled from the registries were changed or no longer match the "
                f"current data ({', '.join(fields)}). Please reopen the form to refresh them "
                "and submit again.",
                details={"fields": fields},
            )
        if self.blocking_unverified:
            fields = [b.field for b in self.blocking_unverified]
            raise SourceUnavailableError(
                "Chưa kiểm tra được thông tin điền sẵn vì nguồn dữ liệu tạm thời không phản hồi. "
                "Hồ sơ của bạn chưa được nộp; vui lòng thử lại sau ít phút.",
                "The prefilled information could not be checked because a data source is not "
                "answering. Your application was not submitted; please try again in a few minutes.",
                details={"fields": fields},
            )


def check_locked_values(
    resolver: PrefillResolver,
    bindings: Iterable[FieldBinding],
    subjects: Mapping[str, str],
    submitted: Mapping[str, Any],
    *,
    budget_seconds: float = SUBMIT_BUDGET_SECONDS,
) -> LockedCheck:
    """Fetch every locked binding again and compare with ``submitted`` (the form data).

    A binding's field is a dotted path into ``submitted`` (``requester.full_name``).

    Values are compared after :func:`normalise_value` (Unicode NFC, spaces
    collapsed, dates as ISO strings). A locked field whose source is
    unavailable or holds no value is reported as unverified; whether that
    refuses the submission depends on its ``on_unavailable`` policy (the
    citizen may have typed it in while the source was down).
    """
    locked = [b for b in bindings if b.locked and subjects.get(b.subject)]
    current = resolver.resolve(locked, subjects, budget_seconds=budget_seconds)
    changed: list[LockedValueChange] = []
    unverified: list[FieldBinding] = []
    for binding in locked:
        fresh = current.values.get(binding.field)
        if fresh is None:
            unverified.append(binding)
            continue
        given = extract_path(submitted, binding.field)[1]
        if normalise_value(given) != normalise_value(fresh.value):
            changed.append(LockedValueChange(binding.field, given, fresh.value, fresh.source))
    return LockedCheck(tuple(changed), tuple(unverified))
