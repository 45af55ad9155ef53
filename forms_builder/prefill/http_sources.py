"""Prefill sources over HTTP data-sharing services (population, enterprise).

Protocol (documented for integrators in ``docs/prefill.md``):

- ``GET {base_url}/people/{personal_id}`` and
  ``GET {base_url}/enterprises/{enterprise_code}``, ``Accept: application/json``,
  with ``Authorization: Bearer <token>`` or HTTP Basic credentials.
- ``200`` with the record's JSON object (the ``to_dict()`` form of
  :class:`PersonRecord` / :class:`EnterpriseRecord`): found.
- ``404``: the service holds no such subject (not found, not a failure).
- ``5xx``, ``429``, timeouts and connection errors are retried with
  exponential backoff, then the source is unavailable.
- other ``4xx`` (bad credentials...) and malformed bodies are not retried:
  the source is unavailable and the reason is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import requests

from forms_builder.identifiers import mask_identifier, parse_enterprise_code, parse_personal_id
from forms_builder.prefill.errors import MalformedRecordError
from forms_builder.prefill.model import (
    EnterpriseRecord,
    LookupResult,
    LookupStatus,
    PersonRecord,
    utc_now,
)

__all__ = ["HttpEnterpriseSource", "HttpPersonSource", "HttpSourceConfig"]

log = logging.getLogger(__name__)
RecordT = TypeVar("RecordT")
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HttpSourceConfig:
    """Where and how to reach one data-sharing service."""

    base_url: str
    """``https://host/path``; the resource path is appended."""
    token: str = ""
    """Bearer token; takes precedence over ``username``/``password``."""
    username: str = ""
    password: str = ""
    timeout_seconds: float = 3.0
    """Connect and read timeout of one attempt."""
    retries: int = 2
    """Attempts after the first, for timeouts, connection errors, 429 and 5xx."""
    backoff_seconds: float = 0.2
    """Wait before retry n is ``backoff_seconds * 2**(n-1)``."""

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, got {self.base_url!r}")
        if self.retries < 0 or self.timeout_seconds <= 0 or self.backoff_seconds < 0:
            raise ValueError("timeout must be positive, retries and backoff not negative")


class _Attempt(Exception):
    """One failed attempt: whether to retry and a reason safe for logs."""

    def __init__(self, reason: str, *, retry: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry


class _HttpSource(Generic[RecordT]):
    """Shared machinery: one requests session per thread, retries, result mapping."""

    resource = ""

    def __init__(
        self,
        config: HttpSourceConfig,
        *,
        name: str,
        parse: Callable[[Any], RecordT],
        key: Callable[[RecordT], str],
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self._name = name
        self._parse = parse
        self._key = key
        self._clock = clock
        self._sleep = sleep
        self._local = threading.local()

    @property
    def name(self) -> str:
        return self._name

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["Accept"] = "application/json"
            if self.config.token:
                session.headers["Authorization"] = f"Bearer {self.config.token}"
            elif self.config.username:
                session.auth = (self.config.username, self.config.password)
            self._local.session = session
        return session

    def _fetch(self, subject_id: str) -> LookupResult[RecordT]:
        url = f"{self.config.base_url.rstrip('/')}/{self.resource}/{quote(subject_id, safe='')}"
        attempts = self.config.retries + 1
        for attempt in range(attempts):
            if attempt:
                self._sleep(self.config.backoff_seconds * 2 ** (attempt - 1))
            try:
                return self._attempt(url, subject_id)
            except _Attempt as failure:
                log.warning(
                    "prefill source %s, subject %s, attempt %d/%d failed: %s",
                    self._name,
                    mask_identifier(subject_id),
                    attempt + 1,
                    attempts,
                    failure.reason,
                )
                if not failure.retry or attempt == attempts - 1:
                    return LookupResult(
                        self._name, LookupStatus.UNAVAILABLE, self._clock(), reason=failure.reason
                    )
        raise AssertionError("unreachable")  # the loop always returns

    def _attempt(self, url: str, subject_id: str) -> LookupResult[RecordT]:
        try:
            response = self._session().get(url, timeout=self.config.timeout_seconds)
        except requests.Timeout as exc:
            raise _Attempt(f"timeout after {self.config.timeout_seconds}s", retry=True) from exc
        except requests.RequestException as exc:
            raise _Attempt(f"connection failed: {type(exc).__name__}", retry=True) from exc
        if response.status_code == 404:
            return LookupResult(self._name, LookupStatus.NOT_FOUND, self._clock())
        if response.status_code != 200:
            retry = response.status_code in _RETRY_STATUSES
            raise _Attempt(f"HTTP {response.status_code}", retry=retry)
        try:
            record = self._parse(response.json())
        except ValueError as exc:  # requests' JSONDecodeError is a ValueError
            raise _Attempt("response is not JSON", retry=False) from exc
        except MalformedRecordError as exc:
            raise _Attempt(f"malformed record at {exc.details['path']}", retry=False) from exc
        if self._key(record) != subject_id:
            raise _Attempt("the record is about another subject", retry=False)
        return LookupResult(self._name, LookupStatus.FOUND, self._clock(), record)


class HttpPersonSource(_HttpSource[PersonRecord]):
    """:class:`~forms_builder.prefill.ports.PersonSource` over a population data service."""

    resource = "people"

    def __init__(self, config: HttpSourceConfig, *, name: str = "population", **kw: Any) -> None:
        super().__init__(config, name=name, parse=PersonRecord.from_dict, key=_person_key, **kw)

    def lookup(self, subject_id: str) -> LookupResult[PersonRecord]:
        return self._fetch(parse_personal_id(subject_id).value)


class HttpEnterpriseSource(_HttpSource[EnterpriseRecord]):
    """:class:`~forms_builder.prefill.ports.EnterpriseSource` over an enterprise data service."""

    resource = "enterprises"

    def __init__(self, config: HttpSourceConfig, *, name: str = "enterprise", **kw: Any) -> None:
        super().__init__(
            config, name=name, parse=EnterpriseRecord.from_dict, key=_enterprise_key, **kw
        )

    def lookup(self, subject_id: str) -> LookupResult[EnterpriseRecord]:
        return self._fetch(parse_enterprise_code(subject_id).value)


def _person_key(record: PersonRecord) -> str:
    return record.personal_id


def _enterprise_key(record: EnterpriseRecord) -> str:
    return record.enterprise_code
