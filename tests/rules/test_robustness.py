"""Any valid form can be scored and audited: no exception, scores inside their bounds."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfeval_kit import Form, evaluate
from selfeval_kit.views.sentences import summary_sentence

CELLS = st.one_of(
    st.sampled_from(["=200人", ">=90%", "<2秒", "21ms", "无", "0次", "完善", "全国前3", "全国第5", "≤3元/餐", "1-2篇",
                     "不低于85%", "2秒以内", ">=1000万次", "1114.3566万次", "部分完成", "", "—", "0.95", "≥0", "<0"]),
    st.text(alphabet="0123456789.%<>=≥≤万亿千个次人秒ms元无完善及时-", max_size=10),
    st.text(max_size=12),
)  # fmt: skip
AMOUNT = st.one_of(st.none(), st.just(0.0), st.floats(min_value=1e-6, max_value=1e12))  # the plausible range
POINTS = st.floats(min_value=0, max_value=100, allow_nan=False)


@st.composite
def forms(draw):
    indicators = [
        {
            "level1": draw(st.sampled_from(["产出指标", "效益指标", "满意度指标", "产出", "成本指标", "其他"])),
            "level2": draw(st.sampled_from(["数量指标", "质量指标", "社会效益指标", "服务对象满意度指标", "x"])),
            "name": draw(st.sampled_from(["用户满意度", "系统响应时间", "培训场次", "服务人次", "访问量"])),
            "target": draw(CELLS),
            "actual": draw(CELLS),
            "weight": draw(POINTS),
            "score": draw(st.one_of(st.none(), POINTS)),
            "deviation_note": draw(st.one_of(st.none(), st.text(max_size=8))),
        }
        for _ in range(draw(st.integers(1, 6)))
    ]
    row = lambda: {"budget_initial": draw(AMOUNT), "budget_final": draw(AMOUNT), "executed": draw(AMOUNT)}  # noqa: E731
    return Form.model_validate(
        {
            "id": "f", "name": "项目", "department": "部门", "implementer": "单位", "year": 2023,
            "unit": draw(st.sampled_from(["元", "万元"])),
            "funds": {
                "total": {**row(), "weight": draw(POINTS), "execution_rate": draw(st.one_of(st.none(), CELLS)),
                          "score": draw(st.one_of(st.none(), POINTS))},
                "appropriation": row(), "carryover": row(), "other": row(),
            },
            "annual_goal": {"planned": draw(st.one_of(st.none(), st.text(max_size=40), CELLS)),
                            "achieved": draw(st.one_of(st.none(), st.text(max_size=40)))},
            "indicators": indicators,
            "total_score": draw(st.one_of(st.none(), st.floats(min_value=0, max_value=200, allow_nan=False))),
        }
    )  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(forms())
def test_any_valid_form_evaluates(form):
    evaluation = evaluate([form, form.model_copy(update={"id": "g"}), form.model_copy(update={"id": "h"})])
    for result in evaluation.forms:
        assert result.score_low <= result.score_recomputed <= result.score_high
        for item in result.indicators:
            assert (
                0 <= item.score_low <= item.score_recomputed <= item.score_high <= item.weight + 0.005
            )  # two decimals
        assert summary_sentence(result)
    for finding in evaluation.findings:
        assert finding.message and finding.severity in ("error", "warning", "info")
    assert len(evaluation.to_dict()["forms"]) == 3
