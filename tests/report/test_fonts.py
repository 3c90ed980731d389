"""Chinese in the charts: the SVG text takes the report's CJK font stack and prints in a CJK face.

The charts are inline SVG (report.svg, report.bars) whose text the browser draws with the page's
fonts, so what matters is that every chart names the same family list as report.css and that a
browser really draws and prints their Chinese with a CJK font. test_browser.py checks the built
pages' heading font and their A4 print; here it is the charts' own text, on a page made of the
report's stylesheet and one chart.
"""

from __future__ import annotations

import base64
import unicodedata
import xml.etree.ElementTree as ET
from importlib import resources

import pdfplumber
import pytest
import tinycss2

from selfeval_kit.report import bars
from selfeval_kit.report.svg import FONT_FAMILY
from tests.report.test_browser import CHROMIUM, CJK_FONTS, _open_page, browser  # noqa: F401 - a fixture

LEVELS = ["预算执行", "产出指标", "效益指标", "满意度指标"]
NAMES = ["上海市科技行政服务热线系统（运维）", "研发平台网络运行保障", "<script>alert(1)</script>"]
CHARTS = {
    "funds": lambda: bars.funds_chart(
        [("年度资金总额", 1200.5, 1000.0, 850.25), ("上年结转资金", None, 0.0, 0.0)], "万元"
    ),
    "level1": lambda: bars.level1_score_chart(
        LEVELS, [10, 60, 30, 10], [10, 50, 30, 10], [10, 58, 30, 10], [10, 55, 30, 9]
    ),
    "ratio": lambda: bars.ratio_chart(["系统响应时间", "用户满意度（%）"], [0.0105, 1.11], [True, False]),
    "execution_rate": lambda: bars.execution_rate_chart(NAMES, [100.0, 85.02, 118.91]),
    "budget_change": lambda: bars.budget_change_chart(
        NAMES, [658495.0, 5102000.0, None], [540000.0, 4122000.0, 1.0], "元"
    ),
    "score_comparison": lambda: bars.score_comparison_chart(NAMES, [100.0, 92.5, None], [98.2, 92.5, 88.0]),
    "weight_split": lambda: bars.weight_split_chart(NAMES, [[10, 50, 30, 10]] * 3, LEVELS, [10, 50, 30, 10]),
    "ratio_distribution": lambda: bars.ratio_distribution_chart([0.0105, 1.0, 1.73], [False, True, True]),
    "distribution": lambda: bars.distribution_chart([75.0, 90.0, 118.9], "执行率（%）", "执行率分布", [(100, "--")]),
    "attainment": lambda: bars.attainment_chart(
        LEVELS[1:],
        [{"met": 10, "partly": 1}, {"not_met": 1}, {"unknown": 1}],
        {"met": "✓ 达成", "partly": "◐ 部分达成"},
    ),
}
# PostScript names of the CJK faces in CJK_FONTS, as a PDF names its embedded (subset) fonts
CJK_PS_NAMES = ("NotoSansCJK", "NotoSansSC", "SourceHanSans", "WenQuanYi", "DroidSansFallback")
PRINTED_LABELS = ("研发平台网络运行保障", "各项目预算执行率", "执行率")


def _families(value: str) -> list[str]:
    return [part.strip().strip("\"'") for part in value.split(",")]


def _report_css() -> str:
    return resources.files("selfeval_kit.report").joinpath("templates/report.css").read_text(encoding="utf-8")


