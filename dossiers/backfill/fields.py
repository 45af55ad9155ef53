"""The JSON shape of a manifest: objects with known fields, strings, lists.

Each helper names where in ``dossier.json`` the problem is (``history[2]``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

from dossiers.backfill.bundle import problem

E = TypeVar("E", bound=enum.Enum)


def fields(value: Any, where: str, spec: tuple[set[str], set[str]]) -> Mapping[str, Any]:
    """``value`` as an object with every required field and no unknown one.

    ``spec``: the required fields, then the optional ones.
    """
    required, optional = spec
    obj = json_object(value, where)
    missing = sorted(required - obj.keys())
    if missing:
        raise problem(
            f"{where} thiếu trường {', '.join(missing)}.",
            f"{where} lacks the field(s) {', '.join(missing)}.",
            field=where,
            missing=missing,
        )
    unknown = sorted(obj.keys() - required - optional)
    if unknown:
        known = ", ".join(sorted(required | optional))
        raise problem(
            f"{where} có trường không được biết: {', '.join(unknown)} (các trường được "
            f"nhận: {known}).",
            f"{where} has unknown field(s) {', '.join(unknown)} (known fields: {known}).",
            field=where,
            unknown=unknown,
        )
    return obj


def json_object(value: Any, where: str) -> dict[str, Any]:
    """``value`` if it is a JSON object."""
    if not isinstance(value, dict):
        raise problem(
            f"{where} phải là một đối tượng JSON ({{...}}).",
            f"{where} must be a JSON object ({{...}}).",
            field=where,
        )
    return value


def text(obj: Mapping[str, Any], key: str, where: str, max_len: int) -> str:
    """``obj[key]``, a non-empty string of at most ``max_len`` characters, stripped."""
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise problem(
            f"{where}: '{key}' phải là chuỗi ký tự khác rỗng, tối đa {max_len} ký tự.",
            f"{where}: '{key}' must be a non-empty string of at most {max_len} characters.",
            field=f"{where}.{key}",
        )
    return value.strip()


def optional_text(obj: Mapping[str, Any], key: str, where: str, max_len: int) -> str | None:
    """Like :func:`text`, but None when the field is absent, null or blank."""
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return text(obj, key, where, max_len)


def json_list(value: Any, where: str) -> list[Any]:
    """``value`` if it is a JSON list."""
    if not isinstance(value, list):
        raise problem(
            f"'{where}' phải là một danh sách JSON ([...]).",
            f"'{where}' must be a JSON list ([...]).",
            field=where,
        )
    return value


def choice(kind: type[E], value: Any, where: str, names: tuple[str, str]) -> E:
    """``value`` as a member of ``kind``; ``names`` says what it is (Vietnamese, English)."""
    try:
        return kind(value)
    except ValueError as exc:
        known = ", ".join(str(k.value) for k in kind)
        raise problem(
            f"{where}: {names[0]} '{value}' không có (các {names[0]}: {known}).",
            f"{where}: unknown {names[1]} '{value}' ({names[1]}s: {known}).",
            field=where,
        ) from exc
