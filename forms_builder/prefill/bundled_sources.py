"""Prefill sources over the bundled reference registry (demo and tests).

The registry is generated on first use (about 0.3 s for the default sizes)
and kept in memory; it is the same in every process for the same seed and
sizes, so several app instances agree without sharing a file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

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
    """Generates the reference registry once, on first use, thread-safely."""

    def __init__(
        self,
        *,
        seed: int = DEFAULT_SEED,
        people: int = DEFAULT_PEOPLE,
        enterprises: int = DEFAULT_ENTERPRISES,
    ) -> None:
        self.seed, self.people, self.enterprises = seed, people, enterprises
        self._registry: ReferenceRegistry | None = None
        self._lock = threading.Lock()

    def get(self) -> ReferenceRegistry:
        """The registry, generating it if this is the first call."""
        if self._registry is None:
            with self._lock:
                if self._registry is None:
                    self._registry = generate_registry(
                        seed=self.seed, people=self.people, enterprises=self.enterprises
                    )
        return self._registry


class BundledPersonSource:
    """:class:`~forms_builder.prefill.ports.PersonSource` over the reference registry."""

    def __init__(
        self,
        registry: LazyRegistry,
        *,
        name: str = "population",
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._registry = registry
        self._name = name
        self._clock = clock

    @property
    def name(self) -> str:
        return self._name

    def lookup(self, subject_id: str) -> LookupResult[PersonRecord]:
        personal_id = parse_personal_id(subject_id).value
        record = self._registry.get().people.get(personal_id)
        status = LookupStatus.FOUND if record else LookupStatus.NOT_FOUND
        return LookupResult(self._name, status, self._clock(), record)


class BundledEnterpriseSource:
    """:class:`~forms_builder.prefill.ports.EnterpriseSource` over the reference registry."""

    def __init__(
        self,
        registry: LazyRegistry,
        *,
        name: str = "enterprise",
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._registry = registry
        self._name = name
        self._clock = clock

    @property
    def name(self) -> str:
        return self._name

    def lookup(self, subject_id: str) -> LookupResult[EnterpriseRecord]:
        code = parse_enterprise_code(subject_id).value
        record = self._registry.get().enterprises.get(code)
        status = LookupStatus.FOUND if record else LookupStatus.NOT_FOUND
        return LookupResult(self._name, status, self._clock(), record)
