"""Load test with locust: the submission path next to a hello-world route.

Runs, on loopback only and bounded in time, for SQLite and for PostgreSQL:
1. a hello-world Flask route under the same production server (gunicorn,
   same workers and threads): the baseline requests per second;
2. 50 citizens submitting forms as fast as they can: submissions per
   second, p95 latency and errors;
3. the realistic mix (citizens opening prefilled forms, saving drafts and
   submitting, officers listing queues, the public lookup page).

Prints each figure and the ratio submission rate / hello rate (goal: at
least 0.30 with zero errors). Usage::

    .venv/bin/python -m benchmarks.load [--users 50] [--seconds 30] [--only sqlite]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.harness.net import free_port, wait_for_port
from tests.harness.postgres import remove, start_postgres

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]


def _env(data_dir: Path, database_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EFORMS_")}
    env.update(
        EFORMS_DATA_DIR=str(data_dir),
        EFORMS_DATABASE_URL=database_url,
        EFORMS_PORT=str(port),
        EFORMS_WORKERS="2",
        EFORMS_THREADS="8",
        EFORMS_SECRET_KEY="load-test-secret-0123456789abcdef0123456789",
        EFORMS_ALLOW_DEMO_IN_PRODUCTION="1",
        EFORMS_LOGIN_RATE_LIMIT="100000 per minute",
        EFORMS_LOOKUP_RATE_LIMIT="100000 per minute",
        EFORMS_LOG_LEVEL="warning",
    )
    return env


@contextmanager
def _server(args: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    proc = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, timeout=90)
        time.sleep(1.0)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _formdata(env: dict[str, str], out: Path) -> Path:
    """The fields of one complete CT01 submission (as benchmarks/submit.py submits)."""
    from benchmarks.submit import CT01, DATA
    from forms_builder.submission import compile_form
    from forms_builder.wtforms_form import encode_formdata
    from portal import create_app
    from portal.services import services
    from portal.settings import Settings

    app = create_app(Settings.from_env(env))
    with app.app_context():
        compiled = compile_form(services(app).forms.in_force(CT01))
    services(app).db.dispose()
    pairs = [(k, v) for k, vs in encode_formdata(compiled, DATA).items() for v in vs]
    path = out / "formdata.json"
    path.write_text(json.dumps(pairs, ensure_ascii=False), encoding="utf-8")
    return path


def _locust(host: str, mix: str, users: int, seconds: int, out: Path) -> dict[str, float]:
    prefix = out / mix
    env = {**os.environ, "EFORMS_LOAD_MIX": mix, "EFORMS_LOAD_FORMDATA": str(out / "formdata.json")}
    result = subprocess.run(
        [str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless",
         "-u", str(users), "-r", str(max(1, users // 2)), "-t", f"{seconds}s", "--host", host,
         "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
        env=env, cwd=ROOT, check=False, capture_output=True, timeout=seconds + 120,
    )  # fmt: skip
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise RuntimeError(f"locust wrote no statistics:\n{result.stderr.decode()[-3000:]}")
    rows = {r["Name"]: r for r in csv.DictReader(stats.open(encoding="utf-8"))}
    return (
        {name: float(r["Requests/s"]) for name, r in rows.items()}
        | {f"{name} p95": float(r["95%"] or 0) for name, r in rows.items()}
        | {f"{name} failures": float(r["Failure Count"]) for name, r in rows.items()}
    )


def run(database: str, users: int, seconds: int) -> None:
    work = Path(tempfile.mkdtemp(prefix=f"eforms-load-{database}-"))
    pg = start_postgres() if database == "postgresql" else None
    try:
        url = pg.create_database("load") if pg else f"sqlite:///{work / 'eforms.db'}"
        port, hello_port = free_port(), free_port()
        env = _env(work / "data", url, port)
        for command in (["db", "upgrade"], ["demo", "seed"]):
            subprocess.run(
                [str(BIN / "eforms"), *command], env=env, cwd=ROOT, check=True, capture_output=True
            )
        _formdata(env, work)
        hello = [
            str(BIN / "gunicorn"),
            "-w",
            "2",
            "--threads",
            "8",
            "-k",
            "gthread",
            "-b",
            f"127.0.0.1:{hello_port}",
            "benchmarks.hello_app:app",
        ]
        with _server(hello, env, hello_port) as host:
            base = _locust(host, "hello", users, seconds, work)
        with _server([str(BIN / "eforms"), "serve", "--production"], env, port) as host:
            submit = _locust(host, "submit", users, seconds, work)
            mix = _locust(host, "mix", users, seconds, work)
    finally:
        if pg:
            remove(pg)
    hello_rate = base.get("/hello", 0.0)
    submit_rate = submit.get("/citizen/ban-nhap/<id> [submit]", 0.0)
    errors = submit.get("Aggregated failures", 0.0)
    print(f"\n== {database}: {users} users, {seconds} s each ==")
    hello_p95 = base.get("/hello p95", 0)
    print(f"hello-world route          {hello_rate:8.1f} req/s  p95 {hello_p95:6.0f} ms")
    print(
        f"submissions                {submit_rate:8.1f} /s     p95 "
        f"{submit.get('/citizen/ban-nhap/<id> [submit] p95', 0):6.0f} ms  errors {errors:.0f}"
    )
    ratio = submit_rate / hello_rate if hello_rate else 0.0
    print(f"ratio submissions / hello  {ratio:8.2f}  (goal >= 0.30 with zero errors)")
    print(
        f"mix: all requests          {mix.get('Aggregated', 0):8.1f} req/s  p95 "
        f"{mix.get('Aggregated p95', 0):6.0f} ms  errors {mix.get('Aggregated failures', 0):.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    args = parser.parse_args()
    for database in [args.only] if args.only else ["sqlite", "postgresql"]:
        run(database, args.users, args.seconds)


if __name__ == "__main__":
    main()
