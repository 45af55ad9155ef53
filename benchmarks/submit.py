"""Citizen submissions per second through the app, with the p95 latency.

The app is served on loopback by werkzeug's threaded server on a fresh
SQLite installation with the demo data and the forms library. A local load
generator (threads, one ``requests`` session each, logged in as the demo
citizen) opens a CT01 draft and submits it: the timed request is the
submit, which validates, re-checks the locked prefilled values, creates the
dossier, renders the PDF/A and stores it. The baseline, measured in the same
run, is bare ``render_pdf`` of the same data in this process (the dominant
cost of a submission), so the ratio says what the rest of the path adds.

CSRF is switched off for the load generator only (it would otherwise parse
a token per page). Run from the repository root:
``.venv/bin/python -m benchmarks.submit [--submissions 200 --threads 4]``.
"""

from __future__ import annotations

import argparse
import logging
import re
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from werkzeug.serving import make_server  # noqa: TID251 - serves the app under test, like the e2e fixture

from forms_builder.library import install_library
from forms_builder.rendering import render_pdf
from forms_builder.submission import compile_form
from forms_builder.wtforms_form import encode_formdata
from portal import create_app
from portal.demo import DEMO_PASSWORD, seed_demo
from portal.services import services
from portal.settings import Settings
from storage.db import Database
from storage.testing import free_port

CT01 = "1.004222.CT01"
DATA: dict[str, Any] = {
    "addressee": "000.00.01.H56",
    "full_name": "Nguyễn Văn An",
    "birth_date": "2003-03-15",
    "sex": "male",
    "personal_id": "001203012345",
    "household_head_name": "Nguyễn Văn Hùng",
    "relation_to_head": "child",
    "household_head_personal_id": "001075008642",
    "request_content": "Đăng ký thường trú tại số 12, ngõ 34 phố Hàng Bông, Hà Nội.",
    "members": [
        {
            "full_name": "Trần Thị Lan",
            "birth_date": "1978-09-05",
            "sex": "female",
            "personal_id": "001178013579",
            "relation": "wife",
        },
    ],
}
_DRAFT = re.compile(r'action="/citizen/ban-nhap/([A-Za-z0-9_-]+)"')


def _serve(data_dir: Path) -> tuple[Any, str, Any]:
    db = Database(f"sqlite:///{data_dir / 'eforms.db'}")
    data_dir.mkdir(parents=True, exist_ok=True)
    db.upgrade()
    seed_demo(db)
    db.dispose()
    port = free_port()
    settings = Settings(
        data_dir=data_dir,
        secret_key="benchmark-only-secret",
        port=port,
        login_rate_limit="100000 per minute",
        extra={"WTF_CSRF_ENABLED": False},
    )
    app = create_app(settings)
    with app.app_context():
        install_library(services(app).forms)
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, f"http://127.0.0.1:{port}", server


def _formdata(app: Any, **extra: str) -> list[tuple[str, str]]:
    with app.app_context():
        compiled = compile_form(services(app).forms.in_force(CT01))
    pairs = [(k, v) for k, vs in encode_formdata(compiled, DATA).items() for v in vs]
    return pairs + list(extra.items())


def _session(base: str) -> requests.Session:
    s = requests.Session()
    r = s.post(f"{base}/login", data={"username": "citizen", "password": DEMO_PASSWORD})
    r.raise_for_status()
    return s


def _one(base: str, session: requests.Session, save: list[Any], submit: list[Any]) -> float:
    page = session.post(f"{base}/citizen/bieu-mau/{CT01}", data=save)
    found = _DRAFT.search(page.text)
    if page.status_code != 200 or not found:
        raise RuntimeError(f"draft not created: HTTP {page.status_code}")
    start = time.perf_counter()
    r = session.post(
        f"{base}/citizen/ban-nhap/{found.group(1)}", data=submit, allow_redirects=False
    )
    elapsed = time.perf_counter() - start
    if r.status_code != 303:
        raise RuntimeError(f"submit refused: HTTP {r.status_code}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--baseline-renders", type=int, default=20)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("eforms.access").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="eforms-bench-submit-") as tmp:
        app, base, server = _serve(Path(tmp) / "data")
        try:
            definition = services(app).forms.in_force(CT01)
            render_pdf(definition, DATA)  # warm fonts and templates
            t0 = time.perf_counter()
            for _ in range(args.baseline_renders):
                render_pdf(
                    definition, DATA, dossier_code="000.00.01.H56-000000-0001", base_url=base
                )
            render_s = (time.perf_counter() - t0) / args.baseline_renders
            save, submit = _formdata(app, save="1"), _formdata(app, submit="1")
            sessions = [_session(base) for _ in range(args.threads)]
            _one(base, sessions[0], save, submit)  # warm-up
            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.threads) as pool:
                latencies = list(
                    pool.map(
                        lambda i: _one(base, sessions[i % args.threads], save, submit),
                        range(args.submissions),
                    )
                )
            wall = time.perf_counter() - t0
        finally:
            server.shutdown()
            services(app).db.dispose()
    p95 = statistics.quantiles(latencies, n=20)[-1]
    rate = args.submissions / wall
    print(f"submissions: {args.submissions} with {args.threads} threads in {wall:.1f} s")
    print(f"submissions/s (draft + submit through the app): {rate:.2f}")
    print(
        f"submit latency: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms"
    )
    print(f"baseline: bare render_pdf {render_s * 1000:.0f} ms = {1 / render_s:.2f}/s")
    print(f"ratio submit p50 / bare render: {statistics.median(latencies) / render_s:.2f}x")


if __name__ == "__main__":
    main()
