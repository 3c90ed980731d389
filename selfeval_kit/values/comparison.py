"""Comparing an actual with its target: the one definition of "met".

Scoring, the audit, the narrative check and the reports all decide by :func:`compare`
(docs/rules.md §4–5):

* ``>=``, ``>``, ``=`` (and ＝, 达到, a bare number) are higher-is-better; ``=`` is read
  as "at least" unless the caller asks for exact equality (``exact_equality=True``, a
  profile setting), since a unit that delivers more than its target has met it.
* ``<=``, ``<`` are lower-is-better. A lower-is-better target of 0 ("<0次", "<=0次")
  means none allowed: it is met by an actual of 0.
* Quantities are converted into the target's unit first (:func:`.units.unit_factor`);
  units that do not convert make the pair not comparable, a finding, not a guess. A
  zero ("无", "0个") is zero in any unit.
* Numbers agree within the relative tolerance ``REL_TOLERANCE`` at the boundary.
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
from typing import NamedTuple

from selfeval_kit.values.parsing import normalise
from selfeval_kit.values.types import DATE_KINDS, QUANTITY_KINDS, Comparability, Comparison, Kind, Value
from selfeval_kit.values.units import unit_factor

__all__ = ["REL_TOLERANCE", "compare", "is_close"]

log = logging.getLogger("selfeval_kit.values")

#: Two numbers closer than this share of the larger are equal (binary noise: 0.1 + 0.2 is 0.3).
REL_TOLERANCE = 1e-9

# How a comparison reads by default: "=" as "at least" (docs/rules.md §4).
_AT_LEAST = {Comparison.EQ: Comparison.GE}


def is_close(a: float, b: float) -> bool:
    """Whether two numbers are equal within ``REL_TOLERANCE``.

    Parameters
    ----------
    a, b : float

    Returns
    -------
    bool
    """
    return math.isclose(a, b, rel_tol=REL_TOLERANCE, abs_tol=0.0)


def compare(target: Value, actual: Value, *, exact_equality: bool = False) -> Comparability:
    """Is the target met by the actual?

    Parameters
    ----------
    target : Value
        The target cell, read with ``role="target"``.
    actual : Value
        The actual cell, read with ``role="actual"`` (and ``like=target``).
    exact_equality : bool, default False
        Read a ``=`` target as "exactly" instead of "at least" (the default, docs/rules.md §4).

    Returns
    -------
    Comparability
        Quantities: converted to the target's unit first; GE (and EQ) met if a >= t, GT if
        a > t, LE if a <= t, LT if a < t, within ``REL_TOLERANCE`` at the boundary; with
        ``exact_equality`` EQ is met if a == t. A range target ("1-2篇") is met from its
        low end (an exact "=" range needs the actual inside it, a "<=" range at most its
        high end). An actual that is a bound or a range (">99%", "90%-95%") is met when
        all of it meets the target, not met when none of it does, else undecided
        (``met`` None). "无"/"0" counts as the number 0, in any unit. Rankings: met if
        actual rank <= target rank. Qualitative pairs are never comparable, but ``met``
        is True when the actual restates the target's words. Deadlines and dates (a date
        target means "by the end of it"): met if the actual's date is on or before the
        target's ``date``, by full date when both years are known, else by month and day
        (``reason`` says so); ``ratio`` None; an actual that is not a date ("按时完成",
        "无", "30天") is not comparable. Never raises for values from ``parse_value``.
    """
    try:
        return _compare(target, actual, exact_equality)
    except Exception as exc:  # defensive: other modules call this row by row
        log.warning("comparing %r with %r failed", target.text, actual.text, exc_info=True)
        return _not_comparable(f"internal error: {type(exc).__name__}")


def _compare(t: Value, a: Value, exact_equality: bool) -> Comparability:
    if t.kind in QUANTITY_KINDS and a.kind in QUANTITY_KINDS:  # most pairs
        return _compare_quantities(t, a, exact_equality)
    if t.kind is Kind.UNREADABLE:
        return _not_comparable(f"target unreadable: {t.reason}")
    if a.kind is Kind.UNREADABLE:
        return _not_comparable(f"actual unreadable: {a.reason}")
    if t.kind is Kind.QUALITATIVE:
        if a.kind is Kind.QUALITATIVE:
            same = normalise(t.words or t.text) == normalise(a.words or a.text)
            return Comparability(comparable=False, met=True if same else None, reason="qualitative")
        return _not_comparable("target qualitative")
    if t.kind in DATE_KINDS or a.kind in DATE_KINDS:
        return _compare_dates(t, a)
    if a.kind is Kind.QUALITATIVE:
        return _not_comparable("actual qualitative")
    if t.kind is Kind.RANKING or a.kind is Kind.RANKING:
        return _compare_ranks(t, a)
    return _compare_quantities(t, a, exact_equality)


# --------------------------------------------------------------------------- spans


class _Span(NamedTuple):
    """The values an actual may stand for: a point, a range, or a one-sided bound."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False


