"""Reading dates and deadlines (时效指标): "12月底前", "2023.12.28", "第三季度", "年内".

A cell that names a day or a period of the calendar is read as a date, not as a number:

* ``Kind.DEADLINE``: the period is followed by 前/之前/以前/止/为止/截止/内/之内/以内, or
  preceded by 截止/截至/到/至: "12月底前", "2023年12月31日前", "第三季度前", "年内",
  "截至12月31日". ``Value.date`` is the LAST day the deadline allows, and
  ``comparison`` is LE. "X前" is read as "by the end of X", whatever X is: "6月前" is
  by 06-30 and "第三季度前" by 09-30 (the forms write "6月前" and "6月底前" for the
  same thing; reading "6月前" as "by 05-31" would fail actuals the writer meant to pass).
* ``Kind.DATE``: a period without such a word: "11月20日", "2023年11月", "2023.12.28",
  "2023-12-28", "12月底", "上半年", "第三季度", "年底". ``Value.date`` is the last day of
  the period and ``Value.date_from`` its first ("11月" is 11-01..11-30; "12月底",
  "年底" and a single day are one day). As a TARGET a date means "by the end of that
  period" ("12月" = by 12-31; finishing earlier is not a failure), so a DATE target has
  ``comparison`` LE and compares exactly like a deadline; as an actual, no comparison.
* Periods: 上旬 1-10, 中旬 (or 中) 11-20, 下旬 21-end, 初 = 上旬; 底/末/尾 the last day;
  上半年 01-01..06-30, 下半年 07-01..12-31; 第N季度 / N季度 (N = 1-4) the quarter;
  年底/年末 12-31; 年中 06-30; 年内/本年度/当年 the whole year.
* Year. "2023年…" sets the year (``year_known=True``). Without one (also 本年/当年/今年),
  ``date`` carries the placeholder year ``PLACEHOLDER_YEAR`` (4, a leap year, so 2月29日
  exists and 2月底 is 02-29; never show it) and ``year_known=False``. ``compare``
  compares full dates only when both sides know their year, otherwise month and day
  alone (the form's own year is implied), and says so in ``Comparability.reason``.
* ``direction`` is LOWER for both kinds: earlier is better. ``number`` stays None.
* Durations stay quantities: "30个工作日内", "3天内", "6个月内", "1年内".
  Ambiguous and refused (UNREADABLE with a reason): a month or quarter number alone
  with 内/以内/之内 ("6月内": by the end of June, or within 6 months?). A calendar year
  alone ("2023年") stays UNREADABLE, except beside a date target (``like``), with a
  completion verb ("2023年完成") or with 内 ("2023年内"). "2023.12" is a number except
  beside a date target; "2023-12" and "2023/12" are months. A bare month or quarter
  beside a duration target (">=6个月" / "5月") is read as the duration it was before.
* Relative years ("次年3月", "明年") are not read: they need the form's year.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from typing import Literal, NamedTuple

from selfeval_kit.values.quantities import cn_to_decimal
from selfeval_kit.values.types import DATE_KINDS, PLACEHOLDER_YEAR, Comparison, Kind, Value, unreadable

__all__ = ["read_date"]

# Read in this order from the ends of a cell: [prefix] core [deadline word] [verb].
_DATE_PREFIX_RE = re.compile(r"截止到|截止至|截至到|截至|截止|到|至|于|在")
_DEADLINE_PREFIXES = frozenset({"截止到", "截止至", "截至到", "截至", "截止", "到", "至"})
_DATE_VERB_RE = re.compile(r"(?:已经|已|全部|均)?(?:完成|完工|竣工|建成|办结|结束|到位|交付|验收|上线)$")
_DEADLINE_WORD_RE = re.compile(r"(?:之前|以前|前|为止|止|截止|之内|以内|内)$")
_WITHIN_WORDS = frozenset({"内", "之内", "以内"})
_CN_YEAR_DIGITS = "〇零一二三四五六七八九"
_CN_MD = "一二三四五六七八九十"  # months and days: 十二月, 三十一日
_DATE_YEAR_RE = re.compile(rf"(?:(?P<year>[0-9]{{4}}|[{_CN_YEAR_DIGITS}]{{4}})年|(?P<this>本|当|今)年)度?")
_DATE_MONTH_RE = re.compile(
    rf"(?P<month>[0-9]{{1,2}}|[{_CN_MD}]{{1,3}})月份?"
    rf"(?:(?P<day>[0-9]{{1,2}}|[{_CN_MD}]{{1,4}})[日号]?|(?P<part>底|末|尾|初|上旬|中旬|下旬|中))?"
)
_DATE_HALF_RE = re.compile(r"(?:(?P<half>上|下)半年度?|(?P<nth>第)?(?P<quarter>[1-4一二三四])季度)(?P<end>底|末)?")
_DATE_YEAR_PART_RE = re.compile(r"(?P<nian>年度?)?(?P<part>底|末|尾|中)")
_DATE_NUMERIC_RE = re.compile(r"(?P<year>[0-9]{4})(?P<sep>[-/.])(?P<month>[0-9]{1,2})(?:(?P=sep)(?P<day>[0-9]{1,2}))?")
# Whatever read_date returns but None needs one of these in the cell: 年, 月, 季(度), or a
# year (1900-2100) with a separator and a month, as in "2023-12", "2023/12", "2023.12".
_DATE_HINT_RE = re.compile(r"[年月季]|(?:19[0-9]{2}|20[0-9]{2}|2100)[-/.][0-9]")
_QUARTERS = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}

# (year or None, (month, day) first, (month, day) last) of a period
_DaySpan = tuple[int | None, tuple[int, int], tuple[int, int]]


class _Clues(NamedTuple):
    """What surrounds the period named in a cell, and the row's target."""

    text: str  # the cell as written
    word: str | None  # the deadline word ending the cell: 前, 之前, 内 ...
    verb: bool  # a completion verb ends the cell: 完成, 建成 ...
    deadline: bool  # a deadline word or prefix was written
    like: Value | None  # the row's target

    @property
    def within(self) -> bool:
        """The deadline word is 内/之内/以内."""
        return self.word in _WITHIN_WORDS

    @property
    def beside_date(self) -> bool:
        """The row's target is a date or deadline."""
        return self.like is not None and self.like.kind in DATE_KINDS

    @property
    def beside_duration(self) -> bool:
        """The row's target is a duration ("<=6个月", "3天内"): then a bare "5月" is one too."""
        like = self.like
        return like is not None and like.kind is Kind.QUANTITATIVE and like.dimension == "days"


