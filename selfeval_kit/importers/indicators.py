"""The indicator table: its header row gives the columns' roles, each row below one indicator.

    一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
    产出指标 | 数量指标 | 并发用户数 | =200人 | 200人 | 5 | 5 |
    …
    总分 | | | | | 100 | 100 |

The roles come from the vocabulary (``indicators.columns``); a cell is read under the header cell
whose columns it shares, so the template's order (分值 before the target), extra columns (序号,
备注) and a target split over 指标性质 / 指标值 / 度量单位 read without code. A 一级/二级 label merged
over several rows is in each of them (`selfeval_kit.importers.rows`); where the source repeats it
in none, the label above carries on. A repeated header row (a table continued on the next page)
is skipped; the 总分 row ends the table and gives `total_score`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from selfeval_kit.importers.fields import FieldRecord, is_dash, one_line, points
from selfeval_kit.importers.rows import Piece, Row
from selfeval_kit.importers.vocabulary import Vocabulary

__all__ = ["IndicatorReader"]

_TEXT_ROLES = ("level1", "level2", "name", "target", "actual")
_VALUE_ROLES = ("target", "actual", "weight", "score", "nature", "measure_unit")
_TARGET_PARTS = ("nature", "target", "measure_unit")  # 指标性质 | 指标值 | 度量单位, joined as printed


@dataclass
class _Column:
    role: str
    col: int
    span: int


@dataclass
class IndicatorReader:
    """Takes the rows of the indicator table (`take`); `rows` are the indicators, `total` the 总分."""

    voc: Vocabulary
    records: list[FieldRecord]
    columns: list[_Column] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: float | None = None
    total_seen: bool = False
    stated_weight: float | None = None  # the 分值 the 总分 row prints: the weights' total
    notes: list[str] = field(default_factory=list)
    table: int | None = None  # the table of the last indicator row read

    @property
    def found(self) -> bool:
        """Whether the table's header was seen."""
        return bool(self.columns)

    def take(self, row: Row) -> bool:
        """Read `row` if it belongs to the indicator table; False when it does not."""
        if self.total_seen:
            return False
        header = self._header(row)
        if header:
            if not self.columns:
                self.columns = header
            return True  # the header, or its repetition on a continued page
        if not self.columns or not row.aligned:
            return False
        if any(self.voc.is_total(one_line(p.text)) for p in self._total_labels(row)):
            self._total(row)
            return True
        return self._indicator(row)

    def _total_labels(self, row: Row) -> list[Piece]:
        """The pieces that may be the 总分 label: left of the name column, merged over columns, or
        a row with no target and actual (an indicator or a target named 总分 is not the total)."""
        name_col = min((c.col for c in self.columns if c.role == "name"), default=None)
        bare = not self._under(row, "target") and not self._under(row, "actual")
        return [p for p in row.fresh[:2] if name_col is None or p.col is None or p.col < name_col or p.span > 1 or bare]

    def _carries(self, role: str, item: dict[str, Any]) -> bool:
        above = self.rows[-1]
        if role == "level1" or item["level1"] is None or item["level1"] == above["level1"]:
            return True
        parents = self.voc.parents(self.voc.level2(above["level2"]) or "")
        return not parents or self.voc.level1(item["level1"]) in parents

    def _header(self, row: Row) -> list[_Column]:
        found = [
            _Column(role, p.col, p.span)
            for p in row.fresh
            if p.col is not None and (role := self.voc.column(one_line(p.text), "indicators")) is not None
        ]
        roles = {c.role for c in found}
        return found if "name" in roles and len(roles) >= 3 else []

    def _under(self, row: Row, role: str) -> list[Piece]:
        out: list[Piece] = []
        for column in self.columns:
            if column.role == role:
                pool = row.pieces if role in ("level1", "level2") else row.fresh
                out += [p for p in pool if p.overlap(column.col, column.span) and p not in out]
        return out

    def _indicator(self, row: Row) -> bool:
        n = len(self.rows)
        if self._continues(row):
            return True
        self.table = row.table
        names = self._under(row, "name")
        if not names:
            self.notes.append(f"{row.where}：指标表中的一行没有三级指标名称，未读取（{row.text[:40]}）")
            return True
        item: dict[str, Any] = {}
        for role in ("level1", "level2", "name", "actual"):
            item[role] = self._text(n, role, self._under(row, role))
        item["target"] = self._target(n, row)
        for role in ("level1", "level2"):
            if item[role] is None and self.rows and self.rows[-1][role] is not None and self._carries(role, item):
                # A label written once over rows that are not merged: it carries on, less surely
                # (a 二级 label not under a 一级 the vocabulary does not allow it under).
                # A label written once over rows that are not merged: it carries on, less surely.
                item[role] = self.rows[-1][role]
                self._inferred(f"indicators[{n}].{role}", item[role], "沿用上一行")
        item["weight"] = self._points(n, "weight", self._under(row, "weight"))
        item["score"] = self._points(n, "score", self._under(row, "score"))
        note = self._under(row, "deviation_note")
        text = note[0].text.strip() if note else ""
        empty = not text or is_dash(text) or self.voc.is_help(text)  # a template's instruction is no note
        item["deviation_note"] = None if empty else one_line(text)
        if note and item["deviation_note"] is not None:
            self.records.append(FieldRecord(f"indicators[{n}].deviation_note", item["deviation_note"], note[0].where))
        self.rows.append(item)
        return True

    def _continues(self, row: Row) -> bool:
        """The first row of a table continued on a new page, holding only text (the rest of a cell
        the page break cut: "完成安可产品购买并按要求支付资" / "金"): joined to the indicator above."""
        if not self.rows or row.table == self.table or row.table is None:
            return False
        if any(self._under(row, role) for role in _VALUE_ROLES):
            return False
        self.table = row.table
        n = len(self.rows) - 1
        for role in (*_TEXT_ROLES, "deviation_note"):
            pieces = [p for p in self._under(row, role) if not p.carried]
            if not pieces or role not in self.rows[n]:
                continue
            before = self.rows[n][role] or ""
            joined = one_line(before + "\n" + pieces[0].text) if before else one_line(pieces[0].text)
            self.rows[n][role] = joined
            self.records.append(FieldRecord(f"indicators[{n}].{role}", joined, pieces[0].where, 0.9, "续接上页"))
            self.notes.append(f"{pieces[0].where}：“{one_line(pieces[0].text)}”续接上页第{n + 1}个指标的{role}")
        return True

    def _inferred(self, path: str, value: str, reason: str) -> None:
        for k in range(len(self.records) - 1, -1, -1):
            if self.records[k].path == path:
                self.records[k] = FieldRecord(path, value, self.records[k].where, 0.8, reason)
                return

    def _text(self, n: int, role: str, pieces: list[Piece]) -> str | None:
        path = f"indicators[{n}].{role}"
        if not pieces:
            self.records.append(FieldRecord(path, None, "", 0.0, "表中此格为空"))
            return None
        text = one_line(pieces[0].text)
        self.records.append(FieldRecord(path, text, pieces[0].where))
        return text

    def _target(self, n: int, row: Row) -> str | None:
        parts = {role: self._under(row, role) for role in _TARGET_PARTS}
        if not parts["nature"] and not parts["measure_unit"]:
            return self._text(n, "target", parts["target"])
        # 指标性质 joins the target when it is a sign (≥, =); 定性/定量 say what kind of target it is.
        texts = [
            one_line(parts[r][0].text)
            for r in _TARGET_PARTS
            if parts[r] and not is_dash(parts[r][0].text) and (r != "nature" or self.voc.sign(parts[r][0].text))
        ]
        if not parts["target"]:
            self.records.append(FieldRecord(f"indicators[{n}].target", None, "", 0.0, "表中指标值为空"))
            return None
        target = "".join(texts)
        self.records.append(FieldRecord(f"indicators[{n}].target", target, parts["target"][0].where, 0.9,
                                        "由指标性质、指标值、度量单位三格合成"))  # fmt: skip
        return target

    def _points(self, n: int, role: str, pieces: list[Piece]) -> float | None:
        path = f"indicators[{n}].{role}"
        if not pieces or is_dash(pieces[0].text):
            self.records.append(FieldRecord(path, None, pieces[0].where if pieces else "", 0.0, "表中此格为空"))
            return None
        value = points(pieces[0].text)
        if value is None:
            reason = f"“{one_line(pieces[0].text)}”不是分值"
            self.records.append(FieldRecord(path, None, pieces[0].where, 0.0, reason))
            self.notes.append(f"{pieces[0].where}：{path} {reason}，留空")
            return None
        self.records.append(FieldRecord(path, value, pieces[0].where))
        return value

    def _total(self, row: Row) -> None:
        self.total_seen = True
        # Only under 得分: a total under 分值/权重 is the weights' sum, not the score.
        under = self._under(row, "score")
        numbers = [(v, p) for p in under if (v := points(p.text)) is not None]
        if numbers:
            self.total = numbers[0][0]
            self.records.append(FieldRecord("total_score", self.total, numbers[0][1].where))
        else:
            self.records.append(FieldRecord("total_score", None, row.where, 0.0, "总分一行的得分栏为空"))
        stated = [v for p in self._under(row, "weight") if (v := points(p.text)) is not None]
        if stated and not numbers:
            self.notes.append(f"{row.where}：总分一行只有分值合计 {stated[0]:g}，没有得分：总分留空")
        self.stated_weight = stated[0] if stated else None
