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

from selfeval_kit.values.core import _COUNT_UNITS, Kind, Value, parse_value, unit_factor

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
# _TOKEN without backtracking, which is faster and matches the same: all after the first
# digit is optional, so _TOKEN never backtracks but where a part fails on its own (a
# thousands group after a run of 4 digits, a range without its second number), and then
# the shorter tries fail as well (the next character is a digit, or a space).
_NUMBER_POSSESSIVE = r"(?:\d{1,3}+(?:,\d{3})++|\d++)(?:\.\d++)?"
_TOKEN_POSSESSIVE = (
    rf"(?P<lo>{_NUMBER_POSSESSIVE})(?:\s*+[-~至]\s*+(?P<hi>{_NUMBER_POSSESSIVE}))?"
    rf"\s*+(?P<mult>[万亿千])?\s*+(?P<unit>{'|'.join(map(re.escape, _UNITS))})?"
)
# The characters a clause break may start with, but for the comma.
_BREAK_FIRST = "，；;。：:！？!?、（）()“”\"\n以并其包"
# Text within a clause: runs of characters no break starts with, or one that starts none
# here; possessive, so a text is read in linear time.
_TEXT_RUN = rf"(?:[^\d,{re.escape(_BREAK_FIRST)}]++|(?!{_CLAUSE_BREAK.pattern})\D)*+"
# A text in one pass (_scan). Each match is the phrase before a token (from the start of
# its clause or the token before, up to a digit or a break), the token if there is one
# ("ap" holding 余, 多, 左右 or 以上 where one follows it in its clause), then whole
# clauses with their breaks up to a clause with a digit. No break holds a digit, and a
# token starts with one, so this finds the clauses, tokens and subjects of mentions() as
# long as no token holds a character a break may start with (_BREAK_START; a comma in a
# token is a thousands separator, never a break). Of the spaces only a newline breaks a
# clause, and no break starts inside 余, 多, 左右 or 以上.
_SCAN = re.compile(
    rf"(?P<pre>{_TEXT_RUN})"
    rf"(?:(?P<tok>{_TOKEN_POSSESSIVE})(?:(?=(?P<ap>[^\S\n]*(?:余|多|左右|以上))))?)?"
    rf"(?:{_TEXT_RUN}(?:{_CLAUSE_BREAK.pattern}))*+"
)
_BREAK_START = re.compile(f"[{re.escape(_BREAK_FIRST)}]")
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
    for subject, figure, approximate in _scan(text):
        value = _figure(*figure[4])
        yield Mention(subject=subject, value=value, text=value.text, approximate=approximate)


_APPROX_BEFORE = re.compile(r"(?:约|近|超)\s*$")  # as first written; _phrase looks at the last character
_APPROX_BEFORE_WORDS = ("约", "近", "超")  # one character each: see _phrase()

# Caches, keyed by text (bounded: cleared when full). Forms share names, phrasings and figures.
_CACHE_LIMIT = 65536  # entries: about 30 MB of _FIGURES at most, as the old lru cache of _figure
_FIGURES: dict[str, tuple | None | object] = {}  # token as written -> _token_figure(...), or _CROSSES
_SUBJECTS: dict[str, tuple[str, bool] | object] = {}  # text before a token -> _phrase(...)
_UNSEEN = object()
_CROSSES = object()  # in _FIGURES: a token that may run over a clause break
_SHORT = object()  # in _SUBJECTS: a subject too short to name anything


def _scan(text: str) -> list[tuple[str, tuple, bool]]:
    """The mentions of a text as (subject, figure, approximate), figure as _token_figure gives it.

    One pass of _SCAN over the whole text instead of a split and a pass of _TOKEN per
    clause. Where a token might run over a clause break ("5\n至6", "10台（套）"), the two
    could differ, and the text is read clause by clause (_scan_clauses).
    """
    found: list[tuple[str, tuple, bool]] = []
    figures, subjects = _FIGURES, _SUBJECTS
    # findall: no match objects; a group that took no part is "" (and no token is empty).
    for before, token, low, high, mult, unit, after in _SCAN.findall(text):
        if not token:  # a break, or a phrase without a figure
            continue
        figure = figures.get(token, _UNSEEN)
        if figure is _UNSEEN:
            if len(figures) >= _CACHE_LIMIT:
                figures.clear()
            figure = figures[token] = (
                _CROSSES
                if _BREAK_START.search(token)
                else _token_figure((token, low, high or None, mult or None, unit or None))
            )
        if figure is _CROSSES:
            return _scan_clauses(text)
        if figure is None:
            continue
        phrase = subjects.get(before)
        if phrase is None:
            phrase = subjects[before] = _phrase(before)
            if len(subjects) >= _CACHE_LIMIT:
                subjects.clear()
        if phrase is _SHORT:
            continue
        # The same as _APPROX_BEFORE.search(clause[: match.start()]): the subject is not
        # empty, so the clause before the token ends as the phrase does.
        found.append((phrase[0], figure, phrase[1] or after != ""))
    return found


