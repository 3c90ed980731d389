"""Chinese in charts: the bundled Noto Sans CJK SC face, real glyphs, no missing-glyph warnings."""

from __future__ import annotations

import logging
import warnings

import pytest

from selfeval_kit.report import charts as plots


def test_bundled_font_is_registered_and_first():
    import noto_cjk_sans_otc
    from matplotlib import font_manager

    families = plots.setup_fonts()
    assert families[0] == "Noto Sans CJK SC"
    assert families[-1] == "DejaVu Sans" or "DejaVu Sans" in families
    found = font_manager.fontManager.findfont("Noto Sans CJK SC", fallback_to_default=False)
    # A system copy of the same collection (Debian's fonts-noto-cjk) is taken as it is; otherwise the bundled one.
    assert str(found) == str(noto_cjk_sans_otc.FONT_PATH) or str(found).endswith("NotoSansCJK-Regular.ttc")
    assert getattr(found, "face_index", None) == 2  # the SC face of the collection, not face 0 (JP)


def test_simplified_chinese_face_has_the_glyphs():
    from matplotlib import font_manager, ft2font

    plots.setup_fonts()
    found = font_manager.fontManager.findfont("Noto Sans CJK SC", fallback_to_default=False)
    font = ft2font.FT2Font(str(found), face_index=found.face_index)
    assert font.family_name == "Noto Sans CJK SC"
    for char in "绩效自评表预算执行率满意度项目资金万元":
        assert font.get_char_index(ord(char)) != 0, char


def _all_charts():
    levels = ["预算执行", "产出指标", "效益指标", "满意度指标"]
    names = ["上海市科技行政服务热线系统（运维）", "研发平台网络运行保障", "<script>alert(1)</script>"]
    yield plots.funds_chart(
        [
            ("年度资金总额", 296272.0, 296272.0, 296272.0),
            ("当年财政拨款", 296272.0, 296272.0, 296272.0),
            ("上年结转资金", None, 0.0, 0.0),
        ],
        "元",
    )
    yield plots.funds_chart([("年度资金总额", 1200.5, 1000.0, 850.25)], "万元")
    yield plots.level1_score_chart(levels, [10, 60, 30, 10], [10, 50, 30, 10], [10, 58, 30, 10], [10, 55.5, 30, 9.8])
    yield plots.ratio_chart(
        ["系统响应时间", "全年电话总量", "用户满意度（%）"], [0.0105, 1.73, 1.11], [True, False, False]
    )
    yield plots.execution_rate_chart(names, [100.0, 85.02, 118.91])
    yield plots.budget_change_chart(names, [658495.0, 5102000.0, None], [540000.0, 4122000.0, 1000.0], "元")
    yield plots.score_comparison_chart(names, [100.0, 92.5, None], [98.2, 92.5, 88.0])
    yield plots.weight_split_chart(
        names, [[10, 50, 30, 10], [10, 60, 20, 10], [20, 40, 30, 10]], levels, [10, 50, 30, 10]
    )
    yield plots.ratio_distribution_chart([0.0105, 1.0, 1.73, 3.0, 1.11], [False, True, True, True, True])
    yield plots.distribution_chart(
        [75.0, 88.5, 90.0, 101.2, None, 118.9], "执行率（%）", "各项目预算执行率分布", [(100, "--"), (90, ":")]
    )
    yield plots.attainment_chart(
        levels[1:],
        [{"met": 10, "partly": 1}, {"met": 3, "not_met": 1}, {"unknown": 1}],
        {"met": "✓ 达成", "partly": "◐ 部分达成", "not_met": "✗ 未达成", "unknown": "? 无法判断"},
    )


def test_every_chart_draws_chinese_without_missing_glyphs(caplog):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" is a UserWarning
        with caplog.at_level(logging.WARNING, logger="matplotlib"):
            pngs = [plots.figure_png(fig) for fig in _all_charts()]
    assert all(png.startswith(b"\x89PNG") and len(png) > 5000 for png in pngs)
    assert not [r for r in caplog.records if "findfont" in r.getMessage() or "Glyph" in r.getMessage()]


def test_chart_style_is_scoped():
    import matplotlib

    before = list(matplotlib.rcParams["font.family"])
    with plots.chart_style():
        assert matplotlib.rcParams["font.family"][0] == "Noto Sans CJK SC"
    assert list(matplotlib.rcParams["font.family"]) == before


@pytest.mark.parametrize("text", ["预算执行率（%）", "✓ 达成 ◐ 部分达成 ✗ 未达成 ? 无法判断", "−1.5 ≥ ≤"])
def test_labels_with_symbols_render(text):
    from matplotlib.figure import Figure

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with plots.chart_style():
            fig = Figure(figsize=(3, 1))
            fig.text(0.1, 0.5, text)
        plots.figure_png(fig)


def test_picture_is_a_base64_png_at_96_px_per_inch():
    import base64

    pic = plots.picture(plots.funds_chart([("年度资金总额", 1.0, 1.0, 1.0)], "元"), "资金图", "读图：…")
    assert base64.b64decode(pic.png).startswith(b"\x89PNG")
    assert (pic.alt, pic.caption) == ("资金图", "读图：…")
    assert (pic.width, pic.height) == (604, 249)  # 6.3 × 2.6 in: 945 × 390 px at 150 dpi, × 96/150, truncated
