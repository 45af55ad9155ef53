"""Structured JSON logs: one event per line, request id attached, personal IDs masked.

Personal identification numbers (12 digits) and enterprise codes (10 digits,
optionally ``-NNN``) never reach a log line in clear: a filter masks them in
the message and in every string field.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

from forms_builder.identifiers import mask_identifier
from storage.jobs import job_request_id

_IDENTIFIER = re.compile(r"(?<!\d)\d{10}(?:\d{2}|-\d{3})?(?!\d)")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime"}

access_log = logging.getLogger("eforms.access")


def mask_text(text: str) -> str:
    """``text`` with every personal ID and enterprise code masked."""
    return _IDENTIFIER.sub(lambda m: mask_identifier(m.group(0)), text)


class MaskingFilter(logging.Filter):
    """Masks identifiers in the rendered message and in extra string fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, mask_text(value))
        if not hasattr(record, "request_id"):
            if has_request_context():
                record.request_id = getattr(g, "request_id", None)
            elif job_request_id.get() is not None:
                record.request_id = job_request_id.get()  # a job started by that request
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                event[key] = value
        if record.exc_info:
            event["exception"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(event, ensure_ascii=False, default=str)


def configure_logging(*, fmt: str, level: str) -> None:
    """Send every log record to stderr in ``fmt`` (``json`` or ``text``), masked."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(MaskingFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
        handler.addFilter(_DefaultRequestId())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Our own access log replaces werkzeug's, which prints raw paths.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


class _DefaultRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        return True


def current_request_id() -> str | None:
    """The id of the request being served (to hand on to background jobs)."""
    return getattr(g, "request_id", None) if has_request_context() else None


def _start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    rule = request.url_rule.rule if request.url_rule else "<unmatched>"
    access_log.info(
        "%s %s %s",
        request.method,
        rule,
        response.status_code,
        extra={
            "method": request.method,
            "route": rule,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "remote_addr": request.remote_addr,
            "request_id": g.get("request_id"),
        },
    )
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_finish_request)
