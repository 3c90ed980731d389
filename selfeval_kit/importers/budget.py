"""The funds table of text in reading order: a row a line, its label first, then its values.

    年度资金总额 296272.00 296272.00 296,272 10 100.00% 10
        其中：当年财政拨款 296272 296272 296272 —
                上年结转资金 0 0 —          ← two amounts for three columns: 全年预算数, 全年执行数

A row is a line that starts with a funds row label of the vocabulary, or a label on its own line
followed by a line of values. A sub-row printing fewer values than the others, two amounts for
three columns, reads as 全年预算数 and 全年执行数 (a carry-over is not known when the initial budget
is set); text right under the total row is its 原因 cell, unless it is the template's own
instructions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selfeval_kit.importers.cells import Block, Cell, Line, Table
from selfeval_kit.importers.fields import amount, percent
from selfeval_kit.importers.fitting import words
from selfeval_kit.importers.headings import MAX_JOIN, Header, all_values
from selfeval_kit.importers.vocabulary import Vocabulary

__all__ = ["funds_table"]

_AMOUNT_ROLES = ("budget_initial", "budget_final", "executed")
_AMOUNT = re.compile(r"[\d,，]+(?:\.\d+)?")  # an amount as printed (a dash or a rate is none)
_RATE_TOLERANCE = 0.5  # percentage points: a rate printed rounded


@dataclass
class _Row:
    label: str
    key: str
    values: list[str]
    where: str


@dataclass
class _Funds:
    """The funds table's parts as read, before the values are placed."""

    header: Header
    rows: list[_Row] = field(default_factory=list)
    under: list[Line] = field(default_factory=list)  # text right under the total row
    rest: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    two: list[str] = field(default_factory=list)  # labels of sub-rows read as two amounts for three


def funds_table(header: Header, first: Line, body: list[Line], voc: Vocabulary) -> tuple[Table, list[Block]]:
    """The funds table (the block label in column 0 of the header row, then a row per funds row),
    and the lines of its block that are none of its rows.

    Parameters
    ----------
    header : Header
        The table's header.
    first : Line
        The header's first line.
    body : list of Line
        The lines after the header, to the table's end.
    voc : Vocabulary
        The funds row labels and the template's own instructions.

    Returns
    -------
    tuple of Table and list of Block
    """
    funds = _Funds(header, rest=[Line(unit, first.where) for unit in header.units])
    _collect(funds, body, voc)
    cells = [Cell(header.block, 0, 0)] if header.block else []
    cells += [Cell(label, 0, c + 1) for c, label in enumerate(header.labels)]
    full = max((len(row.values) for row in funds.rows if row.key != "total"), default=0)
    for r, row in enumerate(funds.rows, 1):
        cells.append(Cell(row.label, r, 0))
        cells += [Cell(value, r, c + 1) for c, value in _placed(row, header.roles, full, funds)]
    if funds.two:
        funds.notes.append(
            f"funds: the {' and '.join(funds.two)} row(s) print only two amounts for three columns; read as "
            "年初预算数 empty (null), 全年预算数 and 全年执行数 the two values (a carry-over or other income is not "
            "known when the initial budget is set; the printed values align with the final/executed columns)"
        )
    funds.rest += _with_reason(cells, header.roles, funds.under, voc, funds.notes)
    where = f"{first.where}起的表格"
    lines = [first.where] + [row.where for row in funds.rows]
    return Table(cells, where=where, lines=lines, notes=funds.notes, problems=funds.problems), funds.rest


def _collect(funds: _Funds, body: list[Line], voc: Vocabulary) -> None:
    """The rows: a line starting with a row label, or a label alone and the values on the line after
    it; values on a line of their own after a row short of values continue that row."""
    label: tuple[str, str, Line] | None = None
    for line in body:
        if not line.text:
            continue
        ws = words(line.text)
        n, key = _row_label(ws, voc)
        last = funds.rows[-1] if funds.rows else None
        if key is not None and n == len(ws):
            label = (" ".join(ws), key, line)
        elif key is not None:
            funds.rows.append(_Row(" ".join(ws[:n]), key, ws[n:], line.where))
            label = None
        elif label is not None and all_values(ws):
            funds.rows.append(_Row(label[0], label[1], ws, label[2].where))
            label = None
        elif last is not None and all_values(ws) and len(last.values) < len(funds.header.roles):
            last.values += ws  # "总额 100000.00 100000.00" / "100,000 10 100.00% 10"
        elif len(funds.rows) == 1 and not all_values(ws) and not funds.rest[len(funds.header.units) :]:
            funds.under.append(line)
        else:
            funds.rest.append(line)
            if not _fragment(line.text, voc):
                funds.notes.append(f"{line.where}：“{line.text[:60]}”不在资金表、目标表或指标表中，未读取")


