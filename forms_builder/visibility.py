"""Which parts of a form are shown, in what order to decide it, and clearing.

Visibility rules may target sections, groups, tables and fields. A node
depends on its container and on every field its ``visible_when`` reads, so
the nodes are decided in dependency order: a field that reads a hidden
field sees it as absent. A cycle (A shown when B, B shown when A; a section
shown depending on a field inside it) is an error of the definition.

Variables are data paths (``applicant.kind``). Inside a table (``repeat``)
a name is first looked up among the row's own fields, then among the
form's fields; fields of a table's rows cannot be read from outside it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from forms_builder.model import Field, FieldType, FormDefinition, Logic
from forms_builder.rules import evaluate, variables

__all__ = [
    "Node",
    "VisibilityGraph",
    "build_graph",
    "clean_submission",
    "hidden_in_row",
    "is_empty",
    "lookup",
    "resolve_variable",
]


@dataclass(frozen=True)
class Node:
    """A section, group, table or field that may carry a visibility rule."""

    name: str
    """``section:<id>`` for sections, the data path for fields."""
    pointer: str
    """JSON pointer of the node in the definition document."""
    visible_when: Logic | None
    container: str | None
    """Name of the enclosing section, group or table."""
    repeat: str | None
    """Data path of the enclosing table, if any (row scope for variables)."""
    field: Field | None = None


@dataclass(frozen=True)
class VisibilityGraph:
    """Nodes, what each depends on, and a dependency order (when acyclic)."""

    nodes: Mapping[str, Node]
    depends_on: Mapping[str, tuple[str, ...]]
    unresolved: tuple[tuple[Node, str], ...]
    """``(node, variable)`` pairs whose variable names no field."""

    def order(self) -> list[str] | None:
        """Nodes with every dependency first; ``None`` when there is a cycle."""
        return None if self._cycle else self._order

    @cached_property
    def _order(self) -> list[str]:
        seen: set[str] = set()
        out: list[str] = []

        def visit(name: str) -> None:
            if name in seen:
                return
            seen.add(name)
            for dep in self.depends_on.get(name, ()):
                visit(dep)
            out.append(name)

        for name in self.nodes:
            visit(name)
        return out

    def find_cycle(self) -> list[str] | None:
        """One dependency cycle as a list of node names, or ``None``."""
        return self._cycle

    @cached_property
    def _cycle(self) -> list[str] | None:
        state: dict[str, int] = {}
        stack: list[str] = []

        def visit(name: str) -> list[str] | None:
            state[name] = 1
            stack.append(name)
            for dep in self.depends_on.get(name, ()):
                if state.get(dep) == 1:
                    return stack[stack.index(dep) :]
                if dep not in state and (found := visit(dep)):
                    return found
            stack.pop()
            state[name] = 2
            return None

        for name in self.nodes:
            if name not in state and (found := visit(name)):
                return found
        return None


def _walk(
    fields: tuple[Field, ...], *, prefix: str, pointer: str, container: str, repeat: str | None
) -> Iterator[Node]:
    for i, f in enumerate(fields):
        path = f"{prefix}{f.key}"
        here = f"{pointer}/{i}"
        yield Node(path, here, f.visible_when, container, repeat, f)
        if f.fields:
            inner = path if f.type == FieldType.REPEAT else repeat
            yield from _walk(
                f.fields, prefix=f"{path}.", pointer=f"{here}/fields", container=path, repeat=inner
            )


def _nodes(definition: FormDefinition) -> Iterator[Node]:
    for i, section in enumerate(definition.sections):
        name = f"section:{section.id}"
        yield Node(name, f"/sections/{i}", section.visible_when, None, None)
        yield from _walk(
            section.fields, prefix="", pointer=f"/sections/{i}/fields", container=name, repeat=None
        )


def resolve_variable(variable: str, repeat: str | None, nodes: Mapping[str, Node]) -> str | None:
    """The data path ``variable`` names from inside table ``repeat``, or ``None``."""
    if repeat and f"{repeat}.{variable}" in nodes:
        return f"{repeat}.{variable}"
    node = nodes.get(variable)
    if node is None or node.field is None:
        return None
    if node.repeat is not None and node.repeat != repeat:
        return None
    return variable


def build_graph(definition: FormDefinition) -> VisibilityGraph:
    """The visibility dependency graph of ``definition``."""
    nodes = {n.name: n for n in _nodes(definition)}
    depends: dict[str, tuple[str, ...]] = {}
    unresolved: list[tuple[Node, str]] = []
    for node in nodes.values():
        deps = [node.container] if node.container else []
        for var in variables(node.visible_when or {}):
            target = resolve_variable(var, node.repeat, nodes)
            if target is None:
                unresolved.append((node, var))
            else:
                deps.append(target)
        depends[node.name] = tuple(dict.fromkeys(deps))
    return VisibilityGraph(nodes, depends, tuple(unresolved))


def is_empty(value: Any) -> bool:
    """Whether a submitted value counts as not given (``None``, blank, empty list/object)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list | dict):
        return len(value) == 0
    return False


