"""A report notebook read as a recipe: which report it opens, with what, and which sections it shows.

The bundled notebooks, and a user's copy that drops, repeats or reorders sections or sets other
parameters, only bind parameters, open a report and show its sections. Executing such a notebook
in IPython costs about as much again as the sections themselves: each cell's source read through
IPython's input transformers, compiled, run under the shell's traps, and each value tried on
sixteen formatters.
`read` recognises such a notebook; the in-process engine then calls the sections itself and
fills in the outputs the shell would have given (`selfeval_kit.publish.inprocess`).

A recipe is a notebook whose every code cell is made of these statements, and nothing else:

* ``name = <literal>`` (any number of names; the literal as `ast.literal_eval` reads it): the
  parameters, the injected ones included;
* ``from selfeval_kit.report import ProjectReport`` (or another report class of that package, one
  with ``SECTIONS`` and ``open``; ``as`` allowed);
* ``rep = ProjectReport.open(<arguments>)``;
* last in its cell, ``rep.<section>(<arguments>)``, `<section>` one of the class's ``SECTIONS``:
  its value is the cell's result.

Arguments are literals or names bound to literals by an earlier statement; keywords allowed. A
cell that is empty, ends with ``;`` (which hides the result in IPython), or has any other
statement (a call of another function, an attribute, a loop, a magic, ``print``) makes the
notebook no recipe: `read` returns None and the notebook runs in the shell as any other.
"""

from __future__ import annotations

import ast
import importlib
import io
import tokenize
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["Call", "Recipe", "read"]

_REPORTS_MODULE = "selfeval_kit.report"
_NOT_LITERAL = object()


@dataclass(frozen=True)
class Call:
    """One method call of a recipe: ``receiver.method(*args, **kwargs)``.

    `receiver` is a report class (for ``open``) or the name of the report opened before; `target`
    the name the result is bound to, or None for the section a cell shows.
    """

    receiver: type | str
    method: str
    args: tuple = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    target: str | None = None

    def apply(self, reports: dict[str, Any]) -> Any:
        """The call's value, `reports` holding the reports opened so far by name."""
        owner = reports[self.receiver] if isinstance(self.receiver, str) else self.receiver
        return getattr(owner, self.method)(*self.args, **dict(self.kwargs))


@dataclass(frozen=True)
class Step:
    """One code cell of a recipe: its index among the notebook's cells, the reports it opens, the section it shows."""

    index: int
    opens: tuple[Call, ...] = ()
    shows: Call | None = None


@dataclass(frozen=True)
class Recipe:
    """Every code cell of a notebook, in order, as `Step`s (`read`)."""

    steps: tuple[Step, ...]


def read(nb: Any) -> Recipe | None:
    """The notebook (nbformat 4) as a recipe, or None if any of its code cells is more than a recipe's statements."""
    names = _Names()
    steps = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        step = _step(index, cell.get("source", ""), names)
        if step is None:
            return None
        steps.append(step)
    return Recipe(tuple(steps))


class _Names:
    """What each name is bound to, statement after statement: a literal's value, a report class, an opened report."""

    def __init__(self) -> None:
        self.literals: dict[str, Any] = {}
        self.classes: dict[str, type] = {}
        self.reports: dict[str, Any] = {}  # name -> its report's class

    def bind(self, name: str, *, literal: Any = _NOT_LITERAL, cls: type | None = None, report: type | None = None):
        for table in (self.literals, self.classes, self.reports):
            table.pop(name, None)
        if literal is not _NOT_LITERAL:
            self.literals[name] = literal
        elif cls is not None:
            self.classes[name] = cls
        elif report is not None:
            self.reports[name] = report


def _step(index: int, source: str, names: _Names) -> Step | None:
    body = _statements(source)
    if body is None:
        return None
    opens: list[Call] = []
    shows = None
    for at, statement in enumerate(body):
        if isinstance(statement, ast.Expr) and at == len(body) - 1:
            shows = _section(statement.value, names)
            if shows is None:
                return None
        elif not _bound(statement, names, opens):
            return None
    return Step(index, tuple(opens), shows)


@lru_cache(maxsize=256)  # a build reads the same cells for every report, but for the injected parameters
def _statements(source: str) -> tuple[ast.stmt, ...] | None:
    """The cell's statements; None if it is empty, not Python, or ends with ``;``."""
    if not source.strip() or _ends_with_semicolon(source):
        return None
    try:
        return tuple(ast.parse(source).body)
    except (SyntaxError, ValueError):  # a magic, a shell escape, IPython's own syntax
        return None


def _ends_with_semicolon(source: str) -> bool:
    """Whether the cell's last token is ``;`` (IPython then shows no result)."""
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT}
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type not in skip]
    except (tokenize.TokenError, SyntaxError):
        return True  # not Python: no recipe
    return bool(tokens) and tokens[-1].string == ";"


def _bound(statement: ast.stmt, names: _Names, opens: list[Call]) -> bool:
    """Record what a binding statement binds (the report it opens into `opens`); False if it is no recipe's."""
    if isinstance(statement, ast.ImportFrom):
        return _imported(statement, names)
    if not isinstance(statement, ast.Assign) or not all(isinstance(t, ast.Name) for t in statement.targets):
        return False
    targets = [t.id for t in statement.targets if isinstance(t, ast.Name)]
    literal = _literal(statement.value)
    if literal is not _NOT_LITERAL:
        for target in targets:
            names.bind(target, literal=literal)
        return True
    called = _call(statement.value, names, names.classes)
    if called is None or len(targets) != 1 or called[1] != "open":
        return False
    owner, method, args, kwargs = called
    cls = names.classes[owner]
    opens.append(Call(cls, method, args, kwargs, target=targets[0]))
    names.bind(targets[0], report=cls)
    return True


def _imported(statement: ast.ImportFrom, names: _Names) -> bool:
    if statement.module != _REPORTS_MODULE or statement.level:
        return False
    module = importlib.import_module(_REPORTS_MODULE)
    for alias in statement.names:
        cls = getattr(module, alias.name, None) if alias.name in module.__all__ else None
        if not isinstance(cls, type) or not hasattr(cls, "SECTIONS") or not hasattr(cls, "open"):
            return False
        names.bind(alias.asname or alias.name, cls=cls)
    return True


def _section(node: ast.expr, names: _Names) -> Call | None:
    called = _call(node, names, names.reports)
    if called is None or called[1] not in names.reports[called[0]].SECTIONS:
        return None
    return Call(*called)


def _call(node: ast.expr, names: _Names, receivers: dict[str, Any]) -> tuple[str, str, tuple, tuple] | None:
    """(receiver, method, args, kwargs) of ``receiver.method(args)``, `receiver` one of `receivers`, every
    argument a literal; None for any other expression."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    owner = node.func.value
    if not isinstance(owner, ast.Name) or owner.id not in receivers:
        return None
    args = tuple(_argument(a, names) for a in node.args)
    kwargs = tuple((k.arg, _argument(k.value, names)) for k in node.keywords)
    if any(a is _NOT_LITERAL for a in args) or any(k is None or v is _NOT_LITERAL for k, v in kwargs):
        return None  # *args, **kwargs, or a value that is no literal
    return owner.id, node.func.attr, args, kwargs


def _argument(node: ast.expr, names: _Names) -> Any:
    if isinstance(node, ast.Name):
        return names.literals.get(node.id, _NOT_LITERAL)
    return _literal(node)


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NOT_LITERAL
