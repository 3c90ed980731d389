"""Reading quantities: a number with its sign, multiplier, unit, range and 约/以上 words.

``"=200人"``, ``">=4万个"``, ``"<2S"``, ``"不低于90%"``, ``"2秒以内"``, ``"1-2篇"``,
``"1114.3566万次"``, ``"一次"``: a cell is read as a whole (``fullmatch``); a number inside
a sentence is not picked out, because the sentence may say anything about it.

Numbers are computed with :class:`decimal.Decimal` and only turned into ``float`` at the
end, so ``"1114.3566万次"`` is exactly ``11143566.0`` and ``"21ms"`` is exactly ``0.021``.
Chinese numerals (``"一次"``, ``"十二期"``) are read with the ``cn2an`` library (a runtime
dependency), imported lazily because its import costs about 0.3 s and most cells use
Arabic digits.

Zero. A bare zero ("0", "0个", "零次") means "none", like "无": ``Kind.NONE`` with
``number == 0.0``. With a sign ("<=0次") it is a quantity.
"""

from __future__ import annotations

import logging
import math
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal, NamedTuple

from selfeval_kit.values.types import QUANTITY_KINDS, Comparison, Kind, Value, direction_of, unreadable
from selfeval_kit.values.units import MULTIPLIERS, UNITS, UNITS_CI, resolve_unit

__all__ = ["ARABIC", "CN_DIGITS", "CN_NUMBER", "alternation", "cn_to_decimal", "read_quantity"]

log = logging.getLogger("selfeval_kit.values")

Role = Literal["target", "actual"]

# --------------------------------------------------------------------------- signs

# Prefix words and symbols. None = a verb that states the value without bounding it
# ("达到95%"): for a target that is "at least" (like a bare number), for an actual no sign.
_PREFIX_WORDS: dict[Comparison | None, str] = {
    Comparison.GE: (
        ">= => ≥ ≧ ⩾ ≮ 大于等于 大于或等于 高于或等于 不低于 不少于 不小于 不得低于 不得少于 不应低于 至少 最少 最低"
    ),
    Comparison.GT: "> 大于 高于 超过 多于 超",
    Comparison.EQ: "== = 等于",
    Comparison.LE: (
        "<= =< ≤ ≦ ⩽ ≯ 小于等于 小于或等于 低于或等于 不超过 不高于 不大于 不多于 不得超过 不得高于 不应超过 "
        "最多 至多 最高 控制在"
    ),
    Comparison.LT: "< 小于 低于 少于 不足 不到",
    None: "达到 达 实现 完成 为 是",
}
_PREFIX_SIGNS = {word: cmp for cmp, words in _PREFIX_WORDS.items() for word in words.split()}
_APPROX_PREFIXES = ("大约", "约为", "约")  # not 近: "近3年" means "the last 3 years"
# Suffix words: "90%以上" (at least), "2秒以内" (at most), "100人左右" (about).
_SUFFIX_WORDS: dict[Comparison | None, str] = {
    Comparison.GE: "及以上 以上",
    Comparison.LE: "及以下 以下 以内 之内 内",
    None: "左右 上下",
}
_SUFFIX_SIGNS = {word: cmp for cmp, words in _SUFFIX_WORDS.items() for word in words.split()}
_SUFFIX_ENDINGS = tuple({word[-1] for word in _SUFFIX_SIGNS})  # what a cell with a suffix word ends with


