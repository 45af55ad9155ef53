"""The rule language: a safe subset of JSON Logic, evaluated without ``eval``.

A rule is a JSON object with one operator key, e.g.
``{"==": [{"var": "applicant.kind"}, "organisation"]}``. Operators allowed:

- data: ``var`` (dotted path; a second argument is the default), ``missing``
- comparison: ``==`` ``!=`` ``<`` ``<=`` ``>`` ``>=`` (``==`` is strict, as JSON
  Logic's ``===``; comparing values of different kinds is false, never an error)
- logic: ``and`` ``or`` ``!`` ``!!`` ``if``
- membership: ``in`` (value in a list, or substring)
- arithmetic: ``+`` ``-`` ``*`` ``/``
- dates and counts (our additions): ``today`` (ISO date of the evaluation
  day), ``year`` (year of an ISO date or partial date ``YYYY[-MM[-DD]]``),
  ``count`` (length of a list or string), ``id_birth_year`` (the year of
  birth a personal identification number encodes)

Dates are compared as ISO strings, which order correctly at equal precision.
Anything else is refused when the definition is checked, so a stored rule can
never run code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

from forms_builder.errors import RuleError
from forms_builder.vn_formats import personal_id_birth_year

__all__ = ["OPERATORS", "evaluate", "rule_problems", "variables"]

Scope = Callable[[str], Any]
"""Resolves a dotted variable name to its value (``None`` when absent)."""


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[list[Any]], bool]:
    def run(args: list[Any]) -> bool:
        if len(args) < 2:
            return False
        pairs = zip(args, args[1:], strict=False)
        return all(_ordered(a, b) and op(a, b) for a, b in pairs)

    return run


def _ordered(a: Any, b: Any) -> bool:
    numeric = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    if isinstance(a, numeric) and isinstance(b, numeric):
        return True
    return isinstance(a, str) and isinstance(b, str)


def _equal(args: list[Any]) -> bool:
    if len(args) != 2:
        return False
    a, b = args
    if _ordered(a, b):
        return bool(a == b)
    return type(a) is type(b) and a == b


def _year(args: list[Any]) -> int | None:
    value = args[0] if args else None
    if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
        return int(value[:4])
    return None


def _arith(op: Callable[[float, float], float]) -> Callable[[list[Any]], float | None]:
    def run(args: list[Any]) -> float | None:
        if not args or not all(_is_number(a) for a in args):
            return None
        result = args[0]
        for a in args[1:]:
            if op is _div and a == 0:
                return None
            result = op(result, a)
        return result

    return run


def _div(a: float, b: float) -> float:
    return a / b


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _truthy(value: Any) -> bool:
    if isinstance(value, list | dict | str):
        return len(value) > 0
    return bool(value)


def _in(args: list[Any]) -> bool:
    if len(args) != 2:
        return False
    needle, haystack = args
    if isinstance(haystack, list):
        return needle in haystack
    if isinstance(haystack, str) and isinstance(needle, str):
        return needle in haystack
    return False


def _id_birth_year(args: list[Any]) -> int | None:
    value = args[0] if args else None
    if not isinstance(value, str):
        return None
    return personal_id_birth_year(value)


def _count(args: list[Any]) -> int | None:
    value = args[0] if args else None
    return len(value) if isinstance(value, list | str) else None


# Operators whose arguments are evaluated first; the lazy ones are in evaluate().
OPERATORS: dict[str, Callable[[list[Any]], Any]] = {
    "==": _equal,
    "!=": lambda args: not _equal(args),
    "<": _compare(lambda a, b: a < b),
    "<=": _compare(lambda a, b: a <= b),
    ">": _compare(lambda a, b: a > b),
    ">=": _compare(lambda a, b: a >= b),
    "!": lambda args: not _truthy(args[0] if args else None),
    "!!": lambda args: _truthy(args[0] if args else None),
    "in": _in,
    "+": _arith(lambda a, b: a + b),
    "-": _arith(lambda a, b: a - b),
    "*": _arith(lambda a, b: a * b),
    "/": _arith(_div),
    "year": _year,
    "count": _count,
    "id_birth_year": _id_birth_year,
}
LAZY = frozenset({"var", "missing", "and", "or", "if", "today"})
ALL_OPERATORS = frozenset(OPERATORS) | LAZY


def _args(raw: Any) -> list[Any]:
    return list(raw) if isinstance(raw, list) else [raw]


def evaluate(logic: Any, scope: Scope, *, today: date) -> Any:
    """Evaluate ``logic`` with variables from ``scope``; never executes code.

    Raises :class:`RuleError` for an unknown operator (the definition check
    refuses those earlier; this is the last line).
    """
    if isinstance(logic, list):
        return [evaluate(item, scope, today=today) for item in logic]
    if not isinstance(logic, Mapping):
        return logic
    if len(logic) != 1:
        raise RuleError(
            "Biểu thức phải có đúng một phép toán.", "A rule needs exactly one operator."
        )
    op, raw = next(iter(logic.items()))
    args = _args(raw)
    if op in LAZY:
        return _lazy(op, args, scope, today)
    if op not in OPERATORS:
        raise RuleError(f"Phép toán không được phép: {op!r}.", f"Operator not allowed: {op!r}.")
    return OPERATORS[op]([evaluate(a, scope, today=today) for a in args])


def _lazy(op: str, args: list[Any], scope: Scope, today: date) -> Any:
    if op == "var":
        name = evaluate(args[0], scope, today=today) if args else ""
        value = scope(str(name)) if name not in ("", None) else None
        return args[1] if value is None and len(args) > 1 else value
    if op == "missing":
        return [n for n in args if scope(str(n)) in (None, "", [])]
    if op == "today":
        return today.isoformat()
    if op == "and":
        result: Any = True
        for a in args:
            result = evaluate(a, scope, today=today)
            if not _truthy(result):
                return result
        return result
    if op == "or":
        result = False
        for a in args:
            result = evaluate(a, scope, today=today)
            if _truthy(result):
                return result
        return result
    # "if": condition, then, [condition, then, ...], else
    for i in range(0, len(args) - 1, 2):
        if _truthy(evaluate(args[i], scope, today=today)):
            return evaluate(args[i + 1], scope, today=today)
    return evaluate(args[-1], scope, today=today) if len(args) % 2 == 1 else None


def variables(logic: Any) -> Iterator[str]:
    """Every variable name a rule reads (``var`` and ``missing`` arguments)."""
    if isinstance(logic, list):
        for item in logic:
            yield from variables(item)
        return
    if not isinstance(logic, Mapping):
        return
    for op, raw in logic.items():
        args = _args(raw)
        if op == "var" and args and isinstance(args[0], str) and args[0]:
            yield args[0]
        elif op == "missing":
            yield from (a for a in args if isinstance(a, str))
        else:
            yield from variables(args)


def rule_problems(logic: Any, pointer: str) -> Iterator[tuple[str, str, str]]:
    """Shape errors in ``logic``: ``(pointer, message_vi, message_en)`` each.

    Checks operators against the allowed set and that ``var`` names are
    literal strings (a computed name could not be checked against the fields).
    """
    if isinstance(logic, list):
        for i, item in enumerate(logic):
            yield from rule_problems(item, f"{pointer}/{i}")
        return
    if not isinstance(logic, Mapping):
        return
    if len(logic) != 1:
        yield pointer, "Biểu thức phải có đúng một phép toán.", "A rule needs exactly one operator."
        return
    op, raw = next(iter(logic.items()))
    here = f"{pointer}/{_escape(op)}"
    if op not in ALL_OPERATORS:
        yield (
            here,
            f"Phép toán {op!r} không được phép trong quy tắc.",
            f"Operator {op!r} is not allowed in rules.",
        )
        return
    if op == "var":
        name = _args(raw)[0] if _args(raw) else None
        if not isinstance(name, str) or not name:
            yield (
                here,
                "Tên biến phải là một chuỗi cố định.",
                "A var name must be a literal string.",
            )
        return
    yield from rule_problems(raw, here)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