def _small_int(raw: str) -> int | None:
    """A month, day or year written in Arabic digits or Chinese numerals (十二, 三十一, 二〇二三)."""
    if raw.isascii():
        return int(raw)
    n = cn_to_decimal(raw)
    if n is None or n != n.to_integral_value() or not 0 <= n <= 9999:
        return None
    return int(n)


def _last_day(year: int | None, month: int) -> int:
    return calendar.monthrange(year if year is not None else PLACEHOLDER_YEAR, month)[1]


def read_date(text: str, s: str, role: Literal["target", "actual"], like: Value | None) -> Value | None:
    """Read a date or a deadline ("12月底前", "2023.12.28", "第三季度").

    Parameters
    ----------
    text : str
        The cell as written.
    s : str
        The cell normalised.
    role : {"target", "actual"}
        A date target means "by the end of it" (comparison LE).
    like : Value or None
        The row's target: beside a date target "2023年" and "2023.12" are dates; beside a
        duration target a bare "5月" is 5 months.

    Returns
    -------
    Value or None
        A DEADLINE or DATE value, an UNREADABLE one saying why (an ambiguous or
        impossible date), or None when ``s`` is not a date, so that the other readers
        try ("30个工作日内" stays a duration).
    """
    if not _DATE_HINT_RE.search(s):
        return None  # most cells: no need to try every pattern
    core = s
    m = _DATE_PREFIX_RE.match(core)
    prefix = m.group(0) if m else None
    if m:
        core = core[m.end() :]
    m = _DATE_VERB_RE.search(core)
    verb = m is not None
    if m:
        core = core[: m.start()]
    m = _DEADLINE_WORD_RE.search(core)
    if m is not None and m.start() == 0:
        m = None  # a deadline word needs something before it
    word = m.group(0) if m else None
    if m:
        core = core[: m.start()]
    if not core:
        return None
    deadline = word is not None or prefix in _DEADLINE_PREFIXES

    span = _read_date_core(core, _Clues(text, word, verb, deadline, like))
    if span is None or isinstance(span, Value):
        return span
    year, (m1, d1), (m2, d2) = span
    y = year if year is not None else PLACEHOLDER_YEAR
    try:
        first, last = _dt.date(y, m1, d1), _dt.date(y, m2, d2)
    except ValueError:  # pragma: no cover - days are checked before
        return unreadable(text, "no such date")
    return Value(
        text=text,
        kind=Kind.DEADLINE if deadline else Kind.DATE,
        comparison=Comparison.LE if deadline or role == "target" else None,
        dimension="date",
        reason=None if year is not None else "year not written: compared by month and day",
        date=last,
        date_from=None if deadline else first,
        year_known=year is not None,
    )


