"""One reader over the cells of any source: a `Document` in, `ImportedForm`s out.

    from selfeval_kit.importers.adapters import read_document
    from selfeval_kit.importers.reader import read_forms

    forms = read_forms(read_document("forms.pdf"))

What a cell means comes from the vocabulary (`selfeval_kit.importers.vocabulary`, data in
``vocabulary.yaml``), never from this code: titles split a document into forms (a document that
is not a self-evaluation form, a 绩效目标表 with targets only, is named as such and yields no
scores); labels give the header fields; the funds and indicator tables' own header rows give
their columns' roles (`selfeval_kit.importers.funds`, `selfeval_kit.importers.indicators`), so
分值 before the target, 指标性质/度量单位 split cells and tables without 分值 all read. Values are cut
from the cells as printed. Every field read is a `FieldRecord` with its place; a required field
the source does not give is listed in `ImportedForm.missing`, and such a form is a draft, not a form.

It reads tables: those of PDF, HTML, Word and Excel, and those rebuilt from text
(`selfeval_kit.importers.tabbed`, `layout`, `sequence`), whose rebuilding notes and problems become
the notes and errors of the form they belong to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from selfeval_kit.importers.cells import Document
from selfeval_kit.importers.checks import check_form
from selfeval_kit.importers.fields import FieldRecord, one_line
from selfeval_kit.importers.funds import FundsReader
from selfeval_kit.importers.imported import ImportedForm, slug
from selfeval_kit.importers.indicators import IndicatorReader
from selfeval_kit.importers.rows import Piece, Row, rows
from selfeval_kit.importers.vocabulary import TitleMatch, Vocabulary, vocabulary

__all__ = ["REQUIRED", "read_forms"]

# What a form must have to be written as a form rather than a draft.
REQUIRED = ("name", "department", "implementer", "year", "unit", "funds.total.weight", "indicators")
_HEADER_KEYS = ("name", "department", "implementer")


def read_forms(document: Document, vocab: Vocabulary | None = None) -> list[ImportedForm]:
    """The forms of `document`, in order.

    Parameters
    ----------
    document : Document
        From an adapter (`selfeval_kit.importers.adapters.read_document`).
    vocab : Vocabulary, optional
        The labels to read by; the package's vocabulary by default.

    Returns
    -------
    list of ImportedForm
        One per form found (none when the document holds none). A form the document gives only
        in part has its missing fields in `ImportedForm.missing` and is not `ok`; a document
        that is not a self-evaluation form gives one `ImportedForm` whose `errors` say what it is.
    """
    voc = vocab or vocabulary()
    source = str(document.source)
    forms = []
    taken: set[str] = set()
    for n, (title, part) in enumerate(_split(list(rows(document)), voc), 1):
        where = part[0].where if part else ""
        if title is not None and not title.is_self_evaluation:
            forms.append(_not_a_form(title, source, n, where))
            continue
        form = _FormReader(voc, title, f"{source}: 第{n}张表（{where}）", document.kind).read(part)
        for table in sorted({row.table for row in part if row.table is not None}):
            form.notes += document.tables[table].notes  # what rebuilding a text's tables decided
            form.errors += document.tables[table].problems
        form.data = {"id": slug(str(form.data.get("name", "")), n, taken), "seq": n, **form.data}
        forms.append(form)
    return forms


def _split(all_rows: list[Row], voc: Vocabulary) -> list[tuple[TitleMatch | None, list[Row]]]:
    """The rows of each form: a title starts one; so does a 项目名称 after a form's 总分 row."""
    parts: list[tuple[TitleMatch | None, list[Row]]] = []
    current: list[Row] = []
    title: TitleMatch | None = None
    ended = False  # the current form's total row was seen
    for row in all_rows:
        found = _title(row, voc)
        starts_anew = found is not None or (ended and _has_field(row, voc, "name"))
        if starts_anew and (current or title is not None):
            if _has_content(current, voc) or (title is not None and _more_than_titles(current, voc)):
                parts.append((title, current))
            kept = current[-1:] if current and voc.year_line(current[-1].text) else []  # a year line above the title
            current, title, ended = kept, found, False
        elif found is not None:
            title = found
        current.append(row)
        if any(voc.is_total(p.text) for p in row.fresh[:2]):
            ended = True
    if current and (title is not None or _has_content(current, voc)):
        parts.append((title, current))
    return parts


