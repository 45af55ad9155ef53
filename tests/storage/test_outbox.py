"""The outbox: no event lost or reordered while the receiver is down; dead letters replay."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from storage.db import Database
from storage.outbox import DeliveryPolicy, append_event, deliver_pending, list_deliveries, replay
from tests.harness.net import free_port

SECRET = "shared-secret"


@dataclass
class Receiver:
    """An HTTP endpoint that can be down, checks signatures and deduplicates."""

    down: bool = True
    raw: list[tuple[str, str, int]] = field(default_factory=list)
    seen: dict[str, dict] = field(default_factory=dict)
    bad_signatures: int = 0

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        request = Request(environ)
        if self.down:
            return Response("down", status=503)(environ, start_response)
        body = request.get_data()
        timestamp = request.headers["X-Eforms-Timestamp"]
        expected = (
            "sha256="
            + hmac.new(
                SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256
            ).hexdigest()
        )
        if not hmac.compare_digest(expected, request.headers["X-Eforms-Signature"]):
            self.bad_signatures += 1
            return Response("bad signature", status=401)(environ, start_response)
        event = json.loads(body)
        assert event["event_id"] == request.headers["X-Eforms-Event-Id"]
        self.raw.append((event["event_id"], event["aggregate_id"], event["sequence"]))
        self.seen.setdefault(event["event_id"], event)
        return Response("ok")(environ, start_response)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    app = Receiver()
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{port}/events"
    server.shutdown()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _db(url: str) -> Database:
    db = Database(url)
    db.upgrade()
    return db


def _emit(db: Database, dossiers: int, per_dossier: int) -> None:
    for seq in range(per_dossier):
        for d in range(dossiers):
            with db.unit_of_work() as session:
                append_event(
                    session,
                    aggregate_id=f"HS-{d}",
                    event_type="dossier.status_changed",
                    payload={"step": seq},
                )


def test_receiver_down_for_a_while_loses_and_reorders_nothing(
    database_url: str, receiver: tuple[Receiver, str]
) -> None:
    app, url = receiver
    db = _db(database_url)
    clock = Clock()
    policy = DeliveryPolicy(endpoints=(url,), secret=SECRET, max_attempts=50)
    _emit(db, dossiers=4, per_dossier=5)
    for _ in range(3):  # down: every try fails and backs off
        report = deliver_pending(db, policy, now=clock)
        assert report.delivered == 0
        clock.now += timedelta(minutes=10)
    app.down = False
    for _ in range(5):
        deliver_pending(db, policy, now=clock)
        clock.now += timedelta(minutes=10)
    assert len(app.seen) == 20 and app.bad_signatures == 0
    for d in range(4):
        order = [seq for _, agg, seq in app.raw if agg == f"HS-{d}"]
        assert order == sorted(order) == [1, 2, 3, 4, 5]
    duplicates = len(app.raw) - len(app.seen)
    assert duplicates == 0  # at-least-once; none needed here
    # New events after recovery flow straight through.
    _emit(db, dossiers=1, per_dossier=1)
    assert deliver_pending(db, policy, now=clock).delivered == 1
    db.dispose()


def test_dead_letters_block_their_dossier_until_replayed(
    database_url: str, receiver: tuple[Receiver, str]
) -> None:
    app, url = receiver
    db = _db(database_url)
    clock = Clock()
    policy = DeliveryPolicy(endpoints=(url,), secret=SECRET, max_attempts=2)
    _emit(db, dossiers=1, per_dossier=3)
    for _ in range(3):
        deliver_pending(db, policy, now=clock)
        clock.now += timedelta(hours=2)
    with db.unit_of_work() as session:
        dead = list_deliveries(session, state="dead")
        pending = list_deliveries(session, state="pending")
    assert [d.sequence for d in dead] == [1] and "503" in (dead[0].last_error or "")
    assert sorted(d.sequence for d in pending) == [2, 3]
    app.down = False
    deliver_pending(db, policy, now=clock)
    assert app.raw == []  # event 2 must not overtake the dead event 1
    with db.unit_of_work() as session:
        assert replay(session) == 1
    deliver_pending(db, policy, now=clock)
    assert [seq for _, _, seq in app.raw] == [1, 2, 3]
    db.dispose()


def test_several_endpoints_each_get_every_event(database_url: str) -> None:
    db = _db(database_url)
    received: dict[str, list[str]] = {"a": [], "b": []}

    def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        received[url[-1]].append(headers["X-Eforms-Event-Id"])
        return 204

    policy = DeliveryPolicy(endpoints=("http://x/a", "http://x/b"), secret=SECRET)
    _emit(db, dossiers=2, per_dossier=2)
    assert deliver_pending(db, policy, post=post).delivered == 8
    assert len(set(received["a"])) == len(set(received["b"])) == 4
    assert deliver_pending(db, policy, post=post).delivered == 0
    db.dispose()
