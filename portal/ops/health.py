"""Readiness checks: every dependency the service needs, with state, latency and remedy.

``/healthz`` says the process answers; ``/readyz`` runs every check with a
time limit (a hung dependency makes its check fail, not the endpoint hang);
``eforms doctor`` prints the same with what to do about each failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

import requests

from eforms.errors import EformsError


@dataclass(frozen=True)
class Probe:
    """One dependency to check: ``run`` raises when it is not usable."""

    name: str
    run: Callable[[], None]
    remedy_vi: str
    remedy_en: str


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    latency_ms: float
    detail: str
    remedy_vi: str
    remedy_en: str

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "status": "ok" if self.ok else "failing",
            "latency_ms": self.latency_ms,
            "detail": self.detail,
            **({} if self.ok else {"remedy_vi": self.remedy_vi, "remedy_en": self.remedy_en}),
        }


def _timed(probe: Probe) -> tuple[bool, str, float]:
    started = time.perf_counter()
    try:
        probe.run()
    except (EformsError, OSError, requests.RequestException, RuntimeError) as exc:
        detail = exc.message_en if isinstance(exc, EformsError) else f"{type(exc).__name__}: {exc}"
        return False, detail[:300], (time.perf_counter() - started) * 1000
    return True, "", (time.perf_counter() - started) * 1000


def run_probes(probes: list[Probe], *, timeout: float = 3.0) -> list[CheckResult]:
    """Run every probe in parallel; each gets at most ``timeout`` seconds."""
    results = []
    pool = ThreadPoolExecutor(max_workers=max(1, len(probes)), thread_name_prefix="readyz")
    try:
        futures = [(p, pool.submit(_timed, p)) for p in probes]
        deadline = time.monotonic() + timeout
        for probe, future in futures:
            try:
                ok, detail, ms = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except FutureTimeout:
                ok, detail, ms = False, f"no answer within {timeout:.0f} s", timeout * 1000
            results.append(
                CheckResult(probe.name, ok, round(ms, 1), detail, probe.remedy_vi, probe.remedy_en)
            )
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return results


def http_probe(name: str, url: str, *, remedy_vi: str, remedy_en: str) -> Probe:
    """A remote HTTP service is reachable (any answer below 500 counts)."""

    def run() -> None:
        response = requests.get(url, timeout=2.5)
        if response.status_code >= 500:
            raise RuntimeError(f"HTTP {response.status_code} from {url}")

    return Probe(name, run, remedy_vi, remedy_en)
