"""Field patterns that could make validation hang: nested quantifiers.

Python's ``re`` backtracks, so a pattern such as ``(a+)+$`` takes time
exponential in the length of a text it almost matches: one submitted value
can keep a worker busy for minutes. The usual culprit is a group repeated
without bound (or a variable number of times) that itself holds an
unbounded quantifier. :func:`nested_quantifier` finds that shape by
scanning the pattern (escapes and character classes are skipped); it does
not try to prove overlapping alternatives such as ``(a|aa)+`` safe or not.
Possessive quantifiers (``a++``) and atomic groups (``(?>...)``, Python
3.11) never give back what they matched, so a repetition around them is
accepted: ``^[A-Z][a-z]*( [A-Z][a-z]*+)*$``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from forms_builder.errors import Problem

__all__ = ["nested_quantifier", "pattern_problems"]

_BOUNDS = re.compile(r"\{(\d*)(,?)(\d*)\}")


@dataclass
class _Group:
    start: int
    atomic: bool = False
    unbounded_inside: bool = False
    """Holds a quantifier without upper bound that can backtrack."""


def _quantifier_at(pattern: str, i: int) -> tuple[int, bool, bool] | None:
    """``(length, unbounded, repeats)`` of a quantifier starting at ``i``, if any.

    ``unbounded`` is true for ``+``, ``*`` and ``{n,}`` unless possessive
    (``a*+``: it never backtracks); ``repeats`` when the count may vary above
    one (``+``, ``*``, ``{1,5}``). A lazy or possessive suffix is part of it.
    """
    if i >= len(pattern):
        return None
    c = pattern[i]
    if c in "+*":
        length, unbounded, repeats = 1, True, True
    elif c == "?":
        length, unbounded, repeats = 1, False, False
    elif c == "{" and (m := _BOUNDS.match(pattern, i)) and (m.group(1) or m.group(3)):
        low, comma, high = m.group(1), m.group(2), m.group(3)
        length = m.end() - i
        unbounded = bool(comma) and not high
        repeats = unbounded or (bool(comma) and int(high) > max(int(low or 0), 1))
    else:
        return None
    if i + length < len(pattern) and pattern[i + length] in "?+":
        unbounded = unbounded and pattern[i + length] == "?"
        length += 1
    return length, unbounded, repeats


def _skip_class(pattern: str, i: int) -> int:
    """The index after the character class opening at ``i``."""
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def nested_quantifier(pattern: str) -> str | None:
    """The first group that repeats an unbounded quantifier (``(a+)+``), or ``None``.

    ``pattern`` must already compile with :func:`re.compile`.
    """
    stack = [_Group(0)]
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "(":
            stack.append(_Group(i, atomic=pattern.startswith("(?>", i)))
            i += 1
            continue
        if c == ")" and len(stack) > 1:
            group = stack.pop()
            risky = group.unbounded_inside and not group.atomic
            found = _quantifier_at(pattern, i + 1)
            if found and found[2] and risky:
                return pattern[group.start : i + 1 + found[0]]
            stack[-1].unbounded_inside |= risky or bool(found and found[1])
            i += 1 + (found[0] if found else 0)
            continue
        # One atom: an escape, a character class or a single character.
        i = i + 2 if c == "\\" else _skip_class(pattern, i) if c == "[" else i + 1
        found = _quantifier_at(pattern, i)
        if found:
            stack[-1].unbounded_inside |= found[1]
            i += found[0]
    return None


def pattern_problems(pattern: str, pointer: str) -> Iterator[Problem]:
    """What is wrong with a field's ``pattern`` at ``pointer``: not compiling, or too slow."""
    try:
        re.compile(pattern)
    except re.error as exc:
        yield Problem(
            pointer,
            "field.bad_pattern",
            f"Biểu thức chính quy không hợp lệ: {exc}.",
            f"Invalid regular expression: {exc}.",
        )
        return
    nested = nested_quantifier(pattern)
    if nested is not None:
        yield Problem(
            pointer,
            "field.slow_pattern",
            f"Biểu thức chính quy lặp lồng nhau ở {nested!r}: một giá trị gần khớp có thể làm "
            "việc kiểm tra chạy rất lâu. Hãy viết lại không lặp lồng (ví dụ [a-z ]+ thay cho "
            "([a-z]+ ?)+), hoặc dùng lượng từ chiếm hữu (a*+) hay nhóm nguyên tử (?>...).",
            f"The regular expression repeats a repetition at {nested!r}: a value that almost "
            "matches can make checking take very long. Rewrite it without nesting (e.g. "
            "[a-z ]+ instead of ([a-z]+ ?)+), or use a possessive quantifier (a*+) or an "
            "atomic group (?>...).",
        )
