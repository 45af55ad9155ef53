"""Background jobs: thread pool by default, Celery on a real Redis; progress in the DB."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from portal import create_app
from portal.cli import cli
from portal.services import services
from portal.settings import Settings
from storage.celery_jobs import CeleryJobQueue, make_celery
from storage.db import Database
from storage.errors import JobNotFoundError, StoreFullError, UnknownJobError
from storage.jobs import JobLedger, JobRegistry, JobState
from storage.ports import JobReporter
from storage.testing import redis_server
from storage.thread_jobs import ThreadJobQueue


def count_to(progress: JobReporter, *, n: int, gate: str = "") -> dict[str, int]:
    for i in range(1, n + 1):
        progress.report(i, n, f"item {i}")
    return {"counted": n}


def fails_clearly(progress: JobReporter) -> None:
    raise StoreFullError("Ổ đĩa đầy.", "The disk is full.")


def crashes(progress: JobReporter) -> None:
    raise RuntimeError("bug")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'jobs.db'}")
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def registry() -> JobRegistry:
    reg = JobRegistry()
    reg.register("test.count", count_to)
    reg.register("test.fail", fails_clearly)
    reg.register("test.crash", crashes)
    return reg


def _check_queue(queue: Any, ledger: JobLedger) -> None:
    job_id = queue.submit("test.count", {"n": 40})
    done = queue.wait(job_id, timeout=30)
    assert done.state is JobState.SUCCEEDED
    assert (done.done, done.total, done.percent) == (40, 40, 100.0)
    assert done.message == "item 40" and done.result == {"counted": 40}
    failed = queue.wait(queue.submit("test.fail"), timeout=30)
    assert failed.state is JobState.FAILED and failed.error_code == "storage.disk_full"
    assert "The disk is full." in (failed.error_message or "")
    crashed = queue.wait(queue.submit("test.crash"), timeout=30)
    assert crashed.error_code == "job.crashed" and "RuntimeError: bug" in crashed.error_message
    assert [j.id for j in ledger.recent(limit=1)] == [crashed.id]
    with pytest.raises(UnknownJobError):
        queue.submit("test.nothing")
    with pytest.raises(JobNotFoundError):
        queue.progress("no-such-job")


def test_thread_queue_runs_and_records_progress(db: Database, registry: JobRegistry) -> None:
    ledger = JobLedger(db)
    queue = ThreadJobQueue(ledger, registry, workers=2)
    try:
        _check_queue(queue, ledger)
    finally:
        queue.shutdown()


def test_ledger_counts_queued_and_running_jobs_by_name(db: Database) -> None:
    ledger = JobLedger(db)
    assert ledger.unfinished() == {}
    first, second = ledger.create("test.count", {}), ledger.create("test.count", {})
    ledger.create("test.fail", {})
    ledger.update(first, state=JobState.RUNNING)
    finished = ledger.create("test.count", {})
    ledger.update(finished, state=JobState.SUCCEEDED)
    assert ledger.unfinished() == {
        ("test.count", JobState.RUNNING): 1,
        ("test.count", JobState.QUEUED): 1,
        ("test.fail", JobState.QUEUED): 1,
    }
    ledger.update(second, state=JobState.FAILED)
    assert ("test.count", JobState.QUEUED) not in ledger.unfinished()


@pytest.mark.integration
def test_celery_queue_on_real_redis(db: Database, registry: JobRegistry) -> None:
    from celery.contrib.testing.worker import start_worker

    ledger = JobLedger(db)
    with redis_server() as url:
        celery = make_celery(url, ledger, registry)
        queue = CeleryJobQueue(celery, ledger, registry)
        with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            _check_queue(queue, ledger)
        queue.shutdown()


def test_progress_is_readable_from_the_cli_of_another_instance(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    web = create_app(settings)
    services(web).db.upgrade()
    gate = threading.Event()

    def slow(progress: JobReporter) -> None:
        progress.report(3, 10, "signing 3/10")
        gate.wait(10)

    services(web).job_registry.register("test.slow", slow)
    job_id = services(web).jobs.submit("test.slow")
    other = create_app(settings)  # a second instance: same database, own memory
    runner = CliRunner()
    for _ in range(50):
        shown = runner.invoke(cli, ["jobs", "show", job_id], obj=other)
        if "3/10" in shown.output:
            break
        threading.Event().wait(0.1)
    assert shown.exit_code == 0, shown.output
    assert "running   3/10 (30.0%) signing 3/10" in shown.output
    gate.set()
    services(web).jobs.wait(job_id, timeout=10)
    listed = runner.invoke(cli, ["jobs", "list"], obj=other)
    assert job_id in listed.output and "succeeded" in listed.output
    services(web).jobs.shutdown()


@pytest.mark.integration
def test_a_separate_worker_process_runs_jobs_the_web_app_queued(tmp_path: Path) -> None:
    """Scale-out: `eforms jobs worker` in another process picks up a queued backup."""
    import io
    import os
    import signal
    import subprocess
    import sys

    with redis_server() as url:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("EFORMS_")},
            "EFORMS_DATA_DIR": str(tmp_path / "var"),
            "EFORMS_JOB_BROKER_URL": url,
        }
        web = create_app(Settings.from_env(env))
        built = services(web)
        built.db.upgrade()
        built.object_store.put("dossiers/G1/a.pdf", io.BytesIO(b"%PDF"))
        worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "eforms"), "jobs", "worker", "--concurrency", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            job_id = built.jobs.submit("storage.backup", {"target": str(tmp_path / "b")})
            done = built.jobs.wait(job_id, timeout=60)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                _out, err = worker.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                _out, err = worker.communicate()
        assert done.state is JobState.SUCCEEDED, (done, err[-2000:])
        assert done.result["objects"] == 1
        built.jobs.shutdown()


def test_the_request_id_travels_with_the_job_into_its_log_lines(
    db: Database, registry: JobRegistry
) -> None:
    """A job created while a request is served logs with that request's id (issue 11)."""
    import logging

    from portal.ops.logs import MaskingFilter
    from storage.jobs import job_request_id

    seen: list[str | None] = []

    def reports(progress: JobReporter) -> dict[str, Any]:
        record = logging.LogRecord("eforms.job", logging.INFO, __file__, 1, "working", None, None)
        MaskingFilter().filter(record)
        seen.append(getattr(record, "request_id", None))
        return {"inside": job_request_id.get()}

    registry.register("test.reports", reports)
    current: list[str | None] = ["5f0c1d2e3a4b5c6d7e8f901234567890"]
    queue = ThreadJobQueue(JobLedger(db, correlation=lambda: current[0]), registry, workers=1)
    try:
        done = queue.wait(queue.submit("test.reports", {}), timeout=30)
        current[0] = None
        plain = queue.wait(queue.submit("test.reports", {}), timeout=30)
    finally:
        queue.shutdown()
    assert done.state is JobState.SUCCEEDED, done.error_message
    assert done.result == {"inside": "5f0c1d2e3a4b5c6d7e8f901234567890"}
    assert seen[0] == "5f0c1d2e3a4b5c6d7e8f901234567890"
    assert plain.result == {"inside": None}  # nothing leaks into the next job
