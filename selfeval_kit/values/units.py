"""Units and multipliers: what a written unit means, and which units convert into which.

``Value.unit`` is canonical: 秒/S/s → ``"s"`` and 毫秒/ms → ``"s"`` (number converted);
元/千元/万元/亿元 → ``"元"`` (number converted); 天/日 → ``"d"``; 小时/h → ``"h"``;
分钟/min → ``"min"``; other counting units stay as written (``"个"``, ``"台套"`` ...).
:func:`unit_factor` converts between units only where the factor is exact
(``CONVERSIONS``) and treats different counting units as the same only for the short,
explicit alias list ``UNIT_ALIASES``. Seconds, minutes, hours, days and weeks convert
into each other (so ``"<=2天"`` vs ``"36小时"`` works, although ``dimension`` says "time"
for s/min/h and "days" for d/周/月/年); months, quarters and years convert among
themselves but not into days; 工作日 converts into nothing; % and ‰ convert; data sizes
(GB/TB/M/兆) do not (1000 or 1024 would be a guess).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "CONVERSIONS",
    "COUNT_UNITS",
    "MULTIPLIERS",
    "UNITS",
    "UNITS_CI",
    "UNIT_ALIASES",
    "Unit",
    "lookup_unit",
    "resolve_unit",
    "unit_factor",
]


class Unit(NamedTuple):
    """What a written unit means: its canonical name, its dimension, and the scale into it."""

    name: str
    dimension: str
    scale: Decimal


_COUNT_WORDS = (
    "个 次 人 人次 家 台 台套 套 篇 份 条 场 场次 项 件 期 根 户 所 名 本 "
    "部 册 处 座 辆 批 张 门 类 种 节 课时 学时 个次 户次 架次 车次 班次 "
    "台次 篇次 项次 件次 艘 栋 幢 间 床 支 只 头 株 棵 块 盏 组 队 村 校 "
    "站 轮 届 集 页 字 单 笔 例 起 宗 "
)
#: Counting units: each its own canonical unit, of dimension "count".
COUNT_UNITS: tuple[str, ...] = tuple(_COUNT_WORDS.split())

#: Written unit -> its meaning.
UNITS: dict[str, Unit] = {u: Unit(u, "count", Decimal(1)) for u in COUNT_UNITS}
UNITS.update(
    {
        "级": Unit("级", "level", Decimal(1)),
        "分": Unit("分", "score", Decimal(1)),
        "倍": Unit("倍", "ratio", Decimal(1)),
        # time: milliseconds become seconds, as the spec asks; min and h stay.
        "毫秒": Unit("s", "time", Decimal("0.001")),
        "秒": Unit("s", "time", Decimal(1)),
        "秒钟": Unit("s", "time", Decimal(1)),
        "s": Unit("s", "time", Decimal(1)),
        "S": Unit("s", "time", Decimal(1)),
        "分钟": Unit("min", "time", Decimal(1)),
        "小时": Unit("h", "time", Decimal(1)),
        "个小时": Unit("h", "time", Decimal(1)),
        "h": Unit("h", "time", Decimal(1)),
        "H": Unit("h", "time", Decimal(1)),
        # durations in days and longer
        "天": Unit("d", "days", Decimal(1)),
        "日": Unit("d", "days", Decimal(1)),
        "d": Unit("d", "days", Decimal(1)),
        "工作日": Unit("工作日", "days", Decimal(1)),
        "个工作日": Unit("工作日", "days", Decimal(1)),
        "周": Unit("周", "days", Decimal(1)),
        "星期": Unit("周", "days", Decimal(1)),
        "个星期": Unit("周", "days", Decimal(1)),
        "月": Unit("月", "days", Decimal(1)),
        "个月": Unit("月", "days", Decimal(1)),
        "季度": Unit("季度", "days", Decimal(1)),
        "个季度": Unit("季度", "days", Decimal(1)),
        "年": Unit("年", "days", Decimal(1)),
        # money: 千元/万元/亿元 reach here as multiplier + 元
        "元": Unit("元", "money", Decimal(1)),
        # percent
        "%": Unit("%", "percent", Decimal(1)),
        "百分比": Unit("%", "percent", Decimal(1)),  # "≥100百分比", as some 2022 forms write it
        "‰": Unit("‰", "percent", Decimal(1)),
        "百分点": Unit("百分点", "percent_point", Decimal(1)),
        "个百分点": Unit("百分点", "percent_point", Decimal(1)),
        # data sizes and bandwidth: each its own unit (1000 vs 1024 is a guess we refuse)
        "G": Unit("G", "data", Decimal(1)),
        "T": Unit("T", "data", Decimal(1)),
        "M": Unit("M", "data", Decimal(1)),
        "兆": Unit("兆", "data", Decimal(1)),
        # physical quantities
        "米": Unit("m", "length", Decimal(1)),
        "公里": Unit("km", "length", Decimal(1)),
        "厘米": Unit("cm", "length", Decimal(1)),
        "毫米": Unit("mm", "length", Decimal(1)),
        "平方米": Unit("m2", "area", Decimal(1)),
        "平米": Unit("m2", "area", Decimal(1)),
        "亩": Unit("亩", "area", Decimal(1)),
        "公顷": Unit("ha", "area", Decimal(1)),
        "平方公里": Unit("km2", "area", Decimal(1)),
        "吨": Unit("t", "mass", Decimal(1)),
        "公斤": Unit("kg", "mass", Decimal(1)),
        "克": Unit("g", "mass", Decimal(1)),
        "g": Unit("g", "mass", Decimal(1)),
        "斤": Unit("斤", "mass", Decimal(1)),
        "立方米": Unit("m3", "volume", Decimal(1)),
        "升": Unit("L", "volume", Decimal(1)),
        "L": Unit("L", "volume", Decimal(1)),
    }
)
# Latin units of two letters or more, matched case-insensitively ("MS", "Gb", "KM").
UNITS_CI: dict[str, Unit] = {
    "ms": Unit("s", "time", Decimal("0.001")),
    "sec": Unit("s", "time", Decimal(1)),
    "secs": Unit("s", "time", Decimal(1)),
    "min": Unit("min", "time", Decimal(1)),
    "mins": Unit("min", "time", Decimal(1)),
    "hr": Unit("h", "time", Decimal(1)),
    "hrs": Unit("h", "time", Decimal(1)),
    "kb": Unit("KB", "data", Decimal(1)),
    "mb": Unit("MB", "data", Decimal(1)),
    "gb": Unit("GB", "data", Decimal(1)),
    "tb": Unit("TB", "data", Decimal(1)),
    "pb": Unit("PB", "data", Decimal(1)),
    "kbps": Unit("Kbps", "data", Decimal(1)),
    "mbps": Unit("Mbps", "data", Decimal(1)),
    "gbps": Unit("Gbps", "data", Decimal(1)),
    "km": Unit("km", "length", Decimal(1)),
    "cm": Unit("cm", "length", Decimal(1)),
    "mm": Unit("mm", "length", Decimal(1)),
    "m2": Unit("m2", "area", Decimal(1)),  # NFKC turns ㎡ and m² into m2
    "km2": Unit("km2", "area", Decimal(1)),
    "m3": Unit("m3", "volume", Decimal(1)),
    "kg": Unit("kg", "mass", Decimal(1)),
}

# unit_factor(): exact conversions. canonical unit -> (group, factor into the group's base).
# 月/年 do not convert to days (a month has no fixed length); 工作日 converts to nothing.
CONVERSIONS: dict[str, tuple[str, float]] = {
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

#: Multipliers written before a unit ("万人次", "10.4451万").
MULTIPLIERS: dict[str, Decimal] = {
    "百": Decimal(100),
    "千": Decimal(1000),
    "万": Decimal(10_000),
    "百万": Decimal(1_000_000),
    "千万": Decimal(10_000_000),
    "亿": Decimal(100_000_000),
    "万亿": Decimal(1_000_000_000_000),
}


def lookup_unit(raw: str) -> Unit | None:
    """The meaning of a written unit (not a rate): exact, or case-insensitive for Latin units."""
    return UNITS.get(raw) or UNITS_CI.get(raw.lower())


_PER_WORD_RE = re.compile(r"[\u4e00-\u9fff·]{1,6}")


@lru_cache(maxsize=1024)
def resolve_unit(raw: str) -> Unit | None:
    """The meaning of a written unit, including a rate like "次/年" or "元/餐"; None if unknown.

    Cached: every quantity resolves its unit, and forms write few distinct units.
    """
    if "/" not in raw:
        return lookup_unit(raw)
    top, _, bottom = raw.partition("/")
    numerator, denominator = lookup_unit(top), lookup_unit(bottom)
    if numerator is None:
        return None
    if denominator is None:
        # "元/餐", "元/平方米·月": the denominator names what is counted; it only has
        # to match the other side's, so any short word will do
        if not _PER_WORD_RE.fullmatch(bottom):
            return None
        denominator = Unit(bottom, "count", Decimal(1))
    return Unit(f"{numerator.name}/{denominator.name}", "rate", numerator.scale / denominator.scale)


def unit_factor(from_unit: str | None, to_unit: str | None) -> float | None:
    """The factor turning a number in one canonical unit into another.

    Parameters
    ----------
    from_unit, to_unit : str or None
        Canonical units (``Value.unit``). A missing unit on either side is taken to be
        the other side's unit.

    Returns
    -------
    float or None
        The factor (1.0 for the same unit or an alias in ``UNIT_ALIASES``), or None when
        the units do not convert exactly.
    """
    if from_unit is None or to_unit is None or from_unit == to_unit:
        return 1.0
    if frozenset((from_unit, to_unit)) in UNIT_ALIASES:
        return 1.0
    a, b = CONVERSIONS.get(from_unit), CONVERSIONS.get(to_unit)
    if a is not None and b is not None and a[0] == b[0]:
        return a[1] / b[1]
    return None
