"""The published HTML reports: content, formatting, no code, self-contained, escaped."""

from __future__ import annotations

import re

import pytest

from selfeval_kit.form.loading import load
from selfeval_kit.report import Html, ProjectReport
from selfeval_kit.report.html import scoped_css, unscoped
from selfeval_kit.report.official import official_form
from selfeval_kit.views import formatting
from tests.report_build import FIXTURE_DATA, FORM_IDS, built_reports

ALL_PAGES = (*(f"{i}.html" for i in FORM_IDS), "annual.html", "index.html")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    result = built_reports(tmp_path_factory)
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("page", ALL_PAGES)
def test_page_is_a_clean_self_contained_document(built, page):
    html = built.html(page)
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in html
    assert re.search(r'<meta charset="utf-8"\s*/?>', html)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert re.search(r"[\u4e00-\u9fff]", title), title
    # no code, prompts, parameter cells, scripts or remote resources (outside the inline images)
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    for needle in (
        "import selfeval_kit",
        "ProjectReport",
        "AnnualReport",
        "In [",
        "Out[",
        "data_path =",
        "form_id =",
        "<script",
        "require.js",
        "mathjax",
        "cdn.",
        "jsdelivr",
        "unpkg",
    ):
        assert needle.lower() not in text.lower(), needle
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "Noto Sans CJK SC" in html and "Microsoft YaHei" in html
    assert "@page" in html and "A4" in html
    for src in re.findall(r'<img[^>]*src="([^"]*)"', html):
        assert src.startswith("data:image/png;base64,")


def test_project_report_sections_and_figures(built):
    html = built.html("hotline-system-ops.html")
    for heading in (
        "一、基本情况",
        "二、综合评价结论",
        "三、预算执行情况",
        "四、绩效指标完成情况",
        "五、偏离绩效目标的原因和改进措施",
        "六、复核发现",
        "七、复核意见",
        "附：绩效自评表",
    ):
        assert heading in html, heading
    assert "<title>上海市科技行政服务热线系统（运维） 2022年度项目支出绩效自评复核报告</title>" in html
    assert "296,272.00" in html  # thousands separators
    assert "100.00%" in html  # execution rate
    assert "100.00" in html  # scores
    assert "indicator.overachieved_no_reason" in html  # finding codes
    assert "建议：" in html or "advice" in html
    assert html.count("<svg") == 3  # funds, score by 一级指标, actual/target: inline SVG charts
    assert "✓ 达成" in html  # a colour always comes with a symbol and a word
    assert 'rowspan="' in html and "总分" in html  # the official form


def test_project_report_of_a_form_in_wan_yuan_with_problems(built):
    html = built.html("xss-demo.html")
    assert "1,200.50" in html and "万元" in html
    assert "✗ 未达成" in html
    for code in ("budget.large_cut", "budget.low_execution_no_reason", "indicator.target_too_low"):
        assert code in html
    assert "受疫情影响" in html  # the form's own deviation note in 五


@pytest.mark.parametrize("page", ["xss-demo.html", "annual.html", "index.html"])
def test_text_from_the_data_is_escaped(built, page):
    html = built.html(page)
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html and "<b>委员会</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_title_is_escaped_in_title_and_running_header(built):
    html = built.html("xss-demo.html")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;示范项目 2022年度项目支出绩效自评复核报告</title>" in html
    running = re.search(r"@top-right \{ content: (\"[^\"]*\")", html).group(1)
    assert "<" not in running and "\\3c " in running


def test_annual_report(built):
    html = built.html("annual.html")
    for heading in (
        "一、总体情况",
        "二、预算执行分析",
        "三、绩效目标完成情况",
        "四、指标设置质量",
        "五、复核发现汇总",
        "六、项目排名与对比",
        "七、复核意见",
    ):
        assert heading in html, heading
    # totals across units: 296,272 元 + 1,200.5 万元 initial = 12,301,272.00 元
    assert "12,301,272.00" in html
    assert 'href="hotline-system-ops.html"' in html and 'href="xss-demo.html"' in html
    assert "▼ 低于 90%" in html  # low execution highlighted with a word, not colour alone
    assert "满意度" in html  # a shared indicator compared side by side
    assert html.count("<svg") >= 5  # the identical-scores chart of the fixture year may be a sentence instead


def test_index_links_every_report(built):
    html = built.html("index.html")
    for name in ("hotline-system-ops.html", "xss-demo.html", "annual.html"):
        assert f'href="{name}"' in html
    assert "全部 3 份报告已生成" in html


# ---------------------------------------------------------------- without a kernel


