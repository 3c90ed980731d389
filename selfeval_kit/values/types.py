"""The types of the values layer: what a target or actual cell holds once read.

A cell of the indicator table (年度指标值, 实际完成值) becomes a :class:`Value`
(see :func:`selfeval_kit.values.parsing.parse_value`); comparing a target with an
actual gives a :class:`Comparability` (see :func:`selfeval_kit.values.comparison.compare`).
"""

from __future__ import annotations

import datetime as _dt
from enum import StrEnum
from typing import NamedTuple

__all__ = [
    "DATE_KINDS",
    "PLACEHOLDER_YEAR",
    "QUANTITY_KINDS",
    "Comparability",
    "Comparison",
    "Direction",
    "Kind",
    "Value",
    "direction_of",
    "is_quantitative",
    "unreadable",
]

#: The year a date carries when none was written (a leap year, so 2月29日 exists).
#: Never show it: check ``Value.year_known``, or use ``Value.month_day``.
PLACEHOLDER_YEAR = 4


class Kind(StrEnum):
    """What a cell holds."""

    QUANTITATIVE = "quantitative"  # a number, maybe with a sign, a unit, a range
    QUALITATIVE = "qualitative"  # words: "完善", "及时", "不断扩大", a description
    RANKING = "ranking"  # "全国前3", "全国第1", "前10名", "第一名"
    NONE = "none"  # "无", "零", "0", "0个": nothing happened / none allowed
    UNREADABLE = "unreadable"  # empty, junk, or a number we cannot interpret
    DEADLINE = "deadline"  # a date or period with 前/之前/内/止/截止...: "12月底前", "年内"
    DATE = "date"  # a date or period without such a word: "11月20日", "2023年11月", "12月底"


class Comparison(StrEnum):
    """The comparison a target asks for (or an actual states as a bound)."""

    GE = ">="
    GT = ">"
    EQ = "="
    LE = "<="
    LT = "<"


class Direction(StrEnum):
    """Which way is better: more (GE, GT, EQ), less (LE, LT, rankings, dates), or neither."""

    HIGHER = "higher"
    LOWER = "lower"
    NEUTRAL = "neutral"


#: Kinds that carry a comparable number ("无" is the number 0).
QUANTITY_KINDS = (Kind.QUANTITATIVE, Kind.NONE)
#: Kinds that carry a date.
DATE_KINDS = (Kind.DEADLINE, Kind.DATE)


_DIRECTION_OF = {
    Comparison.GE: Direction.HIGHER,
    Comparison.GT: Direction.HIGHER,
    Comparison.EQ: Direction.HIGHER,
    Comparison.LE: Direction.LOWER,
    Comparison.LT: Direction.LOWER,
}
# Kinds that are better when lower: a rank, or a date (earlier).
_LOWER_KINDS = (Kind.RANKING, Kind.DEADLINE, Kind.DATE)


def direction_of(comparison: Comparison) -> Direction:
    """Which way a comparison points: GE, GT and EQ are higher-is-better, LE and LT lower-is-better.

    ``=`` is higher-is-better (docs/rules.md §4: "higher is better (≥, >, =)").
    """
    return _DIRECTION_OF[comparison]


class Value(NamedTuple):
    """One target or actual cell, read (an immutable named tuple).

    Attributes
    ----------
    text : str
        The cell as written.
    kind : Kind
        What the cell holds.
    comparison : Comparison or None
        The comparison a target asks for (a bare number as a target is GE), or the
        bound an actual states (``">99%"``); None for an actual stated as a point.
    number, number_high : float or None
        The number with multipliers and unit scales applied (``"3万人次"`` → 30000.0,
        ``"21ms"`` → 0.021 with unit ``"s"``). For a range (``"1-2篇"``) ``number`` is
        the low end and ``number_high`` the high end. A ranking's ``number`` is its rank;
        "无" has ``number`` 0.0.
    unit : str or None
        The canonical unit (see :mod:`selfeval_kit.values.units`).
    dimension : str or None
        What the unit measures ("count", "time", "money", "percent", "rank", "date" ...).
    rank : int or None
        The rank of a ranking ("全国前3" → 3).
    scope : str or None
        Where a ranking is counted ("全国").
    words : str or None
        A qualitative cell's words, stripped.
    reason : str or None
        Why an UNREADABLE cell could not be read; for a date without a year, that it
        compares by month and day.
    approximate : bool
        The cell says 约 or 左右.
    written_unit : str or None
        The suffix as written (``"万人次"``, ``"ms"``, ``"万"``), which an actual without
        a unit may inherit (see ``like`` in ``parse_value``).
    date : datetime.date or None
        For ``Kind.DEADLINE`` the last day the deadline allows; for ``Kind.DATE`` the
        last day of the period named.
    date_from : datetime.date or None
        The first day of a date's period (None for a deadline, whose period is open before).
    year_known : bool
        False when no year was written: then both dates carry ``PLACEHOLDER_YEAR`` and
        only ``month_day`` means anything.
    """

    text: str
    kind: Kind
    comparison: Comparison | None = None
    number: float | None = None
    number_high: float | None = None
    unit: str | None = None
    dimension: str | None = None
    rank: int | None = None
    scope: str | None = None
    words: str | None = None
    reason: str | None = None
    approximate: bool = False
    written_unit: str | None = None
    date: _dt.date | None = None
    date_from: _dt.date | None = None
    year_known: bool = False

    @property
    def direction(self) -> Direction:
        """Which way is better for this value.

        Rankings, deadlines and dates are better when lower (earlier); a quantity with a
        comparison follows :func:`direction_of`; anything else is NEUTRAL.
        """
        if self.kind in _LOWER_KINDS:
            return Direction.LOWER
        if self.kind is not Kind.QUANTITATIVE or self.comparison is None:
            return Direction.NEUTRAL
        return _DIRECTION_OF[self.comparison]

    @property
    def month_day(self) -> tuple[int, int] | None:
        """(month, day) of ``date``: what a date without a year is compared by."""
        return None if self.date is None else (self.date.month, self.date.day)


class Comparability(NamedTuple):
    """The outcome of comparing an actual with its target (an immutable named tuple).

    Attributes
    ----------
    comparable : bool
        Whether the two cells can be compared at all (readable, same kind of thing,
        units that convert).
    met : bool or None
        Whether the actual meets the target; None when it cannot be decided (not
        comparable, or the actual is only a bound such as ``">99%"`` that straddles
        the target). For qualitative pairs (never comparable) True when the actual
        restates the target's words.
    ratio : float or None
        actual/target for quantities in either direction (so for lower-is-better
        targets a ratio below 1 is good); target_rank/actual_rank for rankings (above
        1 is good); None for a target of 0, dates and qualitative pairs.
    reason : str or None
        Why a pair is not comparable or undecided; for dates also that they were
        compared by month and day only.
    """

    comparable: bool
    met: bool | None = None
    ratio: float | None = None
    reason: str | None = None


def is_quantitative(value: Value) -> bool:
    """True for a cell that carries a comparable number (a quantity or a "none").

    Parameters
    ----------
    value : Value
        A cell as read by ``parse_value``.

    Returns
    -------
    bool
    """
    return value.kind in QUANTITY_KINDS


def unreadable(text: str, reason: str) -> Value:
    """An UNREADABLE value for ``text``, saying why in ``reason``."""
    return Value(text=text, kind=Kind.UNREADABLE, reason=reason)