def _read_date_core(core: str, clues: _Clues) -> _DaySpan | Value | None:
    """The span of the period `core` names, once the prefix, verb and deadline word are off."""
    m = _DATE_NUMERIC_RE.fullmatch(core)
    if m is not None:
        # "2023.12" is also a decimal number: a month only beside a date target
        if m.group("sep") == "." and m.group("day") is None and not clues.beside_date:
            return None
        year, month = int(m.group("year")), int(m.group("month"))
        if not (1 <= month <= 12 and 1900 <= year <= 2100):
            return None
        return _month_span(clues.text, year, month, m.group("day"), None)

    m = _DATE_YEAR_RE.match(core)
    if m is None:
        return _period_span(core, None, False, clues)
    rest = core[m.end() :]
    if m.group("year") is None:  # 本年/当年/今年: the form's year, not written
        return _period_span(rest, None, True, clues)
    written_year = _small_int(m.group("year"))
    if written_year is not None and 1900 <= written_year <= 2100:
        return _period_span(rest, written_year, True, clues)
    # "1000年", "5000年内" are durations; "1000年12月" is a date with a year we refuse
    if not rest:
        return None
    probe = _period_span(rest, PLACEHOLDER_YEAR, True, clues)
    return None if probe is None else unreadable(clues.text, f"year out of range: {m.group('year')}")


def _period_span(core: str, year: int | None, has_year: bool, clues: _Clues) -> _DaySpan | Value | None:
    """The span of `core` once a year ("2023年", "本年度") is read off: `has_year` says one was written."""
    if not core:  # a year alone: "2023年", "本年度", "当年"
        return _year_span(year, clues)
    if not has_year and core in ("年", "年度"):
        return (None, (1, 1), (12, 31)) if clues.within else None

    m = _DATE_MONTH_RE.fullmatch(core)
    if m is not None:
        return _month_match_span(m, core, year, has_year, clues)
    m = _DATE_HALF_RE.fullmatch(core)
    if m is not None:
        return _half_or_quarter_span(m, core, year, has_year, clues)
    m = _DATE_YEAR_PART_RE.fullmatch(core)
    if m is not None and (has_year or m.group("nian")):
        point = (6, 30) if m.group("part") == "中" else (12, 31)
        return (year, point, point)
    return None


def _year_span(year: int | None, clues: _Clues) -> _DaySpan | None:
    """A year alone: "2023年" (with 内, a verb, or beside a date target), "本年度", "当年"."""
    if year is None:  # 本年/当年/今年
        return None if clues.word is not None and not clues.within else (None, (1, 1), (12, 31))
    if clues.within or clues.verb or clues.beside_date or (clues.deadline and clues.word is None):
        return (year, (1, 1), (12, 31))
    return None  # "2023年" (a calendar year, see quantities._looks_like_year), "2023年前" (ambiguous)


def _month_match_span(
    m: re.Match, core: str, year: int | None, has_year: bool, clues: _Clues
) -> _DaySpan | Value | None:
    """The span of a month, maybe with a day or a part of it ("11月20日", "12月底", "6月")."""
    month = _small_int(m.group("month"))
    bare = m.group("day") is None and m.group("part") is None
    if month is None or not 1 <= month <= 12:
        if bare and not has_year:
            return None  # "13月": a duration, as before
        return unreadable(clues.text, f"no such month: {m.group('month')}月")
    if bare and not has_year:
        if clues.within:
            return unreadable(
                clues.text,
                f"ambiguous: {core}{clues.word} may mean by the end of {month}月 "
                f"or within {month} months; write {month}月底前 or {month}个月内",
            )
        if not clues.deadline and clues.beside_duration:
            return None  # "5月" beside ">=6个月" is 5 months
    return _month_span(clues.text, year, month, m.group("day"), m.group("part"))


def _half_or_quarter_span(
    m: re.Match, core: str, year: int | None, has_year: bool, clues: _Clues
) -> _DaySpan | Value | None:
    """The span of a half year or a quarter ("上半年", "第三季度", "3季度末")."""
    if m.group("half") is not None:
        first, last = ((1, 1), (6, 30)) if m.group("half") == "上" else ((7, 1), (12, 31))
    else:
        q = _QUARTERS[m.group("quarter")]
        if not has_year and m.group("nth") is None and m.group("end") is None:
            if clues.within:
                return unreadable(
                    clues.text,
                    f"ambiguous: {core}{clues.word} may mean by the end of quarter {q} "
                    f"or within {q} quarters; write 第{q}季度末前 or {q}个季度内",
                )
            if not clues.deadline and clues.beside_duration:
                return None
        first, last = (3 * q - 2, 1), (3 * q, _last_day(year, 3 * q))
    return (year, last, last) if m.group("end") else (year, first, last)


def _month_span(text: str, year: int | None, month: int, day_raw: str | None, part: str | None) -> _DaySpan | Value:
    """The span of a month, of one of its days, or of a part of it (底, 上旬 ...)."""
    last = _last_day(year, month)
    if day_raw is not None:
        day = _small_int(day_raw)
        if day is None or not 1 <= day <= last:
            return unreadable(text, f"no such day: {month}月{day_raw}日")
        return (year, (month, day), (month, day))
    match part:
        case "底" | "末" | "尾":
            return (year, (month, last), (month, last))
        case "初" | "上旬":
            return (year, (month, 1), (month, 10))
        case "中" | "中旬":
            return (year, (month, 11), (month, 20))
        case "下旬":
            return (year, (month, 21), (month, last))
    return (year, (month, 1), (month, last))