def test_formatting():
    assert formatting.money(296272, "元") == "296,272.00 元"
    assert formatting.amount(1965608.78) == "1,965,608.78"
    assert formatting.amount(10.4451) == "10.4451"
    assert formatting.amount(None) == "—"
    assert formatting.pct(118.9063) == "118.91%"
    assert formatting.points(8.619) == "8.62"
    assert formatting.ratio_text(0.0105) == "0.011×"
    assert formatting.ratio_text(1.731475) == "1.73×" and formatting.ratio_text(250) == "250×"
    assert formatting.chinese_date(__import__("datetime").date(2023, 3, 5)) == "2023年3月5日"


def test_official_form_from_form_data_alone():
    form = load(FIXTURE_DATA)["hotline-system-ops"]
    html = str(official_form(form))
    assert html.count("<tr>") >= 4 + 1 + 2 + 1 + len(form.indicators) + 1
    assert '<td rowspan="11" class="center">产出指标</td>' in html  # 11 output indicators merged
    assert '<td rowspan="4" class="center">数量指标</td>' in html
    assert "年度资金总额" in html and "当年财政拨款" in html and "上年结转资金" in html and "其他资金" in html
    assert "预期目标" in html and "实际完成情况" in html and "总分" in html


def test_sections_are_html_for_jupyter():
    section = Html("<p>x</p>")
    assert unscoped(section._repr_html_()) == "<p>x</p>" and str(section) == "<p>x</p>"
    assert str(section + "<p>y</p>") == "<p>x</p><p>y</p>" and repr(section) == "<Html 8 chars>"


def test_budget_section_shows_the_forms_execution_reason_escaped(tmp_path, minimal_data):
    import yaml

    minimal_data["funds"]["total"]["reason"] = "合同尾款<b>次年</b>支付"
    (tmp_path / "minimal.yaml").write_text(yaml.safe_dump(minimal_data, allow_unicode=True), encoding="utf-8")
    html = str(ProjectReport.open(str(tmp_path), "minimal", "national").budget())
    assert "表中执行情况说明：</strong>合同尾款&lt;b&gt;次年&lt;/b&gt;支付" in html


def test_sections_render_without_a_kernel():
    rep = ProjectReport.open(FIXTURE_DATA, "xss-demo")
    sections = [str(s) for s in rep.sections()]
    assert len(sections) == 9 and all(s.lstrip().startswith(("<header", "<section")) for s in sections[1:])
    assert "◐ 部分达成" in sections[4]  # 四: 培训场次 8 of >=10
    assert "超额完成，3.00×" in sections[5]  # 五: 培训人数 1500 of >=500


def test_opinion_section_escapes_the_reviewer_and_leaves_lines_to_sign():
    rep = ProjectReport.open(FIXTURE_DATA, "xss-demo", "review")
    signed = str(rep.opinion("<b>张三</b>", "某区财政局", "2023-03-05"))
    assert "&lt;b&gt;张三&lt;/b&gt;" in signed and "<b>张三</b>" not in signed and "2023年3月5日" in signed
    assert str(rep.opinion()).count('<span class="sig-line"></span>') == 3
    assert "<script>alert(1)</script>" not in str(rep.opinion())


def test_importing_the_package_does_not_import_matplotlib():
    import subprocess
    import sys

    code = "import sys, selfeval_kit.report as r; r.render_index, r.Html; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_a_section_in_jupyter_carries_the_reports_style_scoped_to_it():
    shown = Html("<p>x</p>")._repr_html_()
    assert shown.startswith('<div class="selfeval-report"><style data-selfeval="scoped">')
    assert shown.endswith("</style><p>x</p></div>")


@pytest.mark.parametrize(
    "scoped",
    [
        ":root .selfeval-report h1 {",
        ":root .selfeval-report td.num, :root .selfeval-report th.num {",
        ":root .selfeval-report {\n  --ink: #1f2328;",  # from :root
        ':root .selfeval-report { font-family: "Noto Sans CJK SC"',  # from html
        ":root .selfeval-report ul.findings li.sev-error {",
    ],
)
def test_the_scoped_style_puts_every_selector_under_the_section(scoped):
    assert scoped in scoped_css()


@pytest.mark.parametrize("page_only", ["@page", "@media print", "max-width: 190mm", "break-before: page"])
def test_the_scoped_style_leaves_out_the_pages_own_rules(page_only):
    assert page_only not in scoped_css()


def test_every_scoped_selector_starts_with_the_scope():
    import tinycss2

    for rule in tinycss2.parse_stylesheet(scoped_css(), skip_comments=True, skip_whitespace=True):
        for selector in tinycss2.serialize(rule.prelude).split(","):
            assert selector.strip().startswith(":root .selfeval-report"), selector


@pytest.mark.parametrize("markup", ["<p>x</p>", "<div>a</div><div>b</div>", ""])
def test_unscoped_gives_back_the_sections_markup(markup):
    assert unscoped(Html(markup)._repr_html_()) == markup
