"""Read the target (年度指标值) and actual (实际完成值) cells of an indicator row.

Both cells are free text written by people: ``"=200人"``, ``">=4万个"``, ``"<2S"``,
``"不低于90%"``, ``"2秒以内"``, ``"全国前3"``, ``"无"``, ``"完善"`` ... This module turns
one cell into a typed :class:`Value` (:func:`parse_value`) and decides whether an
actual meets a target (:func:`compare`).

Design choices, and why:

* Nothing here guesses silently. A cell whose number we cannot read is
  ``Kind.UNREADABLE`` with a ``reason``; a pair whose units cannot be converted is
  ``comparable=False`` with a ``reason``. Those are findings for a person.
* Numbers are computed with :class:`decimal.Decimal` and only turned into ``float``
  at the end, so ``"1114.3566万次"`` is exactly ``11143566.0`` and ``"21ms"`` is
  exactly ``0.021``.
* A cell is read as a whole (``fullmatch``); a number inside a sentence is not
  picked out, because the sentence may say anything about it.
* Chinese numerals (``"一次"``, ``"十二期"``, ``"第一"``) are read with the ``cn2an``
  library (a runtime dependency), imported lazily because its import costs
  about 0.3 s and most cells use Arabic digits.

Units. ``Value.unit`` is canonical: 秒/S/s → ``"s"`` and 毫秒/ms → ``"s"`` (number
converted); 元/千元/万元/亿元 → ``"元"`` (number converted); 天/日 → ``"d"``;
小时/h → ``"h"``; 分钟/min → ``"min"``; other counting units stay as written
(``"个"``, ``"台套"`` ...). :func:`compare` converts between units only where the
factor is exact (``_CONVERSIONS``) and treats different counting units as the
same only for the short, explicit alias list ``UNIT_ALIASES``. Seconds, minutes,
hours, days and weeks convert into each other (so ``"<=2天"`` vs ``"36小时"`` works,
although ``dimension`` says "time" for s/min/h and "days" for d/周/月/年); months,
quarters and years convert among themselves but not into days; 工作日 converts
into nothing; % and ‰ convert; data sizes (GB/TB/M/兆) do not (1000 or 1024 would
be a guess).

Zero. A bare zero ("0", "0个", "零次") means "none", like "无": ``Kind.NONE`` with
``number == 0.0``. With a sign ("<=0次") it is a quantity.

Dates and deadlines (时效指标). A cell that names a day or a period of the calendar is
read as a date, not as a number:

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
  exists and 2月底 is 02-29; never show it) and ``year_known=False``. :func:`compare`
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
import math
import re
import unicodedata
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache
from typing import Literal, NamedTuple

__all__ = [
    "Comparability",
    "Comparison",
    "Direction",
    "Kind",
    "PLACEHOLDER_YEAR",
    "UNIT_ALIASES",
    "Value",
    "compare",
    "is_quantitative",
    "parse_value",
    "unit_factor",
]


# --------------------------------------------------------------------------- types


class Kind(str, Enum):
    """What a cell holds."""

    QUANTITATIVE = "quantitative"  # a number, maybe with a sign, a unit, a range
    QUALITATIVE = "qualitative"  # words: "完善", "及时", "不断扩大", a description
    RANKING = "ranking"  # "全国前3", "全国第1", "前10名", "第一名"
    NONE = "none"  # "无", "零", "0", "0个": nothing happened / none allowed
    UNREADABLE = "unreadable"  # empty, junk, or a number we cannot interpret
    DEADLINE = "deadline"  # a date or period with 前/之前/内/止/截止...: "12月底前", "年内"
    DATE = "date"  # a date or period without such a word: "11月20日", "2023年11月", "12月底"


class Comparison(str, Enum):
    """The comparison a target asks for (or an actual states as a bound)."""

    GE = ">="
    GT = ">"
    EQ = "="
    LE = "<="
    LT = "<"


class Direction(str, Enum):
    """Which way is better: more (GE, GT, EQ), less (LE, LT, rankings), or neither."""

    HIGHER = "higher"
    LOWER = "lower"
    NEUTRAL = "neutral"


_DIRECTION_OF = {
    Comparison.GE: Direction.HIGHER,
    Comparison.GT: Direction.HIGHER,
    Comparison.EQ: Direction.HIGHER,
    Comparison.LE: Direction.LOWER,
    Comparison.LT: Direction.LOWER,
}


@dataclass(frozen=True, slots=True)
class Value:
    """One target or actual cell, read.

    ``number`` has multipliers and unit scales applied (``"3万人次"`` → 30000.0,
    ``"21ms"`` → 0.021 with unit ``"s"``). For a range (``"1-2篇"``) ``number`` is the
    low end and ``number_high`` the high end. ``written_unit`` is the suffix as
    written (``"万人次"``, ``"ms"``, ``"万"``), which an actual without a unit may
    inherit (see ``like`` in :func:`parse_value`). ``approximate`` marks 约/左右.

    Dates (``Kind.DEADLINE``/``Kind.DATE``, see the module docstring): ``date`` is the
    last day allowed (a deadline) or the last day of the period named (a date);
    ``date_from`` is the first day of a date's period (None for a deadline, whose
    period is open before). ``year_known`` is False when no year was written; then
    both dates carry ``PLACEHOLDER_YEAR`` and only ``month_day`` means anything, and
    ``reason`` says so. ``dimension`` is "date".
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
        """Rankings, deadlines and dates are better when lower (earlier); otherwise the comparison decides."""
        if self.kind in (Kind.RANKING, Kind.DEADLINE, Kind.DATE):
            return Direction.LOWER
        if self.kind is not Kind.QUANTITATIVE or self.comparison is None:
            return Direction.NEUTRAL
        return _DIRECTION_OF[self.comparison]

    @property
    def month_day(self) -> tuple[int, int] | None:
        """(month, day) of ``date``: what a date without a year is compared by."""
        return None if self.date is None else (self.date.month, self.date.day)


@dataclass(frozen=True, slots=True)
class Comparability:
    """The outcome of comparing an actual with its target.

    ``met`` is None when it cannot be decided (not comparable, or the actual is
    only a bound such as ``">99%"`` that straddles the target). ``ratio`` is
    actual/target for quantities in either direction (so for lower-is-better
    targets a ratio below 1 is good), and target_rank/actual_rank for rankings
    (above 1 is good). ``reason`` explains a non-comparable pair or an undecided one,
    and for dates also says when they were compared by month and day only.
    """

    comparable: bool
    met: bool | None = None
    ratio: float | None = None
    reason: str | None = None


_QUANTITY_KINDS = (Kind.QUANTITATIVE, Kind.NONE)


def is_quantitative(value: Value) -> bool:
    """True for a cell that carries a comparable number (a quantity or a "none")."""
    return value.kind in _QUANTITY_KINDS


# --------------------------------------------------------------------------- units

