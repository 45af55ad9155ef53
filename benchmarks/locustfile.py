"""Simulated users for benchmarks/load.py (run by locust in its own process).

``EFORMS_LOAD_MIX`` picks the users: ``hello`` (the baseline route only),
``submit`` (citizens submitting a form, nothing else) or ``mix`` (citizens
opening prefilled forms, saving drafts and submitting; officers listing
their queue; the public lookup page).
"""

from __future__ import annotations

import os
import re
import uuid

from locust import HttpUser, between, task

MIX = os.environ.get("EFORMS_LOAD_MIX", "mix")
PASSWORD = "Demo@2026"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM = os.environ.get("EFORMS_LOAD_FORM", "1.001193.TKKS")


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
        start = self.client.get(f"/citizen/forms/{FORM}", name="/citizen/forms/<code>")
        if start.status_code != 200:
            return
        token = _csrf(start.text)
        draft = self.client.post(
            f"/citizen/forms/{FORM}",
            data={"csrf_token": token, "action": "save", "idem": uuid.uuid4().hex},
            name="/citizen/forms/<code> [save]",
            allow_redirects=True,
        )
        self.client.post(
            draft.url,
            data={"csrf_token": _csrf(draft.text) or token, "action": "submit"},
            name="/citizen/drafts/<id> [submit]",
        )


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
        self.client.get("/tra-cuu/000.00.00.H56-261122-0001", name="/tra-cuu/<code>")
