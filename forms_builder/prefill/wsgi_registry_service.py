"""A WSGI app serving the reference registry with the data-sharing protocol.

The counterpart of :mod:`forms_builder.prefill.http_sources`: the tests start
it on loopback (wrapped with faults: slow answers, 5xx, malformed bodies) and
the demo can run the HTTP path against it (``eforms prefill serve-registry``).
Plain WSGI from the standard library, so any WSGI server can host it.
"""

from __future__ import annotations

import base64
import hmac
import json
from collections.abc import Callable, Iterable
from typing import Any

from forms_builder.identifiers import (
    InvalidIdentifierError,
    parse_enterprise_code,
    parse_personal_id,
)
from forms_builder.prefill.bundled_sources import LazyRegistry

__all__ = ["RegistryService"]

StartResponse = Callable[..., Any]


class RegistryService:
    """WSGI app: ``GET /people/<id>`` and ``GET /enterprises/<code>``.

    With ``token`` set, requests must carry ``Authorization: Bearer <token>``;
    with ``username`` set, HTTP Basic with those credentials (401 otherwise).
    """

    def __init__(
        self,
        registry: LazyRegistry,
        *,
        token: str = "",
        username: str = "",
        password: str = "",
    ) -> None:
        self.registry = registry
        self.token, self.username, self.password = token, username, password

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET":
            return _reply(start_response, 405, {"error": "method not allowed"})
        if not self._authorised(environ.get("HTTP_AUTHORIZATION", "")):
            return _reply(start_response, 401, {"error": "unauthorised"})
        parts = environ.get("PATH_INFO", "").strip("/").split("/")
        if len(parts) != 2:
            return _reply(start_response, 404, {"error": "no such resource"})
        kind, subject = parts
        try:
            record = self._find(kind, subject)
        except InvalidIdentifierError as exc:
            return _reply(start_response, 400, {"error": exc.message_en})
        if record is None:
            return _reply(start_response, 404, {"error": "not found"})
        return _reply(start_response, 200, record)

    def _find(self, kind: str, subject: str) -> dict[str, Any] | None:
        registry = self.registry.get()
        if kind == "people":
            person = registry.people.get(parse_personal_id(subject).value)
            return person.to_dict() if person else None
        if kind == "enterprises":
            enterprise = registry.enterprises.get(parse_enterprise_code(subject).value)
            return enterprise.to_dict() if enterprise else None
        return None

    def _authorised(self, header: str) -> bool:
        if self.token:
            return hmac.compare_digest(header, f"Bearer {self.token}")
        if self.username:
            expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            return hmac.compare_digest(header, f"Basic {expected}")
        return True


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}


def _reply(start_response: StartResponse, status: int, body: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(body, ensure_ascii=False).encode()
    start_response(
        f"{status} {_REASONS.get(status, 'Method Not Allowed')}",
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(payload))),
        ],
    )
    return [payload]
