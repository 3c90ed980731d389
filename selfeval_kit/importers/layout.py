"""Text laid out in columns (``pdftotext -layout``, a table copied with its spaces) read back into tables.

    项目资金（元）        年初预算数   全年预算数   全年执行数   分值  执行率   得分     ← a header line
           年度资金总额   296,272.00  296,272.00  296,272.00   10  100.00%   10     ← a row

Text printed from a PDF by ``pdftotext -layout`` keeps every word where the page had it: a word
starts at the column its x position gives, so the words of one table column stand under one
another, though nothing draws the cells. `tabulate` finds the tables of a text `Document` by their
header lines (the vocabulary's funds, goal and indicator column labels), cuts each line under a
header into words with their extent as printed (a Chinese character is two columns wide), puts
every word in the header column it shares the most columns with (a column grows by the words
that fall only under it, so a left-aligned name under a centred header still finds it), and gives
the document back with those lines replaced by a `Table`, which the cell reader reads like a
PDF's. What a layout leaves out, it rebuilds from the positions:

* A header cell of two lines around the header line (偏差原因分析 / 及改进措施): joined to it.
* A cell printed on several lines: a line with no value of its own (no amount, points) continues a
  row beside it (`_Tabulator._attach`): the row that lacks that label where rows print their values
  between the lines of a centred label; the one row among the lines printed together with it (a
  tall row); the row a tall centred cell is printed around; else the row above, or in a centred
  table the nearer one.
* 一级/二级 labels merged over rows: their fragments ("产出指" + "标") are joined while the
  vocabulary says they make a label, and the rows each label covers follow from where it is
  printed (`selfeval_kit.importers.levels`): on the first row of its group (top-aligned), or in
  its middle (centred: the partition whose groups' middles are nearest to the labels).
* The funds block's own label (项目资金（元）) and the goal block's (年度总体目标): one cell over the table.
* A page number printed on a row's line at a page's foot: dropped.

Lines outside the tables (the title, 项目名称 …, page footers) stay lines. Text that is not laid out
(one cell a line) has no header line with columns and is left as it is (`is_layout`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from selfeval_kit.importers.cells import Block, Cell, Document, Line, Table
from selfeval_kit.importers.funds import FUNDS_ROWS
from selfeval_kit.importers.levels import groups
from selfeval_kit.importers.tables import header_kind, header_prefix, page_of, starts_other, table_end
from selfeval_kit.importers.vocabulary import Vocabulary
from selfeval_kit.importers.words import Word, joined, words_of

__all__ = ["is_layout", "tabulate"]

_SPACED = re.compile(r"\S(?: {2,}|\u3000)\S")  # two cells on one line, apart as a layout prints them
_LAYOUT_SHARE = 0.3  # of the non-blank lines with columns apart: below it, the text is one cell a line
_MAX_CELL_LINES = 60  # a cell printed over more lines than this is no form's
_REQUIRED_ROLE = {"funds": "row_label", "indicators": "name"}


@dataclass
class _Column:
    role: str  # a vocabulary role, or "block_label" / "row_label" for the labels left of the header
    head: list[Word]
    left: int
    right: int

    def grow(self, word: Word) -> None:
        self.left, self.right = min(self.left, word.left), max(self.right, word.narrow)


def is_layout(document: Document) -> bool:
    """Whether `document` is text laid out in columns: many lines hold cells apart by runs of spaces.

    Parameters
    ----------
    document : Document
        A text document (`selfeval_kit.importers.adapters.text`).

    Returns
    -------
    bool
        True when at least 30 % of its non-blank lines have two cells apart on them.
    """
    lines = [b.text for b in document.blocks if isinstance(b, Line) and b.text]
    if not lines:
        return False
    return sum(1 for text in lines if _SPACED.search(text)) >= _LAYOUT_SHARE * len(lines)


def tabulate(document: Document, voc: Vocabulary) -> Document:
    """`document` with the lines of each table laid out in columns replaced by that `Table`.

    Parameters
    ----------
    document : Document
        A document whose `Line`s keep their columns: text with its `indent`, or a PDF page's
        `Line.layout`.
    voc : Vocabulary
        The labels that tell a header line, a funds row label and a 一级/二级 label.

    Returns
    -------
    Document
        The same source, kind and notes; each table found (from its header line to the line
        before the next header, title or 项目名称, the 总分 line included) is one `Table`, whose
        first row is the header; other lines are as they were.
    """
    blocks = document.blocks
    out: list[Block] = []
    open_table = False  # an indicator table went on without its 总分: the next one continues it
    i = 0
    while i < len(blocks):
        block = blocks[i]
        kind = header_kind([w.text for w in words_of(block, 0)], voc) if isinstance(block, Line) else None
        if kind is None:
            if isinstance(block, Line) and starts_other(block.text, _first(block), voc):
                open_table = False
            out.append(block)
            i += 1
            continue
        end = table_end(blocks, i, kind, voc)
        prefix = header_prefix(blocks, i, kind, voc)
        if prefix and out[-prefix:] == blocks[i - prefix : i]:
            del out[-prefix:]
        else:
            prefix = 0
        above = [b for b in blocks[i - prefix : i] if isinstance(b, Line) and b.text]
        lines = above + [b for b in blocks[i:end] if isinstance(b, Line)]
        continued = open_table and kind == "indicators"
        out.append(_Tabulator(kind, voc, lines, prefix=len(above), continued=continued).table())
        if kind == "indicators":
            open_table = not any(voc.is_total(w.text) for line in lines for w in words_of(line, 0)[:3])
        i = end
    return Document(source=document.source, kind=document.kind, blocks=out, notes=list(document.notes))


@dataclass
class _Tabulator:
    """Makes one `Table` of the lines of one table: its header line first."""

    kind: str
    voc: Vocabulary
    lines: list[Line]
    prefix: int = 0  # lines above the header line that belong to it
    continued: bool = False  # it goes on from the table before (a page break): its first rows may lack labels
    columns: list[_Column] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    placed: dict[int, int] = field(default_factory=dict)  # id(word) → column index
    by_line: dict[int, list[Word]] = field(default_factory=dict)  # line → its words (`_on`)
    totals: dict[int, bool] = field(default_factory=dict)  # line → is it the 总分 line

    def table(self) -> Table:
        header = self._header()
        body_from = self.prefix + 1 + self._header_continuation(header)
        self.columns = [_Column(role, [w], w.left, w.right) for w in header if (role := self._role(w.text))]
        self.columns.sort(key=lambda c: c.left)
        self._label_columns([w for w in header if not self._role(w.text)])
        for k in range(body_from, len(self.lines)):
            if not self.voc.is_noise(self.lines[k].text):
                self.words += self._without_footer(k, words_of(self.lines[k], k))
        self._place()
        rows = self._rows()
        where = self.lines[self.prefix].where
        body = rows or sorted({w.line for w in self.words})[:1]  # the goal table: one row, from its first line
        lines = [where] + [self.lines[k].where for k in body]
        return Table(self._cells(rows), where=f"{where}起的表格", lines=lines)

    def _without_footer(self, k: int, words: list[Word]) -> list[Word]:
        """The words of line k, less a page number at its end when it is among its page's last three
        lines (pdftotext puts the footer on the line of a row level with it)."""
        page = page_of(self.lines[k])
        last = k + 3 > len(self.lines) or any(page_of(line) != page for line in self.lines[k : k + 3])
        for n in (3, 2, 1):
            if last and len(words) > n and self.voc.is_noise(" ".join(w.text for w in words[-n:])):
                return words[:-n]
        return words

    def _header(self) -> list[Word]:
        """The header line's words, those of the lines above it put in front of the word under them
        (or, where none is, beside them: a header cell of two lines around the header line)."""
        header = words_of(self.lines[self.prefix], self.prefix)
        for k in range(self.prefix):
            for word in words_of(self.lines[k], k):
                under = [h for h in header if word.shared(h.left - 1, h.right + 1)]
                if under and self._role(word.text + under[0].text):
                    at = header.index(under[0])
                    header[at] = Word(word.text + under[0].text, self.prefix, min(word.left, under[0].left),
                                       max(word.right, under[0].right), max(word.narrow, under[0].narrow))  # fmt: skip
                else:  # a column of its own; as narrow as it surely is, so as not to take its neighbour's words
                    header.append(Word(word.text, self.prefix, word.left, word.narrow, word.narrow))
        return sorted(header, key=lambda w: w.left)

    def _role(self, text: str) -> str | None:
        if self.kind == "goal":
            match = self.voc.field(text, "goal")
            return match.key if match is not None and match.key in ("planned", "achieved") else None
        return self.voc.column(text, self.kind)

    def _header_continuation(self, header: list[Word]) -> int:
        """Lines after the header that finish its wrapped labels ("一级指" + "标"): they join it."""
        taken = 0
        for k in range(self.prefix + 1, min(self.prefix + 3, len(self.lines))):
            words = words_of(self.lines[k], k)
            if not words:
                break
            joined = []
            for word in words:
                head = max(header, key=lambda h: (word.shared(h.left - 1, h.right + 1), -abs(h.center - word.center)))
                if word.shared(head.left - 1, head.right + 1) == 0 or self._role(head.text + word.text) is None:
                    return taken
                joined.append((head, word))
            for head, word in joined:
                at = header.index(head)
                header[at] = Word(
                    head.text + word.text,
                    head.line,
                    head.left,
                    max(head.right, word.right),
                    max(head.narrow, word.narrow),
                )
            taken += 1
        return taken

    def _label_columns(self, header_rest: list[Word]) -> None:
        """Columns left of the header for the block's label and (funds) the rows' labels."""
        if self.kind == "indicators":
            return
        first = self.columns[0].left if self.columns else 0
        labels = [_Column("block_label", [], first, first)]
        if self.kind == "funds":
            labels.append(_Column("row_label", [], first, first))
        self.columns = labels + self.columns
        self.words += header_rest

    def _place(self) -> None:
        """Each word's column: the one it shares most with, the columns grown by the words only they hold."""
        heads = [c for c in self.columns if c.head]
        if self.kind == "goal" and len(heads) == 2:
            self._place_goal(heads)
            return
        first = heads[0].left if heads else 0
        row_left = self._row_label_left(first)
        pending = []
        for word in self.words:
            label = self._label_place(word, first, row_left)
            if label is not None:
                self.placed[id(word)] = label
                continue
            under = [k for k, c in enumerate(self.columns) if c.head and word.shared(c.left, c.right)]
            if len(under) == 1:
                self.placed[id(word)] = under[0]
                self.columns[under[0]].grow(word)
            else:
                pending.append(word)
        for word in pending:
            self.placed[id(word)] = max(
                (k for k, c in enumerate(self.columns) if c.head),
                key=lambda k: (word.shared(self.columns[k].left, self.columns[k].right), -self._distance(word, k)),
            )

    def _place_goal(self, heads: list[_Column]) -> None:
        """Two texts side by side, each left-aligned under its centred header: the second starts
        at the first column right of the first header's middle where a word starts, the first
        where most lines start; a word further left is the block's label (年度总体目标)."""
        middle = (heads[0].left + heads[0].right) / 2
        second = min((w.left for w in self.words if w.left > middle), default=heads[1].left)
        label = {id(w) for w in self.words if self._goal_label(w.text)}
        pieces = [w for w in self.words if id(w) in label]
        for word in self.words:  # a piece of the label printed over lines: 年度 / 总体目标
            if any(abs(word.line - p.line) <= 2 and self._goal_label(word.text + p.text) for p in pieces):
                label.add(id(word))
        starts = Counter(w.left for w in self.words if w.left < middle and id(w) not in label)
        first = max(starts, key=lambda left: (starts[left], -left)) if starts else heads[0].left
        planned, achieved = (self.columns.index(h) for h in heads)
        for word in self.words:
            if id(word) in label:
                self.placed[id(word)] = 0
            elif word.left >= second - 1:
                self.placed[id(word)] = achieved
            elif word.left >= first - 1:
                self.placed[id(word)] = planned
            else:
                self.placed[id(word)] = 0

    def _goal_label(self, text: str) -> bool:
        match = self.voc.field(text, "goal")
        return match is not None and match.key == "block" and match.value is None

    def _distance(self, word: Word, k: int) -> float:
        column = self.columns[k]
        return abs((column.left + column.right) / 2 - word.center)

    def _row_label_left(self, first: int) -> int | None:
        """Where the funds rows' labels start (年度资金总额 …): left of it is the block's label."""
        if self.kind != "funds":
            return None
        starts = [w.left for w in self.words if self._is_row_label(w.text)]
        return min(starts) if starts else None

    def _is_row_label(self, text: str) -> bool:
        match = self.voc.field(text, "funds")
        return (match is not None and match.key in FUNDS_ROWS) or self.voc.column(text, "funds") == "reason"

    def _label_place(self, word: Word, first: int, row_left: int | None) -> int | None:
        if self.kind == "indicators" or (word.right > first and not self._is_row_label(word.text)):
            return None
        if self.kind == "funds" and row_left is not None and word.left >= row_left - 1:
            return 1
        return 0

    def _rows(self) -> list[int]:
        """The lines that are rows of their own (anchors); the other lines continue them.

        An indicator row is a line with points (分值 or 得分), or the 总分 line; in a table without
        points, a line with a target or an actual. A funds row is a line with an amount, or whose
        label is a row's own (其他资金, 执行偏差原因). The goal table is one row.
        """
        if self.kind == "goal":
            return []
        lines = sorted({w.line for w in self.words})
        if self.kind == "funds":
            return self._funds_rows(lines)
        for roles in (("weight", "score"), ("target", "actual", "measure_unit")):
            anchors = [k for k in lines if self._is_total_line(k) or self._has_role(k, roles)]
            if any(not self._is_total_line(k) for k in anchors):
                return anchors
        return []

    def _has_role(self, line: int, roles: tuple[str, ...]) -> bool:
        return any(self.columns[self.placed[id(w)]].role in roles for w in self._on(line))

    def _funds_rows(self, lines: list[int]) -> list[int]:
        """Lines with amounts, and lines with only a row's own label (其他资金 with nothing in it),
        unless a line of amounts next to it has no label: then the label is that line's, wrapped
        around it (其中： / amounts / 当年财政拨款)."""
        roles = {k: {self.columns[self.placed[id(w)]].role for w in self._on(k)} for k in lines}
        valued = [k for k in lines if roles[k] - {"block_label", "row_label"}]
        unlabelled = {k for k in valued if "row_label" not in roles[k]}
        rows = list(valued)
        for k in lines:
            if k in valued or not any(self._is_row_label(w.text) for w in self._on(k)):
                continue
            if not any(abs(k - j) <= 2 for j in unlabelled):
                rows.append(k)
        return sorted(rows)

    def _is_total_line(self, line: int) -> bool:
        if line not in self.totals:
            self.totals[line] = any(self.voc.is_total(w.text) for w in self._on(line))
        return self.totals[line]

    def _on(self, line: int) -> list[Word]:
        """The words of a line (the index made on first use, once all are placed)."""
        if not self.by_line:
            for word in self.words:
                self.by_line.setdefault(word.line, []).append(word)
        return self.by_line.get(line, [])

    def _cells(self, anchors: list[int]) -> list[Cell]:
        cells = [Cell(joined(c.head), 0, k) for k, c in enumerate(self.columns) if c.head]
        if self.kind == "goal":
            return cells + self._goal_cells()
        owned = self._attach(anchors)
        for k, column in enumerate(self.columns):
            if column.role == "block_label":
                text = joined(w for w in self.words if self.placed[id(w)] == k)
                if text:
                    cells.append(Cell(text, 0, k, rowspan=len(anchors) + 1))
            elif column.role not in ("level1", "level2"):
                for r, anchor in enumerate(anchors):
                    if words := owned.get((anchor, k)):
                        cells.append(Cell(joined(sorted(words, key=lambda w: (w.line, w.left))), r + 1, k))
        body = [a for a in anchors if not self._is_total_line(a)]
        return cells + self._level_cells(self._extents(body, anchors, owned))

    def _extents(self, body: list[int], anchors: list[int], owned: dict) -> list[tuple[float, float, int]]:
        """Each row's lines as printed, gaps shared: from halfway to the line above it (the header's
        for the first) to halfway to the line below (the 总分's for the last); and its own line."""
        lines_of: dict[int, list[int]] = {}
        for (anchor, _), words in owned.items():
            lines_of.setdefault(anchor, []).extend(w.line for w in words)
        rows = [(min(lines_of.get(a, [a])), max(lines_of.get(a, [a]))) for a in body]
        header = min((w.line for w in self.words), default=1) - 1
        last = body[-1] if body else 0
        after = [a for a in anchors if a > last]
        extents = []
        for r, (top, bottom) in enumerate(rows):
            above = rows[r - 1][1] if r else header
            below = rows[r + 1][0] if r + 1 < len(rows) else (after[0] if after else bottom + 1)
            extents.append(((above + top) / 2, (bottom + below) / 2, body[r]))
        return extents

    def _goal_cells(self) -> list[Cell]:
        cells = []
        for k, column in enumerate(self.columns):
            text = joined(w for w in self.words if self.placed[id(w)] == k)
            if text and column.role == "block_label":
                cells.append(Cell(text, 0, k, rowspan=2))
            elif text and column.head:
                cells.append(Cell(text, 1, k))
        return cells

    def _attach(self, anchors: list[int]) -> dict[tuple[int, int], list[Word]]:
        """The words of each (anchor line, column): its own and those of the lines that continue it.

        A continuation goes, in this order of precedence: to the row that lacks that label where
        rows print their labels around their values (`_lacking`); to the one row among the lines
        printed together with it, no blank line between (a tall row); to the one row a tall cell
        is printed around (`_around`); to the one row among the lines its column prints on without
        a break (a wrapped cell); else to the row above or, in a centred table, to the nearer row.
        """
        parts: dict[tuple[int, int], list[Word]] = {}
        for word in self.words:
            parts.setdefault((word.line, self.placed[id(word)]), []).append(word)
        rows = set(anchors)
        owned = {key: list(words) for key, words in parts.items() if key[0] in rows}
        if not anchors:
            return owned
        lacking = self._lacking(rows, parts)
        centred = bool(lacking) or self._labels_centred(rows)
        blocks = _runs(k for k, line in enumerate(self.lines) if line.text)  # lines printed together
        in_block: dict[int, list[int]] = {}
        for anchor in anchors:
            in_block.setdefault(blocks[anchor], []).append(anchor)
        columns: dict[int, set[int]] = {}
        for line, k in parts:
            columns.setdefault(k, set()).add(line)
        for (line, k), words in sorted(parts.items()):
            if line in rows or self.columns[k].role in ("level1", "level2", "block_label"):
                continue
            alone = in_block.get(blocks[line], [])
            if k in lacking:
                target = self._owner(line, k, anchors, owned, True)
            elif len(alone) == 1:
                target = alone[0]
            elif len(around := self._around(line, columns[k], rows)) == 1:
                target = around[0]
            elif len(inside := [a for a in _run_of(line, columns[k]) if a in rows]) == 1:
                target = inside[0]
            else:
                target = self._owner(line, k, anchors, owned, centred)
            owned.setdefault((target, k), []).extend(words)
        return owned

    def _around(self, line: int, has: set[int], rows: set[int]) -> list[int]:
        """The rows a tall cell is printed around: the cell's lines (`line` and those next to it
        with words in its column, `has`; a line between them without allowed) stand above and
        below the row's own line, which holds nothing of that column (a centred cell of many lines)."""
        cell = {line}
        gaps: list[int] = []
        for step in (-1, 1):
            j, gap = line + step, 0
            while 0 <= j < len(self.lines) and self.lines[j].text and abs(j - line) <= _MAX_CELL_LINES:
                if j in has and j in rows:
                    break  # a row with its own text in this column: another cell
                if j in has:
                    cell.add(j)
                    gap = 0
                else:
                    gap += 1
                    if gap > 1:
                        break
                    gaps.append(j)
                j += step
        return [a for a in gaps if a in rows and min(cell) < a < max(cell)]

    def _lacking(self, anchors: set[int], parts: dict) -> set[int]:
        """The label column (funds row label, indicator name) some row lacks on its own line while
        other lines hold pieces of it: rows there print their labels around their values."""
        role = _REQUIRED_ROLE.get(self.kind)
        out = set()
        for k, column in enumerate(self.columns):
            if column.role != role:
                continue
            fragments = any(line not in anchors for line, j in parts if j == k)
            if fragments and any((a, k) not in parts for a in anchors if not self._is_total_line(a)):
                out.add(k)
        return out

    def _labels_centred(self, anchors: set[int]) -> bool:
        """Whether a 一级/二级 label stands on a line of its own: merged cells print centred."""
        return any(
            self.columns[self.placed[id(w)]].role in ("level1", "level2") and w.line not in anchors for w in self.words
        )

    def _owner(self, line: int, k: int, anchors: list[int], owned: dict, centred: bool) -> int:
        """The row a continuation line's cell belongs to: the row above; when `centred`, the
        nearer row, or at equal distance the one that lacks that cell."""
        at = bisect_left(anchors, line)
        if at == 0 or at == len(anchors):
            return anchors[0] if at == 0 else anchors[-1]
        up, down = anchors[at - 1], anchors[at]
        if not centred:
            return up
        if line - up != down - line:
            return up if line - up < down - line else down
        return down if (down, k) not in owned and (up, k) in owned else up

    def _level_cells(self, extents: list[tuple[float, float, int]]) -> list[Cell]:
        """一级/二级 labels as cells merged over the rows each covers (`extents`: each row's lines
        and own line). The 二级 groups are found first, over the rows; the 一级 groups then over
        the 二级 groups, each holding only 二级 labels the vocabulary allows under it."""
        found = {c.role: k for k, c in enumerate(self.columns) if c.role in ("level1", "level2")}
        if not extents or not found:
            return []
        level2 = self._labels(found["level2"], "level2") if "level2" in found else []
        level1 = self._labels(found["level1"], "level1") if "level1" in found else []
        spans1, spans2 = groups(level1, level2, extents, self.voc, self.continued)
        cells = [
            Cell(text, 1 + s, found["level2"], rowspan=e - s)
            for (text, _, _), (s, e) in zip(level2, spans2, strict=False)
        ]
        cells += [
            Cell(text, 1 + s, found["level1"], rowspan=e - s)
            for (text, _, _), (s, e) in zip(level1, spans1, strict=False)
        ]
        return [cell for cell in cells if cell.rowspan > 0]

    def _labels(self, k: int, role: str) -> list[tuple[str, float, int]]:
        """(label, its middle line, its first line) of each label printed in column k, its
        fragments joined while the vocabulary says they make one ("产出指" + "标")."""
        lines: list[tuple[int, str]] = []
        for word in sorted((w for w in self.words if self.placed[id(w)] == k), key=lambda w: (w.line, w.left)):
            if lines and lines[-1][0] == word.line:
                lines[-1] = (word.line, lines[-1][1] + word.text)
            else:
                lines.append((word.line, word.text))
        blocks: list[list[tuple[int, str]]] = []
        for line, text in lines:
            if blocks and self._extends(role, "".join(t for _, t in blocks[-1]), text):
                blocks[-1].append((line, text))
            else:
                blocks.append([(line, text)])
        return [("\n".join(t for _, t in b), (b[0][0] + b[-1][0]) / 2, b[0][0]) for b in blocks]

    def _extends(self, role: str, so_far: str, text: str) -> bool:
        """Whether `text` continues the label `so_far`: together they are a label or begin one."""
        own = self.voc.level1 if role == "level1" else self.voc.level2
        return own(so_far + text) is not None or self.voc.is_level_prefix(so_far + text)


def _first(line: Line) -> str:
    found = words_of(line, 0)
    return found[0].text if found else ""


def _runs(lines: Iterable[int]) -> dict[int, int]:
    """Each of `lines` (in order) numbered by its run of consecutive lines."""
    out: dict[int, int] = {}
    run, last = 0, None
    for line in lines:
        if last is not None and line != last + 1:
            run += 1
        out[line], last = run, line
    return out


def _run_of(line: int, lines: set[int]) -> set[int]:
    """The lines of `lines` next to one another that hold `line`."""
    run = {line}
    for step in (-1, 1):
        j = line + step
        while j in lines:
            run.add(j)
            j += step
    return run