# raw unit as written -> (canonical unit, dimension, scale into the canonical unit)
_U = tuple[str, str, Decimal]
_COUNT_UNITS = (
    "个 次 人 人次 家 台 台套 套 篇 份 条 场 场次 项 件 期 根 户 所 名 本 部 册 处 座 辆 批 张 门 类 "
    "种 节 课时 学时 个次 户次 架次 车次 班次 台次 篇次 项次 件次 艘 栋 幢 间 床 支 只 头 株 棵 块 "
    "盏 组 队 村 校 站 轮 届 集 页 字 单 笔 例 起 宗"
).split()

_UNITS: dict[str, _U] = {u: (u, "count", Decimal(1)) for u in _COUNT_UNITS}
_UNITS.update(
    {
        "级": ("级", "level", Decimal(1)),
        "分": ("分", "score", Decimal(1)),
        "倍": ("倍", "ratio", Decimal(1)),
        # time: milliseconds become seconds, as the spec asks; min and h stay.
        "毫秒": ("s", "time", Decimal("0.001")),
        "秒": ("s", "time", Decimal(1)),
        "秒钟": ("s", "time", Decimal(1)),
        "s": ("s", "time", Decimal(1)),
        "S": ("s", "time", Decimal(1)),
        "分钟": ("min", "time", Decimal(1)),
        "小时": ("h", "time", Decimal(1)),
        "个小时": ("h", "time", Decimal(1)),
        "h": ("h", "time", Decimal(1)),
        "H": ("h", "time", Decimal(1)),
        # durations in days and longer
        "天": ("d", "days", Decimal(1)),
        "日": ("d", "days", Decimal(1)),
        "d": ("d", "days", Decimal(1)),
        "工作日": ("工作日", "days", Decimal(1)),
        "个工作日": ("工作日", "days", Decimal(1)),
        "周": ("周", "days", Decimal(1)),
        "星期": ("周", "days", Decimal(1)),
        "个星期": ("周", "days", Decimal(1)),
        "月": ("月", "days", Decimal(1)),
        "个月": ("月", "days", Decimal(1)),
        "季度": ("季度", "days", Decimal(1)),
        "个季度": ("季度", "days", Decimal(1)),
        "年": ("年", "days", Decimal(1)),
        # money: 千元/万元/亿元 reach here as multiplier + 元
        "元": ("元", "money", Decimal(1)),
        # percent
        "%": ("%", "percent", Decimal(1)),
        "百分比": ("%", "percent", Decimal(1)),  # "≥100百分比", as some 2022 forms write it
        "‰": ("‰", "percent", Decimal(1)),
        "百分点": ("百分点", "percent_point", Decimal(1)),
        "个百分点": ("百分点", "percent_point", Decimal(1)),
        # data sizes and bandwidth: each its own unit (1000 vs 1024 is a guess we refuse)
        "G": ("G", "data", Decimal(1)),
        "T": ("T", "data", Decimal(1)),
        "M": ("M", "data", Decimal(1)),
        "兆": ("兆", "data", Decimal(1)),
        # physical quantities
        "米": ("m", "length", Decimal(1)),
        "公里": ("km", "length", Decimal(1)),
        "厘米": ("cm", "length", Decimal(1)),
        "毫米": ("mm", "length", Decimal(1)),
        "平方米": ("m2", "area", Decimal(1)),
        "平米": ("m2", "area", Decimal(1)),
        "亩": ("亩", "area", Decimal(1)),
        "公顷": ("ha", "area", Decimal(1)),
        "平方公里": ("km2", "area", Decimal(1)),
        "吨": ("t", "mass", Decimal(1)),
        "公斤": ("kg", "mass", Decimal(1)),
        "克": ("g", "mass", Decimal(1)),
        "g": ("g", "mass", Decimal(1)),
        "斤": ("斤", "mass", Decimal(1)),
        "立方米": ("m3", "volume", Decimal(1)),
        "升": ("L", "volume", Decimal(1)),
        "L": ("L", "volume", Decimal(1)),
    }
)
# Latin units of two letters or more, matched case-insensitively ("MS", "Gb", "KM").
_UNITS_CI: dict[str, _U] = {
    "ms": ("s", "time", Decimal("0.001")),
    "sec": ("s", "time", Decimal(1)),
    "secs": ("s", "time", Decimal(1)),
    "min": ("min", "time", Decimal(1)),
    "mins": ("min", "time", Decimal(1)),
    "hr": ("h", "time", Decimal(1)),
    "hrs": ("h", "time", Decimal(1)),
    "kb": ("KB", "data", Decimal(1)),
    "mb": ("MB", "data", Decimal(1)),
    "gb": ("GB", "data", Decimal(1)),
    "tb": ("TB", "data", Decimal(1)),
    "pb": ("PB", "data", Decimal(1)),
    "kbps": ("Kbps", "data", Decimal(1)),
    "mbps": ("Mbps", "data", Decimal(1)),
    "gbps": ("Gbps", "data", Decimal(1)),
    "km": ("km", "length", Decimal(1)),
    "cm": ("cm", "length", Decimal(1)),
    "mm": ("mm", "length", Decimal(1)),
    "m2": ("m2", "area", Decimal(1)),  # NFKC turns ㎡ and m² into m2
    "km2": ("km2", "area", Decimal(1)),
    "m3": ("m3", "volume", Decimal(1)),
    "kg": ("kg", "mass", Decimal(1)),
}

# compare(): exact conversions. canonical unit -> (group, factor into the group's base).
# 月/年 do not convert to days (a month has no fixed length); 工作日 converts to nothing.
_CONVERSIONS: dict[str, tuple[str, float]] = {
    "s": ("seconds", 1.0),
    "min": ("seconds", 60.0),
    "h": ("seconds", 3600.0),
    "d": ("seconds", 86400.0),
    "周": ("seconds", 604800.0),
    "月": ("months", 1.0),
    "季度": ("months", 3.0),
    "年": ("months", 12.0),
    "%": ("percent", 1.0),
    "‰": ("percent", 0.1),
    "m": ("length", 1.0),
    "km": ("length", 1000.0),
    "cm": ("length", 0.01),
    "mm": ("length", 0.001),
    "m2": ("area", 1.0),
    "亩": ("area", 2000.0 / 3.0),
    "ha": ("area", 10000.0),
    "km2": ("area", 1e6),
    "kg": ("mass", 1.0),
    "g": ("mass", 0.001),
    "t": ("mass", 1000.0),
    "斤": ("mass", 0.5),
    "m3": ("volume", 1.0),
    "L": ("volume", 0.001),
}

#: Different counting units that count the same things. Conservative on purpose:
#: 场次 counts 场 (sessions); 名 is the measure word for 人 (persons); 台套 is the
#: combined count of machines (台) and sets (套), so each of those counts toward it,
#: but 台 and 套 are not each other. Not aliases: 人/人次 (person vs person-time),
#: 个/项, 次/期, 家/户.
UNIT_ALIASES: frozenset[frozenset[str]] = frozenset(
    frozenset(pair) for pair in (("场", "场次"), ("人", "名"), ("台", "台套"), ("套", "台套"))
)

_MULTIPLIERS: dict[str, Decimal] = {
    "百": Decimal(100),
    "千": Decimal(1000),
    "万": Decimal(10_000),
    "百万": Decimal(1_000_000),
    "千万": Decimal(10_000_000),
    "亿": Decimal(100_000_000),
    "万亿": Decimal(1_000_000_000_000),
}

