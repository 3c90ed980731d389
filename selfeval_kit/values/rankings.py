"""Reading rankings: "全国前3" (a target: rank 3 or better), "全国第1" (an actual: rank 1).

A lower rank is better (docs/rules.md §5). A bare whole number beside a ranking target
("1" for "全国前3") is a rank.
"""

from __future__ import annotations

import re
from decimal import Decimal

from selfeval_kit.values.quantities import CN_NUMBER, cn_to_decimal
from selfeval_kit.values.types import Comparison, Kind, Value, unreadable

__all__ = ["as_rank", "read_ranking"]

_RANK_RE = re.compile(
    rf"(?:位居|位列|名列|进入|保持|达到|处于)?"
    rf"(?P<scope>[\u4e00-\u9fff]{{0,10}}?)(?:排名|排行|名次|排位)?"
    rf"(?:位居|位列|名列|进入|保持|达到|处于|居)?(?:排名|排行)?"
    rf"(?P<which>前|第|(?i:top))(?P<n>[0-9]+|{CN_NUMBER})(?:名|位)?(?:以内|之内)?"
)


def read_ranking(text: str, s: str) -> Value | None:
    """Read '全国前3' (rank <= 3), '全国第1' (rank 1), '前10名', '第一名'.

    Parameters
    ----------
    text : str
        The cell as written.
    s : str
        The cell normalised.

    Returns
    -------
    Value or None
        A RANKING value, an UNREADABLE one for a rank that is not a positive whole
        number, or None when ``s`` is not a ranking.
    """
    if "前" not in s and "第" not in s and "top" not in s.lower():
        return None  # what every ranking says
    m = _RANK_RE.fullmatch(s)
    if m is None:
        return None
    n_raw = m.group("n")
    n = Decimal(n_raw) if n_raw.isascii() else cn_to_decimal(n_raw)
    if n is None or n != n.to_integral_value() or n < 1 or n > 10**9:
        return unreadable(text, f"rank is not a positive whole number: {n_raw}")
    rank = int(n)
    is_top = m.group("which") != "第"
    return Value(
        text=text,
        kind=Kind.RANKING,
        comparison=Comparison.LE if is_top else None,
        number=float(rank),
        dimension="rank",
        rank=rank,
        scope=m.group("scope") or None,
    )


def as_rank(value: Value) -> Value:
    """An actual read as a bare whole number ("1") is a rank when the target is a ranking."""
    number = value.number
    if (
        value.kind is Kind.QUANTITATIVE
        and value.unit is None
        and value.number_high is None
        and value.comparison is None
        and number is not None
        and number >= 1
        and number.is_integer()
    ):
        return value._replace(kind=Kind.RANKING, rank=int(number), dimension="rank")
    return value
