"""Realistic synthetic portfolios for benchmarks: forms like the published ones, at any size.

    python benchmarks/synthetic.py OUT_DIR --forms 2000 [--broken 20] [--seed 1]

Each form has 8–20 indicators drawn from the kinds real forms use (counts, rates,
response times, money, rankings, "无", qualitative words), written in the notations
of RULES.md §5 (ASCII and full-width signs, words, 万/亿, fused units, 秒 vs ms,
万元 vs 元); about one in six targets is missed with a partial score and a note;
goal texts mention the figures as real forms do. `--broken` adds invalid files
(wrong types, unknown keys, negative amounts, malformed YAML) for the validator.
"""

from __future__ import annotations

import argparse
import itertools
import random
from pathlib import Path

import yaml

SIGNS_GE = [">=", "≥", "不低于", "不少于", "＞＝"]
SIGNS_LE = ["<=", "≤", "不超过", "不高于"]
SIGNS_LT = ["<", "＜", "小于", "少于"]

# (level1, level2, name, kind, unit, low, high)
CATALOGUE = [
    ("产出指标", "数量指标", "培训场次", "count", "场", 5, 60),
    ("产出指标", "数量指标", "服务企业数", "count", "家", 50, 3000),
    ("产出指标", "数量指标", "新增仪器信息报送数", "count", "台套", 100, 5000),
    ("产出指标", "数量指标", "全年访问量", "big", "次", 1_000_000, 50_000_000),
    ("产出指标", "数量指标", "应急演练", "count", "次", 1, 4),
    ("产出指标", "数量指标", "发放创新券金额", "money", "万元", 100, 5000),
    ("产出指标", "质量指标", "工单办结率", "rate", "%", 85, 100),
    ("产出指标", "质量指标", "系统故障数", "limit", "次", 3, 20),
    ("产出指标", "质量指标", "高危漏洞数", "limit", "个", 2, 10),
    ("产出指标", "质量指标", "验收合格率", "rate", "%", 80, 100),
    ("产出指标", "时效指标", "系统响应时间", "time", "秒", 1, 5),
    ("产出指标", "时效指标", "资金拨付及时性", "qual", "及时", 0, 0),
    ("产出指标", "成本指标", "单位运维成本", "cost", "万元", 10, 200),
    ("效益指标", "经济效益指标", "带动社会投资", "money", "万元", 500, 20000),
    ("效益指标", "社会效益指标", "服务人次", "big", "人次", 10_000, 2_000_000),
    ("效益指标", "社会效益指标", "政策知晓度", "qual", "持续提高", 0, 0),
    ("效益指标", "社会效益指标", "区域排名", "rank", "全国", 3, 10),
    ("效益指标", "社会效益指标", "投诉率", "none", "无", 0, 0),
    ("效益指标", "生态效益指标", "节能率", "rate", "%", 5, 20),
    ("效益指标", "可持续影响指标", "长效管理制度建设", "qual", "完善", 0, 0),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "rate", "%", 85, 95),
]
QUAL_SHORTFALL = {"及时": "部分未及时", "完善": "基本完善", "持续提高": "部分提高"}