# --------------------------------------------------------------------------- signs

# Prefix words and symbols. None = a verb that states the value without bounding it
# ("达到95%"): for a target that is "at least" (like a bare number), for an actual no sign.
_PREFIX_SIGNS: dict[str, Comparison | None] = {
    ">=": Comparison.GE, "=>": Comparison.GE, "≥": Comparison.GE, "≧": Comparison.GE,
    "⩾": Comparison.GE, "≮": Comparison.GE,
    "<=": Comparison.LE, "=<": Comparison.LE, "≤": Comparison.LE, "≦": Comparison.LE,
    "⩽": Comparison.LE, "≯": Comparison.LE,
    "==": Comparison.EQ, "=": Comparison.EQ, ">": Comparison.GT, "<": Comparison.LT,
    "大于等于": Comparison.GE, "大于或等于": Comparison.GE, "高于或等于": Comparison.GE,
    "不低于": Comparison.GE, "不少于": Comparison.GE, "不小于": Comparison.GE,
    "不得低于": Comparison.GE, "不得少于": Comparison.GE, "不应低于": Comparison.GE,
    "至少": Comparison.GE, "最少": Comparison.GE, "最低": Comparison.GE,
    "大于": Comparison.GT, "高于": Comparison.GT, "超过": Comparison.GT, "多于": Comparison.GT,
    "超": Comparison.GT,
    "小于等于": Comparison.LE, "小于或等于": Comparison.LE, "低于或等于": Comparison.LE,
    "不超过": Comparison.LE, "不高于": Comparison.LE, "不大于": Comparison.LE,
    "不多于": Comparison.LE, "不得超过": Comparison.LE, "不得高于": Comparison.LE,
    "不应超过": Comparison.LE, "最多": Comparison.LE, "至多": Comparison.LE,
    "最高": Comparison.LE, "控制在": Comparison.LE,
    "小于": Comparison.LT, "低于": Comparison.LT, "少于": Comparison.LT,
    "不足": Comparison.LT, "不到": Comparison.LT,
    "等于": Comparison.EQ,
    "达到": None, "达": None, "实现": None, "完成": None, "为": None, "是": None,
}
_APPROX_PREFIXES = ("大约", "约为", "约")  # not 近: "近3年" means "the last 3 years"
# Suffix words: "90%以上" (at least), "2秒以内" (at most), "100人左右" (about).
_SUFFIX_SIGNS: dict[str, Comparison | None] = {
    "及以上": Comparison.GE, "以上": Comparison.GE,
    "及以下": Comparison.LE, "以下": Comparison.LE,
    "以内": Comparison.LE, "之内": Comparison.LE, "内": Comparison.LE,
    "左右": None, "上下": None,
}


