"""Field patterns whose backtracking could hang validation are found before they are stored."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from forms_builder import check_document
from forms_builder.patterns import nested_quantifier


@pytest.mark.parametrize(
    ("pattern", "nested"),
    [
        ("(a+)+$", "(a+)+"),
        (r"^(\d+)*$", r"(\d+)*"),
        ("((a+)b)+", "((a+)b)+"),  # through an enclosing group
        ("(?:x*){2,}", "(?:x*){2,}"),
        (r"^(\w+\s?){1,5}$", r"(\w+\s?){1,5}"),  # a variable count is enough
        ("(a+?)+", "(a+?)+"),  # lazy still backtracks
        ("(a{2,})*", "(a{2,})*"),
        ("^(?P<x>a+)+$", "(?P<x>a+)+"),
        (r"^(\d+\.){3}\d+$", None),  # fixed count
        (r"^(\d{1,3}\.){3}\d{1,3}$", None),
        ("^(a|b)+$", None),
        ("^[(+)]+$", None),  # quantifier characters inside a class
        (r"\(a+\)+", None),  # escaped parentheses
        (r"[\]a+]+", None),
        (r"^\d{10}(-\d{3})?$", None),
        ("(a+)?", None),
        ("^[A-Z][a-z]*( [A-Z][a-z]*+)*$", None),  # possessive: never gives back
        ("(?>a+)+", None),  # atomic group
    ],
)
def test_nested_quantifier(pattern: str, nested: str | None) -> None:
    assert nested_quantifier(pattern) == nested


def test_what_is_refused_is_really_slow_and_the_rewrite_is_not() -> None:
    text = "a" * 20 + "!"
    started = time.perf_counter()
    assert re.search("^(a+)+$", text) is None
    slow = time.perf_counter() - started
    started = time.perf_counter()
    assert re.search("^(a++)+$", text) is None
    assert time.perf_counter() - started < slow / 10


def test_definition_with_a_slow_pattern_is_refused(small_doc: dict[str, Any]) -> None:
    small_doc["sections"][0]["fields"][1]["pattern"] = "^([A-Za-z]+ ?)+$"
    (problem,) = check_document(small_doc)
    assert (problem.pointer, problem.code) == ("/sections/0/fields/1/pattern", "field.slow_pattern")
    assert "([A-Za-z]+ ?)+" in problem.message_vi and "possessive" in problem.message_en
