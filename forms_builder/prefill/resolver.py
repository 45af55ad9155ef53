"""The resolver: fills bound fields from every source at once, within a time budget.

Lookups run concurrently; whatever has not answered when the budget ends is
treated as unavailable, so a slow registry never delays the form by more
than the budget. The lookup keeps running in its worker and is simply not
waited for (HTTP sources bound it with their own timeout and retries).
Failures are logged with the identifier masked and, when the resolver has
an ``on_source_failure`` observer, reported to it as (source name,
:class:`SourceFailure`): the portal counts them in its metrics.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from eforms.errors import EformsError
from forms_builder.identifiers import mask_identifier
from forms_builder.prefill.bindings import FieldBinding, OnUnavailable, extract_path
from forms_builder.prefill.errors import BindingError
from forms_builder.prefill.model import LookupResult, LookupStatus, utc_now
from forms_builder.prefill.ports import PrefillSource

__all__ = [
    "SOURCE_LABELS",
    "NoticeKind",
    "PrefillResolver",
    "PrefillResult",
    "PrefilledValue",
    "SourceFailure",
    "SourceFailureObserver",
    "SourceNotice",
]

log = logging.getLogger(__name__)

#: How each source is named to the citizen (Vietnamese, English).
SOURCE_LABELS: dict[str, tuple[str, str]] = {
    "population": ("Cơ sở dữ liệu quốc gia về dân cư", "the national population database"),
    "enterprise": (
        "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp",
        "the national enterprise registration database",
    ),
    "citizen_store": ("Kho dữ liệu điện tử của công dân", "your citizen data store"),
}


@dataclass(frozen=True)
class PrefilledValue:
    """A value filled from a source, shown as such on the form."""

    field: str
    value: Any
    source: str
    fetched_at: datetime
    locked: bool
    provenance: str | None = None
    """Where within the source it came from, when known (a dossier code for the citizen store)."""


class SourceFailure(StrEnum):
    """Why a lookup left its fields unfilled (a closed set: operators' metrics label)."""

    TIMEOUT = "timeout"
    """No answer within the time budget."""
    UNAVAILABLE = "unavailable"
    """The source answered that it cannot serve (connection failed, HTTP 5xx, bad record)."""
    ERROR = "error"
    """The source refused the lookup with an error (e.g. a malformed identifier)."""


SourceFailureObserver = Callable[[str, SourceFailure], None]
"""Called as ``observer(source_name, failure)`` once per failed lookup; must not raise."""


class NoticeKind(StrEnum):
    UNAVAILABLE = "unavailable"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class SourceNotice:
    """A calm message for the citizen about one source that did not fill its fields."""

    source: str
    kind: NoticeKind
    fields: tuple[str, ...]
    """The bound fields left for the citizen to type."""
    blocking: bool
    """Submission must wait for this source (a field with ``on_unavailable: block``)."""
    message_vi: str
    message_en: str


@dataclass(frozen=True)
class PrefillResult:
    """What the form opens with."""

    values: Mapping[str, PrefilledValue]
    notices: tuple[SourceNotice, ...]

    @property
    def blocked(self) -> bool:
        """Whether submission is blocked until an unavailable source answers."""
        return any(n.blocking for n in self.notices)

    def value(self, field: str, default: Any = None) -> Any:
        """The prefilled value of ``field``, or ``default``."""
        item = self.values.get(field)
        return item.value if item else default


class PrefillResolver:
    """Resolves field bindings against named sources, concurrently, with a deadline.

    ``sources`` maps names used by bindings to sources. Each source gets a
    time budget counted from the start of :meth:`resolve`:
    ``source_budgets[name]`` when given, else ``budget_seconds``. Since the
    lookups run at once, the form waits at most the largest budget.
    ``on_source_failure`` hears of every lookup that timed out, failed or
    raised. Call :meth:`close` when done (the app does at shutdown).
    """

    def __init__(
        self,
        sources: Mapping[str, PrefillSource[Any]],
        *,
        budget_seconds: float = 0.8,
        source_budgets: Mapping[str, float] | None = None,
        max_workers: int = 32,
        on_source_failure: SourceFailureObserver | None = None,
    ) -> None:
        self.sources = dict(sources)
        self.budget_seconds = budget_seconds
        self.source_budgets = dict(source_budgets or {})
        self.on_source_failure = on_source_failure
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="prefill")

    def close(self) -> None:
        """Stop accepting lookups; running ones finish in the background."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def lookup_all(
        self,
        pairs: Iterable[tuple[str, str]],
        *,
        budget_seconds: float | None = None,
    ) -> dict[tuple[str, str], LookupResult[Any]]:
        """Look up each (source name, subject ID) concurrently; late ones are unavailable.

        ``budget_seconds``, when given, applies to every source (the submit-time
        check uses a longer one); otherwise each source has its own budget.
        """
        start = time.monotonic()
        futures: dict[tuple[str, str], Future[LookupResult[Any]]] = {}
        budgets: dict[tuple[str, str], float] = {}
        for source_name, subject_id in dict.fromkeys(pairs):
            source = self._source(source_name)
            futures[(source_name, subject_id)] = self._executor.submit(source.lookup, subject_id)
            budgets[(source_name, subject_id)] = (
                budget_seconds
                if budget_seconds is not None
                else self.source_budgets.get(source_name, self.budget_seconds)
            )
        late: set[tuple[str, str]] = set()
        # Earliest deadline first, so the total wait is the largest budget, not their sum.
        for pair in sorted(futures, key=budgets.__getitem__):
            remaining = start + budgets[pair] - time.monotonic()
            if remaining > 0:
                wait([futures[pair]], timeout=remaining)
            if not futures[pair].done():
                late.add(pair)
        return {
            pair: self._outcome(pair, future, budgets[pair] if pair in late else None)
            for pair, future in futures.items()
        }

    def resolve(
        self,
        bindings: Iterable[FieldBinding],
        subjects: Mapping[str, str],
        *,
        budget_seconds: float | None = None,
    ) -> PrefillResult:
        """Prefill ``bindings`` for the subjects (role -> identifier).

        Bindings whose subject has no identifier yet are skipped silently (the
        citizen has not typed the mother's ID, say). A path missing from a
        found record leaves the field empty and editable.
        """
        bindings = [b for b in bindings if subjects.get(b.subject)]
        results = self.lookup_all(
            ((b.source, subjects[b.subject]) for b in bindings), budget_seconds=budget_seconds
        )
        values: dict[str, PrefilledValue] = {}
        missed: dict[tuple[str, LookupStatus], list[FieldBinding]] = {}
        for binding in bindings:
            result = results[(binding.source, subjects[binding.subject])]
            filled = _prefilled(binding, result) if result.found else None
            if filled is not None:
                values[binding.field] = filled
            elif not result.found:
                missed.setdefault((binding.source, result.status), []).append(binding)
        notices = tuple(
            _notice(source, status, group) for (source, status), group in missed.items()
        )
        return PrefillResult(values, notices)

    def _source(self, name: str) -> PrefillSource[Any]:
        try:
            return self.sources[name]
        except KeyError as exc:
            raise BindingError(
                f"Nguồn dữ liệu điền sẵn '{name}' chưa được cấu hình.",
                f"The prefill source '{name}' is not configured.",
                details={"source": name, "configured": sorted(self.sources)},
            ) from exc

    def _outcome(
        self,
        pair: tuple[str, str],
        future: Future[LookupResult[Any]],
        missed_budget: float | None,
    ) -> LookupResult[Any]:
        """The result of ``future``; unavailable when it missed its budget or raised."""
        source_name, subject_id = pair
        if missed_budget is not None:
            future.cancel()
            failure, reason = SourceFailure.TIMEOUT, f"no answer within {missed_budget:g}s"
        else:
            try:
                result = future.result()
            except EformsError as exc:  # e.g. a malformed identifier typed for a subject
                failure, reason = SourceFailure.ERROR, exc.code
            else:
                if result.status is not LookupStatus.UNAVAILABLE:
                    return result
                self._failed(source_name, subject_id, SourceFailure.UNAVAILABLE, result.reason)
                return result
        self._failed(source_name, subject_id, failure, reason)
        return LookupResult(source_name, LookupStatus.UNAVAILABLE, utc_now(), reason=reason)

    def _failed(
        self, source_name: str, subject_id: str, failure: SourceFailure, reason: str | None
    ) -> None:
        log.warning(
            "prefill source %s unavailable for subject %s: %s",
            source_name,
            mask_identifier(subject_id),
            reason,
        )
        if self.on_source_failure is not None:
            self.on_source_failure(source_name, failure)


def _prefilled(binding: FieldBinding, result: LookupResult[Any]) -> PrefilledValue | None:
    record = result.record
    if record is None:
        return None
    found, value = extract_path(record.to_dict(), binding.path)
    if not found or value is None:
        return None
    provenance_of = getattr(record, "provenance", None)
    return PrefilledValue(
        field=binding.field,
        value=value,
        source=result.source,
        fetched_at=result.fetched_at,
        locked=binding.locked,
        provenance=provenance_of(binding.path) if callable(provenance_of) else None,
    )


def _notice(source: str, status: LookupStatus, group: list[FieldBinding]) -> SourceNotice:
    label_vi, label_en = SOURCE_LABELS.get(source, (source, source))
    blocking = status is LookupStatus.UNAVAILABLE and any(
        b.on_unavailable is OnUnavailable.BLOCK for b in group
    )
    if status is LookupStatus.NOT_FOUND:
        kind = NoticeKind.NOT_FOUND
        vi = f"Không tìm thấy thông tin trong {label_vi}. Vui lòng tự nhập các trường còn trống."
        en = f"No information was found in {label_en}. Please fill in the empty fields yourself."
    else:
        kind = NoticeKind.UNAVAILABLE
        vi = f"Tạm thời chưa lấy được thông tin từ {label_vi}. Bạn có thể tự nhập các trường này."
        en = f"Information from {label_en} is not available right now. You can type these fields."
        if blocking:
            vi += " Hồ sơ chỉ nộp được khi hệ thống lấy được thông tin này; vui lòng thử lại sau."
            en += (
                " The application can be submitted once this information is available;"
                " please try again later."
            )
    fields = tuple(b.field for b in group)
    return SourceNotice(source, kind, fields, blocking, vi, en)