def _alternation(words) -> str:
    """A regex alternation that tries longer words first (so "不低于" beats "低于")."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_SIGN_ALT = _alternation(_PREFIX_SIGNS)
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟廿"
# What may follow a sign: a digit, a Chinese numeral, 约/大约, 百分之/千分之, a minus.
# A sign counts only when a number follows it: "为" in "为民服务" is not a sign.
_NUMBER_AHEAD = rf"(?=[0-9.{_CN_DIGITS}约大+\-−])"
# A sign at the start, or after a short label ("满意度≥90%", "成本不超过5万元").
_PREFIX_RE = re.compile(
    rf"(?P<sign>{_SIGN_ALT}){_NUMBER_AHEAD}"
    rf"|(?P<label>[\u4e00-\u9fff]{{1,12}}?):?(?P<lsign>{_SIGN_ALT}){_NUMBER_AHEAD}"
)
_APPROX_RE = re.compile(_alternation(_APPROX_PREFIXES))
_SUFFIX_RE = re.compile(rf"(?:{_alternation(_SUFFIX_SIGNS)})$")
_INCLUSIVE_RE = re.compile(r"\((?:含|包含|含本数)\)")  # "90%以上(含)"

# --------------------------------------------------------------------------- numbers

_ARABIC = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+"
_CN_NUM = rf"[{_CN_DIGITS}][{_CN_DIGITS}点]{{0,19}}"
_MULT_ALT = _alternation(_MULTIPLIERS)
_UNIT_ALT = rf"(?i:{_alternation(_UNITS_CI)})|{_alternation(_UNITS)}"
_RANGE_SEP = r"-|~|〜|—|–|至|到"


def _quantity(p: str, signed: bool) -> str:
    """Regex for one quantity: number, 余/多, multiplier, unit (or rate unit "次/年")."""
    sign = r"[-+−]?" if signed else ""
    return (
        rf"(?:(?P<{p}num>{sign}(?:{_ARABIC}))|(?P<{p}cn>{_CN_NUM}))"
        rf"(?P<{p}more>余|多)?(?P<{p}mult>{_MULT_ALT})?(?P<{p}more2>余|多)?"
        rf"(?P<{p}unit>(?:{_UNIT_ALT})(?:/(?:{_UNIT_ALT}|[\u4e00-\u9fff·]{{1,6}}))?)?"
    )


_CORE_RE = re.compile(rf"{_quantity('lo', True)}(?:(?:{_RANGE_SEP}){_quantity('hi', False)})?")
# "百分之九十" -> "九十%", "千分之五" -> "五‰"
_PER_RE = re.compile(rf"(百分之|千分之)((?:{_ARABIC})|{_CN_NUM})")

_RANK_RE = re.compile(
    rf"(?:位居|位列|名列|进入|保持|达到|处于)?"
    rf"(?P<scope>[\u4e00-\u9fff]{{0,10}}?)(?:排名|排行|名次|排位)?"
    rf"(?:位居|位列|名列|进入|保持|达到|处于|居)?(?:排名|排行)?"
    rf"(?P<which>前|第|(?i:top))(?P<n>[0-9]+|{_CN_NUM})(?:名|位)?(?:以内|之内)?"
)

_DIGIT_RE = re.compile(r"[0-9]")
# a number followed by something that is not a unit we know: "5坨", "3项制度"
_ODD_SUFFIX_RE = re.compile(rf"[-+−]?(?:{_ARABIC})(?:{_MULT_ALT})?(?P<odd>[^0-9]{{1,6}})")
_SIGNS_ONLY_RE = re.compile(r"[<>=≥≤≧≦⩾⩽≮≯]+")
_WORDY_RE = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_TRAILING_PUNCT = "。.,;:!?、"
_QUOTES = "\"'“”‘’"
_NONE_WORDS = frozenset({"无", "零", "〇", "没有", "未发生", "无发生", "零发生"})
_PLACEHOLDERS = frozenset({"-", "--", "/", "\\", "—", "——", "–", "n/a", "na", "null", "none", "空"})


# --------------------------------------------------------------------------- parsing


def _normalise(text: str) -> str:
    """NFKC (full-width signs, digits, ％, ，, ㎡ become ASCII-ish), no spaces, no end punctuation.

    Spaces go because "> =" means ">=" and "2 秒" means "2秒". str.split() finds the same
    whitespace as the regex \\s, in a fraction of the time.
    """
    s = "".join(unicodedata.normalize("NFKC", text).split())
    return s.strip(_QUOTES).rstrip(_TRAILING_PUNCT).strip(_QUOTES)


def _words_key(text: str) -> str:
    """How qualitative words are compared: normalised, so "完善。" equals "完善"."""
    return _normalise(text)


def _cn_to_decimal(cn: str) -> Decimal | None:
    """Read a Chinese numeral with cn2an; None if cn2an refuses it or is missing."""
    try:
        import cn2an  # lazy: ~0.3 s import, only needed for Chinese numerals
    except ImportError:  # pragma: no cover - cn2an is a declared runtime dependency
        return None
    try:
        result = cn2an.cn2an(cn, "smart")
    except Exception:  # cn2an signals bad input with ValueError, but be safe
        return None
    try:
        return Decimal(str(result))
    except (InvalidOperation, ValueError):
        return None


class _Qty(NamedTuple):  # a tuple: built once per cell, and cheaper to build than a dataclass
    """One quantity read from the core of a cell, before a Value is assembled."""

    number: Decimal
    unit: str | None
    dimension: str | None
    written_unit: str | None  # multiplier and unit as written, e.g. "万人次"
    more: bool  # 余/多: "100余人" means more than 100


def _lookup_unit(raw: str) -> _U | None:
    return _UNITS.get(raw) or _UNITS_CI.get(raw.lower())


def _resolve_unit(raw: str) -> _U | None:
    """Canonical unit of a written unit, including a rate like "次/年"."""
    if "/" in raw:
        top, _, bottom = raw.partition("/")
        a, b = _lookup_unit(top), _lookup_unit(bottom)
        if a is None:
            return None
        if b is None:
            # "元/餐", "元/平方米·月": the denominator names what is counted; it only has
            # to match the other side's, so any short word will do
            if not _PER_WORD_RE.fullmatch(bottom):
                return None
            b = (bottom, "count", Decimal(1))
        return (f"{a[0]}/{b[0]}", "rate", a[2] / b[2])
    return _lookup_unit(raw)


_PER_WORD_RE = re.compile(r"[\u4e00-\u9fff·]{1,6}")


def _arabic(raw: str) -> Decimal:
    """"1,162" -> 1162, "−5" -> -5; raises InvalidOperation if `raw` is not a number."""
    return Decimal(raw.replace(",", "").replace("−", "-"))


def _read_qty(m: re.Match, p: str) -> _Qty | None:
    """Turn the groups of one `_quantity` match into a `_Qty` (None if unreadable)."""
    if m.group(f"{p}num") is not None:
        try:
            number = _arabic(m.group(f"{p}num"))
        except InvalidOperation:
            return None
    else:
        number = _cn_to_decimal(m.group(f"{p}cn"))
        if number is None:
            return None
    more = bool(m.group(f"{p}more") or m.group(f"{p}more2"))
    return _scaled_qty(number, m.group(f"{p}mult"), m.group(f"{p}unit"), more)


def _scaled_qty(number: Decimal, mult: str | None, unit_raw: str | None, more: bool) -> _Qty | None:
    """Apply a written multiplier and unit ("万", "ms") to a number; None for a unit we do not know."""
    unit = dimension = None
    if mult:
        number *= _MULTIPLIERS[mult]
    if unit_raw:
        resolved = _resolve_unit(unit_raw)
        if resolved is None:
            return None
        unit, dimension, scale = resolved
        number *= scale
    written = f"{mult or ''}{unit_raw or ''}" or None
    return _Qty(number, unit, dimension, written, more)


@lru_cache(maxsize=1024)
def _suffix_qty(written: str) -> _Qty | None:
    """"1" with a written suffix ("万元" -> 10000 元); cached: rows share few suffixes."""
    m = _CORE_RE.fullmatch("1" + written)
    return _read_qty(m, "lo") if m else None


def _apply_written_unit(q: _Qty, written: str | None) -> _Qty:
    """Give a bare quantity a written suffix ("万元", "ms", "%") taken from elsewhere."""
    if written is None or q.written_unit is not None:
        return q
    unit_q = _suffix_qty(written)
    if unit_q is None:
        return q
    return _Qty(q.number * unit_q.number, unit_q.unit, unit_q.dimension, written, q.more)


def _to_float(d: Decimal) -> float | None:
    f = float(d)
    return f if math.isfinite(f) else None


def _unreadable(text: str, reason: str) -> Value:
    return Value(text=text, kind=Kind.UNREADABLE, reason=reason)


def _split_prefix(s: str) -> tuple[Comparison | None, bool, str]:
    """Strip a leading sign (maybe after a label) -> (comparison, sign_written, rest)."""
    m = _PREFIX_RE.match(s)
    if m is None:
        return None, False, s
    word = m.group("sign") if m.group("sign") is not None else m.group("lsign")
    return _PREFIX_SIGNS[word], _PREFIX_SIGNS[word] is not None, s[m.end():]


def _split_suffix(s: str) -> tuple[Comparison | None, bool, str]:
    """Strip a trailing 以上/以下/以内/左右 -> (comparison, approximate, rest)."""
    s = _INCLUSIVE_RE.sub("", s)
    m = _SUFFIX_RE.search(s)
    if m is None or m.start() == 0:
        return None, False, s
    word = m.group(0)
    return _SUFFIX_SIGNS[word], _SUFFIX_SIGNS[word] is None, s[: m.start()]


def _read_ranking(text: str, s: str) -> Value | None:
    """'全国前3' (target: rank <= 3), '全国第1' (actual: rank 1), '前10名', '第一名'."""
    m = _RANK_RE.fullmatch(s)
    if m is None:
        return None
    n_raw = m.group("n")
    n = Decimal(n_raw) if n_raw.isascii() else _cn_to_decimal(n_raw)
    if n is None or n != n.to_integral_value() or n < 1 or n > 10**9:
        return _unreadable(text, f"rank is not a positive whole number: {n_raw}")
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


# --------------------------------------------------------------------------- dates

#: The year a date carries when none was written (a leap year, so 2月29日 exists).
#: Never show it: check ``Value.year_known``, or use ``Value.month_day``.
PLACEHOLDER_YEAR = 4

_DATE_KINDS = (Kind.DEADLINE, Kind.DATE)
# Read in this order from the ends of a cell: [prefix] core [deadline word] [verb].
_DATE_PREFIX_RE = re.compile(r"截止到|截止至|截至到|截至|截止|到|至|于|在")
_DEADLINE_PREFIXES = frozenset({"截止到", "截止至", "截至到", "截至", "截止", "到", "至"})
_DATE_VERB_RE = re.compile(r"(?:已经|已|全部|均)?(?:完成|完工|竣工|建成|办结|结束|到位|交付|验收|上线)$")
_DEADLINE_WORD_RE = re.compile(r"(?:之前|以前|前|为止|止|截止|之内|以内|内)$")
_WITHIN_WORDS = frozenset({"内", "之内", "以内"})
_CN_YEAR_DIGITS = "〇零一二三四五六七八九"
_CN_MD = "一二三四五六七八九十"  # months and days: 十二月, 三十一日
_DATE_YEAR_RE = re.compile(
    rf"(?:(?P<year>[0-9]{{4}}|[{_CN_YEAR_DIGITS}]{{4}})年|(?P<this>本|当|今)年)度?"
)
_DATE_MONTH_RE = re.compile(
    rf"(?P<month>[0-9]{{1,2}}|[{_CN_MD}]{{1,3}})月份?"
    rf"(?:(?P<day>[0-9]{{1,2}}|[{_CN_MD}]{{1,4}})[日号]?|(?P<part>底|末|尾|初|上旬|中旬|下旬|中))?"
)
_DATE_HALF_RE = re.compile(
    rf"(?:(?P<half>上|下)半年度?|(?P<nth>第)?(?P<quarter>[1-4一二三四])季度)(?P<end>底|末)?"
)
_DATE_YEAR_PART_RE = re.compile(r"(?P<nian>年度?)?(?P<part>底|末|尾|中)")
_DATE_NUMERIC_RE = re.compile(r"(?P<year>[0-9]{4})(?P<sep>[-/.])(?P<month>[0-9]{1,2})(?:(?P=sep)(?P<day>[0-9]{1,2}))?")
# Whatever _read_date returns but None needs one of these in the cell: 年, 月, 季(度), or the
# separator of "2023-12", "2023/12", "2023.12".
_DATE_HINT_RE = re.compile(r"[年月季./-]")
_QUARTERS = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}


def _small_int(raw: str) -> int | None:
    """A month, day or year written in Arabic digits or Chinese numerals (十二, 三十一, 二〇二三)."""
    if raw.isascii():
        return int(raw)
    n = _cn_to_decimal(raw)
    if n is None or n != n.to_integral_value() or not 0 <= n <= 9999:
        return None
    return int(n)


def _last_day(year: int | None, month: int) -> int:
    return calendar.monthrange(year if year is not None else PLACEHOLDER_YEAR, month)[1]


def _read_date(text: str, s: str, role: str, like: Value | None) -> Value | None:
    """Read a date or a deadline ("12月底前", "2023.12.28", "第三季度"); None if `s` is not one.

    None lets the other readers try, so "30个工作日内" stays a duration.
    """
    if not _DATE_HINT_RE.search(s):
        return None  # most cells: no need to try every pattern
    core = s
    m = _DATE_PREFIX_RE.match(core)
    prefix = m.group(0) if m else None
    if m:
        core = core[m.end():]
    m = _DATE_VERB_RE.search(core)
    verb = m is not None
    if m:
        core = core[: m.start()]
    m = _deadline_word(core)
    word = m.group(0) if m else None
    if m:
        core = core[: m.start()]
    if not core:
        return None
    deadline = word is not None or prefix in _DEADLINE_PREFIXES
    beside_date = like is not None and like.kind in _DATE_KINDS

    span = _read_date_core(text, core, word, verb, deadline, beside_date, like)
    if span is None or isinstance(span, Value):
        return span
    year, (m1, d1), (m2, d2) = span
    y = year if year is not None else PLACEHOLDER_YEAR
    try:
        first, last = _dt.date(y, m1, d1), _dt.date(y, m2, d2)
    except ValueError:  # pragma: no cover - days are checked before
        return _unreadable(text, "no such date")
    kind = Kind.DEADLINE if deadline else Kind.DATE
    return Value(
        text=text,
        kind=kind,
        comparison=Comparison.LE if deadline or role == "target" else None,
        dimension="date",
        reason=None if year is not None else "year not written: compared by month and day",
        date=last,
        date_from=None if deadline else first,
        year_known=year is not None,
    )


def _deadline_word(core: str) -> re.Match | None:
    """The deadline word ending `core`, if anything stands before it."""
    m = _DEADLINE_WORD_RE.search(core)
    return m if m is not None and m.start() > 0 else None


_DaySpan = tuple[int | None, tuple[int, int], tuple[int, int]]


def _read_date_core(text: str, core: str, word: str | None, verb: bool, deadline: bool,
                    beside_date: bool, like: Value | None) -> _DaySpan | Value | None:
    """(year or None, (month, day) first, (month, day) last) of the period `core` names."""
    m = _DATE_NUMERIC_RE.fullmatch(core)
    if m is not None:
        # "2023.12" is also a decimal number: a month only beside a date target
        if m.group("sep") == "." and m.group("day") is None and not beside_date:
            return None
        year, month = int(m.group("year")), int(m.group("month"))
        if not (1 <= month <= 12 and 1900 <= year <= 2100):
            return None
        return _month_span(text, year, month, m.group("day"), None)

    m = _DATE_YEAR_RE.match(core)
    if m is None:
        return _period_span(text, core, None, False, word, verb, deadline, beside_date, like)
    rest = core[m.end():]
    if m.group("year") is None:  # 本年/当年/今年: the form's year, not written
        return _period_span(text, rest, None, True, word, verb, deadline, beside_date, like)
    year = _small_int(m.group("year"))
    if year is not None and 1900 <= year <= 2100:
        return _period_span(text, rest, year, True, word, verb, deadline, beside_date, like)
    # "1000年", "5000年内" are durations; "1000年12月" is a date with a year we refuse
    if not rest:
        return None
    probe = _period_span(text, rest, PLACEHOLDER_YEAR, True, word, verb, deadline, beside_date, like)
    return None if probe is None else _unreadable(text, f"year out of range: {m.group('year')}")


def _period_span(text: str, core: str, year: int | None, has_year: bool, word: str | None, verb: bool,
                 deadline: bool, beside_date: bool, like: Value | None) -> _DaySpan | Value | None:
    """The span of `core` once a year ("2023年", "本年度") is read off: `has_year` says one was written."""
    if not core:  # a year alone: "2023年", "本年度", "当年"
        if year is None:  # 本年/当年/今年
            return None if word is not None and word not in _WITHIN_WORDS else (None, (1, 1), (12, 31))
        if word in _WITHIN_WORDS or verb or beside_date or (deadline and word is None):
            return (year, (1, 1), (12, 31))
        return None  # "2023年" (a calendar year, see _looks_like_year), "2023年前" (ambiguous)
    if not has_year and core in ("年", "年度"):
        return (None, (1, 1), (12, 31)) if word in _WITHIN_WORDS else None

    m = _DATE_MONTH_RE.fullmatch(core)
    if m is not None:
        month = _small_int(m.group("month"))
        bare = m.group("day") is None and m.group("part") is None
        if month is None or not 1 <= month <= 12:
            if bare and not has_year:
                return None  # "13月": a duration, as before
            return _unreadable(text, f"no such month: {m.group('month')}月")
        if bare and not has_year:
            if word in _WITHIN_WORDS:
                return _unreadable(text, f"ambiguous: {core}{word} may mean by the end of {month}月 "
                                         f"or within {month} months; write {month}月底前 or {month}个月内")
            if not deadline and _is_duration(like):
                return None  # "5月" beside ">=6个月" is 5 months
        return _month_span(text, year, month, m.group("day"), m.group("part"))

    m = _DATE_HALF_RE.fullmatch(core)
    if m is not None:
        if m.group("half") is not None:
            first, last = ((1, 1), (6, 30)) if m.group("half") == "上" else ((7, 1), (12, 31))
        else:
            q = _QUARTERS[m.group("quarter")]
            if not has_year and m.group("nth") is None and m.group("end") is None:
                if word in _WITHIN_WORDS:
                    return _unreadable(text, f"ambiguous: {core}{word} may mean by the end of quarter {q} "
                                             f"or within {q} quarters; write 第{q}季度末前 or {q}个季度内")
                if not deadline and _is_duration(like):
                    return None
            first, last = (3 * q - 2, 1), (3 * q, _last_day(year, 3 * q))
        return (year, last, last) if m.group("end") else (year, first, last)

    m = _DATE_YEAR_PART_RE.fullmatch(core)
    if m is not None and (has_year or m.group("nian")):
        point = (6, 30) if m.group("part") == "中" else (12, 31)
        return (year, point, point)
    return None


def _is_duration(like: Value | None) -> bool:
    """Is the row's target a duration ("<=6个月", "3天内")? Then a bare "5月" beside it is one too."""
    return like is not None and like.kind is Kind.QUANTITATIVE and like.dimension == "days"


