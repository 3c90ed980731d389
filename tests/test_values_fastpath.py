"""The fast path of values._parse reads every cell exactly as the general readers do.

`values._parse` tries the fast path (`_read_simple`, for "[sign]number[multiplier][unit]")
and falls back to the general readers; `values._parse_slow` skips the fast path. The
tests compare the two whole Values (dataclass equality: every field), actuals read beside
their target (`like=`) as `scoring.score_indicator` reads them; others check that the fast
path does take the simple shapes and leaves the rest, and check the other shortcuts.
"""

from __future__ import annotations

import re
import sys
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selfeval_kit import load

from selfeval_kit.values import core as values
from selfeval_kit.values.core import Comparison, Kind, Value
from tests.conftest import DATA_2022, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import write_portfolio  # noqa: E402


def read(text: str, role: str = "target", like_text: str | None = None):
    """(fast, slow) Values of one cell; `like_text` is the row's target, read by the same path."""
    fast_like = values._parse(like_text, "target", None) if like_text is not None else None
    slow_like = values._parse_slow(like_text, "target", None) if like_text is not None else None
    return values._parse(text, role, fast_like), values._parse_slow(text, role, slow_like)


def takes_fast_path(text: str, role: str = "target", like_text: str | None = None) -> bool:
    like = values._parse_slow(like_text, "target", None) if like_text is not None else None
    return values._read_simple(text, values._normalise(text), role, like) is not None


def row_mismatches(rows) -> list:
    """The targets, and the (target, actual) pairs, that the two paths read differently."""
    wrong = []
    for target, actual in rows:
        fast, slow = read(target)
        if fast != slow:
            wrong.append(target)
        fast, slow = read(actual, "actual", target)
        if fast != slow:
            wrong.append((target, actual))
    return wrong


# --------------------------------------------------------------------------- real and synthetic forms

ROWS_2022 = [(i.target, i.actual) for form in load(DATA_2022) for i in form.indicators]


@pytest.mark.parametrize(("target", "actual"), ROWS_2022)
def test_2022_row_reads_alike(target, actual):
    fast_target, slow_target = read(target)
    assert fast_target == slow_target
    assert values._parse(actual, "actual", fast_target) == values._parse_slow(actual, "actual", slow_target)


