"""A strict reader for records received as JSON, naming the bad path on failure.

Unknown keys are ignored (a data-sharing service may add fields without
breaking us); missing keys, wrong types and malformed formats are refused
with :class:`MalformedRecordError` whose ``details["path"]`` says where.
"""

from __future__ import annotations

import re
from datetime import date
from enum import Enum
from typing import Any, TypeVar

from forms_builder.identifiers import (
    InvalidIdentifierError,
    parse_enterprise_code,
    parse_personal_id,
)
from forms_builder.prefill.errors import MalformedRecordError

E = TypeVar("E", bound=Enum)


class JsonReader:
    """Reads fields of one JSON object; ``path`` is where it sits in the document."""

    def __init__(self, data: dict[str, Any], path: str) -> None:
        self._data = data
        self._path = path

    @classmethod
    def root(cls, data: Any, kind: str) -> JsonReader:
        """A reader over ``data``, which must be a JSON object."""
        if not isinstance(data, dict):
            raise _malformed(kind, f"expected an object, got {type(data).__name__}")
        return cls(data, kind)

    def _get(self, key: str) -> Any:
        if key not in self._data:
            raise _malformed(f"{self._path}.{key}", "missing")
        return self._data[key]

    def text(self, key: str, *, pattern: str | None = None) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise _malformed(f"{self._path}.{key}", "expected a string")
        if pattern is not None and not re.fullmatch(pattern, value):
            raise _malformed(f"{self._path}.{key}", f"does not match {pattern}")
        return value

    def optional_text(self, key: str) -> str | None:
        if self._data.get(key) is None:
            return None
        return self.text(key)

    def flag(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise _malformed(f"{self._path}.{key}", "expected true or false")
        return value

    def date(self, key: str) -> date:
        text = self.text(key)
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise _malformed(f"{self._path}.{key}", "expected a date YYYY-MM-DD") from exc

    def enum(self, key: str, kind: type[E]) -> E:
        text = self.text(key)
        try:
            return kind(text)
        except ValueError as exc:
            allowed = ", ".join(str(m.value) for m in kind)
            raise _malformed(f"{self._path}.{key}", f"expected one of {allowed}") from exc

    def personal_id(self, key: str) -> str:
        text = self.text(key)
        try:
            return parse_personal_id(text).value
        except InvalidIdentifierError as exc:
            raise _malformed(f"{self._path}.{key}", "not a valid personal ID") from exc

    def enterprise_code(self, key: str) -> str:
        text = self.text(key)
        try:
            return parse_enterprise_code(text).value
        except InvalidIdentifierError as exc:
            raise _malformed(f"{self._path}.{key}", "not a valid enterprise code") from exc

    def obj(self, key: str) -> JsonReader:
        value = self._get(key)
        if not isinstance(value, dict):
            raise _malformed(f"{self._path}.{key}", "expected an object")
        return JsonReader(value, f"{self._path}.{key}")

    def optional(self, key: str) -> JsonReader | None:
        if self._data.get(key) is None:
            return None
        return self.obj(key)

    def items(self, key: str) -> list[JsonReader]:
        value = self._get(key)
        if not isinstance(value, list):
            raise _malformed(f"{self._path}.{key}", "expected a list")
        readers = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise _malformed(f"{self._path}.{key}[{index}]", "expected an object")
            readers.append(JsonReader(item, f"{self._path}.{key}[{index}]"))
        return readers


def _malformed(path: str, problem: str) -> MalformedRecordError:
    return MalformedRecordError(
        f"Dữ liệu nhận từ nguồn chia sẻ không đúng định dạng tại '{path}': {problem}.",
        f"The data received from the sharing service is malformed at '{path}': {problem}.",
        details={"path": path, "problem": problem},
    )