def _month_span(text: str, year: int | None, month: int, day_raw: str | None,
                part: str | None) -> _DaySpan | Value:
    last = _last_day(year, month)
    if day_raw is not None:
        day = _small_int(day_raw)
        if day is None or not 1 <= day <= last:
            return _unreadable(text, f"no such day: {month}月{day_raw}日")
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


def _read_core(text: str, rest: str) -> tuple[_Qty, _Qty | None] | Value | None:
    """Read "number[unit]" or "number[unit]-number[unit]" once signs are stripped.

    Returns the quantities, an UNREADABLE Value saying what went wrong, or None
    when `rest` does not start with a number at all (so it may be words).
    """
    rest = _PER_RE.sub(lambda mm: mm.group(2) + ("%" if mm.group(1) == "百分之" else "‰"), rest)
    core = _CORE_RE.fullmatch(rest)
    if core is None:
        odd = _ODD_SUFFIX_RE.fullmatch(rest)
        if odd is not None:
            return _unreadable(text, f"unknown unit or word after the number: {odd.group('odd')}")
        return None
    has_hi = bool(core.group("hinum") or core.group("hicn"))
    lo = _read_qty(core, "lo")
    hi = _read_qty(core, "hi") if has_hi else None
    if lo is None or (has_hi and hi is None):
        return _unreadable(text, "number or unit could not be read")
    if hi is None:
        return lo, None
    lo, hi, problem = _reconcile_range(lo, hi)
    return _unreadable(text, problem) if problem else (lo, hi)


