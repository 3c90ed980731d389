"""The values layer: reading target and actual cells, and the one definition of "met".

:func:`parse_value` turns a cell into a :class:`Value`; :func:`compare` decides whether
an actual meets its target. Units convert through :func:`unit_factor`.
"""

from __future__ import annotations

from selfeval_kit.values.comparison import REL_TOLERANCE, compare, is_close
from selfeval_kit.values.parsing import parse_value
from selfeval_kit.values.types import (
    PLACEHOLDER_YEAR,
    Comparability,
    Comparison,
    Direction,
    Kind,
    Value,
    is_quantitative,
)
from selfeval_kit.values.units import COUNT_UNITS, UNIT_ALIASES, unit_factor

__all__ = [
    "COUNT_UNITS",
    "PLACEHOLDER_YEAR",
    "REL_TOLERANCE",
    "UNIT_ALIASES",
    "Comparability",
    "Comparison",
    "Direction",
    "Kind",
    "Value",
    "compare",
    "is_close",
    "is_quantitative",
    "parse_value",
    "unit_factor",
]
