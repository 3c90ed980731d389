"""The indicator table of text in reading order: each row found by its 分值 and 得分, its labels and text around it.

    产出指标                      ← a 一级/二级 label line: the group of the rows below
    数量指标
    并发用户数                     ← text before a row's line: the start of its name
    =200人 200人 5 5              ← the row's line: its words fitted to the columns (`fitting`)

A row is a line whose words fit the columns with a bare number under 分值 and 得分. Text lines
before it start its name; where its line lacks the target (and actual), the first value-like line
after the name is the target and the lines after it the actual (a cell a line). Text after a row
whose deviation note has not ended (。) continues that note. Label lines set the groups of the
rows below (top-aligned), but for the cases the layout shows otherwise: a label printed right
under a one-line row in a table of two-line rows (centred: the row's name decides, 响应时间 →
时效指标), a 一级 label printed under its first 二级 labels, a label that is both (成本指标) read
by the label after it. The vertical 绩/效/指/标 of the table's own label is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selfeval_kit.importers.cells import Cell, Line, Table
from selfeval_kit.importers.cellwise import cut_cells, is_cellwise, table_rows
from selfeval_kit.importers.fitting import fit, placeholder, words
from selfeval_kit.importers.headings import SENTENCE_END, Header, header_at, is_indicator_block, total_words
from selfeval_kit.importers.vocabulary import Vocabulary

__all__ = ["indicator_table"]

_VERTICAL = frozenset("绩效指标")  # the table's own label, printed one character a line
_PROSE = re.compile("[，。；,;]")  # a name has none of these; a note does
_CELLS_MIN = 4  # waiting lines enough to be a table printed a cell a line
_LABEL_CHARS = 8  # "社会影响指标": a short text ending in 指标 is a label, a 三级 name is longer


@dataclass
class _Row:
    cells: dict[str, str]
    where: str
    top: int  # the row's first line (of the table's body), its own line (with its values), its last
    own: int
    bottom: int
    note_open: bool = False


@dataclass
class _Indicators:
    """Builds the rows of one indicator table from its lines."""

    roles: list[str]
    voc: Vocabulary
    rows: list[_Row] = field(default_factory=list)
    pending: list[tuple[int, str]] = field(default_factory=list)  # (line, text) waiting for their row
    labels: dict[str, list[tuple[str, float, int]]] = field(default_factory=lambda: {"level1": [], "level2": []})
    total: tuple[list[str], str] | None = None
    _last_line: int = -1  # the line of the last label line read, while nothing else came after it
    between: list[tuple[str, int, int]] = field(default_factory=list)  # (level, label, row above it)
    wheres: dict[int, str] = field(default_factory=dict)  # line → where it is, for text that waits
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seq: int | None = None  # the last row's 序号
    numbered: str | None = None  # a 序号 printed before the name of the row to come

    def take(self, k: int, line: Line) -> None:
        """Read line k of the table's body."""
        ws = self._words(line.text)
        if not ws:
            return
        if n := total_words(ws, self.voc):
            self._close_note(named=True, prose=True)
            self.total = (ws[n:], line.where)
            return
        if self.total is not None:  # 合计 alone, its points on the lines after it
            self.total = (self.total[0] + ws, self.total[1])
            return
        texts_after = len(ws) == 1 or not all(w.replace(".", "").isdigit() for w in ws[1:])
        if self._next_number(ws) and texts_after:
            self.numbered = ws[0]  # the row's number, alone or before its labels or name ("2 受众人次")
            ws = ws[1:]
            if not ws:
                return
        elif "seq" in self.roles and ws[0].isdigit() and len(ws) > 1 and texts_after and self.seq is not None:
            self.problems.append(f"{line.where}：序号 {ws[0]} 不接上一行的 {self.seq}，这一行的文字无法确定归属")
        if self._label_tail(k, ws) or self._labels(k, ws):
            self._close_note(named=True, prose=True)
            self._last_line = k
            return
        self._last_line = -1
        roles = [r for r in self.roles if r != "seq"] if self.numbered is not None else self.roles
        got = fit(ws, roles, self.voc, named=bool(self.pending))
        if got is not None and "weight" in got and ("score" in got or self._scoreless(got)):
            own = all(got.get(role) for role in ("name", "target", "actual") if role in self.roles)
            self._close_note(named=bool(got.get("name")), prose=own)
            self._row(k, got, line)
            return
        lead = fit(ws, ["level1", "level2", "name"], self.voc)
        if lead is not None and "name" in lead and len(lead) > 1 and not self._repeats(lead):
            # labels, then the start of a name whose values are on a later line
            self._close_note(named=True, prose=True)
            self._keep_levels(k, {key: v for key, v in lead.items() if key != "name"})
            ws = lead["name"]
        text = "".join(ws)
        if len(text) == 1 and "\u4e00" <= text <= "\u9fff" and self.pending:  # ends the line before: 提 / 升
            at, before = self.pending[-1]
            self.pending[-1] = (at, before + text)
            return
        if text.endswith("指标") and len(text) <= _LABEL_CHARS and not self.pending:
            self.problems.append(f"{line.where}：“{text}”像一级/二级指标的标签，但词表里没有它（二级指标不在可用之列）")
        self.pending.append((k, text))
        self.wheres[k] = line.where

    def _next_number(self, ws: list[str]) -> bool:
        """Whether a line starts with the next row's 序号 (in a table with a 序号 column), not yet given."""
        return "seq" in self.roles and self.numbered is None and ws[0].isdigit() and int(ws[0]) == (self.seq or 0) + 1

    def _scoreless(self, got: dict[str, list[str]]) -> bool:
        """A row's line with its 分值 but no 得分 (the form left it empty, and maybe its 完成值): its
        target (and actual) are values, so the line is a row, not text."""
        if "target" not in got or not _value_like(" ".join(got["target"])):
            return False
        return "actual" not in got or _value_like(" ".join(got["actual"]))

    def rows_from_cells(self) -> None:
        """No line held a row's 分值 and 得分: the table is printed a cell a line, its empty cells
        left out. The waiting lines are its cells, cut into rows by fitting (`cellwise.cut_cells`)."""
        found = cut_cells([text for _, text in self.pending], self.roles, self.voc)
        if found is None:
            return
        kept: list[tuple[int, str]] = []
        last = 0
        for first, end, got in found:
            kept += [c for c in self.pending[last:first] if not placeholder(c[1])]  # cells in no row: reported
            k, line = self.pending[end - 1][0], Line("", self.wheres.get(self.pending[first][0], ""))
            cells = {role: " ".join(ws) for role, ws in got.items() if role not in ("level1", "level2")}
            self.rows.append(_Row(cells, line.where, self.pending[first][0], k, k))
            last = end
        self.pending = kept + [c for c in self.pending[last:] if not placeholder(c[1])]
        self.notes.append(
            "indicators: no line holds a row's 分值 and 得分: the table is printed a cell a line; its rows "
            "were cut by fitting the cells to the columns"
        )

    def _unplaced(self) -> None:
        """Text left after the last row, or before a 总分 line: no row's (no 分值 and 得分 after it)."""
        if self.pending:
            where = self.wheres.get(self.pending[0][0], "")
            text = " / ".join(text for _, text in self.pending)
            self.problems.append(f"{where}：“{text[:120]}”不属于任何指标行（其后没有分值和得分），未读取")
        self.pending = []

    def _close_note(self, named: bool, prose: bool = False) -> None:
        """Text lines after a row whose deviation note has not ended (no 。) are the rest of that
        note, but for the last, which is the next row's name when that row's line has none."""
        last = self.rows[-1] if self.rows else None
        if last is None or not self.pending or "deviation_note" not in self.roles:
            return
        if not last.note_open:  # a note printed below its row's line: prose, not a name
            found = [p for p in self.pending if _PROSE.search(p[1])]
            if not prose or last.cells.get("deviation_note") or not found:
                return
            end = self.pending.index(found[-1]) + 1
            last.cells["deviation_note"] = "".join(text for _, text in self.pending[:end])
            last.bottom = self.pending[end - 1][0]
            self.pending = self.pending[end:]
            return
        taken = self.pending if named else self.pending[:-1]
        ends = [n for n, (_, text) in enumerate(taken) if text.endswith(SENTENCE_END)]
        if ends:  # the note ends at its sentence's end; a line after it is the next row's
            taken = taken[: ends[0] + 1]
        last.cells["deviation_note"] += "".join(text for _, text in taken)
        if taken:
            last.bottom = taken[-1][0]
        self.pending = self.pending[len(taken) :]
        last.note_open = False

    def _words(self, text: str) -> list[str]:
        ws = words(text)
        if ws and is_indicator_block(ws[0], self.voc):
            ws = ws[1:]
        return ws

    def _labels(self, k: int, ws: list[str]) -> bool:
        """A line of only 一级/二级 labels."""
        got = fit(ws, ["level1", "level2"], self.voc)
        if got is None or self._twice(k, got):
            return got is not None
        if self._repeats(got):
            if self.pending:
                self.notes.append(
                    f"indicators: “{''.join(ws)}” after “{self.pending[-1][1]}” is the label of its group "
                    "already: read as the end of that name"
                )
            return False
        last = self.rows[-1] if self.rows else None
        before = {level: len(self.labels[level]) for level in self.labels}
        self._keep_levels(k, got)
        if last is not None and last.top == last.own and not self.pending and k - last.own <= 2:
            for level, n in before.items():  # printed between a one-line row and the next
                self.between += [(level, i, len(self.rows) - 1) for i in range(n, len(self.labels[level]))]
        return True

    def _label_tail(self, k: int, ws: list[str]) -> bool:
        """The rest of the label on the line before ("服务对象满意度" / "指标"): it joins that label."""
        for level, find in (("level2", self.voc.level2), ("level1", self.voc.level1)):
            labels = self.labels[level]
            if len(ws) == 1 and labels and labels[-1][2] == self._last_line and not self.pending:
                text, _, line = labels[-1]
                if find(text + ws[0]) is not None:
                    labels[-1] = (text + ws[0], (line + k) / 2, line)
                    return True
        return False

    def _twice(self, k: int, got: dict[str, list[str]]) -> bool:
        """A label that is both (成本指标) printed twice in a row: the first is the 一级, this the 二级."""
        twos = self.labels["level2"]
        if len(got) != 1 or not twos or twos[-1][2] != self._last_line or self.pending:
            return False
        text = "".join(next(iter(got.values())))
        if self.voc.level2(twos[-1][0]) != self.voc.level2(text) or self.voc.level1(text) is None:
            return False
        self.labels["level1"].append(twos.pop())
        twos.append((text, float(k), k))
        return True

    def _repeats(self, got: dict[str, list[str]]) -> bool:
        """A label alone that is the label of its level already: the text of a name ("老旧小区每平方米
        改造" / "成本"; 服务对象满意度 as the name under 服务对象满意度), not a new group."""
        if len(got) != 1:
            return False
        ((level, ws),) = got.items()
        find = self.voc.level1 if level == "level1" else self.voc.level2
        before = self.labels[level]
        return bool(before) and find(before[-1][0]) == find("".join(ws))

    def _keep_levels(self, k: int, got: dict[str, list[str]]) -> None:
        """The labels a row or label line gives, at line k. A label that is both (成本指标,
        满意度指标) alone is the 二级 under the 一级 before it when the vocabulary allows it
        there, else a new 一级."""
        level1 = "".join(got["level1"]) if "level1" in got else None
        level2 = "".join(got["level2"]) if "level2" in got else None
        if level1 is None and level2 is not None and self.voc.level1(level2) is not None:
            before = self.labels["level1"][-1][0] if self.labels["level1"] else ""
            if self.voc.level1(before) not in self.voc.parents(self.voc.level2(level2) or ""):
                level1, level2 = level2, None
        if level1 is not None:
            self.labels["level1"].append((level1, float(k), k))
        if level2 is not None:
            self.labels["level2"].append((level2, float(k), k))

    def _row(self, k: int, got: dict[str, list[str]], line: Line) -> None:
        self._keep_levels(k, got)
        cells = {role: " ".join(ws) for role, ws in got.items() if role not in ("level1", "level2")}
        cells["name"] = "".join(got.get("name", []))
        top = self.pending[0][0] if self.pending else k
        self._place_pending(cells)
        self._number(cells, line)
        self.pending = []
        note = cells.get("deviation_note", "")
        self.rows.append(_Row(cells, line.where, top, k, k, note_open=bool(note) and not note.endswith(SENTENCE_END)))

    def _number(self, cells: dict[str, str], line: Line) -> None:
        """A row's 序号 follows the one above; one that does not is no row number of this table."""
        seq = cells.get("seq")
        if seq is None:
            return
        if self.seq is not None and int(seq) != self.seq + 1:
            self.problems.append(f"{line.where}：序号 {seq} 不接上一行的 {self.seq}，这一行的文字无法确定归属")
        elif self.seq is None:
            self.notes.append(
                "indicators: the 序号 column (row numbers) is no field of the form: read to place the rows, not kept"
            )
        self.seq = int(seq)

    def _place_pending(self, cells: dict[str, str]) -> None:
        """The lines printed before a row's line: the start of its name; where the row's line
        lacks its target (and actual), the first value-like line after the name is the target
        and the lines after it the actual (a cell a line)."""
        lines = [text for _, text in self.pending]
        if self.numbered is not None and not cells.get("seq"):
            cells["seq"] = self.numbered
        self.numbered = None
        missing = [role for role in ("target", "actual") if role in self.roles and not cells.get(role)]
        if missing and lines:
            at = next((k for k in range(1, len(lines)) if _value_like(lines[k])), None)
            if at is None and len(lines) >= 2 and (not cells["name"] or len(missing) == 2):
                at = len(lines) - 1 if len(missing) == 1 else 1
            if at is not None:
                taken = [lines[at], "".join(lines[at + 1 :])] if len(missing) == 2 else ["".join(lines[at:])]
                for role, text in zip(missing, taken, strict=False):
                    if text:
                        cells[role] = text
                lines = lines[:at]
        cells["name"] = "".join(lines) + cells["name"]

    def level_spans(self) -> dict[str, list[tuple[str, int, int]]]:
        """Each label with the rows [s, e) it covers: labels stand at the top of their rows (the
        next label ends them), but for what the layout shows otherwise (`_promote`,
        `_settle_between`, `_raise_level1`, `_first_rows`)."""
        self._promote()
        self._settle_between({level: self._top(level) for level in ("level1", "level2")})
        self._raise_level1()
        return self._first_rows({level: self._top(level) for level in ("level1", "level2")})

    def _first_rows(self, top: dict[str, list[tuple[str, int, int]]]) -> dict[str, list[tuple[str, int, int]]]:
        """Rows above the first label of a level are under it: a label centred on its block is
        printed after the block's first rows."""
        for found in top.values():
            if found and found[0][1] > 0:
                text, s, e = found[0]
                found[0] = (text, 0, e)
                names = "、".join(row.cells.get("name", "") for row in self.rows[:s])
                self.notes.append(
                    f"indicators: {names}: printed before the first label {text} of its column: a centred "
                    f"merged cell; read as {text}"
                )
        return top

    def _settle_between(self, top: dict[str, list[tuple[str, int, int]]]) -> None:
        """A 二级 label printed between a row on one line and the next row may be centred on both
        or start at the next: the layout cannot tell. Where most rows print the name above the
        values, a one-line row is the sign of a centred label, and the row's name decides, as a
        reader would: the row goes into the label's group if its name says so (响应时间 → 时效指标)
        and does not say its own group."""
        if 2 * sum(row.top == row.own for row in self.rows) >= len(self.rows):
            return
        for level, i, r in self.between:
            if level != "level2":
                continue
            name = self.rows[r].cells.get("name", "")
            new = self.voc.level2(self.labels[level][i][0]) or ""
            current = next((self.voc.level2(t) or "" for t, s, e in top[level] if s <= r < e), "")
            text, _, _ = self.labels[level][i]
            if self.voc.says(name, new) and not self.voc.says(name, current):
                self.labels[level][i] = (text, float(self.rows[r].own), self.rows[r].own)
                self.notes.append(
                    f"indicators: {name}: the label {text} is printed between this row and the next; its name "
                    f"says {new}: read as {new}, not {current}"
                )
            else:
                self.notes.append(
                    f"indicators: {name}: the label {text} is printed between this row and the next; read as "
                    f"starting at the next row ({name} kept in {current})"
                )

    def _promote(self) -> None:
        """A label that is both (成本指标) read as a 二级 but followed, before any row, by a 二级
        label that stands under it as a 一级 (成本指标 / 经济成本指标): it is the 一级."""
        twos = self.labels["level2"]
        for i in range(len(twos) - 1):
            text, middle, line = twos[i]
            canon = self.voc.level1(text)
            nxt = twos[i + 1]
            no_row = not any(line < row.own < nxt[2] for row in self.rows)
            if canon is not None and no_row and canon in self.voc.parents(self.voc.level2(nxt[0]) or ""):
                self.labels["level1"].append((text, middle, line))
                twos[i] = ("", middle, line)
        self.labels["level2"] = [t for t in twos if t[0]]
        self.labels["level1"].sort(key=lambda t: t[2])

    def _raise_level1(self) -> None:
        """A 一级 label printed below the first 二级 labels of its group (centred on it): the 二级
        labels right above it that the vocabulary does not allow under the 一级 before it, but
        allows under it, are its group's first."""
        ones, twos = self.labels["level1"], self.labels["level2"]
        for i in range(1, len(ones)):
            text, _, line = ones[i]
            canon, previous = self.voc.level1(text), self.voc.level1(ones[i - 1][0])
            above = [t for t in twos if ones[i - 1][2] < t[2] < line]
            first = line
            for label, _, at in reversed(above):
                parents = self.voc.parents(self.voc.level2(label) or "")
                usual = previous not in parents or (canon in parents and parents.index(canon) < parents.index(previous))
                if canon in parents and usual:
                    first = at
                else:
                    break
            if first != line:
                ones[i] = (text, float(first), first)

    def _top(self, level: str) -> list[tuple[str, int, int]]:
        """Top-aligned: a label covers the rows whose own line is after it, up to the next label
        (a 二级 group ends at the next 一级 label too)."""
        labels = self.labels[level]
        bounds = labels if level == "level1" else labels + self.labels["level1"]

        def first_row(line: int) -> int:
            return next((r for r, row in enumerate(self.rows) if row.own >= line), len(self.rows))

        out = []
        for text, _, line in labels:
            later = [first_row(other) for _, _, other in bounds if other > line]
            out.append((text, first_row(line), min(later, default=len(self.rows))))
        return out

    def cells(self, labels: list[str]) -> tuple[list[Cell], list[str]]:
        """The table's cells (header row first, 一级/二级 labels merged over their rows) and each
        row's line."""
        cells = [Cell(label, 0, c) for c, label in enumerate(labels)]
        col = {role: c for c, role in enumerate(self.roles)}
        for r, row in enumerate(self.rows, 1):
            for role, text in row.cells.items():
                if text and role in col:
                    cells.append(Cell(text, r, col[role]))
        for level, found in self.level_spans().items():
            if level in col:
                cells += [Cell(text, 1 + s, col[level], rowspan=e - s) for text, s, e in found if e > s]
        lines = [row.where for row in self.rows]
        self._unplaced()
        if self.total is not None:
            values, where = self.total
            r = len(lines) + 1
            numeric = [c for c, role in enumerate(self.roles) if role in ("weight", "score")]
            first = numeric[0] if numeric else 1
            cells.append(Cell("总分", r, 0, colspan=max(1, first)))
            cells += [Cell(v, r, c) for c, v in zip(numeric, values, strict=False)]
            lines.append(where)
        return cells, lines