def _phrase(before: str) -> tuple[str, bool] | object:
    """The subject in the text before a token (from its clause's start or the token
    before), and whether that text ends with 约, 近 or 超; _SHORT if the subject is too short."""
    subject = before.strip()
    if subject[-1:] in _LINK_LAST:  # else _LINK, anchored at the end, cannot match
        subject = _LINK.sub("", subject).strip()
    if len(subject) < 2:
        return _SHORT
    return subject, before.rstrip()[-1:] in _APPROX_BEFORE_WORDS


def _scan_clauses(text: str) -> list[tuple[str, tuple, bool]]:
    """_scan, clause by clause: for a text where a token runs over a clause break."""
    found: list[tuple[str, tuple, bool]] = []
    for clause in _CLAUSE_BREAK.split(text):
        start = 0
        for match in _TOKEN.finditer(clause):
            subject = clause[start : match.start()].strip()
            if subject[-1:] in _LINK_LAST:
                subject = _LINK.sub("", subject).strip()
            start = match.end()
            if len(subject) < 2:
                continue
            figure = _token_figure(match.group(0, "lo", "hi", "mult", "unit"))
            if figure is None:
                continue
            approximate = (
                _APPROX_AFTER.match(clause, match.end()) is not None
                or clause[: match.start()].rstrip()[-1:] in _APPROX_BEFORE_WORDS
            )
            found.append((subject, figure, approximate))
    return found


def _token_figure(groups: tuple) -> tuple | None:
    """The figure of a token from its text and groups (token, lo, hi, mult, unit): its
    number times the scale of its multiplier and unit, as a tuple (text, number,
    number_high, unit, groups, scale), or None if the multiplier and unit make no scale."""
    token, low, high, mult, unit = groups
    unit = unit or ""
    if "套" in unit:
        unit = unit.replace("（套）", "套").replace("(套)", "套")
    scale = _unit_scale((mult or "") + unit)
    if scale is None:
        return None
    written = token.strip()
    if "套" in written:
        written = written.replace("（套）", "套").replace("(套)", "套")
    factor = scale.number
    return (
        written,
        _times(low, factor),
        None if high is None else _times(high, factor),
        scale.unit,
        groups,
        scale,
    )


@lru_cache(maxsize=65536)
def _figure(token: str, low: str, high: str | None, mult: str | None, unit: str | None) -> Value | None:
    """The figure of a token (its text and groups) as a Value (see _token_figure).
    Cached: a Value is immutable, and a token's groups decide it."""
    figure = _token_figure((token, low, high, mult, unit))
    if figure is None:
        return None
    written, number, number_high, canonical_unit, _, scale = figure
    return Value(
        text=written,
        kind=scale.kind,
        number=number,
        number_high=number_high,
        unit=canonical_unit,
        dimension=scale.dimension,
        written_unit=scale.written_unit,
    )


def _times(digits: str, factor: float) -> float:
    """digits × factor without binary noise (174 × 0.001 is 0.174, not 0.17400000000000002)."""
    number = float(digits.replace(",", ""))
    if "." not in digits and factor.is_integer():
        return number * factor  # a whole number, which round(…, 9) (slow) would leave as it is
    return round(number * factor, 9)


@lru_cache(maxsize=1024)
def _unit_scale(suffix: str) -> Value | None:
    """parse_value of "1<suffix>": the canonical unit and the factor into it (few distinct suffixes)."""
    value = parse_value(f"1{suffix}", role="actual")
    return value if value.kind == Kind.QUANTITATIVE and value.number else None


