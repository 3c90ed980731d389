"""The SVG charts of the reports (report.svg, report.bars): well-formed, escaped, complete, to scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from selfeval_kit.report import bars
from selfeval_kit.report.annual import AnnualReport
from selfeval_kit.report.svg import WIDTH, svg_picture, wrap

NS = "{http://www.w3.org/2000/svg}"
NAMES = ["上海市科技行政服务热线系统（运维）", "研发平台网络运行保障", "<script>alert(1)</script>&示范项目"]


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{NS}text")]


def _rects(svg: str) -> list[ET.Element]:
    # legend swatches are 10 × 10; bars are 10 px high too, so tell them apart by their x
    return [r for r in ET.fromstring(svg).iter(f"{NS}rect") if float(r.get("x")) >= 178 and r.get("width") != "10"]


CHARTS = [
    lambda: bars.execution_rate_chart(NAMES, [100.0, 85.02, 118.91]),
    lambda: bars.budget_change_chart(NAMES, [658495.0, 5102000.0, None], [540000.0, 4122000.0, 1000.0], "元"),
    lambda: bars.score_comparison_chart(NAMES, [100.0, 92.5, None], [98.2, 92.5, 88.0]),
    lambda: bars.weight_split_chart(
        NAMES, [[10, 50, 30, 10]] * 3, ["预算执行", "产出", "效益", "满意度"], [10, 50, 30, 10]
    ),
    lambda: bars.ratio_chart(NAMES, [0.0105, 1.73, 1.11], [True, False, False]),
]


@pytest.mark.parametrize("make", CHARTS)
def test_svg_is_well_formed_and_escapes_user_text(make):
    svg, height = make()
    root = ET.fromstring(svg)
    assert root.get("width") == str(WIDTH) and root.get("height") == str(height)
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&amp;示范项目" in svg


@pytest.mark.parametrize("make", CHARTS)
def test_full_names_are_present_not_cut(make):
    joined = "".join(_texts(make()[0]))
    assert "…" not in joined
    for name in NAMES:
        assert name in joined  # wrapped over lines, joined back whole


@pytest.mark.parametrize(("rates", "count"), [([100.0, 85.02, 118.91], 3), ([100.0, None, 99.0], 2), ([50.0], 1)])
def test_one_bar_per_known_rate(rates, count):
    svg, _ = bars.execution_rate_chart(NAMES[: len(rates)], rates)
    assert len(_rects(svg)) == count


def test_rate_axis_starts_at_zero_and_bar_lengths_are_to_scale():
    svg, _ = bars.execution_rate_chart(["甲", "乙"], [100.0, 50.0])
    ticks = [t for t in _texts(svg) if t.replace(".", "").isdigit()]
    assert ticks[0] == "0"
    # plot width 604 - 170 - 8 - 44 = 382 px for the axis 0..100: 100% -> 382 px, 50% -> 191 px
    assert [r.get("width") for r in _rects(svg)] == ["382.0", "191.0"]


def test_reference_lines_outside_the_axis_are_not_drawn():
    svg, _ = bars.score_comparison_chart(["甲"], [95.0], [95.0])
    dashed = [e for e in ET.fromstring(svg).iter(f"{NS}line") if e.get("stroke-dasharray")]
    assert len(dashed) == 3  # 90 / 80 / 60 all within 0..100
    svg, _ = bars.execution_rate_chart(["甲"], [100.0], low=-5.0)
    dashed = [e for e in ET.fromstring(svg).iter(f"{NS}line") if e.get("stroke-dasharray")]
    assert len(dashed) == 1  # only the 100% line; -5% lies outside the axis


def test_height_grows_with_the_number_of_bars():
    short = bars.execution_rate_chart(["甲"] * 2, [100.0, 90.0])[1]
    tall = bars.execution_rate_chart(["甲"] * 10, [100.0, 90.0] * 5)[1]
    assert tall - short == 8 * 22  # a one-line row: max(12 px bar, 14 px line) + 8 px gap


@pytest.mark.parametrize(
    ("text", "width", "lines"), [("一二三四五", 22, ["一二", "三四", "五"]), ("abc", 100, ["abc"])]
)
def test_wrap_keeps_every_character(text, width, lines):
    assert wrap(text, width) == lines


@pytest.mark.parametrize(("values", "common"), [([100.0, 100.0, None], 100.0), ([100.0, 99.96], None), ([5.0], None)])
def test_all_equal(values, common):
    assert bars.all_equal(values) == common


def test_picture_carries_alt_caption_and_size():
    markup, height = bars.execution_rate_chart(["甲"], [100.0])
    pic = svg_picture((markup, height), "执行率图", "读图")
    assert (pic.alt, pic.caption, pic.width, pic.height) == ("执行率图", "读图", WIDTH, height)
    assert ET.fromstring(pic.svg).get("aria-label") == "执行率图"


def test_identical_scores_chart_is_replaced_by_a_sentence():
    html = str(AnnualReport.open("data/2022", 2022).attainment())
    assert "11 个项目的自评总分与复核重算总分均为 100.00 分，不作图。" in html
    assert "自评总分与复核总分图" not in html
