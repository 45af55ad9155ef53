"""Reading ``/metrics`` as Prometheus does, to show a figure moved after a real action.

Counters are process-wide and other tests move them too, so tests compare
two scrapes taken around the action rather than absolute values.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True)
class Scrape:
    """Every sample of one scrape, by sample name and exact label set."""

    samples: dict[tuple[str, frozenset[tuple[str, str]]], float]

    # Sample names are positional-only: ``name`` is also a label (``eforms_jobs``).
    def value(self, sample: str, /, **labels: str) -> float:
        """The ``sample`` with exactly ``labels``; 0 when absent."""
        return self.samples.get((sample, frozenset(labels.items())), 0.0)

    def has(self, sample: str, /, **labels: str) -> bool:
        return (sample, frozenset(labels.items())) in self.samples

    def since(self, earlier: Scrape, sample: str, /, **labels: str) -> float:
        """How much the sample grew since ``earlier``."""
        return self.value(sample, **labels) - earlier.value(sample, **labels)

    def total(self, sample: str, /, **labels: str) -> float:
        """The sum of ``sample`` over every series whose labels include ``labels``."""
        wanted = set(labels.items())
        return sum(v for (n, ls), v in self.samples.items() if n == sample and wanted <= ls)


def scrape(client: FlaskClient) -> Scrape:
    """``GET /metrics`` from loopback, parsed."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.status_code
    samples = {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for s in family.samples
    }
    return Scrape(samples)
