"""Text with a row a line, or a cell a line, read back into tables: the reading order is all it keeps.

    一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分      ← a header, on one line or on several
    产出指标 数量指标 新增老年食堂（助餐点）≥6家 7家 10 10          ← a row, its cells apart by one space
    助餐服务规范化                                                  ← a name printed on two lines
    达标率 ≥95% 97% 5 5

Text extracted from a published PDF without its layout (``pdftotext``, a viewer's copy, the
text of a web page) keeps the cells in reading order and nothing of their columns: a row's cells
are parted by single spaces or printed on lines of their own, a long cell wraps onto the lines
around its row, and a merged 一级/二级 label stands once, on its own line or at the start of its
first row. `tabulate_sequence` rebuilds the tables from what the cells can be:

* A table starts at its header: the vocabulary's column labels, on one line or on consecutive
  lines, fragments joined while they make a label ("年度" + "指标值"). The columns are the
  header's, in its order, so 分值 before the target, 指标性质/度量单位 and 序号 need no code.
* A row of the indicator table is a line whose words fit the columns with a bare number under
  分值 and 得分 (`selfeval_kit.importers.fitting`); lines of text before it are the start of its
  name, or the rest of the row above's deviation note while that note has not ended (。).
* A line of 一级/二级 labels sets the label of the rows below it, until the next.
* The funds rows are lines that start with a row label of the vocabulary (其中：当年财政拨款), or a
  label line followed by its values; a sub-row with two amounts for three columns reads as
  全年预算数 and 全年执行数 (a carry-over is not known when the initial budget is set).
* The goal texts under 预期目标 / 实际完成情况 are the paragraphs below, the first for the target, the
  rest for what was achieved; text under a 预期目标： label of its own is that text.
* The header fields (项目名称 …) take the words after their label and the lines below it, up to
  the next label; a value printed on several lines is joined as printed.
* The vertical label of the whole table (绩/效/指/标, one character a line) is dropped.

The result is a `Document` the cell reader reads like a PDF's; lines outside the tables stay.
"""

from __future__ import annotations

from selfeval_kit.importers.budget import funds_table
from selfeval_kit.importers.cells import Block, Cell, Document, Line, Table
from selfeval_kit.importers.fitting import words
from selfeval_kit.importers.flattened import reflowed
from selfeval_kit.importers.goals import GoalTable, goal_labelled, goal_table, settle_lone
from selfeval_kit.importers.headings import MAX_JOIN, ends_goal, header_at, region_end
from selfeval_kit.importers.stream import indicator_table
from selfeval_kit.importers.vocabulary import LabelMatch, Vocabulary

__all__ = ["tabulate_sequence"]

_HEADER_FIELDS = ("name", "department", "implementer")


def tabulate_sequence(document: Document, voc: Vocabulary) -> Document:
    """`document` with the lines of each table, and the header fields, replaced by `Table`s.

    Parameters
    ----------
    document : Document
        A text document (`selfeval_kit.importers.adapters.text`), or any document whose text
        outside its tables holds forms (a web page's paragraphs): its tables stay as they are.
    voc : Vocabulary
        The labels of headers, fields, funds rows and 一级/二级 indicators.

    Returns
    -------
    Document
        The same source, kind and notes; a `Table` for each header-field block, funds table,
        goal table and indicator table found, the other lines as they were.
    """
    out: list[Block | GoalTable] = []
    run: list[Line] = []
    for block in [*document.blocks, None]:
        if isinstance(block, Line):
            run.append(_cells_apart(block))
            continue
        out += _rebuilt(reflowed(run, voc), voc)  # the lines between two tables
        run = []
        if block is not None:
            out.append(block)  # a table the source has: as it is
    goals = [b for b in out if isinstance(b, GoalTable)]
    settle_lone(goals)
    blocks = [b.table() if isinstance(b, GoalTable) else b for b in out]
    return Document(source=document.source, kind=document.kind, blocks=blocks, notes=list(document.notes))