def lookup(data: Mapping[str, Any], path: str) -> Any:
    """The value at dotted ``path`` in ``data``, or ``None``."""
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def clean_submission(
    definition: FormDefinition,
    data: Mapping[str, Any],
    *,
    today: date,
    graph: VisibilityGraph | None = None,
) -> tuple[dict[str, Any], frozenset[str]]:
    """Drop hidden parts and empty values; return the data and the hidden node names.

    Hidden fields are cleared at submit (the citizen may have filled them
    before changing the answer that hides them). Empty strings, lists and
    objects are dropped, and table rows left empty are removed. The graph
    must be acyclic (the definition check guarantees it). Pass ``graph`` when
    it is already built (compiled forms keep theirs).
    """
    graph = graph or build_graph(definition)
    order = graph.order() or []
    out = _strip_empty(_copy_json(data))
    hidden: set[str] = set()
    for name in order:
        node = graph.nodes[name]
        if node.repeat is not None:
            continue  # row fields are decided per row below
        if node.container in hidden or not _shown(node, out, today):
            hidden.add(name)
            if node.field is not None:
                _delete(out, name)
    for name in order:
        node = graph.nodes[name]
        if node.field is not None and node.field.type == FieldType.REPEAT and name not in hidden:
            _clean_rows(graph, order, node, out, today)
    return _strip_empty(out) or {}, frozenset(hidden)


def _shown(
    node: Node,
    data: Mapping[str, Any],
    today: date,
    *,
    row: Mapping[str, Any] | None = None,
    row_paths: frozenset[str] = frozenset(),
) -> bool:
    if node.visible_when is None:
        return True

    def scope(var: str) -> Any:
        if row is not None and f"{node.repeat}.{var}" in row_paths:
            return lookup(row, var)
        return lookup(data, var)

    return bool(evaluate(node.visible_when, scope, today=today))


def hidden_in_row(
    graph: VisibilityGraph,
    table: str,
    row: Mapping[str, Any],
    data: Mapping[str, Any],
    *,
    today: date,
) -> set[str]:
    """Data paths (``table.child``) hidden in one row of ``table``.

    ``data`` is the form's data with top-level hidden parts already removed.
    """
    order = graph.order() or []
    prefix = f"{table}."
    members = [n for n in order if n.startswith(prefix) and graph.nodes[n].repeat == table]
    row_paths = frozenset(members)
    work = _copy_json(row)
    hidden: set[str] = set()
    for name in members:
        node = graph.nodes[name]
        if node.container in hidden or not _shown(node, data, today, row=work, row_paths=row_paths):
            hidden.add(name)
            _delete(work, name[len(prefix) :])
    return hidden


def _clean_rows(
    graph: VisibilityGraph, order: list[str], table: Node, data: dict[str, Any], today: date
) -> None:
    rows = lookup(data, table.name)
    if not isinstance(rows, list):
        return
    prefix = f"{table.name}."
    for row in rows:
        if not isinstance(row, dict):
            continue
        for name in sorted(hidden_in_row(graph, table.name, row, data, today=today)):
            _delete(row, name[len(prefix) :])
    rows[:] = [r for r in (_strip_empty(r) for r in rows) if not is_empty(r)]


def _delete(data: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target.get(part) if isinstance(target, dict) else None
    if isinstance(target, dict):
        target.pop(last, None)


def _copy_json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_json(v) for v in value]
    return value


def _strip_empty(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {k: _strip_empty(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if not is_empty(v)}
    if isinstance(value, list):
        kept_items = [_strip_empty(v) for v in value]
        return [v for v in kept_items if not is_empty(v)]
    return value