def _read_quantity(text: str, s: str, role: str, like: Value | None) -> Value | None:
    """Read "[label][sign][约]number[unit][-number[unit]][以上]"; None if it is not that shape."""
    cmp, sign_written, rest = _split_prefix(s)
    approx = False
    m = _APPROX_RE.match(rest)
    if m is not None and len(rest) > m.end():
        approx, rest = True, rest[m.end():]
    suffix_cmp, suffix_approx, rest = _split_suffix(rest)
    approx = approx or suffix_approx

    read = _read_core(text, rest)
    if read is None or isinstance(read, Value):
        return read
    return _quantity_value(text, role, like, *read, cmp, sign_written, suffix_cmp, approx)


def _quantity_value(text: str, role: str, like: Value | None, lo: _Qty, hi: _Qty | None,
                    cmp: Comparison | None, sign_written: bool, suffix_cmp: Comparison | None,
                    approx: bool) -> Value:
    """The Value of a quantity read from a cell: its unit from `like`, one comparison, 0 as none."""
    if like is not None and like.kind in _QUANTITY_KINDS:
        if (lo.written_unit is None and like.unit == "%" and hi is None and 0 < lo.number <= 1
                and like.number is not None and like.number > 1):
            # "0.95" beside ">=90%" is most likely 95%, but that is a guess: say so instead
            return _unreadable(text, f"a fraction ({text.strip()}) beside a percentage target: write it as a percentage")
        lo = _apply_written_unit(lo, like.written_unit)
        hi = _apply_written_unit(hi, like.written_unit) if hi is not None else None

    # One comparison: the written prefix, else the suffix, else 余/多. Prefix and
    # suffix must point the same way (">=5次以下" is a contradiction, not a guess).
    if sign_written and suffix_cmp is not None and _DIRECTION_OF[cmp] != _DIRECTION_OF[suffix_cmp]:
        return _unreadable(text, "conflicting comparison words")
    if not sign_written:
        cmp = suffix_cmp
    if cmp is None and lo.more and hi is None:
        cmp = Comparison.GT

    if _looks_like_year(lo, hi):
        return _unreadable(text, "looks like a calendar year, not a duration")
    number = _to_float(lo.number)
    number_high = _to_float(hi.number) if hi is not None else None
    if number is None or (hi is not None and number_high is None):
        return _unreadable(text, "number too large")

    if cmp is None and hi is None and lo.number == 0:
        # "0", "0个", "零次": nothing happened — the same as "无"
        return Value(text=text, kind=Kind.NONE, number=0.0, unit=lo.unit,
                     dimension=lo.dimension, written_unit=lo.written_unit)
    if role == "target" and cmp is None:
        cmp = Comparison.GE  # a bare number, or a range, as a target means "at least"
    value = _quantity(text, cmp, number, number_high, lo.unit, lo.dimension, approx, lo.written_unit)
    return _as_rank(value, like) if like is not None and like.kind is Kind.RANKING else value


# Value.__init__ (a frozen dataclass) sets its 16 fields one by one through object.__setattr__,
# which takes about as long as the rest of reading a simple cell. Quantities, most cells, set
# the slots directly: the same Value, as tests/test_values_fastpath.py checks.
_VALUE_SLOTS = tuple(getattr(Value, f.name).__set__ for f in fields(Value))


def _quantity(text: str, comparison: Comparison | None, number: float, number_high: float | None,
              unit: str | None, dimension: str | None, approximate: bool, written_unit: str | None) -> Value:
    """Value(kind=Kind.QUANTITATIVE, ...) with these fields, and the others at their defaults."""
    value = object.__new__(Value)
    field_values = (text, Kind.QUANTITATIVE, comparison, number, number_high, unit, dimension,
                    None, None, None, None, approximate, written_unit, None, None, False)
    for set_slot, field_value in zip(_VALUE_SLOTS, field_values, strict=True):
        set_slot(value, field_value)
    return value


def _looks_like_year(lo: _Qty, hi: _Qty | None) -> bool:
    """True for "2023年": a calendar year (a deadline), not 2023 years; dates are not read."""
    return (hi is None and lo.written_unit == "年" and 1900 <= lo.number <= 2100
            and lo.number == lo.number.to_integral_value())


