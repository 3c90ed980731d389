"""The catalogue of checks: every finding code with its severity, Chinese title and advice.

It imports nothing of the rules, so that profiles (which name codes in their review deductions)
and findings alike can build on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CHECKS", "DEVIATION_CODES", "SEVERITIES", "SEVERITY_LABELS", "Check", "check_deduction_rules"]

#: The severities, most severe first.
SEVERITIES = ("error", "warning", "info")
#: The Chinese label of each severity.
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Check:
    """One kind of finding: its default severity, its short Chinese title and its advice."""

    severity: str
    title: str  # Chinese, short
    advice: str  # Chinese: what the unit or reviewer should do


#: Every check, by its code.
CHECKS: dict[str, Check] = {
    "funds.rows_inconsistent": Check(
        "error",
        "资金来源分项与总额不符",
        "核对当年财政拨款、上年结转资金、其他资金各分项，使其合计等于年度资金总额。",
    ),
    "weights.sum": Check(
        "error",
        "分值合计不等于100",
        "调整各项分值，使预算执行率分值与全部三级指标分值合计为100分。",
    ),
    "weights.nonstandard_split": Check(
        "info",
        "权重分配偏离默认比例",
        "确认权重调整有依据（办法规定“原则上”按10/50/30/10分配），并在报告中说明理由。",
    ),
    "level2.not_allowed": Check(
        "warning",
        "二级指标不在规定范围内",
        (
            "按规定的指标体系归类：产出指标下设数量、质量、时效、成本指标；效益指标下设经济、社会、生态效益和可持"
            "续影响指标；满意度指标下设服务对象满意度指标。"
        ),
    ),
    "score.above_weight": Check(
        "error",
        "得分超过分值",
        "得分不得超过该项分值，请更正得分。",
    ),
    "score.total_mismatch": Check(
        "error",
        "总分与各项得分之和不符",
        "核对各项得分与总分，使总分等于各项得分之和。",
    ),
    "budget.over_execution": Check(
        "warning",
        "超预算执行",
        "说明超出全年预算数的支出来源与审批依据；得分以分值为上限。",
    ),
    "budget.rate_mismatch": Check(
        "warning",
        "填报执行率与计算值不符",
        "执行率应为全年执行数÷全年预算数，保留两位小数，请更正。",
    ),
    "budget.score_mismatch": Check(
        "error",
        "预算执行率得分与规则计算值不符",
        "预算执行率得分 = 分值 × 执行率（不超过分值），请按规则更正。",
    ),
    "budget.large_cut": Check(
        "warning",
        "年中大幅调减预算",
        "说明年中调减预算的原因；按调整后预算计算的执行率会高估执行情况，评价时应结合年初预算数审视。",
    ),
    "budget.low_execution_no_reason": Check(
        "warning",
        "执行率偏低且未说明原因",
        "说明执行率偏低的原因（如采购延迟、结余资金）并提出改进措施。",
    ),
    "budget.rate_unavailable": Check(
        "warning",
        "无法计算执行率",
        "补填全年预算数与全年执行数。",
    ),
    "indicator.score_mismatch": Check(
        "error",
        "指标得分与规则计算值不符",
        ("按评分规则重新计算该指标得分：完成目标得满分，未完成按实际值与目标值之比计分；定性指标按达成档次计分。"),
    ),
    "indicator.unmet_no_reason": Check(
        "warning",
        "未完成目标且未说明偏差原因",
        "在“偏差原因分析及改进措施”栏说明未完成的原因并提出改进措施。",
    ),
    "indicator.overachieved_no_reason": Check(
        "warning",
        "大幅超额完成且未说明原因",
        "在“偏差原因分析及改进措施”栏分析超额完成的原因；如目标设置偏低，下年度应提高目标值。",
    ),
    "indicator.target_too_low": Check(
        "warning",
        "目标值可能设置过低",
        "实际值达到目标值两倍以上，说明目标缺乏挑战性；下年度应依据历史实际值科学设定目标。",
    ),
    "indicator.loose_limit": Check(
        "info",
        "限值过宽，失去约束作用",
        "实际值远低于上限，目标没有约束力；下年度应参照实际水平收紧限值。",
    ),
    "indicator.unit_mismatch": Check(
        "warning",
        "目标值与实际值单位不可比",
        "统一年度指标值与实际完成值的计量单位，以便核对是否完成目标。",
    ),
    "indicator.unreadable": Check(
        "warning",
        "指标值无法识别",
        "按“符号+数值+单位”（如“≥90%”“<2秒”）或明确的定性表述填写指标值。",
    ),
    "goal.missing": Check(
        "warning",
        "年度总体目标缺项",
        "补填年度总体目标的预期目标或实际完成情况。",
    ),
    "narrative.mismatch": Check(
        "warning",
        "文字说明与指标表数值不一致",
        "核对年度总体目标文字与绩效指标表中的数值，更正不一致之处。",
    ),
    "portfolio.repeated_satisfaction": Check(
        "warning",
        "多个项目满意度数值完全相同",
        "说明各项目满意度调查的对象、方法和样本；不同项目得出完全相同的满意度需有依据。",
    ),
    "portfolio.all_full_marks": Check(
        "warning",
        "所有项目自评均为满分",
        "自评应客观反映问题与不足；请复核各项目是否确无扣分事项。",
    ),
    "portfolio.low_ambition": Check(
        "warning",
        "单位普遍设置偏低目标",
        "多数定量指标的实际值远超目标值，应依据历史数据和行业标准提高目标值。",
    ),
}

#: The finding codes whose review deduction can be proportional to a deviation (`rules.review`).
DEVIATION_CODES = frozenset({"indicator.target_too_low", "indicator.overachieved_no_reason", "budget.over_execution"})


def check_deduction_rules(rules: Mapping[str, Any]) -> None:
    """Refuse deduction rules for unknown codes, portfolio codes, or "deviation" where there is none.

    Raises
    ------
    ValueError
        Naming the setting, the code and what is allowed (the profile loader reports it).
    """
    for code, rule in rules.items():
        where = f"review_deductions.{code}"
        if code not in CHECKS:
            raise ValueError(f"{where}: unknown finding code; codes: {', '.join(CHECKS)}")
        if code.startswith("portfolio."):
            raise ValueError(f"{where}: portfolio findings concern no one form and carry no deduction")
        if rule.by == "deviation" and code not in DEVIATION_CODES:
            raise ValueError(
                f"{where}: by: deviation needs a finding with a deviation ({', '.join(sorted(DEVIATION_CODES))}); "
                "use by: fixed"
            )
