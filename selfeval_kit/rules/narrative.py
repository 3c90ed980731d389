"""The narrative check (docs/rules.md §6.7): figures stated in the goal texts against the table.

A figure in 预期目标 is compared with the indicator's target, one in 实际完成情况 with
its actual. The text names indicators loosely ("大仪系统用咨询用户满意度" for
"大仪系统咨询用户满意度", "企业订单" for "长三角科技券新增企业订单"), so a mention is
matched to an indicator only when one indicator clearly fits best, the units convert
(:func:`selfeval_kit.values.units.unit_factor`), and the phrase stands right before the
figure; figures agree within the tolerance of :func:`selfeval_kit.values.comparison.is_close`.
Precision comes first: a pair that is not certain is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from selfeval_kit.rules.findings import Finding, make_finding, number_text
from selfeval_kit.rules.scoring import FormResult, IndicatorResult
from selfeval_kit.values.comparison import is_close
from selfeval_kit.values.parsing import parse_value
from selfeval_kit.values.types import QUANTITY_KINDS, Kind, Value
from selfeval_kit.values.units import COUNT_UNITS, unit_factor

__all__ = ["Mention", "match_indicator", "mentions", "narrative_findings"]

_OTHER_UNITS = "% ％ ms 毫秒 秒 s S 分钟 小时 天 日 元 万元 亿元 千元 台（套） 台(套)"
_UNITS = sorted(set(COUNT_UNITS) | set(_OTHER_UNITS.split()), key=len, reverse=True)
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_TOKEN = re.compile(
    rf"(?P<lo>{_NUMBER})(?:\s*[-~至]\s*(?P<hi>{_NUMBER}))?\s*(?P<mult>万|亿|千)?"
    rf"\s*(?P<unit>{'|'.join(map(re.escape, _UNITS))})?"
)
# A comma between digits is a thousands separator ("1,162家"), not a clause break.
_CLAUSE_BREAK = re.compile(r"[，；;。：:！？!?、（）()“”\"\n]|(?<!\d),|,(?!\d{3})|以及|并且|其中|包括")
# Verbs and comparison words between the indicator's name and its figure.
_LINK_TEXT = (
    "不少于 不低于 不小于 不超过 不高于 不大于 大于 小于 少于 多于 低于 高于 超过 达到了 达到 达 为 是 都为 均为 "
    "约为 约 近 超 共计 合计 累计 共 计 在 了 已 的"
)
_LINK_WORDS = _LINK_TEXT.split()
_LINK = re.compile(f"(?:{'|'.join(_LINK_WORDS)})+$")
_LINK_ENDINGS = tuple({word[-1] for word in _LINK_WORDS})  # a subject ends so when it ends with a link word
_APPROX_BEFORE = ("约", "近", "超")  # "约600人": the figure is approximate
_APPROX_AFTER = re.compile(r"\s*(?:余|多|左右|以上)")

_MIN_NAME = 3  # characters a subject and a name must share, in order
_MIN_COVER = 0.75  # share of the shorter of the two they must share
_CLEAR_MARGIN = 0.1  # how much better than the next the best fit must be
# An approximate figure ("80余篇", "超3万人次", "840家左右") differs only when this far off.
_APPROXIMATE_SHARE = 0.2


class Mention(NamedTuple):
    """A figure in a text and the phrase that stands before it."""

    subject: str
    value: Value
    text: str  # the figure as written
    approximate: bool


def mentions(text: str | None) -> Iterator[Mention]:
    """Figures with the phrase before them, clause by clause.

    Parameters
    ----------
    text : str or None
        A goal text (预期目标 or 实际完成情况).

    Yields
    ------
    Mention
        Each figure whose multiplier and unit are known, with the phrase before it (from
        the clause's start or the figure before, link words such as 达到 stripped) when
        that phrase has two characters or more.
    """
    if not text:
        return
    for clause in _CLAUSE_BREAK.split(text):
        yield from _clause_mentions(clause)


@lru_cache(maxsize=65536)
def _clause_mentions(clause: str) -> tuple[Mention, ...]:
    """The mentions of one clause. Cached: forms repeat clauses ("培训场次>=12场"), and mentions are immutable."""
    found = []
    start = 0
    for match in _TOKEN.finditer(clause):
        subject = clause[start : match.start()].strip()
        if subject.endswith(_LINK_ENDINGS):
            subject = _LINK.sub("", subject).strip()
        start = match.end()
        if len(subject) < 2:
            continue
        value = _figure(*match.group(0, "lo", "hi", "mult", "unit"))
        if value is None:
            continue
        approximate = bool(
            _APPROX_AFTER.match(clause, match.end()) or clause[: match.start()].rstrip().endswith(_APPROX_BEFORE)
        )
        found.append(Mention(subject=subject, value=value, text=value.text, approximate=approximate))
    return tuple(found)


@lru_cache(maxsize=65536)
def _figure(token: str, low: str, high: str | None, mult: str | None, unit: str | None) -> Value | None:
    """The figure of a token (its text and groups) as a Value: its number times the scale of
    its multiplier and unit; None if the multiplier and unit make no scale.

    Cached: figures repeat across texts ("12场"), and a Value is immutable.
    """
    unit = (unit or "").replace("（套）", "套").replace("(套)", "套")
    scale = _unit_scale((mult or "") + unit)
    if scale is None or scale.number is None:
        return None
    return Value(
        text=token.strip().replace("（套）", "套").replace("(套)", "套"),
        kind=scale.kind,
        number=_times(low, scale.number),
        number_high=None if high is None else _times(high, scale.number),
        unit=scale.unit,
        dimension=scale.dimension,
        written_unit=scale.written_unit,
    )


def _times(digits: str, factor: float) -> float:
    """digits × factor without binary noise (174 × 0.001 is 0.174, not 0.17400000000000002)."""
    return round(float(digits.replace(",", "")) * factor, 9)


def _unit_scale(suffix: str) -> Value | None:
    """The value of "1<suffix>": its canonical unit and the factor into it."""
    value = parse_value(f"1{suffix}", role="actual")
    return value if value.kind is Kind.QUANTITATIVE and value.number else None


def match_indicator(subject: str, names: list[str]) -> int | None:
    """The index of the one name that clearly fits the subject.

    Parameters
    ----------
    subject : str
        The phrase before a figure.
    names : list of str
        The form's indicator names.

    Returns
    -------
    int or None
        The index of the best-fitting name, or None when no name fits or two fit about
        as well. Fit = longest common subsequence / length of the shorter text; it must
        reach ``_MIN_NAME`` characters and ``_MIN_COVER``, and the best must beat any
        other fitting name by ``_CLEAR_MARGIN``.
    """
    fits = [(fit, i) for i, name in enumerate(names) if (fit := _fit(subject, name)) is not None]
    if not fits:
        return None
    fits.sort(reverse=True)
    if len(fits) > 1 and fits[0][0] - fits[1][0] < _CLEAR_MARGIN:
        return None  # two names fit about as well: not certain
    return fits[0][1]


@lru_cache(maxsize=65536)
def _fit(subject: str, name: str) -> float | None:
    """How well a name fits a subject (LCS / length of the shorter text, plus a tie-break
    for longer agreement), or None if it does not reach ``_MIN_NAME`` and ``_MIN_COVER``.

    Cached: forms share indicator names and phrasings, and the fit depends on nothing else.
    """
    shorter = min(len(subject), len(name))
    subject_chars, name_chars = set(subject), set(name)
    shared = subject_chars & name_chars
    # Shared characters (and repeats) bound the LCS from above: most pairs fail this cheap test.
    bound = len(shared) + min(len(subject) - len(subject_chars), len(name) - len(name_chars))
    if not shared or bound < _MIN_NAME or bound < _MIN_COVER * shorter:
        return None
    common = _lcs_length([c for c in subject if c in shared], [c for c in name if c in shared])
    if common < _MIN_NAME or common < _MIN_COVER * shorter:
        return None
    return common / shorter + common / 1000  # longer agreement breaks ties


def _lcs_length(a: list[str], b: list[str]) -> int:
    """The length of the longest common subsequence of two sequences (dynamic programming).

    `_fit` leaves out the characters only one text has: they cannot be in a common subsequence.
    """
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def _table_number(item: IndicatorResult, on_target: bool) -> float | None:
    """The table's figure a text could contradict: the target's or the actual's number,
    for quantitative targets only ("无" is 0)."""
    value = item.target if on_target else item.actual
    if value.kind not in QUANTITY_KINDS or item.target.kind is not Kind.QUANTITATIVE:
        return None
    return 0.0 if value.kind is Kind.NONE else value.number


def _differs(stated: Value, table: float, approximate: bool) -> bool:
    """Whether a stated figure (maybe a range) contradicts the table's number."""
    low = stated.number
    high = stated.number_high if stated.number_high is not None else low
    if low is None or high is None:
        return False
    if low <= table <= high or is_close(table, low) or is_close(table, high):
        return False
    if approximate:  # only a clear difference counts
        return abs(table - low) / max(abs(table), 1e-12) > _APPROXIMATE_SHARE
    return True


def narrative_findings(result: FormResult) -> Iterator[Finding]:
    """The narrative.mismatch findings of one scored form.

    Parameters
    ----------
    result : FormResult
        The form as scored.

    Yields
    ------
    Finding
        One for each indicator (on each side) whose figure a goal text states differently:
        a mention in 预期目标 against the target, one in 实际完成情况 against the actual.
        Only the first comparable mention of an indicator on each side counts.
    """
    goal = result.form.annual_goal
    names = [item.indicator.name for item in result.indicators]
    sides = [("预期目标", list(mentions(goal.planned)), True), ("实际完成情况", list(mentions(goal.achieved)), False)]
    # 预期目标 and 实际完成情况 name the same things: match each subject once
    index_of = {
        subject: match_indicator(subject, names) for subject in {m.subject for _, found, _ in sides for m in found}
    }
    for field, found, on_target in sides:
        seen: set[int] = set()  # indicators already compared on this side
        for mention in found:
            index = index_of[mention.subject]
            if index is None or index in seen:
                continue
            item = result.indicators[index]
            table = _table_number(item, on_target)
            # a figure and a table quantity are comparable exactly when their units convert
            if table is None or unit_factor(mention.value.unit, item.target.unit) is None:
                continue
            seen.add(index)
            stated = mention.value
            if stated.unit is None and item.target.unit is not None:
                stated = parse_value(mention.text, role="actual", like=item.target)
            if _differs(stated, table, mention.approximate):
                cell = item.indicator.target if on_target else item.indicator.actual
                column = "年度指标值" if on_target else "实际完成值"
                yield make_finding(
                    "narrative.mismatch",
                    result,
                    f"{field}写“{mention.subject}{mention.text}”，指标表“{item.indicator.name}”的{column}为 {cell}"
                    f"（{number_text(stated.number)} ≠ {number_text(table)}）。",
                    item=item,
                    field=field,
                    stated=mention.text,
                    table=cell,
                )
