"""A form whose table was flattened onto one line, cut back into the lines of its rows.

    财政项目支出绩效自评表 （2022年度） 项目名称 热线运维 主管部门 科委 … 总分 100 100
    ↓
    财政项目支出绩效自评表 （2022年度）
    项目名称 热线运维
    主管部门 科委
    …

A web page's table copied as one paragraph, or a document's text extracted without its line
breaks, keeps the cells in reading order, a space between them and nothing else. `reflowed` cuts
such a line where the vocabulary says a new part of the form starts: before a title, a header
field, the funds block and each of its rows, the goal block, the indicator table's label and its
header, a 一级/二级 label, the 总分 row; a header (a run of column labels) is a line of its own; in
the indicator table, a row ends at its 分值 and 得分 (two numbers followed by text); the two goal
texts under their header are two paragraphs. The lines then read as text in reading order
(`selfeval_kit.importers.sequence`). Lines with fewer than three such places are left as they are.
"""

from __future__ import annotations

from selfeval_kit.importers.cells import Line
from selfeval_kit.importers.fitting import words
from selfeval_kit.importers.headings import SENTENCE_END, is_indicator_block, total_words
from selfeval_kit.importers.vocabulary import Vocabulary

__all__ = ["reflowed"]

_MIN_PLACES = 3  # a line cut at fewer places is a row's or a header field's, not a flattened form
_COLUMN_BLOCKS = ("indicators", "funds")


def reflowed(lines: list[Line], voc: Vocabulary) -> list[Line]:
    """The lines, each flattened form in them cut into the lines of its parts.

    Parameters
    ----------
    lines : list of Line
        A text document's lines.
    voc : Vocabulary
        What starts a part of a form.

    Returns
    -------
    list of Line
        The same lines where none is flattened; a flattened line's parts each a `Line` with the
        same `where`, a blank line between the two goal texts.
    """
    out: list[Line] = []
    for line in lines:
        ws = words(line.text)
        kinds = [_kind(ws, i, voc) for i in range(len(ws))]
        if sum(1 for k in kinds if k is not None) < _MIN_PLACES:
            out.append(line)
            continue
        out += [Line(" ".join(part), line.where) if part else Line("", line.where) for part in _parts(ws, kinds, voc)]
    return out


def _kind(ws: list[str], i: int, voc: Vocabulary) -> str | None:
    """What starts at word i: "title", "field", "level", "total", "column", "goal", "block", or None."""
    word = ws[i]
    if voc.title(word) is not None:
        return "title"
    if is_indicator_block(word, voc):
        return "block"
    if total_words(ws[i : i + 2], voc):
        return "total"
    if any(voc.column(word, block) is not None for block in _COLUMN_BLOCKS):
        return "column"
    match = voc.field(word)
    if match is not None and match.section == "goal":
        return "goal"
    if match is not None:
        return "field"
    if voc.level1(word) is not None or voc.level2(word) is not None:
        return "level"
    return None


def _parts(ws: list[str], kinds: list[str | None], voc: Vocabulary) -> list[list[str]]:
    """The words cut into the lines of the form's parts ([] for a blank line)."""
    parts: list[list[str]] = [[]]
    in_table = False  # inside the indicator table: its rows end at their 分值 and 得分
    goal_texts = False  # right after the goal header: its two texts
    for i, (word, kind) in enumerate(zip(ws, kinds, strict=True)):
        before = kinds[i - 1] if i else None
        header_goes_on = kind in ("column", "goal") and before == kind
        # a 二级 label is not followed by a 一级 in its row: 经济效益指标 | 满意度指标(10分) 满意度指标 …
        labels_go_on = kind == "level" and before == "level" and not _new_level1(ws[i - 1], word, voc)
        if kind is not None and not header_goes_on and not labels_go_on and parts[-1]:
            parts.append([])
        elif kind is None and before in ("column", "goal") and _ends_header(ws, kinds, i):
            parts.append([])  # the header is a line of its own
            goal_texts = before == "goal"
        elif in_table and kind is None and not _number(word) and _row_ended(parts[-1]):
            parts.append([])
        if kind == "column":
            in_table = in_table or voc.column(word, "indicators") is not None
        if kind in ("total", "title", "field"):
            in_table = False
        if goal_texts and kind is not None:
            goal_texts = False
        parts[-1].append(word)
        if goal_texts and word.endswith(SENTENCE_END) and i + 1 < len(ws) and kinds[i + 1] is None:
            parts += [[], []]  # the first goal text ends: a blank line, then the second
            goal_texts = False
    return parts


def _new_level1(before: str, word: str, voc: Vocabulary) -> bool:
    return voc.level1(word) is not None and voc.level1(before) is None


def _ends_header(ws: list[str], kinds: list[str | None], i: int) -> bool:
    """Whether the run of labels before word i is a header (two labels or more), not one label
    followed by its value (项目名称 热线运维)."""
    k = i - 1
    while k >= 0 and kinds[k] == kinds[i - 1]:
        k -= 1
    return i - 1 - k >= 2


def _row_ended(part: list[str]) -> bool:
    """Whether a line of the indicator table ends with a row's 分值 and 得分 (two numbers), and has
    words before them."""
    numbers = 0
    for word in reversed(part):
        if not _number(word):
            break
        numbers += 1
    return numbers >= 2 and len(part) > numbers


def _number(word: str) -> bool:
    return word.replace(".", "", 1).isdigit()
