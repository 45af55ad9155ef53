"""The rule language evaluates the JSON Logic subset and nothing else."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from forms_builder import RuleError
from forms_builder.rules import evaluate, rule_problems, variables

TODAY = date(2026, 11, 24)
DATA = {"a": 3, "b": "x", "child": {"dob": "2024-05-17"}, "mother_year": "1990", "list": [1, 2]}


def _eval(logic: Any) -> Any:
    def scope(name: str) -> Any:
        value: Any = DATA
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    return evaluate(logic, scope, today=TODAY)


@pytest.mark.parametrize(
    ("logic", "expected"),
    [
        ({"==": [{"var": "a"}, 3]}, True),
        ({"==": [{"var": "a"}, "3"]}, False),  # strict: no type juggling
        ({"<": [{"var": "a"}, "4"]}, False),  # mixed kinds compare false, never raise
        ({"<": [1, {"var": "a"}, 5]}, True),
        ({"and": [{"var": "a"}, {"var": "b"}]}, "x"),
        ({"or": [{"var": "missing_one"}, 0, "y"]}, "y"),
        ({"!": [{"var": "nothing"}]}, True),
        ({"if": [{"==": [{"var": "b"}, "y"]}, 1, {"var": "b"}, 2, 3]}, 2),
        ({"in": [2, {"var": "list"}]}, True),
        ({"+": [{"var": "a"}, 2]}, 5),
        ({"/": [1, 0]}, None),
        ({"year": [{"var": "child.dob"}]}, 2024),
        ({">": [{"year": [{"var": "child.dob"}]}, {"year": [{"var": "mother_year"}]}]}, True),
        ({"<=": [{"var": "child.dob"}, {"today": []}]}, True),
        ({"count": [{"var": "list"}]}, 2),
        ({"missing": ["a", "zz"]}, ["zz"]),
        ({"id_birth_year": ["001203012345"]}, 2003),
        ({"var": ["nope", "fallback"]}, "fallback"),
    ],
)
def test_operators(logic: Any, expected: Any) -> None:
    assert _eval(logic) == expected


def test_unknown_operator_raises() -> None:
    with pytest.raises(RuleError):
        _eval({"exec": ["print(1)"]})


def test_rule_problems_point_at_the_operator() -> None:
    problems = list(rule_problems({"and": [{"==": [1, 1]}, {"map": []}]}, "/rules/0/check"))
    assert [p[0] for p in problems] == ["/rules/0/check/and/1/map"]


def test_computed_var_names_are_refused() -> None:
    problems = list(rule_problems({"var": [{"var": "a"}]}, ""))
    assert problems and "literal" in problems[0][2]


def test_variables_lists_every_read() -> None:
    logic = {"and": [{"var": "a"}, {"missing": ["b", "c"]}, {"<": [{"var": "d.e"}, 1]}]}
    assert list(variables(logic)) == ["a", "b", "c", "d.e"]