def _cells_apart(line: Line) -> Line:
    """A text line cut into cells by ``|`` or tabs (``项目名称 |``, ``总额 | 238.93 | …``): its cells a
    space apart, as text in reading order prints them; a line of empty cells is blank."""
    if not line.parts:
        # "|" alone: an empty cell of a page printed a cell a line (kept: it holds a column's place)
        return (
            Line("", line.where, parts=("",) if line.text.strip() else ()) if line.text.strip("|｜ \t") == "" else line
        )
    cells = tuple(p.strip() for p in line.parts if p.strip())
    return Line(" ".join(cells), line.where, parts=cells, indent=line.indent)


def _rebuilt(lines: list[Line], voc: Vocabulary) -> list[Block | GoalTable]:
    """Lines in reading order, their tables rebuilt."""
    out: list[Block | GoalTable] = []
    i = 0
    while i < len(lines):
        header = header_at(lines, i, voc)
        if header is not None:
            end = region_end(lines, header, voc)
            body = lines[header.end : end]
            if header.kind == "funds":
                table, rest = funds_table(header, lines[i], body, voc)
                out += [table, *rest]
            elif header.kind == "goal":
                out.append(goal_table(header, lines[i], body))
            else:
                out.append(indicator_table(header, lines[i], body, voc))
            i = end
            continue
        goal = goal_labelled(lines, i, voc)
        if goal is not None:
            table, i = goal
            out.append(table)
            continue
        fields = _field_rows(lines, i, voc)
        if fields is not None:
            table, i = fields
            out.append(table)
            continue
        out.append(lines[i])
        i += 1
    return out


def _field_rows(lines: list[Line], i: int, voc: Vocabulary) -> tuple[Table, int] | None:
    """项目名称 / 主管部门 / 实施单位 with their values: a table of (label, value) rows, and the
    index after the last line read."""
    pairs = _line_fields(lines[i].text, voc)
    if not pairs:
        return None
    rows: list[tuple[str, str, str]] = []
    j = i + 1
    label, value = pairs[-1]
    for lab, val in pairs[:-1]:
        rows.append((lab, val, lines[i].where))
    tail: list[str] = [value] if value else []
    while j < len(lines):
        text = lines[j].text
        if text and (_line_fields(text, voc) or _ends_fields(lines, j, voc)):
            break
        if text:
            tail.append(text)
        j += 1
    rows.append((label, "".join(tail), lines[i].where))
    cells: list[Cell] = []
    for r, (lab, val, _) in enumerate(rows):
        cells.append(Cell(lab, r, 0))
        if val:
            cells.append(Cell(val, r, 1))
    return Table(cells, where=lines[i].where, lines=[w for _, _, w in rows]), j


def _line_fields(text: str, voc: Vocabulary) -> list[tuple[str, str]]:
    """A line's header fields: [(label, value as printed)], the value up to the next label."""
    ws = words(text)
    found: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(ws):
        n, match = _field_label(ws, i, voc)
        if match is not None:
            found.append((match.label, [match.value] if match.value else []))
        elif found:
            found[-1][1].append(ws[i])
        else:
            return []
        i += n
    return [(label, " ".join(value)) for label, value in found]


def _field_label(ws: list[str], i: int, voc: Vocabulary) -> tuple[int, LabelMatch | None]:
    """The header field label at word i, of as many words as make the longest one (实施单位 (盖章)),
    and the words it takes; (1, None) when none starts there."""
    for n in range(min(MAX_JOIN, len(ws) - i), 0, -1):
        joined = " ".join(ws[i : i + n])
        match = voc.field(joined, "fields") or voc.field(joined, "other")
        if match is None or (match.key not in _HEADER_FIELDS and match.section != "other"):
            continue
        if n == 1 or match.value is None:
            return n, match
    return 1, None


def _ends_fields(lines: list[Line], j: int, voc: Vocabulary) -> bool:
    text = lines[j].text
    first = words(text)[0]
    if voc.field(first) is not None or voc.title(text) is not None or voc.unit(text) is not None:
        return True
    return header_at(lines, j, voc) is not None or voc.year_line(text) is not None or ends_goal(text, voc)