def _page_font_stack() -> list[str]:
    """The font-family of report.css's ``html`` rule, the stack every page's text inherits."""
    for rule in tinycss2.parse_stylesheet(_report_css(), skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule" and tinycss2.serialize(rule.prelude).strip() == "html":
            for decl in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
                if decl.type == "declaration" and decl.lower_name == "font-family":
                    return _families(tinycss2.serialize(decl.value))
    raise AssertionError("report.css has no html { font-family } rule")


def _han(text: str) -> int:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize("make", CHARTS.values(), ids=CHARTS.keys())
def test_chart_text_inherits_the_pages_font_stack(make):
    root = ET.fromstring(make()[0])
    assert _families(root.get("font-family", "")) == _page_font_stack()
    assert [el.tag for el in root.iter() if el is not root and el.get("font-family")] == []  # nothing overrides it


@pytest.mark.parametrize(
    ("platform", "face"),
    [
        ("Linux", "Noto Sans CJK SC"),
        ("Adobe / Linux", "Source Han Sans SC"),
        ("macOS", "PingFang SC"),
        ("Windows", "Microsoft YaHei"),
    ],
)
def test_the_stack_names_a_simplified_chinese_face_of_each_platform(platform, face):
    assert face in _families(FONT_FAMILY), platform


def test_the_stack_ends_with_the_generic_family():
    assert _families(FONT_FAMILY)[-1] == "sans-serif"


@pytest.fixture(scope="module")
def chart_in_chromium(browser, tmp_path_factory):  # noqa: F811 - the fixture imported above
    """The fonts Chromium used for each Chinese text of a chart, and the chart printed to PDF."""
    markup, _ = bars.execution_rate_chart(NAMES[:2], [100.0, 85.0])
    page = tmp_path_factory.mktemp("chart") / "chart.html"
    page.write_text(
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>{_report_css()}</style></head>'
        f"<body><figure>{markup}</figure></body></html>",
        encoding="utf-8",
    )
    tab = _open_page(browser)
    try:
        for domain in ("Page", "DOM", "CSS"):
            tab.send(f"{domain}.enable")
        tab.send("Page.navigate", url=page.as_uri())
        tab.wait_for("Page.loadEventFired")
        tab.evaluate("document.fonts.ready.then(() => true)")
        root = tab.send("DOM.getDocument")["root"]["nodeId"]
        texts = tab.evaluate("Array.from(document.querySelectorAll('svg text')).map(t => t.textContent)")
        nodes = tab.send("DOM.querySelectorAll", nodeId=root, selector="svg text")["nodeIds"]
        fonts = [tab.send("CSS.getPlatformFontsForNode", nodeId=node)["fonts"] for node in nodes]
        pdf = tab.send("Page.printToPDF", timeout=60, preferCSSPageSize=True, printBackground=True)["data"]
    finally:
        tab.close()
    return list(zip(texts, fonts, strict=True)), base64.b64decode(pdf), page.parent / "chart.pdf"


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium fonts-noto-cjk)")
def test_chinese_chart_text_is_drawn_with_a_cjk_face(chart_in_chromium):
    drawn, _, _ = chart_in_chromium
    chinese = [(text, fonts) for text, fonts in drawn if _han(text)]
    assert len(chinese) >= 4  # title, two wrapped project names, the axis label
    for text, fonts in chinese:
        cjk = [f for f in fonts if any(name in f["familyName"] for name in CJK_FONTS)]
        assert sum(f["glyphCount"] for f in cjk) >= _han(text), (text, fonts)
        assert len(cjk) == len(fonts), (text, fonts)  # no glyph of it fell back to a non-CJK face


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium fonts-noto-cjk)")
def test_the_printed_chart_keeps_its_chinese_as_text_in_a_cjk_font(chart_in_chromium):
    _, pdf, path = chart_in_chromium
    path.write_bytes(pdf)
    with pdfplumber.open(path) as doc:
        chars = doc.pages[0].chars
        # Chromium's PDF maps some shared glyphs to Kangxi radicals (⾏ for 行); NFKC maps them back
        text = unicodedata.normalize("NFKC", doc.pages[0].extract_text())
    for label in PRINTED_LABELS:
        assert label in text, label
    fonts = {c["fontname"] for c in chars if _han(c["text"])}
    assert fonts and all(any(name in font for name in CJK_PS_NAMES) for font in fonts), fonts