def _split_weights(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    edges = [0, *cuts, total]
    return [b - a for a, b in itertools.pairwise(edges)]


def _plain(value: float) -> str:
    """A number as people write it: no exponent, no trailing zeros."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def _fmt_number(rng: random.Random, value: float, unit: str) -> str:
    if value >= 10_000 and rng.random() < 0.5:
        return f"{_plain(value / 10_000)}万{unit}"
    if value >= 1000 and rng.random() < 0.2:
        return f"{value:,.0f}{unit}"
    return f"{_plain(value)}{unit}"


def _indicator(rng: random.Random, spec, weight: int) -> tuple[dict, str, str]:
    level1, level2, name, kind, unit, low, high = spec
    missed = rng.random() < 0.16
    note = None
    if kind == "qual":
        target = unit
        actual = QUAL_SHORTFALL.get(unit, "未完成") if missed else rng.choice([unit, f"制定了管理办法，{unit}"])
        score = round(weight * (0.7 if missed else 1.0), 2)
    elif kind == "none":
        target, actual, score = "无", "1次" if missed else "无", 0 if missed else weight
    elif kind == "rank":
        rank = rng.randint(low, high)
        got = rank + rng.randint(1, 3) if missed else rng.randint(1, rank)
        target, actual = f"{unit}前{rank}", f"{unit}第{got}"
        score = round(weight * rank / got, 2) if missed else weight
    elif kind == "cost":
        limit = rng.randint(low, high)
        got = round(limit * (rng.uniform(1.05, 1.3) if missed else rng.uniform(0.7, 1.0)), 2)
        target, actual = f"{rng.choice(SIGNS_LE)}{limit}{unit}", f"{_plain(got)}{unit}"
        score = weight
    elif kind in ("limit", "time"):
        limit = rng.randint(low, high)
        if kind == "time":
            target = f"{rng.choice(SIGNS_LT)}{limit}{rng.choice(['秒', 'S', 's'])}"
            got = limit * (1.3 if missed else rng.uniform(0.01, 0.9))
            actual = f"{got * 1000:.0f}ms" if got < 1 else f"{got:.2f}秒"
        else:
            target = f"{rng.choice(SIGNS_LT + SIGNS_LE)}{limit}{unit}"
            got = limit + rng.randint(1, 3) if missed else rng.randint(0, max(0, limit - 1))
            actual = f"{got}{unit}"
        score = round(weight * min(1.0, limit / got), 2) if missed and got else weight
    else:
        value = rng.randint(low, high)
        if kind == "rate":
            ratio = rng.uniform(0.85, 0.99) if missed else rng.uniform(1.0, min(1.25, 100 / value))
            got = round(value * ratio, 2)
            target, actual = f"{rng.choice(SIGNS_GE)}{value}%", f"{_plain(got)}%"
        else:
            ratio = (
                rng.uniform(0.6, 0.95) if missed else rng.choice([1.0, rng.uniform(1.0, 1.3), rng.uniform(1.3, 4.0)])
            )
            got = round(value * ratio) if kind != "money" else round(value * ratio, 2)
            shown = f"{value}{unit}" if kind == "money" else _fmt_number(rng, value, unit)
            target = f"{rng.choice(SIGNS_GE)}{shown}"
            actual = _fmt_number(rng, got, unit) if kind != "money" else f"{got * 10_000:.2f}元"
        score = round(weight * min(1.0, ratio), 2)
    if missed:
        note = rng.choice(
            ["受疫情影响，部分工作延期。", "因采购流程调整，进度滞后，下年度将提前谋划。", "需求下降，已调整工作计划。"]
        )
    row = {
        "level1": level1, "level2": level2, "name": name, "target": target, "actual": actual,
        "weight": weight, "score": score, "deviation_note": note,
    }  # fmt: skip
    return row, f"{name}{target}", f"{name}{actual}"


def _rule_score(row: dict) -> float:
    """The score the national rules give, so that forms are consistent unless made wrong on purpose."""
    from selfeval_kit import Indicator, load_profile
    from selfeval_kit.rules.scoring import score_indicator

    result = score_indicator(Indicator(**row), load_profile("national"))
    return result.score_recomputed if result.score_low == result.score_high else row["score"]


def make_form(rng: random.Random, index: int, year: int = 2023) -> dict:
    count = rng.randint(8, 20)
    outputs = [s for s in CATALOGUE if s[0] == "产出指标"]
    outcomes = [s for s in CATALOGUE if s[0] == "效益指标"]
    satisfaction = [s for s in CATALOGUE if s[0] == "满意度指标"]
    n_out = max(3, min(len(outputs), round(count * 0.55)))
    n_eff = max(2, min(len(outcomes), count - n_out - 1))
    specs = rng.sample(outputs, n_out) + rng.sample(outcomes, n_eff) + satisfaction
    weights = _split_weights(rng, 50, n_out) + _split_weights(rng, 30, n_eff) + [10]
    rows, planned, achieved = [], [], []
    for spec, weight in zip(specs, weights, strict=False):
        row, plan, done = _indicator(rng, spec, max(weight, 1))
        rows.append(row)
        planned.append(plan)
        achieved.append(done)
    rows[0]["weight"] += 90 - sum(r["weight"] for r in rows)  # max(…, 1) above may drift
    for row in rows:
        row["score"] = min(_rule_score(row), row["weight"])
    if rng.random() < 0.05:  # a self-score that ignores a missed target, as real forms sometimes do
        row = rng.choice(rows)
        row["score"] = row["weight"]
    unit = rng.choice(["元", "万元"])
    cents = 100 if unit == "元" else 1  # amounts in 万元 have two decimals: whole 百元
    initial = (
        rng.randint(2_000, 80_000) * 100 // cents * cents / 100
        if unit == "万元"
        else float(rng.randint(200_000, 8_000_000))
    )
    final = initial if rng.random() < 0.6 else round(initial * rng.uniform(0.5, 1.1), 2)
    executed = round(final * rng.choice([1.0, rng.uniform(0.7, 1.0), rng.uniform(1.0, 1.2)]), 2)
    carry = 0.0 if rng.random() < 0.8 else round(final * 0.1, 2)
    rate = executed / final * 100
    budget_score = round(10 * min(rate, 100) / 100, 2)
    total = {
        "budget_initial": initial, "budget_final": final, "executed": executed,
        "weight": 10, "execution_rate": f"{rate:.2f}%", "score": budget_score,
    }  # fmt: skip
    return {
        "id": f"synthetic-{index:05d}",
        "seq": index + 1,
        "name": f"示例项目{index:05d}（{rng.choice(['运维', '建设', '研究', '宣传推广', '服务'])}）",
        "department": rng.choice(["某市科学技术委员会", "某区财政局", "某省教育厅"]),
        "implementer": rng.choice(["某市研发公共服务平台管理中心", "某区信息中心", "某大学"]),
        "year": year,
        "unit": unit,
        "funds": {
            "total": total,
            "appropriation": {
                "budget_initial": initial,
                "budget_final": round(final - carry, 2),
                "executed": round(executed - carry, 2),
            },
            "carryover": {"budget_initial": None, "budget_final": carry, "executed": carry},
            "other": {"budget_initial": None, "budget_final": 0, "executed": 0},
        },
        "annual_goal": {
            "planned": "项目实施期内需保障各项工作有序开展，" + "，".join(planned) + "。",
            "achieved": "项目实施期内各项工作有序开展，" + "，".join(achieved) + "。",
        },
        "indicators": rows,
        "total_score": round(budget_score + sum(r["score"] for r in rows), 2),
    }


BREAKAGES = [
    lambda d: d["indicators"][0].update(weight="五"),
    lambda d: d.update(yaer=d.pop("year")),
    lambda d: d["funds"]["total"].update(executed=-1),
    lambda d: d.update(id="../escape"),
    lambda d: d["indicators"][1].pop("target"),
]


def write_portfolio(out: Path, forms: int, broken: int = 0, seed: int = 1, year: int = 2023) -> list[Path]:
    """Write `forms` valid forms and `broken` invalid ones as YAML files; returns the paths."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(forms + broken):
        data = make_form(rng, i, year)
        path = out / f"{data['id']}.yaml"
        if i >= forms:
            path = out / f"broken-{i:05d}.yaml"
            if i % (len(BREAKAGES) + 1) == 0:
                path.write_text("id: [unclosed\n", encoding="utf-8")
                paths.append(path)
                continue
            BREAKAGES[i % len(BREAKAGES)](data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--forms", type=int, default=100)
    parser.add_argument("--broken", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    paths = write_portfolio(args.out, args.forms, args.broken, args.seed)
    print(f"wrote {len(paths)} files to {args.out}")


if __name__ == "__main__":
    main()
