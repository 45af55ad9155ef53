"""How fast the bundled registry is ready, and what a prefill costs.

Prints, measured in the same run:
- generating the default registry in memory (what the app does on first use)
  against the baseline of loading the same records from a JSON cache file
  (the alternative we did not take);
- resolving the CT01 bindings against the bundled sources, per form opened.

Run: ``.venv/bin/python benchmarks/prefill_registry.py``
"""

from __future__ import annotations

import gzip
import json
import statistics
import tempfile
import time
from pathlib import Path

from forms_builder.prefill import (
    DEMO_CITIZEN_ID,
    BundledPersonSource,
    EnterpriseRecord,
    FieldBinding,
    LazyRegistry,
    PersonRecord,
    PrefillResolver,
    generate_registry,
)


def _best(func, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    registry = generate_registry()
    generate_s = _best(generate_registry)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "registry.json.gz"
        payload = {
            "people": [p.to_dict() for p in registry.people.values()],
            "enterprises": [e.to_dict() for e in registry.enterprises.values()],
        }
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False)
        size = path.stat().st_size

        def load() -> None:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
            [PersonRecord.from_dict(p) for p in data["people"]]
            [EnterpriseRecord.from_dict(e) for e in data["enterprises"]]

        load_s = _best(load)
    print(f"people {len(registry.people)}, enterprises and branches {len(registry.enterprises)}")
    print(f"generate in memory:        {generate_s * 1000:7.1f} ms")
    print(f"load JSON cache (baseline): {load_s * 1000:7.1f} ms  ({size / 1e6:.1f} MB gzipped)")
    print(f"ratio generate / load:      {generate_s / load_s:7.2f}")

    lazy = LazyRegistry()
    lazy.get()
    resolver = PrefillResolver({"population": BundledPersonSource(lazy)})
    bindings = [
        FieldBinding("ho_ten", "population", "full_name", locked=True),
        FieldBinding("ngay_sinh", "population", "date_of_birth", locked=True),
        FieldBinding("thuong_tru", "population", "permanent_residence.text"),
        FieldBinding("thanh_vien", "population", "household.members"),
    ]
    subjects = {"applicant": DEMO_CITIZEN_ID}
    samples = []
    for _ in range(500):
        started = time.perf_counter()
        resolver.resolve(bindings, subjects)
        samples.append(time.perf_counter() - started)
    resolver.close()
    samples.sort()
    print(
        f"resolve CT01 bindings (bundled): median {statistics.median(samples) * 1000:.2f} ms, "
        f"p95 {samples[int(len(samples) * 0.95)] * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
