"""Reading one target (年度指标值) or actual (实际完成值) cell into a :class:`Value`.

Both cells are free text written by people: ``"=200人"``, ``">=4万个"``, ``"<2S"``,
``"不低于90%"``, ``"2秒以内"``, ``"全国前3"``, ``"无"``, ``"完善"``, ``"12月底前"`` ...
:func:`parse_value` normalises the cell and tries the readers in turn: dates
(:mod:`.dates`), rankings (:mod:`.rankings`), quantities (:mod:`.quantities`); what is
left is qualitative words or, when it holds digits, unreadable.

Nothing here guesses silently. A cell whose number cannot be read is
``Kind.UNREADABLE`` with a ``reason``: a finding for a person.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from selfeval_kit.values.dates import read_date
from selfeval_kit.values.quantities import read_quantity
from selfeval_kit.values.rankings import as_rank, read_ranking
from selfeval_kit.values.types import Kind, Value, unreadable

__all__ = ["normalise", "parse_value"]

log = logging.getLogger("selfeval_kit.values")

_DIGIT_RE = re.compile(r"[0-9]")
_SIGNS_ONLY_RE = re.compile(r"[<>=≥≤≧≦⩾⩽≮≯]+")
_WORDY_RE = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_TRAILING_PUNCT = "。.,;:!?、"
_QUOTES = "\"'“”‘’"
_NONE_WORDS = frozenset({"无", "零", "〇", "没有", "未发生", "无发生", "零发生"})
_PLACEHOLDERS = frozenset({"-", "--", "/", "\\", "—", "——", "–", "n/a", "na", "null", "none", "空"})


def normalise(text: str) -> str:
    """A cell as the readers see it: NFKC, no whitespace, no quotes or end punctuation.

    NFKC makes full-width signs, digits, ％, ，and ㎡ ASCII-like. Spaces go because
    "> =" means ">=" and "2 秒" means "2秒".

    Parameters
    ----------
    text : str
        The cell as written.

    Returns
    -------
    str
    """
    s = "".join(unicodedata.normalize("NFKC", text).split())
    return s.strip(_QUOTES).rstrip(_TRAILING_PUNCT).strip(_QUOTES)


def parse_value(
    text: str | None,
    *,
    role: Literal["target", "actual"] = "target",
    like: Value | None = None,
) -> Value:
    """Read one target or actual cell.

    Parameters
    ----------
    text : str or None
        The cell as written. A number (``int``, ``float``, ``Decimal``) is read as its
        text; None and any other type give an UNREADABLE value.
    role : {"target", "actual"}, default "target"
        For a target, a number without a sign means "at least" (GE), as do ranges.
        For an actual, the comparison stays None unless one is written (">99%").
    like : Value, optional
        The row's parsed target. An actual written without a unit takes the target's
        unit as written ("95" with target ">=90%" is 95 %; "9.5" with target ">=10万元"
        is 95000 元), and a bare whole number beside a ranking target is a rank. Beside
        a date or deadline target, "2023年" and "2023.12" are read as dates; beside a
        duration target (">=6个月"), a bare "5月" is 5 months, not May.

    Returns
    -------
    Value
        The cell read. Never raises for any text: what cannot be read is
        ``Kind.UNREADABLE`` with a ``reason``.

    Raises
    ------
    ValueError
        Only for a ``role`` other than "target" or "actual".
    """
    if role not in ("target", "actual"):
        raise ValueError(f"role must be 'target' or 'actual', not {role!r}")
    if text is None:
        return unreadable("", "empty")
    if not isinstance(text, str):
        if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
            text = str(text)
        else:
            return unreadable(str(text), f"not text: {type(text).__name__}")
    return _parse_cached(text, role, like)


@lru_cache(maxsize=65536)
def _parse_cached(text: str, role: Literal["target", "actual"], like: Value | None) -> Value:
    """Cells repeat across forms ("及时", ">=90%"): values are frozen, so reuse them."""
    try:
        return _read(text, role, like)
    except Exception as exc:  # defensive: the contract is "never raises"
        log.warning("reading %r failed", text, exc_info=True)
        return unreadable(text, f"internal error: {type(exc).__name__}")


def _read(text: str, role: Literal["target", "actual"], like: Value | None) -> Value:
    """Read the cell with the readers, in order: placeholders, none, dates, rankings, quantities."""
    s = normalise(text)
    if not s:
        return unreadable(text, "empty" if not text.strip() else "no number and no words")
    if s.lower() in _PLACEHOLDERS:
        return unreadable(text, "placeholder, no value")
    if s in _NONE_WORDS:
        return Value(text=text, kind=Kind.NONE, number=0.0)

    date = read_date(text, s, role, like)
    if date is not None:
        return date
    ranking = read_ranking(text, s)
    if ranking is not None:
        return ranking
    quantity = read_quantity(text, s, role, like)
    if quantity is not None:
        return as_rank(quantity) if like is not None and like.kind is Kind.RANKING else quantity
    return _qualitative_or_unreadable(text, s)


def _qualitative_or_unreadable(text: str, s: str) -> Value:
    """Words without digits are qualitative; digits we could not read are a finding."""
    if _DIGIT_RE.search(s):
        return unreadable(text, "number in a form not understood")
    if _SIGNS_ONLY_RE.fullmatch(s):
        return unreadable(text, "comparison sign without a number")
    if not _WORDY_RE.search(s):
        return unreadable(text, "no number and no words")
    return Value(text=text, kind=Kind.QUALITATIVE, words=text.strip())
