"""Fixity audits: re-read stored files, compare SHA-256, report.

A run checks every package, or a rotating share (``sample``: the packages
audited longest ago first), so that with ``share_per_run`` every file is
checked within the configured period. Each package gets a PREMIS fixity
check event; the run's report (run id, times, software version, scope,
algorithm, one entry per object, totals ok / changed / missing /
unexpected / errors) is kept in the database for the archivist.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from archive.premis import EventType
from eforms import __version__
from storage.audit import AuditEntry, Outcome, record_event
from storage.db import Database
from storage.errors import ChecksumMismatchError, ObjectNotFoundError, StorageError
from storage.ports import JobReporter, ObjectStore
from storage.schema.archive import (
    ArchiveEventRow,
    ArchiveFileRow,
    ArchiveFixityRunRow,
    ArchivePackageRow,
)

OUTCOMES = ("ok", "changed", "missing", "unexpected", "errors")

NAMED_FAILURES = 200
"""How many failing objects a run's summary names; the full list stays in the report."""


@dataclass(frozen=True)
class FixityReport:
    run_id: str
    started_at: datetime
    finished_at: datetime
    software_version: str
    scope: str
    algorithm: str
    entries: tuple[dict[str, Any], ...]
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return all(self.totals.get(k, 0) == 0 for k in OUTCOMES if k != "ok")


def share_per_run(total_packages: int, *, period_days: int, runs_per_day: float = 1.0) -> int:
    """Packages per run so that all are checked within ``period_days``."""
    runs = max(1.0, period_days * runs_per_day)
    return max(1, math.ceil(total_packages / runs))


def scheduled_share(db: Database, *, period_days: int) -> int:
    """Packages the next scheduled run checks: all of them within ``period_days``."""
    return share_per_run(count_packages(db), period_days=period_days)


def count_packages(db: Database) -> int:
    """Packages whose files are still stored (active or in the disposal bin)."""
    with db.unit_of_work() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(ArchivePackageRow)
                .where(ArchivePackageRow.state != "deleted")
            )
            or 0
        )


def _check(store: ObjectStore, f: ArchiveFileRow) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "package": f.package_id,
        "path": f.path,
        "key": f.object_key,
        "version": f.version_id,
        "expected": f.sha256,
        "size": f.size,
    }
    digest, size = hashlib.sha256(), 0
    try:
        with store.get(f.object_key) as reader:
            try:
                for chunk in reader.chunks():
                    digest.update(chunk)
                    size += len(chunk)
            except ChecksumMismatchError:
                pass  # the store saw it too; our own digest below says what changed
    except ObjectNotFoundError:
        return {**entry, "outcome": "missing", "computed": None}
    except StorageError as exc:
        return {**entry, "outcome": "errors", "computed": None, "error": exc.code}
    computed = digest.hexdigest()
    outcome = "ok" if computed == f.sha256 and size == f.size else "changed"
    return {**entry, "outcome": outcome, "computed": computed, "read_size": size}


def _select(db: Database, sample: int | None) -> list[ArchivePackageRow]:
    query = (
        select(ArchivePackageRow)
        .where(ArchivePackageRow.state != "deleted")
        .order_by(
            ArchivePackageRow.last_fixity_at.is_not(None),
            ArchivePackageRow.last_fixity_at,
            ArchivePackageRow.id,
        )
    )
    if sample:
        query = query.limit(sample)
    with db.unit_of_work() as session:
        return list(session.scalars(query))


