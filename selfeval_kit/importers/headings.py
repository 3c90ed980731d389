"""Where the tables of text in reading order start and end: their header labels, on one line or several.

    一级指标 二级指标 三级指标            ← one header printed a cell a line or a few cells a line
    年度
    指标值 …

A header is the vocabulary's column labels of the funds, goal or indicator table, their fragments
joined while they make a label ("年度" + "指标值"); it ends at the first line holding a word that is
no label. A table's body runs to the next header, title or header field (the indicator table's
总分 line and the points printed under it included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selfeval_kit.importers.cells import Line
from selfeval_kit.importers.fields import is_dash
from selfeval_kit.importers.fitting import words
from selfeval_kit.importers.tables import starts_other
from selfeval_kit.importers.vocabulary import Vocabulary

__all__ = [
    "MAX_JOIN",
    "SENTENCE_END",
    "Header",
    "all_values",
    "ends_goal",
    "header_at",
    "is_indicator_block",
    "region_end",
    "total_words",
]

MAX_JOIN = 3  # words of a label printed apart ("偏差原因分析及" / "改进措施")
SENTENCE_END = ("。", "；", ";", "!", "！")
_MAX_HEADER_LINES = 16  # a header of one cell a line (年初 / 预算数 …): at most this many lines of text
_AMOUNT = re.compile(r"[+-]?[\d,，.]+[%％]?")
_BROKEN_BRACKET = re.compile(r"[（(][^）)]*$")  # "预算执行情况(10" + "分)": a label's points cut by a wrap


@dataclass
class Header:
    kind: str  # "funds", "goal" or "indicators"
    roles: list[str]
    labels: list[str]
    block: str | None  # the block's own label printed on the header line (项目资金（万元）)
    end: int  # the index after its last line
    units: list[str] = field(default_factory=list)  # "（元）" printed apart under the block's label


def _role(text: str, kind: str, voc: Vocabulary) -> str | None:
    if kind == "goal":
        match = voc.field(text, "goal")
        return match.key if match is not None and match.key in ("planned", "achieved") and not match.value else None
    role = voc.column(text, kind)
    return None if role == "amounts" else role


def header_at(lines: list[Line], i: int, voc: Vocabulary) -> Header | None:
    """The header starting at line i: its labels (on this line and the lines after it that hold
    only labels or their fragments), or None when no table's header starts there."""
    if not lines[i].text:
        return None
    for kind in ("indicators", "funds", "goal"):
        if not _starts_header(lines[i].text, kind, voc):
            continue
        labels, roles, block, units, end = _labels(lines, i, kind, voc)
        enough = (
            ("name" in roles and len(roles) >= 3)
            if kind == "indicators"
            else len(roles) >= (2 if kind == "goal" else 3)
        )
        if enough:
            return Header(kind, roles, labels, block, end, units)
    return None


def _starts_header(text: str, kind: str, voc: Vocabulary) -> bool:
    """Whether a line's first word is a label of the header (or the funds block's own label; the
    indicator table's own label may lead its header: 绩效指标(90分) 一级指标 …)."""
    ws = words(text)
    lead = 0  # the block's own labels first: 绩效指标(90分); 年度总体目标; 项目基本情况 1.项目年度目标完成情况
    while lead < len(ws) and (
        (kind == "indicators" and is_indicator_block(ws[lead], voc)) or (kind == "goal" and _goal_block(ws[lead], voc))
    ):
        lead += 1
    first = ws[lead : lead + MAX_JOIN]
    for n in range(len(first), 0, -1):
        joined = "".join(first[:n])
        if _role(joined, kind, voc) is not None or (
            kind != "goal" and len(joined) > 1 and voc.column_part(joined, kind, start=True)
        ):
            return True
        if kind == "funds" and (m := voc.field(joined, "funds")) is not None and m.key == "block":
            return True
    return False


def _goal_block(word: str, voc: Vocabulary) -> bool:
    match = voc.field(word, "goal")
    return match is not None and match.key == "block" and match.value is None


def _is_label_start(text: str, kind: str, voc: Vocabulary) -> bool:
    """Whether a header word is a piece of a label printed apart ("年度" of 年度指标值)."""
    return kind != "goal" and voc.column_part(text, kind)


