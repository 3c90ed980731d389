"""Checks on what the reader read: weights against 100, scores against 总分 and their 分值, the
execution rate against the amounts, and indicators read with a name and nothing else (the rest
of a cell a page break or a wrap cut off, read as a row of its own). A failed check is reported
and lowers the confidence of the fields it involves; it never changes a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Finding", "check_form"]

_TOLERANCE = 0.01  # points and percentage points: forms print two decimals


@dataclass(frozen=True)
class Finding:
    """One failed check: the fields it involves and what is wrong (Chinese)."""

    paths: tuple[str, ...]
    message: str


def check_form(data: dict[str, Any], stated_weight: float | None = None) -> list[Finding]:
    """The failed checks of a form's data as read (the YAML shape; fields may be missing), and of
    the weights' total the 总分 row prints (`stated_weight`), with or without the funds' 分值."""
    found: list[Finding] = []
    total = (data.get("funds") or {}).get("total") or {}
    indicators = data.get("indicators") or []
    weights = _known([total.get("weight")] + [i.get("weight") for i in indicators])
    if stated_weight is not None and weights is not None:
        sums = {round(sum(weights), 2), round(sum(weights[1:]), 2)}
        if all(abs(s - stated_weight) > _TOLERANCE for s in sums):
            found.append(
                Finding(
                    ("indicators[*].weight",),
                    f"总分一行的分值合计 {stated_weight:g} 与各行分值之和 {sum(weights):g} 不符",
                )
            )
    if indicators and weights is not None and abs(sum(weights) - 100) > _TOLERANCE:
        found.append(Finding(("funds.total.weight", "indicators[*].weight"), f"分值合计 {sum(weights):g}，不是 100"))
    rows = [("funds.total", total)] + [(f"indicators[{n}]", i) for n, i in enumerate(indicators)]
    for path, row in rows:
        weight, score = row.get("weight"), row.get("score")
        for key, value in (("weight", weight), ("score", score)):
            if value is not None and not 0 <= value <= 100:
                what = "分值" if key == "weight" else "得分"
                found.append(Finding((f"{path}.{key}",), f"{path} {what} {value:g} 不在 0–100 之间"))
        if weight is not None and score is not None and score > weight + _TOLERANCE:
            found.append(Finding((f"{path}.score",), f"{path} 得分 {score:g} 高于分值 {weight:g}"))
    scores = _known([total.get("score")] + [i.get("score") for i in indicators])
    stated = data.get("total_score")
    if stated is not None and indicators and scores is not None and abs(sum(scores) - stated) > _TOLERANCE:
        found.append(Finding(("total_score",), f"各项得分合计 {sum(scores):g}，与总分 {stated:g} 不符"))
    unscored = [n for n, i in enumerate(indicators) if i.get("score") is None and i.get("weight") is not None]
    if unscored and len(unscored) < len(indicators):  # the others are scored: this 得分 was left empty
        for n in unscored:
            found.append(Finding((f"indicators[{n}].score",), f"第{n + 1}个指标“{indicators[n].get('name')}”没有得分"))
    found += _rate(total)
    for n, item in enumerate(indicators):
        if item.get("name") and all(item.get(k) in (None, "") for k in ("target", "actual", "weight", "score")):
            what = f"第{n + 1}个指标“{item['name']}”只有名称，没有指标值、实际完成值、分值和得分"
            found.append(Finding((f"indicators[{n}].name",), what + "（被分页或折行切断的上一行文字？）"))
    return found


def _known(values: list[Any]) -> list[float] | None:
    """The values, when every one is known."""
    return None if any(v is None for v in values) else [float(v) for v in values]


def _rate(total: dict[str, Any]) -> list[Finding]:
    rate, final, executed = total.get("execution_rate"), total.get("budget_final"), total.get("executed")
    if not rate or not final or executed is None:
        return []
    try:
        written = float(str(rate).rstrip("%"))
    except ValueError:
        return []
    computed = executed / final * 100
    if abs(round(computed, 2) - written) > _TOLERANCE and abs(computed - written) > 0.5:
        return [Finding(("funds.total.execution_rate",), f"执行率 {rate} 与执行数 ÷ 预算数 = {computed:.2f}% 不符")]
    return []