def _reconcile_range(lo: _Qty, hi: _Qty) -> tuple[_Qty, _Qty, str | None]:
    """Share the unit of a range: "1-2篇" -> both 篇; "1-2万" -> 1万..2万.

    The low end inherits the high end's suffix only when written bare; "1-2万"
    inherits 万 because 1 < 2 as written (Chinese usage), "500-2万" does not.
    """
    if lo.written_unit is None and hi.written_unit is not None:
        digits_lo, digits_hi = lo.number, hi.number / _suffix_scale(hi.written_unit)
        if digits_lo <= digits_hi:
            lo = _apply_written_unit(lo, hi.written_unit)
        else:
            lo = _apply_written_unit(lo, _unit_part(hi.written_unit))
    if lo.unit != hi.unit:
        return lo, hi, f"range ends have different units: {lo.unit} vs {hi.unit}"
    if lo.number > hi.number:
        return lo, hi, "range low end is above its high end"
    return lo, hi, None


def _suffix_scale(written: str) -> Decimal:
    q = _suffix_qty(written)
    return q.number if q is not None and q.number != 0 else Decimal(1)


def _unit_part(written: str) -> str | None:
    """The unit of a written suffix without its multiplier: "万人" -> "人"."""
    for mult in sorted(_MULTIPLIERS, key=len, reverse=True):
        if written.startswith(mult) and len(written) > len(mult):
            if _resolve_unit(written[len(mult):]) is not None:
                return written[len(mult):]
        if written == mult:
            return None
    return written


def parse_value(
    text: str | None,
    *,
    role: Literal["target", "actual"] = "target",
    like: Value | None = None,
) -> Value:
    """Read one target or actual cell. Never raises for any text (or None).

    ``role="target"``: a number without a sign means "at least" (GE), as do ranges.
    ``role="actual"``: the comparison stays None unless one is written (">99%").
    ``like``: the row's parsed target; an actual written without a unit takes the
    target's unit as written ("95" with target ">=90%" is 95 %; "9.5" with target
    ">=10万元" is 95000 元), and a bare whole number with a ranking target is a rank.
    Beside a date or deadline target, "2023年" and "2023.12" are read as dates;
    beside a duration target (">=6个月"), a bare "5月" is 5 months, not May.
    Raises ValueError only for a ``role`` other than "target"/"actual".
    """
    if role not in ("target", "actual"):
        raise ValueError(f"role must be 'target' or 'actual', not {role!r}")
    if text is None:
        return _unreadable("", "empty")
    if not isinstance(text, str):
        if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool):
            text = str(text)
        else:
            return _unreadable(str(text), f"not text: {type(text).__name__}")
    return _parse_cached(text, role, like)


@lru_cache(maxsize=65536)
def _parse_cached(text: str, role: str, like: Value | None) -> Value:
    """Cells repeat across forms ("及时", ">=90%"): values are frozen, so reuse them."""
    try:
        return _parse(text, role, like)
    except Exception as exc:  # defensive: the contract is "never raises"
        return _unreadable(text, f"internal error: {type(exc).__name__}")


def _parse(text: str, role: str, like: Value | None) -> Value:
    s = _normalise(text)
    simple = _read_simple(text, s, role, like)
    return simple if simple is not None else _read_any(text, s, role, like)


def _parse_slow(text: str, role: str, like: Value | None) -> Value:
    """`_parse` without the fast path: the tests check that both read every cell alike."""
    return _read_any(text, _normalise(text), role, like)


# The fast path. Most cells are "[sign]number[multiplier][unit]" (">=90%", "1,162家",
# "<2S", "1114.3566万次"), mostly different from form to form, and the general readers
# (dates first, then rankings, then quantities with labels, 约, 以上, ranges) take twice
# as long to get there, which adds up over 10,000 forms. The fast path takes only what
# no other reader can claim: no date target beside, no 余/多, no range and no unit of
# days, months, quarters or years; and it builds the Value with _read_quantity's code.
# tests/test_values_fastpath.py checks that both paths read every cell alike. The suffix
# has no digit, "." or ",", so the number ends where _CORE_RE would end it.
_SIMPLE_RE = re.compile(rf"(?P<sign>{_SIGN_ALT})?(?P<num>[-+−]?(?:{_ARABIC}))(?P<suffix>[^0-9.,]{{0,6}})")


def _read_simple(text: str, s: str, role: str, like: Value | None) -> Value | None:
    """Read `s` if it is "[sign]number[multiplier][unit]" as `_read_quantity` would; else None."""
    if like is not None and like.kind in _DATE_KINDS:
        return None  # "2023.12" beside a date target is a month
    m = _SIMPLE_RE.fullmatch(s)
    if m is None:
        return None
    sign, num, suffix = m.groups()
    mult_unit = _simple_suffix(suffix)
    if mult_unit is None:
        return None
    lo = _scaled_qty(_arabic(num), *mult_unit, False)
    cmp = _PREFIX_SIGNS[sign] if sign else None
    # no high end, no suffix word, not approximate (positional: this runs for most cells)
    return _quantity_value(text, role, like, lo, None, cmp, cmp is not None, None, False)


@lru_cache(maxsize=1024)
def _simple_suffix(suffix: str) -> tuple[str | None, str | None] | None:
    """(multiplier, unit) of a suffix the fast path may read, as `_CORE_RE` reads it; else None."""
    m = _CORE_RE.fullmatch("1" + suffix)
    if m is None or m.group("lomore") or m.group("lomore2") or m.group("hinum") or m.group("hicn"):
        return None
    unit = m.group("lounit")
    if unit is not None:
        # rates, calendar units and units matched only by case folding ("mİn") are left to
        # the general readers
        known = None if "/" in unit else _lookup_unit(unit)
        if known is None or known[1] == "days":
            return None
    return m.group("lomult"), unit


def _read_any(text: str, s: str, role: str, like: Value | None) -> Value:
    """Read the normalised cell `s` with the general readers, in order."""
    if not s:
        return _unreadable(text, "empty" if not text.strip() else "no number and no words")
    if s.lower() in _PLACEHOLDERS:
        return _unreadable(text, "placeholder, no value")
    if s in _NONE_WORDS:
        return Value(text=text, kind=Kind.NONE, number=0.0)

    date = _read_date(text, s, role, like)
    if date is not None:
        return date
    ranking = _read_ranking(text, s)
    if ranking is not None:
        return ranking
    quantity = _read_quantity(text, s, role, like)
    if quantity is not None:
        return quantity
    return _qualitative_or_unreadable(text, s)


def _as_rank(v: Value, like: Value) -> Value:
    """An actual "1" next to a ranking target "全国前3" is rank 1."""
    if (v.kind is Kind.QUANTITATIVE and v.unit is None and v.number_high is None
            and v.comparison is None and v.number is not None and v.number >= 1
            and v.number.is_integer()):
        return replace(v, kind=Kind.RANKING, rank=int(v.number), dimension="rank")
    return v


def _qualitative_or_unreadable(text: str, s: str) -> Value:
    """Words without digits are qualitative; digits we could not read are a finding."""
    if _DIGIT_RE.search(s):
        return _unreadable(text, "number in a form not understood")
    if _SIGNS_ONLY_RE.fullmatch(s):
        return _unreadable(text, "comparison sign without a number")
    if not _WORDY_RE.search(s):
        return _unreadable(text, "no number and no words")
    return Value(text=text, kind=Kind.QUALITATIVE, words=text.strip())


# --------------------------------------------------------------------------- comparing


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)


