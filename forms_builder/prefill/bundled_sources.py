"""Prefill sources over the bundled reference registry (demo and tests).

The registry is generated on first use (about 0.3 s for the default sizes)
and kept in memory; it is the same in every process for the same seed and
sizes, so several app instances agree without sharing a file.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from forms_builder.identifiers import parse_enterprise_code, parse_personal_id
from forms_builder.prefill.model import (
    EnterpriseRecord,
    LookupResult,
    LookupStatus,
    PersonRecord,
    utc_now,
)
from forms_builder.prefill.reference_registry import (
    DEFAULT_ENTERPRISES,
    DEFAULT_PEOPLE,
    DEFAULT_SEED,
    ReferenceRegistry,
    generate_registry,
)

__all__ = ["BundledEnterpriseSource", "BundledPersonSource", "LazyRegistry"]


class LazyRegistry:
    """Generates the reference registry once, on first use, thread-safely.

    The registry is deterministic for its parameters, so one copy per
    process serves every app (and test) that asks for the same one.
    :meth:`warm_up` generates it in the background at start, so that the
    first citizen's lookup does not wait for it (and miss the time budget).
    """

    def __init__(
        self,
        *,
        seed: int = DEFAULT_SEED,
        people: int = DEFAULT_PEOPLE,
        enterprises: int = DEFAULT_ENTERPRISES,
    ) -> None:
        self.seed, self.people, self.enterprises = seed, people, enterprises

    def get(self) -> ReferenceRegistry:
        """The registry, generating it if this is the first call in the process."""
        return _shared_registry(self.seed, self.people, self.enterprises)

    def warm_up(self) -> threading.Thread:
        """Start generating the registry in a daemon thread; return the thread."""
        thread = threading.Thread(target=self.get, name="registry-warm-up", daemon=True)
        thread.start()
        return thread


_SHARED_LOCK = threading.Lock()


def _shared_registry(seed: int, people: int, enterprises: int) -> ReferenceRegistry:
    with _SHARED_LOCK:
        return _generated(seed, people, enterprises)


@functools.lru_cache(maxsize=4)
def _generated(seed: int, people: int, enterprises: int) -> ReferenceRegistry:
    return generate_registry(seed=seed, people=people, enterprises=enterprises)


class _BundledSource:
    """What both registry-backed sources share: a name, the registry, a clock."""

    default_name = ""

    def __init__(
        self,
        registry: LazyRegistry,
        *,
        name: str | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._registry = registry
        self._name = name or self.default_name
        self._clock = clock

    @property
    def name(self) -> str:
        return self._name

    def _result(self, record: Any) -> LookupResult[Any]:
        status = LookupStatus.FOUND if record else LookupStatus.NOT_FOUND
        return LookupResult(self._name, status, self._clock(), record)


class BundledPersonSource(_BundledSource):
    """:class:`~forms_builder.prefill.ports.PersonSource` over the reference registry."""

    default_name = "population"

    def lookup(self, subject_id: str) -> LookupResult[PersonRecord]:
        personal_id = parse_personal_id(subject_id).value
        return self._result(self._registry.get().people.get(personal_id))


class BundledEnterpriseSource(_BundledSource):
    """:class:`~forms_builder.prefill.ports.EnterpriseSource` over the reference registry."""

    default_name = "enterprise"

    def lookup(self, subject_id: str) -> LookupResult[EnterpriseRecord]:
        code = parse_enterprise_code(subject_id).value
        return self._result(self._registry.get().enterprises.get(code))