def _more_than_titles(part: list[Row], voc: Vocabulary) -> bool:
    """Whether a part holds more than its title lines (a report's title over the form's own:
    "2021年度…项目支出绩效自评结果" above "项目支出绩效自评表" is one form, not an empty one)."""
    return sum(1 for row in part if _title(row, voc) is None and voc.year_line(row.text) is None) > 1


def _title(row: Row, voc: Vocabulary) -> TitleMatch | None:
    for piece in row.fresh:
        if len(piece.text) <= 80 and (match := voc.title(one_line(piece.text))) is not None:
            return match
    return None


def _has_field(row: Row, voc: Vocabulary, key: str) -> bool:
    return any((m := voc.field(one_line(p.text), "fields")) is not None and m.key == key for p in row.fresh)


def _has_content(part: list[Row], voc: Vocabulary) -> bool:
    return any(_has_field(row, voc, "name") for row in part)


def _not_a_form(title: TitleMatch, source: str, n: int, where: str) -> ImportedForm:
    why = title.why or "不是项目支出绩效自评表"
    return ImportedForm(
        data={},
        source=f"{source}: 第{n}张表（{where}）",
        errors=[f"这是“{title.phrase}”，不是项目支出绩效自评表：{why}；未导入任何得分"],
    )


@dataclass
class _FormReader:
    """Reads the rows of one form."""

    voc: Vocabulary
    title: TitleMatch | None
    source: str
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    records: list[FieldRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def read(self, part: list[Row]) -> ImportedForm:
        funds = FundsReader(self.voc, self.records)
        # A cell's line breaks are where the printer or the writer wrapped it (our workbook writes
        # them in, LibreOffice has no 避头尾), not part of the value: every text is read as one line.
        indicators = IndicatorReader(self.voc, self.records)
        goal = _GoalReader(self.voc, self.records)
        if self.title is not None:
            self._set("year", self.title.year, part[0].where if part else "")
            self._set("unit", self.title.unit, part[0].where if part else "")
        for row in part:
            self._year_and_unit(row)
            if indicators.take(row) or funds.take(row) or goal.take(row):
                continue
            self._header(row)
        self._set("unit", funds.unit, funds.unit_where)
        data = self.data
        if funds.found:
            data["funds"] = funds.result()
        goal_data = goal.result()
        if goal_data is None:  # the model has the block; the source does not: both texts empty, and said so
            goal_data = {"planned": None, "achieved": None}
            for key in goal_data:
                self.records.append(FieldRecord(f"annual_goal.{key}", None, "", 0.0, "表中没有年度总体目标"))
        data["annual_goal"] = goal_data
        if indicators.found:
            data["indicators"] = indicators.rows
            data["total_score"] = indicators.total  # None for a table cut before its 总分, or without scores
        self.notes += funds.notes + indicators.notes + goal.notes
        self._apply_checks(check_form(data, stated_weight=indicators.stated_weight))
        missing = _missing(data)
        form = ImportedForm(data=data, source=self.source, missing=missing, notes=self.notes, errors=self.errors)
        form.records = self.records
        form.draft = bool(missing)
        form.complete = indicators.total_seen or not indicators.found
        return form

    def _apply_checks(self, failed: list) -> None:
        """A failed check is a note and lowers the confidence of its fields; the values stay."""
        for finding in failed:
            self.notes.append(f"核对未通过：{finding.message}")
            for n, record in enumerate(self.records):
                if any(_covers(path, record.path) for path in finding.paths) and record.value is not None:
                    reason = f"{record.reason}；{finding.message}".lstrip("；")
                    self.records[n] = replace(record, confidence=min(record.confidence, 0.5), reason=reason)

    def _set(self, key: str, value: Any, where: str) -> None:
        if key == "unit" and value is not None and self.data.get(key) not in (None, value):
            first = next((r.where for r in self.records if r.path == "unit"), "")
            self.errors.append(
                f"unit: two money units, {self.data[key]}（{first}）and {value}（{where}）: "
                "which one applies cannot be told"
            )
            self.data["unit"] = None
            return
        if value is None or key in self.data:
            return
        self.data[key] = value
        self.records.append(FieldRecord(key, value, where))

    def _year_and_unit(self, row: Row) -> None:
        if "year" not in self.data and (year := self.voc.year_line(row.text)) is not None:
            self._set("year", year, row.where)
        if len(row.text) > 40 or (unit := self.voc.unit(row.text)) is None:
            return
        if not any(self.voc.field(one_line(p.text), "funds") for p in row.fresh):  # the funds block says it there
            self._set("unit", unit, row.where)

    def _other(self, pieces: tuple[Piece, ...], i: int) -> None:
        """What the form prints that the model has no field for (评价结论, 项目负责人 …): kept as a note."""
        match = self.voc.field(one_line(pieces[i].text), "other")
        if match is None:
            return
        value = match.value
        if value is None and (nxt := _next_value(pieces, i, self.voc)) is not None:
            value = one_line(nxt.text)
        self.notes.append(f"{match.label}：{value}" if value else match.label)

    def _header(self, row: Row) -> None:
        """Label/value pairs of the header: 项目名称 | X, 主管部门 | Y | 实施单位 | Z, or 项目名称：X."""
        pieces = row.fresh
        for i, piece in enumerate(pieces):
            match = self.voc.field(one_line(piece.text), "fields")
            if match is None:
                self._other(pieces, i)
                continue
            if match.key == "year" or match.key == "unit":
                self._year_and_unit(Row((piece,), piece.where))
                if match.value and match.key == "unit":
                    self._set("unit", self.voc.unit(match.value), piece.where)
                continue
            if match.key not in _HEADER_KEYS:
                continue
            value, where = match.value, piece.where
            if value is None:
                nxt = _next_value(pieces, i, self.voc)
                value, where = (one_line(nxt.text), nxt.where) if nxt is not None else (None, "")
            self._set(match.key, one_line(value) if value else None, where)


def _next_value(pieces: tuple[Piece, ...], i: int, voc: Vocabulary) -> Piece | None:
    if i + 1 < len(pieces) and voc.field(one_line(pieces[i + 1].text), "fields") is None:
        return pieces[i + 1]
    return None


@dataclass
class _GoalReader:
    """年度总体目标: the 预期目标 and 实际完成情况 texts, under their headers or beside the block label."""

    voc: Vocabulary
    records: list[FieldRecord]
    columns: dict[str, Piece] = field(default_factory=dict)
    values: dict[str, tuple[str, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    active: bool = False

    def take(self, row: Row) -> bool:
        labels = [(p, m) for p in row.fresh if (m := self.voc.field(one_line(p.text), "goal")) is not None]
        keys = {m.key for _, m in labels}
        if {"planned", "achieved"} <= keys and len(labels) >= 2:
            self.columns = {m.key: p for p, m in labels if m.key in ("planned", "achieved")}
            self.active = True
            return True
        if keys == {"block"} and not self.columns:
            self.active = True
            rest = [p for p in row.fresh if self.voc.field(one_line(p.text), "goal") is None]
            if rest:  # a single goal text beside the label: the planned one
                self._keep("planned", rest[0])
                if len(rest) > 1:
                    self._keep("achieved", rest[1])
            return True
        if self.active and self.columns and not self.values and row.aligned:
            for key, head in self.columns.items():
                under = [p for p in row.fresh if p.overlap(head.col or 0, head.span)]
                if under:
                    self._keep(key, under[0])
            self.active = False
            return bool(self.values)
        return False

    def _keep(self, key: str, piece: Piece) -> None:
        text = one_line(piece.text)
        self.values[key] = (text, piece.where)
        self.records.append(FieldRecord(f"annual_goal.{key}", text, piece.where))

    def result(self) -> dict | None:
        if not self.values:
            return None
        return {key: self.values[key][0] if key in self.values else None for key in ("planned", "achieved")}


def _covers(pattern: str, path: str) -> bool:
    """``indicators[*].weight`` covers ``indicators[3].weight``."""
    return re.fullmatch(re.escape(pattern).replace(r"\[\*\]", r"\[\d+\]"), path) is not None


_INDICATOR_REQUIRED = ("level1", "level2", "name", "target", "actual", "weight")  # what model.Indicator requires


def _missing(data: dict) -> list[str]:
    missing = []
    for path in REQUIRED:
        head, _, rest = path.partition(".")
        value: Any = data.get(head)
        for key in rest.split(".") if rest else ():
            value = value.get(key) if isinstance(value, dict) else None
        if value in (None, [], ""):
            missing.append(path)
    for n, row in enumerate(data.get("indicators") or []):
        missing += [f"indicators[{n}].{key}" for key in _INDICATOR_REQUIRED if row.get(key) is None]
    return missing