def _labels(
    lines: list[Line], i: int, kind: str, voc: Vocabulary
) -> tuple[list[str], list[str], str | None, list[str], int]:
    """The header's labels from line i on, fragments joined; their roles; the block label; units
    printed in brackets under it; the end."""
    pending: list[str] = []
    labels: list[str] = []
    roles: list[str] = []
    units: list[str] = []
    block: str | None = None
    end = i
    seen = 0  # lines of text read (blank lines between a header's cells do not count)
    for j in range(i, len(lines)):
        line = lines[j]
        if not line.text:
            continue
        seen += 1
        if seen > _MAX_HEADER_LINES:
            break
        ws = words(line.text)
        if j > i and not all(_headerish(w, kind, voc) for w in ws):
            break
        pending += ws
        end = j + 1
        while pending:
            taken = _take_label(pending, kind, voc)
            if taken is None:
                if len(pending) < MAX_JOIN and j + 1 < len(lines):
                    break  # a fragment: the next line may finish it
                word = pending.pop(0)
                if kind == "funds" and (m := voc.field(word, "funds")) is not None and m.key == "block":
                    block = word
                elif kind == "funds" and voc.unit(word) is not None:  # 项目资金 / （元）: the block's unit
                    units.append(word)
                continue
            n, role = taken
            labels.append("".join(pending[:n]))
            roles.append(role)
            del pending[:n]
    if roles and roles[0] in roles[1:]:  # the block's label misprinted as a column's (预算执行率（万元）)
        del roles[0], labels[0]
    return labels, roles, block, units, end


def _take_label(pending: list[str], kind: str, voc: Vocabulary) -> tuple[int, str] | None:
    """The most words from the front of `pending` that make one label, and its role."""
    if voc.unit(pending[0]) is not None and voc.normalise(pending[0]).startswith("("):
        return None  # a unit in brackets under the block's label: not part of the next column's
    for n in range(min(len(pending), MAX_JOIN), 0, -1):
        role = _role("".join(pending[:n]), kind, voc)
        if role is not None:
            return n, role
    return None


def _headerish(word: str, kind: str, voc: Vocabulary) -> bool:
    """A word of a header line: a label, a piece of one, or the unit under the funds block's label."""
    unit = kind == "funds" and voc.unit(word) is not None
    return unit or _role(word, kind, voc) is not None or _is_label_start(word, kind, voc)


def region_end(lines: list[Line], header: Header, voc: Vocabulary) -> int:
    """The index after the table's last line: before the next header, title or header field;
    the indicator table's 总分 line included."""
    for j in range(header.end, len(lines)):
        text = lines[j].text
        if not text:
            continue
        found = header_at(lines, j, voc)
        if header.kind == "indicators" and found is not None and found.kind == "indicators":
            continue  # the header repeated on the next page: the table goes on
        if found is not None or starts_other(text, words(text)[0], voc):
            return j
        if header.kind == "funds" and (m := voc.field(text, "goal")) is not None and m.key in ("block", "planned"):
            return j
        if header.kind == "goal" and ends_goal(text, voc):
            return j
        if header.kind == "indicators" and (n := total_words(ws := words(text), voc)):
            if n < len(ws):
                return j + 1
            end = j + 1  # 合计 / 100 95.25, or a cell a line: 合计 | 100 | 95.25 |
            while end < len(lines) and (not lines[end].text or all_values(words(lines[end].text))):
                end += 1
            while end > j + 1 and not lines[end - 1].text:
                end -= 1
            return end
    return len(lines)


def ends_goal(text: str, voc: Vocabulary) -> bool:
    """The goal texts end at the indicator table's label, another labelled section (2.项目实施内容
    及过程概述, 评价结论) or the funds block's label (预算执行情况(10分), its bracket cut by a wrap)."""
    if is_indicator_block(text, voc) or voc.column(text, "funds") == "amounts":
        return True
    match = voc.field(_BROKEN_BRACKET.sub("", text))
    if match is None or match.section not in ("other", "funds", "indicators"):
        return False
    return match.value is None or match.section == "other"  # 2.项目实施内容及过程概述 | its text


def total_words(ws: list[str], voc: Vocabulary) -> int:
    """How many words from the front make the 总分 label ("总分", "总  分"), 0 when they do not."""
    return next((n for n in (1, 2) if len(ws) >= n and voc.is_total("".join(ws[:n]))), 0)


def is_indicator_block(text: str, voc: Vocabulary) -> bool:
    """The indicator table's own label (绩效指标, 绩效指标(90分)) or its first vertical character."""
    plain = voc.normalise(text)
    return plain.startswith("绩效指标") or plain == "绩"


def all_values(ws: list[str]) -> bool:
    return bool(ws) and all(is_dash(w) or _AMOUNT.fullmatch(w) for w in ws)