def unit_factor(from_unit: str | None, to_unit: str | None) -> float | None:
    """Factor turning a number in ``from_unit`` into ``to_unit``; None if not convertible.

    A missing unit on either side is taken to be the other side's unit.
    """
    if from_unit is None or to_unit is None or from_unit == to_unit:
        return 1.0
    if frozenset((from_unit, to_unit)) in UNIT_ALIASES:
        return 1.0
    a, b = _CONVERSIONS.get(from_unit), _CONVERSIONS.get(to_unit)
    if a is not None and b is not None and a[0] == b[0]:
        return a[1] / b[1]
    return None


@dataclass(frozen=True, slots=True)
class _Span:
    """The values an actual may stand for: a point, a range, or a one-sided bound."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False


def _span_of(v: Value, factor: float) -> _Span:
    n = (v.number or 0.0) * factor
    if v.number_high is not None:
        return _Span(n, v.number_high * factor)
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
            return sp.lo >= t or (not sp.lo_open and _close(sp.lo, t))
        case Comparison.GT:
            return sp.lo >= t if sp.lo_open else (sp.lo > t and not _close(sp.lo, t))
        case Comparison.LE:
            return sp.hi <= t or (not sp.hi_open and _close(sp.hi, t))
        case Comparison.LT:
            return sp.hi <= t if sp.hi_open else (sp.hi < t and not _close(sp.hi, t))
    return not sp.lo_open and not sp.hi_open and _close(sp.lo, t) and _close(sp.hi, t)


def _holds_some(cmp: Comparison, sp: _Span, t: float) -> bool:
    """Does at least one value in the span satisfy `x cmp t`?"""
    match cmp:
        case Comparison.GE:
            return sp.hi > t or (not sp.hi_open and _close(sp.hi, t))
        case Comparison.GT:
            return sp.hi > t and (sp.hi_open or not _close(sp.hi, t))
        case Comparison.LE:
            return sp.lo < t or (not sp.lo_open and _close(sp.lo, t))
        case Comparison.LT:
            return sp.lo < t and (sp.lo_open or not _close(sp.lo, t))
    above_lo = sp.lo < t or (not sp.lo_open and _close(sp.lo, t))
    below_hi = sp.hi > t or (not sp.hi_open and _close(sp.hi, t))
    return above_lo and below_hi


def _decide(cmp: Comparison, sp: _Span, t: float) -> bool | None:
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


def compare(target: Value, actual: Value) -> Comparability:
    """Is the target met by the actual? Never raises for values from :func:`parse_value`.

    Quantities: converted to the target's unit first; GE met if a >= t, GT if a > t,
    EQ if a == t, LE if a <= t, LT if a < t, with a relative tolerance of 1e-9 at
    the boundary. A range target ("1-2篇") is met from its low end; an "=" range
    needs the actual inside it. "无"/"0" counts as the number 0. Rankings: met if
    actual rank <= target rank. Qualitative pairs are never comparable, but
    ``met`` is True when the actual restates the target's words. Deadlines and dates
    (a date target means "by the end of it"): met if the actual's date is on or
    before the target's ``date``, by full date when both years are known, else by
    month and day (``reason`` says so); ``ratio`` None; an actual that is not a date
    ("按时完成", "无", "30天") is not comparable.
    """
    try:
        return _compare(target, actual)
    except Exception as exc:  # defensive: other modules call this row by row
        return _not_comparable(f"internal error: {type(exc).__name__}")


def _compare(t: Value, a: Value) -> Comparability:
    if t.kind is Kind.UNREADABLE:
        return _not_comparable(f"target unreadable: {t.reason}")
    if a.kind is Kind.UNREADABLE:
        return _not_comparable(f"actual unreadable: {a.reason}")
    if t.kind is Kind.QUALITATIVE:
        if a.kind is Kind.QUALITATIVE:
            same = _words_key(t.words or t.text) == _words_key(a.words or a.text)
            return Comparability(comparable=False, met=True if same else None, reason="qualitative")
        return _not_comparable("target qualitative")
    if t.kind in _DATE_KINDS or a.kind in _DATE_KINDS:
        return _compare_dates(t, a)
    if a.kind is Kind.QUALITATIVE:
        return _not_comparable("actual qualitative")
    if t.kind is Kind.RANKING or a.kind is Kind.RANKING:
        return _compare_ranks(t, a)
    return _compare_quantities(t, a)


def _compare_dates(t: Value, a: Value) -> Comparability:
    """A deadline or date target (by the end of it) against a date or deadline actual.

    The actual stands for a span: a DATE from ``date_from`` to ``date``, a DEADLINE
    anything up to ``date``. Met when all of it is on or before the target's ``date``;
    not met when all of it is after; else undecided. Full dates when both years are
    known, else month and day. No ratio: days late are not a share of anything.
    """
    if t.kind not in _DATE_KINDS:
        return _not_comparable("actual is a date, target is not")
    what = "deadline" if t.kind is Kind.DEADLINE else "date"
    if a.kind is Kind.QUALITATIVE:
        return _not_comparable(f"target is a {what}, actual qualitative")
    if a.kind not in _DATE_KINDS or a.date is None or t.date is None:
        return _not_comparable(f"target is a {what}, actual is not a date")
    by_year = t.year_known and a.year_known

    def key(d: _dt.date) -> tuple[int, ...]:
        return (d.year, d.month, d.day) if by_year else (d.month, d.day)

    limit = key(t.date)
    earliest = key(a.date_from) if a.kind is Kind.DATE and a.date_from is not None else None
    if key(a.date) <= limit:
        met, reasons = True, []
    elif earliest is not None and earliest > limit:
        met, reasons = False, []
    else:
        met = None
        reasons = ["actual is only a deadline; cannot decide" if earliest is None
                   else "actual names a period that straddles the target; cannot decide"]
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


def _compare_quantities(t: Value, a: Value) -> Comparability:
    """Both sides are QUANTITATIVE or NONE ("无" is the number 0 with no unit)."""
    if t.kind is Kind.NONE and a.kind is Kind.NONE:
        return Comparability(comparable=True, met=True, ratio=None)  # none of anything
    factor = unit_factor(a.unit, t.unit)
    if factor is None:
        return _not_comparable(f"units differ: {t.unit} vs {a.unit}")
    if t.kind is Kind.NONE:
        met = _decide(Comparison.EQ, _span_of(a, factor), 0.0)
        return _result(met, None)

    span = _span_of(a, factor)
    t_lo = t.number if t.number is not None else 0.0
    cmp = t.comparison or Comparison.GE
    if t.number_high is not None and cmp is Comparison.EQ:
        met = _both(_decide(Comparison.GE, span, t_lo), _decide(Comparison.LE, span, t.number_high))
    elif t.number_high is not None and cmp in (Comparison.LE, Comparison.LT):
        met = _decide(cmp, span, t.number_high)
    else:
        met = _decide(cmp, span, t_lo)
    a_num = (a.number or 0.0) * factor
    ratio = a_num / t_lo if t_lo != 0 else None
    return _result(met, ratio)


def _result(met: bool | None, ratio: float | None) -> Comparability:
    reason = None if met is not None else "actual is only a bound; cannot decide"
    return Comparability(comparable=True, met=met, ratio=ratio, reason=reason)
