"""The narrative check (RULES.md §6.7): figures stated in the goal texts against the table.

A figure in 预期目标 is compared with the indicator's target, one in 实际完成情况 with
its actual. The text names indicators loosely ("大仪系统用咨询用户满意度" for
"大仪系统咨询用户满意度", "企业订单" for "长三角科技券新增企业订单"), so a mention is
matched to an indicator only when one indicator clearly fits best, the units are
comparable, and the phrase stands right before the figure. Precision comes first:
a pair that is not certain is not reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

from .values import _COUNT_UNITS, Kind, Value, compare, parse_value

__all__ = ["Mention", "mentions", "match_indicator", "narrative_findings"]

_UNITS = sorted(
    set(_COUNT_UNITS)
    | {"%", "％", "ms", "毫秒", "秒", "s", "S", "分钟", "小时", "天", "日", "元", "万元", "亿元", "千元", "台（套）", "台(套)"},
    key=len,
    reverse=True,
)
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_TOKEN = re.compile(
    rf"(?P<lo>{_NUMBER})(?:\s*[-~至]\s*(?P<hi>{_NUMBER}))?\s*(?P<mult>万|亿|千)?\s*(?P<unit>{'|'.join(map(re.escape, _UNITS))})?"
)
# A comma between digits is a thousands separator ("1,162家"), not a clause break.
_CLAUSE_BREAK = re.compile(r"[，；;。：:！？!?、（）()“”\"\n]|(?<!\d),|,(?!\d{3})|以及|并且|其中|包括")
# Verbs and comparison words between the indicator's name and its figure.
_LINK = re.compile(
    r"(?:不少于|不低于|不小于|不超过|不高于|不大于|大于|小于|少于|多于|低于|高于|超过|达到了|达到|达|为|是|都为|均为|"
    r"约为|约|近|超|共计|合计|累计|共|计|在|了|已|的)+$"
)
_APPROX_AFTER = re.compile(r"\s*(?:余|多|左右|以上)")
# The last character of each word _LINK strips: a subject ending otherwise keeps its end.
_LINK_LAST = frozenset(word[-1] for word in re.findall(r"[^()?:|+$]+", _LINK.pattern))
_MIN_NAME = 3
_MIN_COVER = 0.75


@dataclass(frozen=True)
class Mention:
    """A figure in a text and the phrase that stands before it."""

    subject: str
    value: Value
    text: str  # the figure as written
    approximate: bool


def mentions(text: str | None) -> Iterator[Mention]:
    """Figures with the phrase before them, clause by clause."""
    if not text:
        return
    for clause in _CLAUSE_BREAK.split(text):
        start = 0
        for match in _TOKEN.finditer(clause):
            subject = clause[start : match.start()].strip()
            if subject[-1:] in _LINK_LAST:  # else _LINK, anchored at the end, cannot match
                subject = _LINK.sub("", subject).strip()
            start = match.end()
            if len(subject) < 2:
                continue
            value = _figure(*match.group(0, "lo", "hi", "mult", "unit"))
            if value is None:
                continue
            # The same as _APPROX_BEFORE.search(clause[: match.start()]), without scanning the clause.
            approximate = bool(_APPROX_AFTER.match(clause, match.end())) or clause[: match.start()].rstrip()[-1:] in _APPROX_BEFORE_WORDS
            yield Mention(subject=subject, value=value, text=value.text, approximate=approximate)


_APPROX_BEFORE = re.compile(r"(?:约|近|超)\s*$")
_APPROX_BEFORE_WORDS = ("约", "近", "超")  # one character each: see mentions()


@lru_cache(maxsize=65536)
def _figure(token: str, low: str, high: str | None, mult: str | None, unit: str | None) -> Value | None:
    """The figure of a token (its text and groups): its number times the scale of its
    multiplier and unit. Cached: a Value is immutable, and a token's groups decide it."""
    mult, unit = mult or "", (unit or "").replace("（套）", "套").replace("(套)", "套")
    scale = _unit_scale(mult + unit)
    if scale is None:
        return None
    written = token.strip().replace("（套）", "套").replace("(套)", "套")
    return Value(
        text=written,
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


@lru_cache(maxsize=1024)
def _unit_scale(suffix: str) -> Value | None:
    """parse_value of "1<suffix>": the canonical unit and the factor into it (few distinct suffixes)."""
    value = parse_value(f"1{suffix}", role="actual")
    return value if value.kind == Kind.QUANTITATIVE and value.number else None


def _lcs(a: str, b: str) -> int:
    """Length of the longest common subsequence, bit-parallel (Hyyrö 2004): one pass over b."""
    masks: dict[str, int] = {}
    for i, ch in enumerate(a):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for ch in b:
        u = v & masks.get(ch, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def match_indicator(subject: str, names: list[str]) -> int | None:
    """Index of the one name that clearly fits the subject, or None.

    Fit = LCS / length of the shorter text; the best must reach _MIN_COVER and beat
    any other name that also reaches it by 0.1, else the mention is left alone.
    """
    return _Catalogue(names).best(subject)


class _Catalogue:
    """A form's indicator names, indexed by character so that a mention is compared
    (by LCS) only with names that share enough characters to possibly fit."""

    def __init__(self, names: list[str]):
        self.names = names
        self.repeats = [len(n) - len(set(n)) for n in names]
        self.index: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            for ch in set(name):
                self.index.setdefault(ch, []).append(i)

    def best(self, subject: str) -> int | None:
        distinct = set(subject)
        hits = [0] * len(self.names)
        for ch in distinct:
            for i in self.index.get(ch, ()):
                hits[i] += 1
        size, repeats = len(subject), len(subject) - len(distinct)
        scored: list[tuple[float, int]] = []
        for i, shared in enumerate(hits):
            if not shared:
                continue
            name = self.names[i]
            shorter = size if size < len(name) else len(name)
            # Shared characters bound the LCS from above: most pairs fail this cheap test.
            bound = shared + min(repeats, self.repeats[i])
            if bound < _MIN_NAME or bound < _MIN_COVER * shorter:
                continue
            common = _lcs(subject, name)
            if common >= _MIN_NAME and common >= _MIN_COVER * shorter:
                scored.append((common / shorter + common / 1000, i))  # longer agreement breaks ties
        if not scored:
            return None
        scored.sort(reverse=True)
        if len(scored) > 1 and scored[0][0] - scored[1][0] < 0.1:
            return None  # two names fit about as well: not certain
        return scored[0][1]


def _differs(stated: Value, table: float, approximate: bool) -> bool:
    low = stated.number
    high = stated.number_high if stated.number_high is not None else low
    if low is None:
        return False
    scale = max(abs(table), 1e-12)
    if low - 1e-9 * scale <= table <= high + 1e-9 * scale:
        return False
    if approximate:  # "80余篇", "超3万人次", "840家左右": only a clear difference counts
        return abs(table - low) / scale > 0.2
    return True


def narrative_findings(result) -> Iterable:
    """narrative.mismatch findings for one scored form (see audit.Finding)."""
    from .audit import _finding, _num

    catalogue = _Catalogue([item.indicator.name for item in result.indicators])
    goal = result.form.annual_goal
    seen: set[tuple[int, str]] = set()
    for field, text, side in (("预期目标", goal.planned, "target"), ("实际完成情况", goal.achieved, "actual")):
        for mention in mentions(text):
            index = catalogue.best(mention.subject)
            if index is None or (index, side) in seen:
                continue
            item = result.indicators[index]
            table_value = item.target if side == "target" else item.actual
            if table_value.kind not in (Kind.QUANTITATIVE, Kind.NONE) or item.target.kind != Kind.QUANTITATIVE:
                continue
            table_number = 0.0 if table_value.kind == Kind.NONE else table_value.number
            if table_number is None or not compare(item.target, mention.value).comparable:
                continue
            stated = mention.value
            if stated.unit is None and item.target.unit is not None:
                stated = parse_value(mention.text, role="actual", like=item.target)
            seen.add((index, side))
            if _differs(stated, table_number, mention.approximate):
                cell = item.indicator.target if side == "target" else item.indicator.actual
                column = "年度指标值" if side == "target" else "实际完成值"
                yield _finding(
                    "narrative.mismatch", result,
                    f"{field}写“{mention.subject}{mention.text}”，指标表“{item.indicator.name}”的{column}为 {cell}"
                    f"（{_num(stated.number)} ≠ {_num(table_number)}）。",
                    item=item, field=field, stated=mention.text, table=cell,
                )  # fmt: skip