def _clear_caches() -> None:
    """Empty the module's caches (for timing a cold start)."""
    _figure.cache_clear()
    _FIGURES.clear()
    _SUBJECTS.clear()
    _FITS.clear()
    _CONVERTIBLE.clear()
    _CONVERTS_ANY.clear()
    _NAME_CHARS.clear()


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
    """A form's indicator names, to find the one that fits a mention's subject."""

    def __init__(self, names: list[str]):
        self.names = names
        self.where = {name: i for i, name in enumerate(names)}  # name -> its index
        # A name that is there twice fits as well as itself: where it fits best, no name is certain.
        self.repeated = {name for name in names if names.count(name) > 1} if len(self.where) < len(names) else ()

    def best(self, subject: str) -> int | None:
        """Index of the name that fits the subject clearly best (see match_indicator), or None."""
        where = self.where
        entry = _FITS.get(subject)
        if entry is None or not where.keys() <= entry[0]:
            entry = _compare_names(subject, where.keys(), entry)
        fits = entry[1]
        # The two best fits; which of two equal fits is first does not matter, as then none is certain.
        top = second = -1.0
        top_name = None
        if len(fits) <= len(where):
            for name, fit in tuple(fits.items()):
                if fit > second and name in where:
                    if fit > top:
                        second, top, top_name = top, fit, name
                    else:
                        second = fit
        else:
            for name in where:
                fit = fits.get(name)
                if fit is not None and fit > second:
                    if fit > top:
                        second, top, top_name = top, fit, name
                    else:
                        second = fit
        if top_name is None or (second >= 0 and top - second < 0.1) or top_name in self.repeated:
            return None  # two names fit about as well: not certain
        return where[top_name]


def _compare_names(subject: str, names, entry):
    """_FITS[subject], with the names (a set-like) compared with the subject."""
    if entry is None:
        if len(_FITS) >= _FITS_LIMIT:
            _FITS.clear()
        entry = _FITS[subject] = (set(), {})
    checked, fits = entry
    _add_fits(subject, names - checked, fits)
    checked.update(names)  # after fits: a name in checked has its fit there
    return entry


# subject -> (names compared with it, {name: fit} for the names that fit it): the fit of a
# subject and a name does not depend on the form, and forms share names and phrasings.
_FITS: dict[str, tuple[set[str], dict[str, float]]] = {}
_FITS_LIMIT = 8192  # subjects (each with the set of names compared with it)
_NAME_CHARS: dict[str, tuple[frozenset[str], int]] = {}  # name -> its characters, repeats


def _add_fits(subject: str, names: Iterable[str], fits: dict[str, float]) -> None:
    """Add to fits the fit (LCS / length of the shorter text, plus a tie-break for longer
    agreement) of each of names that reaches _MIN_COVER and _MIN_NAME."""
    distinct = set(subject)
    size, repeats = len(subject), len(subject) - len(distinct)
    for name in names:
        info = _NAME_CHARS.get(name)
        if info is None:
            if len(_NAME_CHARS) >= _CACHE_LIMIT:
                _NAME_CHARS.clear()
            chars = frozenset(name)
            info = _NAME_CHARS[name] = (chars, len(name) - len(chars))
        chars, name_repeats = info
        shared = len(distinct & chars)
        if not shared:
            continue
        shorter = size if size < len(name) else len(name)
        # Shared characters bound the LCS from above: most pairs fail this cheap test.
        bound = shared + min(repeats, name_repeats)
        if bound < _MIN_NAME or bound < _MIN_COVER * shorter:
            continue
        common = _lcs(subject, name)
        if common >= _MIN_NAME and common >= _MIN_COVER * shorter:
            fits[name] = common / shorter + common / 1000  # longer agreement breaks ties


def _differs(stated: Value, table: float, approximate: bool) -> bool:
    return _differs_numbers(stated.number, stated.number_high, table, approximate)


def _differs_numbers(low: float | None, high: float | None, table: float, approximate: bool) -> bool:
    if high is None:
        high = low
    if low is None:
        return False
    scale = max(abs(table), 1e-12)
    if low - 1e-9 * scale <= table <= high + 1e-9 * scale:
        return False
    if approximate:  # "80余篇", "超3万人次", "840家左右": only a clear difference counts
        return abs(table - low) / scale > 0.2
    return True


_QUANTITATIVE, _NONE = Kind.QUANTITATIVE, Kind.NONE  # (an Enum member costs a lookup each time)
_TABLE_KINDS = (Kind.QUANTITATIVE, Kind.NONE)

