"""The goal texts of text in reading order: 预期目标 and 实际完成情况, under their header or their labels.

Under a header of both, the paragraphs below are the two texts, the first the target; printed
without a blank line between them, they part where a sentence ends and the lines' width changes
(the two cells are of different widths). A single text is placed by its width against the other
forms' texts of the document (`settle_lone`); with no other form to compare, which it is cannot
be told.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selfeval_kit.importers.cells import Cell, Line, Table
from selfeval_kit.importers.headings import SENTENCE_END, Header, ends_goal, header_at
from selfeval_kit.importers.vocabulary import Vocabulary

__all__ = ["GoalTable", "goal_labelled", "goal_table", "settle_lone"]


def goal_table(header: Header, first: Line, body: list[Line]) -> GoalTable:
    """The goal table: 预期目标 / 实际完成情况, and the two texts below them."""
    paragraphs: list[list[Line]] = [[]]
    for line in body:
        if not line.text:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        paragraphs[-1].append(line)
    paragraphs = [p for p in paragraphs if p]
    planned, achieved = _split_goal(paragraphs)
    notes = []
    if len(paragraphs) == 1 and planned and achieved:
        notes.append(
            f"annual_goal: the two texts under {' / '.join(header.labels)} are printed without a blank line "
            f"between them; parted where a sentence ends and the lines' width changes ({achieved[0].where})"
        )
    texts = dict(zip(header.roles, (planned, achieved), strict=False))
    return GoalTable(header.labels, header.roles, texts, first.where, notes)


@dataclass
class GoalTable:
    """A goal table while the document is read: which text is which may wait for the others."""

    labels: list[str]
    roles: list[str]
    texts: dict[str, list[Line]]
    where: str
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def widths(self, role: str) -> list[int]:
        """The printed widths of a text's lines, its last (short) line left out."""
        return [len(line.text) for line in self.texts.get(role, [])[:-1]]

    def lone(self) -> bool:
        """Whether only one of the two texts was found, and found whole in one paragraph."""
        return bool(self.texts.get("planned")) != bool(self.texts.get("achieved"))

    def table(self) -> Table:
        cells = [Cell(label, 0, c) for c, label in enumerate(self.labels)]
        first = None
        for c, role in enumerate(self.roles):
            lines = self.texts.get(role) or []
            if lines:
                cells.append(Cell(_joined(lines), 1, c))
                first = first or lines[0].where
        return Table(
            cells,
            where=f"{self.where}起的表格",
            lines=[self.where, first or self.where],
            notes=self.notes,
            problems=self.problems,
        )


def _joined(lines: list[Line]) -> str:
    """A cell's lines joined as printed: no space at a wrap, but a space printed at a line's start kept."""
    return "".join((" " if k and line.indent else "") + line.text for k, line in enumerate(lines))


def settle_lone(goals: list[GoalTable]) -> None:
    """A goal text alone under both headers (the other cell empty) is the one whose column it
    was printed in: its lines' width is nearer that of the other forms' texts of that column."""
    typical = {}
    for role in ("planned", "achieved"):
        widths = sorted(w for g in goals if not g.lone() for w in g.widths(role))
        if widths:
            typical[role] = widths[len(widths) // 2]
    if len(typical) < 2:
        for goal in goals:
            if goal.lone():
                goal.problems.append(
                    f"{goal.where}：年度总体目标下只有一段文字，文档中又没有别的表可比栏宽，"
                    "无法判断它是预期目标还是实际完成情况，未读取"
                )
                goal.texts = {}
        return
    for goal in goals:
        if not goal.lone():
            continue
        role = "planned" if goal.texts.get("planned") else "achieved"
        widths = goal.widths(role)
        if not widths:
            continue
        width = sorted(widths)[len(widths) // 2]
        other = "achieved" if role == "planned" else "planned"
        name = {"planned": "预期目标", "achieved": "实际完成情况"}
        read = other if abs(width - typical[other]) < abs(width - typical[role]) else role
        goal.texts = {read: goal.texts[role]}
        goal.notes.append(
            f"annual_goal: only one text under 预期目标 / 实际完成情况; its lines ({width} characters) are as wide as "
            f"the other forms' {name[read]} texts: read as {name[read]}, the other left empty"
        )


def goal_labelled(lines: list[Line], i: int, voc: Vocabulary) -> tuple[Table, int] | None:
    """预期目标：… and 实际完成情况：… each with its text after it (on its line and the lines below):
    the goal table, and the index after its last line."""
    match = voc.field(lines[i].text, "goal")
    if match is None or match.key != "planned" or header_at(lines, i, voc) is not None:
        return None
    texts: dict[str, list[str]] = {"planned": [match.value] if match.value else []}
    labels = {"planned": match.label}
    current, j = "planned", i + 1
    while j < len(lines):
        text = lines[j].text
        if text:
            found = voc.field(text, "goal")
            if found is not None and found.key == "achieved" and current == "planned":
                current, labels["achieved"] = "achieved", found.label
                texts["achieved"] = [found.value] if found.value else []
            elif ends_goal(text, voc) or header_at(lines, j, voc) is not None or voc.field(text) is not None:
                break
            else:
                texts[current].append(text)
        j += 1
    if "achieved" not in texts:
        return None
    cells = [Cell(labels[key], 0, c) for c, key in enumerate(("planned", "achieved"))]
    cells += [Cell("".join(texts[key]), 1, c) for c, key in enumerate(("planned", "achieved")) if texts[key]]
    return Table(cells, where=lines[i].where, lines=[lines[i].where, lines[i].where]), j


def _split_goal(paragraphs: list[list[Line]]) -> tuple[list[Line], list[Line]]:
    """The target's lines and the achieved lines: at a blank line if there is one; else where a
    sentence ends and the lines' width changes (the two cells are of different widths)."""
    if len(paragraphs) >= 2:
        return paragraphs[0], [line for p in paragraphs[1:] for line in p]
    if not paragraphs:
        return [], []
    lines = paragraphs[0]
    if len(lines) == 1 and len(lines[0].parts) == 2:  # the two cells of a row cut by "|" or a tab
        first, second = lines[0].parts
        return [Line(first, lines[0].where)], [Line(second, lines[0].where)]
    best, at = None, 0
    for s in range(1, len(lines)):
        if not lines[s - 1].text.endswith(SENTENCE_END):
            continue
        cost = _spread(lines[: s - 1]) + _spread(lines[s:-1])
        if best is None or cost < best:
            best, at = cost, s
    return (lines[:at], lines[at:]) if at else (lines, [])


def _spread(lines: list[Line]) -> float:
    """How unlike the widths of full lines are (a cell's last line is left out by the caller)."""
    widths = [len(line.text) for line in lines]
    if len(widths) < 2:
        return 0.0
    mean = sum(widths) / len(widths)
    return sum((w - mean) ** 2 for w in widths) / len(widths)