def _span_of(v: Value, factor: float) -> _Span:
    n = (v.number or 0.0) * factor
    if v.number_high is not None:
        return _Span(n, v.number_high * factor)
    if v.comparison is None:  # a point, as most actuals are
        return _Span(n, n)
    match v.comparison:
        case Comparison.GE:
            return _Span(n, math.inf, hi_open=True)
        case Comparison.GT:
            return _Span(n, math.inf, lo_open=True, hi_open=True)
        case Comparison.LE:
            return _Span(-math.inf, n, lo_open=True)
        case Comparison.LT:
            return _Span(-math.inf, n, lo_open=True, hi_open=True)
    return _Span(n, n)


def _holds_all(cmp: Comparison, sp: _Span, t: float) -> bool:
    """Does every value in the span satisfy `x cmp t`?"""
    match cmp:
        case Comparison.GE:
            return sp.lo >= t or (not sp.lo_open and is_close(sp.lo, t))
        case Comparison.GT:
            return sp.lo >= t if sp.lo_open else (sp.lo > t and not is_close(sp.lo, t))
        case Comparison.LE:
            return sp.hi <= t or (not sp.hi_open and is_close(sp.hi, t))
        case Comparison.LT:
            return sp.hi <= t if sp.hi_open else (sp.hi < t and not is_close(sp.hi, t))
    return not sp.lo_open and not sp.hi_open and is_close(sp.lo, t) and is_close(sp.hi, t)


def _holds_some(cmp: Comparison, sp: _Span, t: float) -> bool:
    """Does at least one value in the span satisfy `x cmp t`?"""
    match cmp:
        case Comparison.GE:
            return sp.hi > t or (not sp.hi_open and is_close(sp.hi, t))
        case Comparison.GT:
            return sp.hi > t and (sp.hi_open or not is_close(sp.hi, t))
        case Comparison.LE:
            return sp.lo < t or (not sp.lo_open and is_close(sp.lo, t))
        case Comparison.LT:
            return sp.lo < t and (sp.lo_open or not is_close(sp.lo, t))
    above_lo = sp.lo < t or (not sp.lo_open and is_close(sp.lo, t))
    below_hi = sp.hi > t or (not sp.hi_open and is_close(sp.hi, t))
    return above_lo and below_hi


def _decide(cmp: Comparison, sp: _Span, t: float) -> bool | None:
    """True if all of the span satisfies `x cmp t`, False if none of it does, else None."""
    if _holds_all(cmp, sp, t):
        return True
    if not _holds_some(cmp, sp, t):
        return False
    return None


