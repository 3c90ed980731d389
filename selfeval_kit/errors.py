"""The exception hierarchy.

    SelfEvalError                 base of everything this package raises on purpose
    ├── DataError                 input data is invalid; carries every Problem found
    ├── ProfileError              a rules profile is unknown or invalid
    └── BuildError                a report build failed

Callers catch `SelfEvalError` to handle all of them; the CLI turns each into a
message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import itertools
import reprlib
from dataclasses import dataclass
from pathlib import Path

from selfeval_kit.i18n import _

__all__ = ["BuildError", "DataError", "Problem", "ProfileError", "SelfEvalError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file, precise enough to fix without guessing."""

    file: str
    path: str  # field path such as "indicators[3].weight"; "" for the whole file
    message: str  # what is wrong and what was expected
    value: object = None
    has_value: bool = False

    def __str__(self) -> str:
        where = _("{file}: {path}").format(file=self.file, path=self.path) if self.path else self.file
        text = _("{where}: {message}").format(where=where, message=self.message)
        if self.has_value:
            text += _(" (got {value})").format(value=_show(self.value))
        return text


_SHOW_CHARS = 80  # a value in a message is cut to this many characters


class _Shower(reprlib.Repr):
    """`reprlib.Repr`, keeping a mapping's keys in their order (as ``repr`` does), not sorted."""

    def repr_dict(self, x: dict, level: int) -> str:
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        items = []
        for key in itertools.islice(x, self.maxdict):
            items.append(f"{self.repr1(key, level - 1)}: {self.repr1(x[key], level - 1)}")
        if len(x) > self.maxdict:
            items.append("...")
        return "{" + ", ".join(items) + "}"


def _shower() -> reprlib.Repr:
    """A repr that looks at a bounded part of any value: 3 levels deep, 6 items a level, 80 characters a text."""
    shower = _Shower()
    shower.maxlevel = 3
    shower.maxlist = shower.maxtuple = shower.maxset = shower.maxfrozenset = shower.maxdeque = 6
    shower.maxdict = 4
    shower.maxstring = shower.maxother = shower.maxlong = _SHOW_CHARS
    return shower


_SHOWER = _shower()


def _show(value: object) -> str:
    """`value` as a message shows it: its repr, of a bounded part of it, cut to `_SHOW_CHARS` characters.

    Whatever its size or depth (a list nested a thousand levels deep, one that contains itself,
    a 50 MB text), only a bounded part is looked at, so this never runs out of memory or stack.
    """
    if isinstance(value, str):
        text = repr(value[:_SHOW_CHARS])
    elif isinstance(value, (bytes, bytearray)):
        text = repr(bytes(value[:_SHOW_CHARS]))
    else:
        try:
            text = _SHOWER.repr(value)
        except (RecursionError, MemoryError):  # an object of another kind with a deep repr of its own
            return _("a {kind} too large to show").format(kind=type(value).__name__)
        except (ValueError, TypeError):  # an int too long for str(), a repr that fails: say its kind
            return _("a {kind}").format(kind=type(value).__name__)
    return text if len(text) <= _SHOW_CHARS else text[: _SHOW_CHARS - 3] + "..."


class SelfEvalError(Exception):
    """Base class of the errors this package raises on purpose."""


class DataError(SelfEvalError):
    """Input data is invalid. `problems` lists everything found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, file: str | Path, message: str, path: str = "") -> DataError:
        return cls([Problem(file=str(file), path=path, message=message)])


class ProfileError(SelfEvalError):
    """A rules profile is unknown or invalid."""


class BuildError(SelfEvalError):
    """A report build failed."""
