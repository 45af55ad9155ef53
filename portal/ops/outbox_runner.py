"""The server's delivery loop for the outbox, and the policy built from settings."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from flask import Flask

from portal.settings import Settings
from storage.db import Database
from storage.errors import StorageError
from storage.outbox import DeliveryPolicy, deliver_pending

log = logging.getLogger(__name__)


def delivery_policy(settings: Settings) -> DeliveryPolicy:
    return DeliveryPolicy(
        endpoints=settings.outbox_endpoint_list,
        secret=settings.outbox_secret,
        max_attempts=settings.outbox_max_attempts,
        base_backoff=timedelta(seconds=max(1, settings.outbox_interval_seconds)),
    )


class OutboxRunner:
    """Runs a delivery pass every ``interval`` seconds on a daemon thread."""

    def __init__(self, db: Database, policy: DeliveryPolicy, interval: float) -> None:
        self.db = db
        self.policy = policy
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="outbox", daemon=True)

    def start(self) -> None:
        if self.policy.endpoints:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                report = deliver_pending(self.db, self.policy)
            except StorageError as exc:
                log.warning("outbox delivery skipped: %s", exc.message_en)
                continue
            if report.delivered or report.failed or report.dead:
                log.info(
                    "outbox delivered=%s failed=%s dead=%s",
                    report.delivered,
                    report.failed,
                    report.dead,
                )


def start_outbox(app: Flask) -> OutboxRunner:
    """Start the delivery loop for ``app`` when endpoints are configured."""
    from portal.services import services

    svc = services(app)
    runner = OutboxRunner(
        svc.db, delivery_policy(svc.settings), float(svc.settings.outbox_interval_seconds)
    )
    runner.start()
    return runner