def alternation(words) -> str:
    """A regex alternation that tries longer words first (so "不低于" beats "低于")."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_SIGN_ALT = alternation(_PREFIX_SIGNS)
#: Characters of Chinese numerals, as cn2an reads them.
CN_DIGITS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟廿"
# What may follow a sign: a digit, a Chinese numeral, 约/大约, 百分之/千分之, a minus.
# A sign counts only when a number follows it: "为" in "为民服务" is not a sign.
_NUMBER_AHEAD = rf"(?=[0-9.{CN_DIGITS}约大+\-−])"
# A sign at the start, or after a short label ("满意度≥90%", "成本不超过5万元").
_PREFIX_RE = re.compile(
    rf"(?P<sign>{_SIGN_ALT}){_NUMBER_AHEAD}"
    rf"|(?P<label>[\u4e00-\u9fff]{{1,12}}?):?(?P<lsign>{_SIGN_ALT}){_NUMBER_AHEAD}"
)
_SUFFIX_RE = re.compile(rf"(?:{alternation(_SUFFIX_SIGNS)})$")
_INCLUSIVE_RE = re.compile(r"\((?:含|包含|含本数)\)")  # "90%以上(含)"

# --------------------------------------------------------------------------- numbers

#: An Arabic number: digits with an optional thousands grouping and decimals.
ARABIC = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+"
#: A Chinese numeral ("十二", "三点五").
CN_NUMBER = rf"[{CN_DIGITS}][{CN_DIGITS}点]{{0,19}}"
_MULT_ALT = alternation(MULTIPLIERS)
_UNIT_ALT = rf"(?i:{alternation(UNITS_CI)})|{alternation(UNITS)}"
_RANGE_SEP = r"-|~|〜|—|–|至|到"


def _quantity_pattern(p: str, signed: bool) -> str:
    """Regex for one quantity: number, 余/多, multiplier, unit (or rate unit "次/年")."""
    sign = r"[-+−]?" if signed else ""
    return (
        rf"(?:(?P<{p}num>{sign}(?:{ARABIC}))|(?P<{p}cn>{CN_NUMBER}))"
        rf"(?P<{p}more>余|多)?(?P<{p}mult>{_MULT_ALT})?(?P<{p}more2>余|多)?"
        rf"(?P<{p}unit>(?:{_UNIT_ALT})(?:/(?:{_UNIT_ALT}|[\u4e00-\u9fff·]{{1,6}}))?)?"
    )


_CORE_RE = re.compile(rf"{_quantity_pattern('lo', True)}(?:(?:{_RANGE_SEP}){_quantity_pattern('hi', False)})?")
# "百分之九十" -> "九十%", "千分之五" -> "五‰"
_PER_RE = re.compile(rf"(百分之|千分之)((?:{ARABIC})|{CN_NUMBER})")
# a number followed by something that is not a unit we know: "5坨", "3项制度"
_ODD_SUFFIX_RE = re.compile(rf"[-+−]?(?:{ARABIC})(?:{_MULT_ALT})?(?P<odd>[^0-9]{{1,6}})")


def cn_to_decimal(cn: str) -> Decimal | None:
    """Read a Chinese numeral ("十二", "三点五") with cn2an.

    Parameters
    ----------
    cn : str
        The numeral.

    Returns
    -------
    Decimal or None
        The number, or None if cn2an refuses it (or is missing).
    """
    try:
        import cn2an  # lazy: ~0.3 s import, only needed for Chinese numerals
    except ImportError:  # pragma: no cover - cn2an is a declared runtime dependency
        log.warning("cn2an is not installed: Chinese numerals cannot be read")
        return None
    try:
        result = cn2an.cn2an(cn, "smart")
    except Exception:  # cn2an signals bad input with ValueError, but be safe
        log.debug("cn2an refused %r", cn, exc_info=True)
        return None
    try:
        return Decimal(str(result))
    except (InvalidOperation, ValueError):
        return None


class _Qty(NamedTuple):
    """One quantity read from the core of a cell, before a Value is assembled."""

    number: Decimal
    unit: str | None
    dimension: str | None
    written_unit: str | None  # multiplier and unit as written, e.g. "万人次"
    more: bool  # 余/多: "100余人" means more than 100


# The groups of one quantity in _CORE_RE, for its low ("lo") and high ("hi") end.
_QTY_GROUPS = {p: tuple(p + name for name in ("num", "cn", "more", "mult", "more2", "unit")) for p in ("lo", "hi")}


def _read_qty(m: re.Match, p: str) -> _Qty | None:
    """Turn the groups of one `_quantity_pattern` match into a `_Qty` (None if unreadable)."""
    num, cn, more, mult, more2, unit = m.group(*_QTY_GROUPS[p])
    if num is not None:
        try:
            number = Decimal(num.replace(",", "").replace("−", "-"))
        except InvalidOperation:
            return None
    else:
        read = cn_to_decimal(cn)
        if read is None:
            return None
        number = read
    return _scaled_qty(number, mult, unit, bool(more or more2))


def _scaled_qty(number: Decimal, mult: str | None, unit_raw: str | None, more: bool) -> _Qty | None:
    """Apply a written multiplier and unit ("万", "ms") to a number; None for a unit we do not know."""
    unit = dimension = None
    if mult:
        number *= MULTIPLIERS[mult]
    if unit_raw:
        resolved = resolve_unit(unit_raw)
        if resolved is None:
            return None
        unit, dimension = resolved.name, resolved.dimension
        number *= resolved.scale
    written = f"{mult or ''}{unit_raw or ''}" or None
    return _Qty(number, unit, dimension, written, more)


@lru_cache(maxsize=1024)
def _suffix_qty(written: str) -> _Qty | None:
    """ "1" with a written suffix ("万元" -> 10000 元); cached: rows share few suffixes."""
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


def _split_prefix(s: str) -> tuple[Comparison | None, bool, str]:
    """Strip a leading sign (maybe after a label) -> (comparison, sign_written, rest)."""
    if s[:1].isdigit():
        return None, False, s  # no sign or label starts with a digit
    m = _PREFIX_RE.match(s)
    if m is None:
        return None, False, s
    word = m.group("sign") if m.group("sign") is not None else m.group("lsign")
    return _PREFIX_SIGNS[word], _PREFIX_SIGNS[word] is not None, s[m.end() :]


def _split_suffix(s: str) -> tuple[Comparison | None, bool, str]:
    """Strip a trailing 以上/以下/以内/左右 -> (comparison, approximate, rest)."""
    if "(" in s:
        s = _INCLUSIVE_RE.sub("", s)
    if not s.endswith(_SUFFIX_ENDINGS):
        return None, False, s
    m = _SUFFIX_RE.search(s)
    if m is None or m.start() == 0:
        return None, False, s
    word = m.group(0)
    return _SUFFIX_SIGNS[word], _SUFFIX_SIGNS[word] is None, s[: m.start()]


def _read_core(text: str, rest: str) -> tuple[_Qty, _Qty | None] | Value | None:
    """Read "number[unit]" or "number[unit]-number[unit]" once signs are stripped.

    Returns the quantities, an UNREADABLE Value saying what went wrong, or None
    when `rest` does not start with a number at all (so it may be words).
    """
    if "分之" in rest:
        rest = _PER_RE.sub(lambda mm: mm.group(2) + ("%" if mm.group(1) == "百分之" else "‰"), rest)
    core = _CORE_RE.fullmatch(rest)
    if core is None:
        odd = _ODD_SUFFIX_RE.fullmatch(rest)
        if odd is not None:
            return unreadable(text, f"unknown unit or word after the number: {odd.group('odd')}")
        return None
    has_hi = bool(core.group("hinum") or core.group("hicn"))
    lo = _read_qty(core, "lo")
    hi = _read_qty(core, "hi") if has_hi else None
    if lo is None or (has_hi and hi is None):
        return unreadable(text, "number or unit could not be read")
    if hi is None:
        return lo, None
    lo, hi, problem = _reconcile_range(lo, hi)
    return unreadable(text, problem) if problem else (lo, hi)


def read_quantity(text: str, s: str, role: Role, like: Value | None) -> Value | None:
    """Read "[label][sign][约]number[unit][-number[unit]][以上]".

    Parameters
    ----------
    text : str
        The cell as written (kept in the Value).
    s : str
        The cell normalised (see ``parsing.normalise``).
    role : {"target", "actual"}
        A target without a sign means "at least".
    like : Value or None
        The row's target, whose unit an actual without one inherits.

    Returns
    -------
    Value or None
        A QUANTITATIVE or NONE value, an UNREADABLE one saying why, or None when ``s``
        is not a quantity at all.
    """
    cmp, sign_written, rest = _split_prefix(s)
    approx = False
    for word in _APPROX_PREFIXES:  # longest first
        if rest.startswith(word):
            if len(rest) > len(word):
                approx, rest = True, rest[len(word) :]
            break
    suffix_cmp, suffix_approx, rest = _split_suffix(rest)
    approx = approx or suffix_approx

    read = _read_core(text, rest)
    if read is None or isinstance(read, Value):
        return read
    lo, hi = read
    if like is not None and like.kind in QUANTITY_KINDS:
        if (
            lo.written_unit is None
            and like.unit == "%"
            and hi is None
            and 0 < lo.number <= 1
            and like.number is not None
            and like.number > 1
        ):
            # "0.95" beside ">=90%" is most likely 95%, but that is a guess: say so instead
            return unreadable(text, f"a fraction ({text.strip()}) beside a percentage target: write it as a percentage")
        lo = _apply_written_unit(lo, like.written_unit)
        hi = _apply_written_unit(hi, like.written_unit) if hi is not None else None

    # One comparison: the written prefix, else the suffix, else 余/多. Prefix and
    # suffix must point the same way (">=5次以下" is a contradiction, not a guess).
    if sign_written and cmp is not None and suffix_cmp is not None and direction_of(cmp) != direction_of(suffix_cmp):
        return unreadable(text, "conflicting comparison words")
    if not sign_written:
        cmp = suffix_cmp
    if cmp is None and lo.more and hi is None:
        cmp = Comparison.GT
    return _quantity_value(text, role, lo, hi, cmp, approx)


def _quantity_value(text: str, role: Role, lo: _Qty, hi: _Qty | None, cmp: Comparison | None, approx: bool) -> Value:
    """The Value of a quantity read from a cell, its comparison decided: 0 alone is none."""
    if _looks_like_year(lo, hi):
        return unreadable(text, "looks like a calendar year, not a duration")
    number = _to_float(lo.number)
    number_high = _to_float(hi.number) if hi is not None else None
    if number is None or (hi is not None and number_high is None):
        return unreadable(text, "number too large")

    if cmp is None and hi is None and lo.number == 0:
        # "0", "0个", "零次": nothing happened — the same as "无"
        return Value(
            text=text,
            kind=Kind.NONE,
            number=0.0,
            unit=lo.unit,
            dimension=lo.dimension,
            written_unit=lo.written_unit,
        )
    if role == "target" and cmp is None:
        cmp = Comparison.GE  # a bare number, or a range, as a target means "at least"
    return Value(
        text=text,
        kind=Kind.QUANTITATIVE,
        comparison=cmp,
        number=number,
        number_high=number_high,
        unit=lo.unit,
        dimension=lo.dimension,
        approximate=approx,
        written_unit=lo.written_unit,
    )


def _looks_like_year(lo: _Qty, hi: _Qty | None) -> bool:
    """True for "2023年": a calendar year (a deadline), not 2023 years; dates are not read."""
    return (
        hi is None
        and lo.written_unit == "年"
        and 1900 <= lo.number <= 2100
        and lo.number == lo.number.to_integral_value()
    )


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
    for mult in sorted(MULTIPLIERS, key=len, reverse=True):
        rest = written.removeprefix(mult)
        if rest and rest != written and resolve_unit(rest) is not None:
            return rest
        if written == mult:
            return None
    return written