def run_fixity_audit(
    db: Database,
    store: ObjectStore,
    *,
    sample: int | None = None,
    actor: str = "system",
    progress: JobReporter | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FixityReport:
    """Audit ``sample`` packages (all when None) and store the report."""
    run_id, started = str(uuid.uuid4()), clock()
    packages = _select(db, sample)
    entries: list[dict[str, Any]] = []
    per_package: dict[str, str] = {}
    for n, package in enumerate(packages, 1):
        with db.unit_of_work() as session:
            files = list(
                session.scalars(
                    select(ArchiveFileRow).where(ArchiveFileRow.package_id == package.id)
                )
            )
        checked = [_check(store, f) for f in files]
        known = {f.object_key for f in files}
        try:
            extra = [
                o
                for o in store.list(package.store_prefix.rsplit("/", 1)[0] + "/")
                if o.key not in known
            ]
        except StorageError:
            extra = []
        checked += [
            {
                "package": package.id,
                "path": None,
                "key": o.key,
                "version": o.version_id,
                "expected": None,
                "computed": o.sha256,
                "size": o.size,
                "outcome": "unexpected",
            }
            for o in extra
        ]
        entries += checked
        bad = [e for e in checked if e["outcome"] != "ok"]
        per_package[package.id] = "success" if not bad else "failure"
        if progress is not None:
            progress.report(n, len(packages), f"{package.id}: {per_package[package.id]}")
    finished = clock()
    totals = {k: sum(1 for e in entries if e["outcome"] == k) for k in OUTCOMES}
    scope = f"sample of {sample}" if sample else "all packages"
    report = FixityReport(
        run_id, started, finished, __version__, scope, "SHA-256", tuple(entries), totals
    )
    _save(db, report, per_package, actor)
    return report


def _save(db: Database, report: FixityReport, per_package: dict[str, str], actor: str) -> None:
    with db.unit_of_work() as session:
        session.add(
            ArchiveFixityRunRow(
                id=report.run_id,
                started_at=report.started_at,
                finished_at=report.finished_at,
                software_version=report.software_version,
                scope=report.scope,
                algorithm=report.algorithm,
                totals=report.totals,
                entries=list(report.entries),
            )
        )
        for pid, outcome in per_package.items():
            row = session.get(ArchivePackageRow, pid)
            if row is not None:
                row.last_fixity_at, row.last_fixity_outcome = report.finished_at, outcome
            session.add(
                ArchiveEventRow(
                    package_id=pid,
                    event_type=EventType.FIXITY_CHECK.value,
                    occurred_at=report.finished_at,
                    outcome=outcome,
                    actor=actor,
                    detail={"run": report.run_id, "algorithm": "SHA-256"},
                )
            )
        record_event(
            session,
            AuditEntry(
                actor=actor,
                action="archive.fixity_audit",
                outcome=Outcome.SUCCESS if report.clean else Outcome.FAILURE,
                object_type="archive_fixity_run",
                object_id=report.run_id,
                details={
                    "totals": report.totals,
                    "scope": report.scope,
                    "packages": len(per_package),
                },
            ),
        )


def summarise(report: FixityReport, *, limit: int = NAMED_FAILURES) -> dict[str, Any]:
    """The run as JSON-ready figures: what the job records as its result.

    ``checked`` counts every object read or found (``unexpected`` ones
    included); ``failures`` names the first ``limit`` objects that are not
    ok (package, path, key, outcome, expected and computed SHA-256), and
    ``failures_not_listed`` how many more there are.
    """
    failures = [
        {k: e.get(k) for k in ("package", "path", "key", "outcome", "expected", "computed")}
        for e in report.entries
        if e["outcome"] != "ok"
    ]
    return {
        "run_id": report.run_id,
        "scope": report.scope,
        "algorithm": report.algorithm,
        "packages": len({e["package"] for e in report.entries}),
        "checked": len(report.entries),
        "totals": dict(report.totals),
        "failures": failures[:limit],
        "failures_not_listed": max(0, len(failures) - limit),
    }


def latest_report(db: Database) -> FixityReport | None:
    """The most recent run's report."""
    with db.unit_of_work() as session:
        row = session.scalars(
            select(ArchiveFixityRunRow).order_by(ArchiveFixityRunRow.started_at.desc())
        ).first()
        if row is None:
            return None
        return FixityReport(
            row.id,
            row.started_at,
            row.finished_at or row.started_at,
            row.software_version,
            row.scope,
            row.algorithm,
            tuple(row.entries),
            dict(row.totals),
        )