@pytest.fixture(scope="module")
def synthetic_rows(tmp_path_factory) -> list[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("fastpath")
    write_portfolio(folder, 300, 0, seed=11)
    return [(i.target, i.actual) for form in load(folder) for i in form.indicators]


def test_synthetic_rows_read_alike(synthetic_rows):
    assert row_mismatches(synthetic_rows) == []


def test_fast_path_reads_most_synthetic_cells(synthetic_rows):
    cells = {(t, "target", None) for t, _ in synthetic_rows} | {(a, "actual", t) for t, a in synthetic_rows}
    taken = sum(takes_fast_path(*cell) for cell in cells)
    assert taken >= 0.5 * len(cells), f"fast path read {taken} of {len(cells)} distinct cells"


# --------------------------------------------------------------------------- hand-written cells

TRICKY = [
    # signs, ASCII and full-width, and sign words
    "≥90%", ">=90%", "＞＝90%", "=>90%", "≧90%", "⩾90%", "≮90%", "> 90%", "> =90%", "==100%", "<2秒",
    "<2S", "<2s", "＜2秒", "≤2s", "<=2秒", "=<2秒", "≯2秒", "=200人", "不低于90%", "不少于5场", "不超过10万元",
    "小于2秒", "大于等于3个", "至少3次", "至多3次", "达到95%", "为5篇", "完成5次", "超5次", "≥=5次", ">==5次",
    "=-5%",
    # numbers
    "0", "00", "0.0", "-0", "0次", "0个", "<=0次", "0.95", "1", "3", "100", "2023", "2023.12", "2023.5",
    "1999.9", ".5", "5.", "+.5", "1e5", "1E5", "1,162家", "1,2345", "12,345,678次", "1,23", "１００％",
    "１，１６２家", "99.91%", " 95 % ", "95 %", "3 次", "－5%", "+5%", "-5%", "−5%", "5%。", "“95%”",
    "1234567890123456789012345678901", "1234567890123456789012345678901万元", "1" + "0" * 400,
    # multipliers and units
    "1114.3566万次", "≥1.5万元", "3万人次", "1.5亿元", "2千万元", "5百", "5百分比", "5百分点", "5个百分点",
    "5‰", "450ms", "450MS", "450Ms", "2h", "2H", "3小时", "30分钟", "30min", "30MIN", "5Kb", "5GB",
    "5Mbps", "5m2", "5㎡", "5km", "5KM", "5kg", "5千克", "5公斤", "5吨", "5L", "5升", "5平方米", "5级",
    "5分", "5倍", "5G", "5T", "5M", "5兆", "5台套", "5场次", "5个次", "5mİn", "5mın", "5ſec",
    # shapes left to the general readers
    "3月", "12月", "13月", "12月底前", "6月内", "3季度", "第三季度", "上半年", "2023年", "2023年内",
    "2023-12", "2023/12", "2023.12.28", "5天", "5日", "5号", "30个工作日内", "6个月", "1年", "2周",
    "全国前3", "全国第1", "前10名", "第一名", "top3", "TOP3", "无", "零", "没有", "-", "--", "/", "n/a",
    "", " ", "约500人", "大约500人", "500余篇", "500多篇", "5万余元", "10-20次", "1-2万", "500-2万",
    "10~20次", "10至20次", "95%以上", "95%以下", "2秒以内", "2秒内", "100人左右", "90%以上(含)",
    "≥5次以下", "5次/年", "5元/人", "百分之九十", "千分之五", "一次", "十二期", "5坨", "3项制度",
    "满意度≥90%", "成本不超过5万元", "完善", "及时", ">=", "≥", "%", "5%5", "5次5", "2023年完成", "5次完成",
]
ROLES_AND_LIKES = [
    ("target", None),
    ("actual", None),
    ("actual", "≥90%"),
    ("actual", ">=10万元"),
    ("actual", "全国前3"),
    ("actual", "12月底前"),
    ("actual", "2023年12月31日"),
    ("actual", ">=6个月"),
    ("actual", "<2秒"),
    ("actual", "无"),
    ("actual", "完善"),
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_cell_reads_alike_in_every_role(text):
    wrong = []
    for role, like in ROLES_AND_LIKES:
        fast, slow = read(text, role, like)
        if fast != slow:
            wrong.append((role, like, fast, slow))
    assert wrong == []


SIMPLE = ["≥90%", "＞＝90%", "１００％", " 95 % ", "1,162家", "<2S", "450ms", "1114.3566万次", "不低于5场",
          "0", "00", ".5", "－5%", "100", "5百分点", "5台套"]
NOT_SIMPLE = ["3月", "12月底前", "3季度", "2023年", "5天", "5日", "30个工作日内", "6个月", "全国前3", "约500人",
              "500余篇", "10-20次", "95%以上", "5次/年", "5m2", "1,2345", "5.次", "5mİn", "无", "完善"]


@pytest.mark.parametrize("text", SIMPLE)
def test_simple_cell_takes_fast_path(text):
    assert takes_fast_path(text)


@pytest.mark.parametrize("text", NOT_SIMPLE)
def test_other_cell_takes_general_readers(text):
    assert not takes_fast_path(text)


def test_number_beside_date_target_takes_general_readers():
    assert not takes_fast_path("2023.12", "actual", "12月底前")


# --------------------------------------------------------------------------- every suffix

_MULTIPLIERS = ["", *values._MULTIPLIERS]
_UNITS = ["", *values._UNITS, *values._UNITS_CI, *(u.upper() for u in values._UNITS_CI)]
# numbers a unit may change the reading of (none, a year, a fraction, more digits than Decimal keeps)
NUMBERS = ["0", "2023", "0.5", "1,162", "12345678901234567890123456789.5"]
CONTEXTS = [("target", None), ("actual", "≥90%"), ("actual", "全国前3"), ("actual", "12月底前")]


@pytest.mark.parametrize("unit", _UNITS)
def test_every_multiplier_with_unit_reads_alike(unit):
    wrong = []
    for mult, number, sign, (role, like) in product(_MULTIPLIERS, NUMBERS, ["", "≥"], CONTEXTS):
        text = f"{sign}{number}{mult}{unit}"
        fast, slow = read(text, role, like)
        if fast != slow:
            wrong.append((text, role, like, fast, slow))
    assert wrong == []


@pytest.mark.parametrize("unit", [u for u, (_, dimension, _) in values._UNITS.items() if dimension == "days"])
def test_calendar_unit_takes_general_readers(unit):
    assert not takes_fast_path(f"5{unit}")


# --------------------------------------------------------------------------- generated cells

_TOKENS = [
    *"0123456789", ".", ",", "，", " ", "%", "％", "+", "-", "－", "−", ">", "<", "=", ">=", "≥", "＞＝", "≤",
    "<=", "万", "亿", "千", "百", "次", "家", "个", "人次", "元", "万元", "秒", "s", "S", "ms", "MS", "mİn", "km2",
    "G", "天", "月", "年", "日", "号", "季度", "个月", "前", "第", "全国", "以上", "以内", "内", "左右", "约", "余",
    "多", "无", "零", "十", "二", "2023", "12", "/", "底", "完成", "(含)", "不低于", "至少", "达到", "为", "百分之",
]
_CELLS = st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=6).map("".join)
_SIGNED_NUMBERS = st.from_regex(
    r"(≥|<=|不超过|)[-+]?([0-9]{1,40}|[0-9]{1,3}(,[0-9]{3}){1,4})(\.[0-9]{1,30})?", fullmatch=True
)
_SUFFIXES = ["", "%", "万元", "次", "ms", "万", "亿人次"]


@given(_CELLS, st.sampled_from(ROLES_AND_LIKES))
@settings(max_examples=200, deadline=None)
def test_generated_cell_reads_alike(text, role_and_like):
    fast, slow = read(text, *role_and_like)
    assert fast == slow


@given(_SIGNED_NUMBERS, st.sampled_from(_SUFFIXES), st.sampled_from(ROLES_AND_LIKES))
@settings(max_examples=100, deadline=None)
def test_generated_number_reads_alike(number, suffix, role_and_like):
    fast, slow = read(number + suffix, *role_and_like)
    assert fast == slow


# --------------------------------------------------------------------------- the other shortcuts


def test_quantity_builds_what_value_builds():
    built = values._quantity("约1.5-2万元", Comparison.GE, 15000.0, 20000.0, "元", "money", True, "万元")
    expected = Value(text="约1.5-2万元", kind=Kind.QUANTITATIVE, comparison=Comparison.GE, number=15000.0,
                     number_high=20000.0, unit="元", dimension="money", approximate=True, written_unit="万元")
    assert (built, hash(built), repr(built)) == (expected, hash(expected), repr(expected))


def test_split_drops_exactly_the_whitespace_the_regex_drops():
    chars = (chr(i) for i in range(sys.maxunicode + 1))
    assert [c for c in chars if (re.fullmatch(r"\s", c) is None) != bool(c.split())] == []


DATES = ["2023年12月31日前", "截至12月31日", "年内", "第三季度", "上半年", "年底", "2023.12.28", "十二月"]


@pytest.mark.parametrize("text", TRICKY + DATES)
def test_date_reader_exit_changes_nothing(text):
    s = values._normalise(text)
    cases = [(role, values._parse_slow(like, "target", None) if like else None)
             for role, like in ROLES_AND_LIKES]
    with_exit = [values._read_date(text, s, role, like) for role, like in cases]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(values, "_DATE_HINT_RE", re.compile(""))  # matches every cell
        without_exit = [values._read_date(text, s, role, like) for role, like in cases]
    assert with_exit == without_exit
