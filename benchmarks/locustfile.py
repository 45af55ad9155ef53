"""Simulated users for benchmarks/load.py (run by locust in its own process).

``EFORMS_LOAD_MIX`` picks the users: ``hello`` (the baseline route only),
``submit`` (citizens submitting a form, nothing else) or ``mix`` (citizens
opening prefilled forms, saving drafts and submitting; officers listing
their queue; the public lookup page).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from locust import HttpUser, between, task

MIX = os.environ.get("EFORMS_LOAD_MIX", "mix")
PASSWORD = "Demo@2026"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM = os.environ.get("EFORMS_LOAD_FORM", "1.004222.CT01")
DRAFT = re.compile(r'action="/citizen/ban-nhap/([A-Za-z0-9_-]+)"')
#: The form fields of one complete CT01 submission, prepared by benchmarks/load.py.
FORMDATA: list[tuple[str, str]] = [
    (k, v)
    for k, v in json.loads(
        Path(os.environ.get("EFORMS_LOAD_FORMDATA", "/dev/null")).read_text() or "[]"
    )
]


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    return match.group(1) if match else ""


class _LoggedIn(HttpUser):
    abstract = True
    username = "citizen"

    def on_start(self) -> None:
        page = self.client.get("/login", name="/login")
        self.client.post(
            "/login",
            data={"username": self.username, "password": PASSWORD, "csrf_token": _csrf(page.text)},
            name="/login [POST]",
        )


class HelloUser(HttpUser):
    wait_time = between(0, 0)
    weight = 1 if MIX == "hello" else 0

    @task
    def hello(self) -> None:
        self.client.get("/hello")


class Citizen(_LoggedIn):
    wait_time = between(0, 0) if MIX == "submit" else between(0.5, 1.5)
    weight = 0 if MIX == "hello" else (1 if MIX == "submit" else 6)

    @task
    def submit(self) -> None:
        opened = self.client.get(f"/citizen/bieu-mau/{FORM}", name="/citizen/bieu-mau/<code>")
        if opened.status_code != 200:
            return
        save = [*FORMDATA, ("csrf_token", _csrf(opened.text)), ("save", "1")]
        page = self.client.post(
            f"/citizen/bieu-mau/{FORM}", data=save, name="/citizen/bieu-mau/<code> [save]"
        )
        found = DRAFT.search(page.text)
        if not found:
            return
        submit = [*FORMDATA, ("csrf_token", _csrf(page.text)), ("submit", "1")]
        with self.client.post(
            f"/citizen/ban-nhap/{found.group(1)}",
            data=submit,
            name="/citizen/ban-nhap/<id> [submit]",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 303:
                response.failure(f"submit refused: HTTP {response.status_code}")


class Officer(_LoggedIn):
    wait_time = between(0.5, 1.5)
    weight = 0 if MIX in ("hello", "submit") else 2
    username = "officer"

    @task
    def queue(self) -> None:
        self.client.get("/officer/", name="/officer/")


class Public(HttpUser):
    wait_time = between(0.5, 1.5)
    weight = 0 if MIX in ("hello", "submit") else 2

    @task
    def lookup(self) -> None:
        with self.client.get(
            "/tra-cuu/000.00.00.H56-261122-0001", name="/tra-cuu/<code>", catch_response=True
        ) as response:
            # An unknown code is a normal answer of the lookup page, not an error.
            if response.status_code in (200, 404):
                response.success()