# (unit, unit) -> whether unit_factor converts the first into the second.
_CONVERTIBLE: dict[tuple[str | None, str | None], bool] = {}
# (unit, units) -> whether unit_factor converts the unit into any of the units.
_CONVERTS_ANY: dict[tuple[str | None, frozenset[str | None]], bool] = {}


def _converts(unit: str | None, target_unit: str | None) -> bool:
    key = (unit, target_unit)
    known = _CONVERTIBLE.get(key)
    if known is None:
        if len(_CONVERTIBLE) >= _CACHE_LIMIT:
            _CONVERTIBLE.clear()
        known = _CONVERTIBLE[key] = unit_factor(unit, target_unit) is not None
    return known


def _converts_any(unit: str | None, units: frozenset[str | None]) -> bool:
    key = (unit, units)
    known = _CONVERTS_ANY.get(key)
    if known is None:
        if len(_CONVERTS_ANY) >= _CACHE_LIMIT:
            _CONVERTS_ANY.clear()
        known = _CONVERTS_ANY[key] = any(_converts(unit, target_unit) for target_unit in units)
    return known


def narrative_findings(result) -> Iterable:
    """narrative.mismatch findings for one scored form (see audit.Finding).

    A mention is matched only if its unit converts into the target unit of some indicator
    whose figure the text could contradict: any other match would be skipped anyway, so
    the (costlier) name matching runs only for mentions that can lead to a finding.
    """
    goal = result.form.annual_goal
    planned, achieved = goal.planned, goal.achieved
    if not planned and not achieved:
        return
    items = result.indicators
    target_units, actual_units = _checkable(items)
    catalogue: _Catalogue | None = None
    matched: dict[str, int | None] = {}  # subject -> index: 预期目标 and 实际完成情况 name the same things
    for field, text, side, units in (
        ("预期目标", planned, "target", target_units),
        ("实际完成情况", achieved, "actual", actual_units),
    ):
        if not text or not units:
            continue
        on_target = side == "target"
        convertible: dict[str | None, bool] = {}
        seen: set[int] = set()  # indicators already compared on this side
        for subject, figure, approximate in _scan(text):
            unit = figure[3]
            ok = convertible.get(unit)
            if ok is None:
                ok = convertible[unit] = _converts_any(unit, units)
            if not ok:
                continue
            index = matched.get(subject, _UNSEEN)
            if index is _UNSEEN:
                if catalogue is None:
                    catalogue = _Catalogue([item.indicator.name for item in items])
                index = matched[subject] = catalogue.best(subject)
            if index is None or index in seen:
                continue
            item = items[index]
            target = item.target
            table_value = target if on_target else item.actual
            if table_value.kind not in _TABLE_KINDS or target.kind != _QUANTITATIVE:
                continue
            table_number = 0.0 if table_value.kind == _NONE else table_value.number
            # Both sides are quantities: comparable exactly when the units convert (values.compare).
            if table_number is None or not _converts(unit, target.unit):
                continue
            seen.add(index)
            written, low, high = figure[0], figure[1], figure[2]
            if unit is None and target.unit is not None:
                stated = parse_value(written, role="actual", like=target)
                low, high = stated.number, stated.number_high
            if _differs_numbers(low, high, table_number, approximate):
                from selfeval_kit.rules.audit import _finding, _num

                cell = item.indicator.target if on_target else item.indicator.actual
                column = "年度指标值" if on_target else "实际完成值"
                yield _finding(
                    "narrative.mismatch", result,
                    f"{field}写“{subject}{written}”，指标表“{item.indicator.name}”的{column}为 {cell}"
                    f"（{_num(low)} ≠ {_num(table_number)}）。",
                    item=item, field=field, stated=written, table=cell,
                )  # fmt: skip


def _checkable(items) -> tuple[frozenset[str | None], frozenset[str | None]]:
    """Target units of the indicators whose figure a text could contradict: on the side of
    the target (预期目标), and on the side of the actual (实际完成情况)."""
    target_units, actual_units = set(), set()
    for item in items:
        target = item.target
        if target.kind is _QUANTITATIVE:
            if target.number is not None:
                target_units.add(target.unit)
            actual = item.actual
            if actual.kind is _NONE or (actual.kind is _QUANTITATIVE and actual.number is not None):
                actual_units.add(target.unit)
    return frozenset(target_units), frozenset(actual_units)