def _placed(row: _Row, roles: list[str], full: int, funds: _Funds) -> list[tuple[int, str]]:
    """Each value of a row with its column: in order; a sub-row printing fewer values than the
    fullest one, two amounts for three columns, gives 全年预算数 and 全年执行数; a total row one value
    short gives them too when its 执行率 is the second ÷ the first. What cannot be placed is left
    empty, and said so."""
    columns = list(range(len(roles)))
    amounts = [c for c in columns if roles[c] in _AMOUNT_ROLES]
    lead = 0
    while lead < len(row.values) and _AMOUNT.fullmatch(row.values[lead]):
        lead += 1
    two = amounts[1:] + [c for c in columns if c > amounts[-1]] if len(amounts) == 3 else []
    if row.key == "total":
        printed = [role for role in roles if role != "reason"]  # a total row often leaves its 原因 empty
        if not two or len(row.values) >= len(printed) or lead < 2 or _rate_in_place(row.values, roles):
            return _in_order(row, roles, funds)
        if _rate_agrees(row.values, [roles[c] for c in two]):
            funds.notes.append(
                f"funds: the {row.label} row prints two amounts for three columns and its 执行率 is the second ÷ "
                "the first: read as 全年预算数 and 全年执行数, 年初预算数 empty"
            )
            return list(zip(two, row.values, strict=False))
        funds.problems.append(f"{row.where}：“{row.label}”一行少一个值，执行率也对不上两个金额之比，无法对齐，未读取")
        return []
    if not two or len(row.values) >= full or lead == 0:
        return list(zip(columns, row.values, strict=False))
    if lead == 1:
        funds.problems.append(f"{row.where}：“{row.label}”一行只有一个金额，三列无法对齐，未读取")
        return []
    funds.two.append(row.label)
    return list(zip(two, row.values, strict=False))


def _in_order(row: _Row, roles: list[str], funds: _Funds) -> list[tuple[int, str]]:
    """The values in the columns' order; words past the last column are the rest of its text
    (原因 cut at a sign: "1.预算执行率" "=预算执行数/…"), or, where it holds no text, said so."""
    values = row.values
    if len(values) > len(roles):
        if roles[-1] == "reason":
            values = [*values[: len(roles) - 1], "".join(values[len(roles) - 1 :])]
        else:
            funds.problems.append(
                f"{row.where}：“{row.label}”一行的值比表头的列多，多出的“{' '.join(values[len(roles) :])}”未读取"
            )
            values = values[: len(roles)]
    return list(enumerate(values))


def _rate_in_place(values: list[str], roles: list[str]) -> bool:
    """Whether the values read in order put a rate under 执行率 (or the row prints none)."""
    if "execution_rate" not in roles:
        return True
    at = roles.index("execution_rate")
    return at >= len(values) or percent(values[at]) is not None


def _rate_agrees(values: list[str], roles: list[str]) -> bool:
    """Whether the rate among `values` (read under `roles`) is the second amount ÷ the first."""
    rate_at = roles.index("execution_rate") if "execution_rate" in roles else None
    rate = percent(values[rate_at]) if rate_at is not None and rate_at < len(values) else None
    final, executed = amount(values[0]), amount(values[1])
    if rate is None or not final or executed is None:
        return False
    return abs(executed / final * 100 - float(rate.rstrip("%％"))) < _RATE_TOLERANCE


def _with_reason(
    cells: list[Cell], roles: list[str], lines: list[Line], voc: Vocabulary, notes: list[str]
) -> list[Line]:
    """Lines of text right under the total row are its 原因 cell, printed below it; the template's
    own instructions (预算执行率=预算执行数/调整后预算数…) are not, and are given back."""
    text = "".join(line.text for line in lines)
    if not lines or "reason" not in roles:
        return lines
    if voc.is_help(text):
        notes.append(
            "funds.total.reason: the 原因 cell prints the template's help text (1.预算执行率=预算执行数/"
            "调整后预算数…): instructions, not a reason: not read"
        )
        return lines
    col = roles.index("reason") + 1
    at = next((n for n, c in enumerate(cells) if c.row == 1 and c.col == col), None)
    if at is not None:
        if voc.is_help(cells[at].text):
            return lines
        text = cells[at].text + text
        del cells[at]
    cells.append(Cell(text, 1, col))
    return []


def _fragment(text: str, voc: Vocabulary) -> bool:
    """A piece of a label printed over lines ("年度" / "总体" / "目标"), a unit, or the template's help."""
    folded = voc.normalise(text)
    return voc.unit(text) is not None or voc.is_help(text) or any(folded in label for label in voc.labels)


def _row_label(ws: list[str], voc: Vocabulary) -> tuple[int, str | None]:
    """How many words from the front make a funds row's label, and its key."""
    for n in range(min(len(ws), MAX_JOIN), 0, -1):
        match = voc.field("".join(ws[:n]), "funds")
        if match is not None and match.key != "block" and match.value is None:
            return n, match.key
    return 0, None