def _both(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    if a is True and b is True:
        return True
    return None


def _not_comparable(reason: str) -> Comparability:
    return Comparability(comparable=False, met=None, ratio=None, reason=reason)


# --------------------------------------------------------------------------- kinds


def _compare_dates(t: Value, a: Value) -> Comparability:
    """A deadline or date target (by the end of it) against a date or deadline actual.

    The actual stands for a span: a DATE from ``date_from`` to ``date``, a DEADLINE
    anything up to ``date``. Met when all of it is on or before the target's ``date``;
    not met when all of it is after; else undecided. Full dates when both years are
    known, else month and day. No ratio: days late are not a share of anything.
    """
    if t.kind not in DATE_KINDS:
        return _not_comparable("actual is a date, target is not")
    what = "deadline" if t.kind is Kind.DEADLINE else "date"
    if a.kind is Kind.QUALITATIVE:
        return _not_comparable(f"target is a {what}, actual qualitative")
    if a.kind not in DATE_KINDS or a.date is None or t.date is None:
        return _not_comparable(f"target is a {what}, actual is not a date")
    by_year = t.year_known and a.year_known

    def key(d: _dt.date) -> tuple[int, ...]:
        return (d.year, d.month, d.day) if by_year else (d.month, d.day)

    limit = key(t.date)
    earliest = key(a.date_from) if a.kind is Kind.DATE and a.date_from is not None else None
    met: bool | None
    reasons: list[str]
    if key(a.date) <= limit:
        met, reasons = True, []
    elif earliest is not None and earliest > limit:
        met, reasons = False, []
    else:
        met = None
        reasons = [
            "actual is only a deadline; cannot decide"
            if earliest is None
            else "actual names a period that straddles the target; cannot decide"
        ]
    if not by_year:
        reasons.append("compared by month and day (the year is not written on both sides)")
    return Comparability(comparable=True, met=met, ratio=None, reason="; ".join(reasons) or None)


def _compare_ranks(t: Value, a: Value) -> Comparability:
    if t.kind is not Kind.RANKING:
        return _not_comparable("actual is a ranking, target is not")
    if a.kind is not Kind.RANKING or a.rank is None or t.rank is None:
        return _not_comparable("target is a ranking, actual is not")
    if t.scope and a.scope and t.scope != a.scope:
        return _not_comparable(f"ranking scopes differ: {t.scope} vs {a.scope}")
    span = _Span(1.0, float(a.rank)) if a.comparison is Comparison.LE else _span_of(a, 1.0)
    met = _decide(Comparison.LE, span, float(t.rank))
    reason = None if met is not None else "actual rank is only a bound"
    return Comparability(comparable=True, met=met, ratio=t.rank / a.rank, reason=reason)


def _compare_quantities(t: Value, a: Value, exact_equality: bool) -> Comparability:
    """Both sides are QUANTITATIVE or NONE ("无" is the number 0 in any unit)."""
    target_none, actual_none = t.kind is Kind.NONE, a.kind is Kind.NONE
    if target_none and actual_none:
        return Comparability(comparable=True, met=True, ratio=None)  # none of anything
    factor = 1.0 if target_none or actual_none else unit_factor(a.unit, t.unit)
    if factor is None:
        return _not_comparable(f"units differ: {t.unit} vs {a.unit}")
    span = _span_of(a, factor)
    if target_none:
        return _quantity_result(_decide(Comparison.EQ, span, 0.0), None)

    t_lo = t.number if t.number is not None else 0.0
    cmp = t.comparison or Comparison.GE
    if not exact_equality:
        cmp = _AT_LEAST.get(cmp, cmp)  # "=" is "at least" for a higher-is-better target
    if t_lo == 0 and cmp is Comparison.LT and t.number_high is None:
        cmp = Comparison.LE  # "<0次": none allowed, so 0 meets it
    if t.number_high is not None and cmp is Comparison.EQ:
        met = _both(_decide(Comparison.GE, span, t_lo), _decide(Comparison.LE, span, t.number_high))
    elif t.number_high is not None and cmp in (Comparison.LE, Comparison.LT):
        met = _decide(cmp, span, t.number_high)
    else:
        met = _decide(cmp, span, t_lo)
    a_num = (a.number or 0.0) * factor
    ratio = a_num / t_lo if t_lo != 0 else None
    return _quantity_result(met, ratio)


def _quantity_result(met: bool | None, ratio: float | None) -> Comparability:
    reason = None if met is not None else "actual is only a bound; cannot decide"
    return Comparability(comparable=True, met=met, ratio=ratio, reason=reason)