def _upright(body: list[Line], voc: Vocabulary, notes: list[str]) -> list[Line]:
    """The body with text printed down a column, one character a line, put back on one line: a
    一级/二级 label ("产/出/指/标") on the run's first line; the table's own label (绩/效/指/标, where
    a page breaks the table) dropped, with a note. The run's last character may share its line with
    the next cell's text (" 标 核心设备故障次数"), which stays."""
    out = list(body)
    k = 0
    while k < len(out):
        run = _run(out, k)
        if len(run) < 2 and not (run and run[0][1] in _VERTICAL and len(words(out[run[0][0]].text)) == 1):
            k += 1
            continue
        text = "".join(ch for _, ch in run)
        label = voc.level1(text) is not None or voc.level2(text) is not None
        debris = all(ch in _VERTICAL for _, ch in run) and text in "绩效指标"
        if label or debris:
            for n, (at, _) in enumerate(run):
                rest = words(out[at].text)[1:]
                kept = (text if label and n == 0 else "") + (" " if label and n == 0 and rest else "") + " ".join(rest)
                out[at] = Line(kept, out[at].where, indent=out[at].indent)
            if debris:
                notes.append(
                    f"indicators: {out[run[0][0]].where}起竖排的“{text}”是表格自己的标签（page-break debris），已略去"
                )
        k = run[-1][0] + 1
    return out


