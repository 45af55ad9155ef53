"""Wiring: the configured sources and the resolver, built once from plain values.

The portal maps its settings to a :class:`PrefillConfig` and keeps the
:class:`PrefillService` on the app. An empty URL selects the bundled
reference registry for that source.
"""

from __future__ import annotations

from dataclasses import dataclass

from forms_builder.prefill.bundled_sources import (
    BundledEnterpriseSource,
    BundledPersonSource,
    LazyRegistry,
)
from forms_builder.prefill.http_sources import (
    HttpEnterpriseSource,
    HttpPersonSource,
    HttpSourceConfig,
)
from forms_builder.prefill.ports import CitizenDataStore, EnterpriseSource, PersonSource
from forms_builder.prefill.reference_registry import (
    DEFAULT_ENTERPRISES,
    DEFAULT_PEOPLE,
    DEFAULT_SEED,
)
from forms_builder.prefill.resolver import PrefillResolver, SourceFailureObserver
from forms_builder.prefill.sql_citizen_store import SqlCitizenDataStore
from storage.db import Database

__all__ = ["PrefillConfig", "PrefillService", "build_prefill"]


@dataclass(frozen=True)
class PrefillConfig:
    """Plain values the prefill capability is built from."""

    population_url: str = ""
    """Base URL of the population data service; empty: the bundled registry."""
    enterprise_url: str = ""
    """Base URL of the enterprise data service; empty: the bundled registry."""
    token: str = ""
    username: str = ""
    password: str = ""
    timeout_seconds: float = 3.0
    retries: int = 2
    backoff_seconds: float = 0.2
    budget_seconds: float = 0.8
    """How long opening a form waits for all sources together."""
    registry_seed: int = DEFAULT_SEED
    registry_people: int = DEFAULT_PEOPLE
    registry_enterprises: int = DEFAULT_ENTERPRISES

    def http(self, base_url: str) -> HttpSourceConfig:
        return HttpSourceConfig(
            base_url=base_url,
            token=self.token,
            username=self.username,
            password=self.password,
            timeout_seconds=self.timeout_seconds,
            retries=self.retries,
            backoff_seconds=self.backoff_seconds,
        )


@dataclass
class PrefillService:
    """The sources by role, and the resolver over all of them by name."""

    population: PersonSource
    enterprise: EnterpriseSource
    citizen_store: CitizenDataStore
    resolver: PrefillResolver
    registry: LazyRegistry
    """The bundled registry (generated only if a bundled source is used)."""

    def close(self) -> None:
        self.resolver.close()


def build_prefill(
    config: PrefillConfig,
    db: Database,
    *,
    on_source_failure: SourceFailureObserver | None = None,
) -> PrefillService:
    """Build the sources from ``config``; nothing is contacted or generated yet.

    ``on_source_failure`` is told of every lookup that fails (the portal counts them).
    """
    registry = LazyRegistry(
        seed=config.registry_seed,
        people=config.registry_people,
        enterprises=config.registry_enterprises,
    )
    population: PersonSource = (
        HttpPersonSource(config.http(config.population_url))
        if config.population_url
        else BundledPersonSource(registry)
    )
    enterprise: EnterpriseSource = (
        HttpEnterpriseSource(config.http(config.enterprise_url))
        if config.enterprise_url
        else BundledEnterpriseSource(registry)
    )
    store = SqlCitizenDataStore(db)
    resolver = PrefillResolver(
        {s.name: s for s in (population, enterprise, store)},
        budget_seconds=config.budget_seconds,
        on_source_failure=on_source_failure,
    )
    return PrefillService(population, enterprise, store, resolver, registry)
