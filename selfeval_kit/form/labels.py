"""The one table of Chinese form terms for the English names used in code (docs/glossary.md).

Reports, exports and messages take their Chinese labels from here, so a label is
spelled one way everywhere.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "ALLOWED_LEVEL2",
    "COST_LEVEL2",
    "FIELD_LABELS",
    "FUNDS_ROW_LABELS",
    "LEVEL1_COST",
    "LEVEL1_ORDER",
    "LEVEL1_OUTCOME",
    "LEVEL1_OUTPUT",
    "LEVEL1_SATISFACTION",
    "MONEY_UNITS",
    "canonical_level1",
    "label",
]

FIELD_LABELS: dict[str, str] = {
    "form": "财政项目支出绩效自评表",
    "name": "项目名称",
    "department": "主管部门",
    "implementer": "实施单位",
    "year": "年度",
    "unit": "金额单位",
    "funds": "项目资金",
    "budget_initial": "年初预算数",
    "budget_final": "全年预算数",
    "executed": "全年执行数",
    "execution_rate": "执行率",
    "reason": "执行偏差原因",
    "weight": "分值",
    "score": "得分",
    "annual_goal": "年度总体目标",
    "goal_planned": "预期目标",
    "goal_achieved": "实际完成情况",
    "indicators": "绩效指标",
    "level1": "一级指标",
    "level2": "二级指标",
    "indicator": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "deviation_note": "偏差原因分析及改进措施",
    "total_score": "总分",
}

FUNDS_ROW_LABELS: dict[str, str] = {
    "total": "年度资金总额",
    "appropriation": "当年财政拨款",
    "carryover": "上年结转资金",
    "other": "其他资金",
}

LEVEL1_OUTPUT = "产出指标"
LEVEL1_OUTCOME = "效益指标"
LEVEL1_SATISFACTION = "满意度指标"
LEVEL1_ORDER: tuple[str, ...] = (LEVEL1_OUTPUT, LEVEL1_OUTCOME, LEVEL1_SATISFACTION)

ALLOWED_LEVEL2: dict[str, tuple[str, ...]] = {
    LEVEL1_OUTPUT: ("数量指标", "质量指标", "时效指标", "成本指标"),
    LEVEL1_OUTCOME: ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    LEVEL1_SATISFACTION: ("服务对象满意度指标",),
}

# The 2021+ central template (财预〔2021〕101号 and the provinces copying it) adds a fourth 一级
# 成本指标 with its own 二级 labels; docs/rules.md §1 knows 成本指标 only as a 二级 of 产出指标. Importers
# read what a form prints; whether a pair is allowed is the audit's (profile's) decision.
LEVEL1_COST = "成本指标"
COST_LEVEL2: tuple[str, ...] = ("经济成本指标", "社会成本指标", "生态环境成本指标")

MONEY_UNITS: tuple[str, ...] = ("元", "万元")


def label(key: str) -> str:
    """Chinese label of an English field or funds-row name; the key itself if unknown."""
    return FIELD_LABELS.get(key) or FUNDS_ROW_LABELS.get(key) or key


# 一级 labels as some forms print them ("产出", "服务对象满意度") → the name scoring and reports use.
_LEVEL1_ALIASES = {
    "产出": LEVEL1_OUTPUT,
    "效益": LEVEL1_OUTCOME,
    "满意度": LEVEL1_SATISFACTION,
    "服务对象满意度": LEVEL1_SATISFACTION,
    "服务对象满意度指标": LEVEL1_SATISFACTION,
    "成本": "成本指标",
}


@lru_cache(maxsize=1024)  # a handful of labels, read several times for every indicator of every form
def canonical_level1(name: str) -> str:
    """The standard name of a 一级指标 label ("产出" → "产出指标"); other labels unchanged.

    Data keeps labels as printed; analysis groups and compares by this name.
    """
    text = _POINTS_SUFFIX.sub("", "".join(name.split()))  # "产出指标(50分)" → "产出指标"
    return _LEVEL1_ALIASES.get(text, text)


_POINTS_SUFFIX = re.compile(r"[（(][\d.]+分?[）)]$")
