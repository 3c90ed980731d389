"""The exception hierarchy.

    SelfEvalError                 base of everything this package raises on purpose
    ├── DataError                 input data is invalid; carries every Problem found
    ├── ProfileError              a rules profile is unknown or invalid
    └── BuildError                a report build failed

Callers catch `SelfEvalError` to handle all of them; the CLI turns each into a
message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
        where = f"{self.file}: {self.path}" if self.path else self.file
        text = f"{where}: {self.message}"
        if self.has_value:
            text += f" (got {_show(self.value)})"
        return text


def _show(value: object) -> str:
    try:
        text = repr(value)
    except RecursionError:  # a value nested deeper than Python's stack (YAML aliases can build one)
        return f"a {type(value).__name__} nested too deeply to show"
    return text if len(text) <= 80 else text[:77] + "..."


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