def _run(lines: list[Line], k: int) -> list[tuple[int, str]]:
    """The lines from k on that begin with one character alone (blank lines between allowed), the
    last of which may hold more: [(line, character)]."""
    run: list[tuple[int, str]] = []
    j = k
    while j < len(lines):
        ws = words(lines[j].text)
        if not ws:
            if not run:
                return run
            j += 1
            continue
        if len(ws[0]) != 1 or not ("\u4e00" <= ws[0] <= "\u9fff"):
            break
        run.append((j, ws[0]))
        if len(ws) > 1:
            break
        j += 1
    return run


def _value_like(text: str) -> bool:
    """A target or actual printed on a line of its own: it starts with a sign or a number."""
    head = text.lstrip()[:1]
    return bool(head) and (head in "≥≤<>=＞＜＝≧≦" or head.isdigit())


def indicator_table(header: Header, first: Line, body: list[Line], voc: Vocabulary) -> Table:
    """The indicator table of the lines after its header: rows by their 分值 and 得分, or, in a
    page's text with a cell a line and its empty cells kept, by fitting cells to columns (`cellwise`)."""
    where = f"{first.where}起的表格"
    if is_cellwise(body):
        cells, lines = table_rows(body, header.roles, header.labels, voc)
        return Table(cells, where=where, lines=[first.where, *lines])
    reader = _Indicators(header.roles, voc)
    body = _upright(body, voc, reader.notes)
    k = 0
    while k < len(body):
        line = body[k]
        again = header_at(body, k, voc) if line.text else None
        if again is not None and again.kind == "indicators":  # repeated on a new page
            k = again.end
            continue
        if line.text and not voc.is_noise(line.text):
            reader.take(k, line)
        k += 1
    if not reader.rows and len(reader.pending) >= _CELLS_MIN:
        reader.rows_from_cells()
    cells, lines = reader.cells(header.labels)
    return Table(cells, where=where, lines=[first.where, *lines], notes=reader.notes, problems=reader.problems)
