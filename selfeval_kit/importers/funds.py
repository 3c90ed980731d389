"""The funds block: its header row gives the columns' roles, its labelled rows the amounts.

    项目资金（元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
                 | 年度资金总额 | 296272.00 | 296272.00 | 296272 | 10 | 100.00% | 10
                 | 其中：当年财政拨款 | …

Roles and row labels come from the vocabulary (``funds.columns``, ``funds.rows``); a value is
read under the header cell whose columns it shares, so a template's own order and extra columns
(偏差原因) read without code. A cell that says nothing (—, /) is an empty field, never a zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from selfeval_kit.importers.fields import FieldRecord, amount, is_dash, one_line, percent, points
from selfeval_kit.importers.rows import Piece, Row
from selfeval_kit.importers.vocabulary import Vocabulary

__all__ = ["FUNDS_ROWS", "FundsReader"]

FUNDS_ROWS = ("total", "appropriation", "carryover", "other")
_EXTRA_ROWS = ("special", "unit_funds")  # 四川: 财政专户管理资金, 单位资金, added into `other`
_ROWS = FUNDS_ROWS + _EXTRA_ROWS
_AMOUNTS = ("budget_initial", "budget_final", "executed")
_TOTAL_ONLY = ("weight", "execution_rate", "score", "reason")
_MIN_HEADER_ROLES = 3


@dataclass
class _Column:
    role: str
    col: int | None
    span: int
    where: str


@dataclass
class FundsReader:
    """Takes the rows of the funds block, one at a time (`take`); `result` is ``Form.funds``'s mapping."""

    voc: Vocabulary
    records: list[FieldRecord]
    columns: list[_Column] = field(default_factory=list)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    unit: str | None = None
    unit_where: str = ""
    extra: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (label, amounts) of _EXTRA_ROWS

    @property
    def found(self) -> bool:
        """Whether any funds row was read."""
        return bool(self.values)

    def take(self, row: Row) -> bool:
        """Read `row` if it belongs to the funds block; False when it does not."""
        self._block_label(row)
        header = self._header(row)
        if header:
            self.columns = header
            return True
        if self.columns and self._reason_row(row):
            return True
        for i, piece in enumerate(row.fresh):
            match = self.voc.field(one_line(piece.text), "funds")
            if match is None or match.key not in _ROWS or len(self.values.get(match.key, {})) > 1:
                continue  # not a row label, or a row read already
            if not self.columns:
                self.notes.append(f"{piece.where}：“{piece.text}”一行在资金表头之前，未读取")
                return True
            read = self._read_row(match.key, row, piece, match.value, row.fresh[i + 1 :])
            if match.key in _EXTRA_ROWS:
                self.extra.append((match.label, read))
                return True
            self.values[match.key] = {**read, **{k: v for k, v in self.values.get(match.key, {}).items() if v}}
            return True
        return False

    def _reason_row(self, row: Row) -> bool:
        """执行偏差原因 | text: the total row's reason, on a row of its own."""
        fresh = row.fresh
        if not fresh or len(fresh) > 2 or self.voc.column(one_line(fresh[0].text), "funds") != "reason":
            return False
        total = self.values.setdefault("total", {})
        if len(fresh) == 2 and total.get("reason") is None:
            total["reason"] = self._value("total", "reason", fresh[1])
        return True

    def _block_label(self, row: Row) -> None:
        for piece in row.pieces:
            match = self.voc.field(one_line(piece.text), "funds")
            if match is not None and match.key == "block" and match.unit and self.unit is None:
                self.unit, self.unit_where = match.unit, piece.where

    def _header(self, row: Row) -> list[_Column]:
        found = []
        for piece in row.fresh:
            role = self.voc.column(one_line(piece.text), "funds")
            if role is not None:
                found.append(_Column(role, piece.col, piece.span, piece.where))
                if self.unit is None and (unit := self.voc.unit(piece.text)) is not None:
                    self.unit, self.unit_where = unit, piece.where
        roles = {c.role for c in found}
        if len(roles) < _MIN_HEADER_ROLES or not roles & {*_AMOUNTS, "amounts"}:
            return []
        if "amounts" in roles and "budget_final" not in roles:  # 年度预算数: the year's budget
            for column in found:
                if column.role == "amounts":
                    column.role = "budget_final"
        return found

    def _read_row(
        self, key: str, row: Row, label: Piece, inline: str | None, rest: tuple[Piece, ...]
    ) -> dict[str, Any]:
        roles = _AMOUNTS + (_TOTAL_ONLY if key == "total" else ())
        cells: dict[str, Piece | None] = dict.fromkeys(roles)
        if row.aligned:
            for column in self.columns:
                if column.role in cells:
                    under = [p for p in rest if p.overlap(column.col or 0, column.span)]
                    cells[column.role] = under[0] if under else None
        else:
            texts = list(rest) if inline is None else [Piece(t, label.where) for t in inline.split()] + list(rest)
            ordered = [c.role for c in self.columns if c.role in cells]
            if len(texts) != len(ordered):
                self.notes.append(
                    f"{label.where}：“{label.text}”一行有 {len(texts)} 个值、表头有 {len(ordered)} 列，无法对齐，未读取"
                )
                texts = []
            for role, piece in zip(ordered, texts, strict=False):
                cells[role] = piece
        return {role: self._value(key, role, piece) for role, piece in cells.items()}

    def _value(self, key: str, role: str, piece: Piece | None) -> Any:
        path = f"funds.{key}.{role}"
        if piece is None or is_dash(piece.text):
            reason = "表中此格为空" if piece is None else f"表中为“{piece.text}”"
            self.records.append(FieldRecord(path, None, piece.where if piece else "", 0.0, reason))
            return None
        text = one_line(piece.text)
        if role == "reason" and self.voc.is_help(text):  # the template's instruction, not a reason
            self.records.append(FieldRecord(path, None, piece.where, 0.0, "表中为填表说明，不是原因"))
            return None
        value: Any
        if role in _AMOUNTS:
            value = amount(text)
        elif role in ("weight", "score"):
            value = points(text)
        elif role == "execution_rate":
            value = percent(text)
        else:
            value = text
        if value is None:
            self.records.append(FieldRecord(path, None, piece.where, 0.0, f"“{text}”不是{_ROLE_WORDS[role]}"))
            self.notes.append(f"{piece.where}：{path} 的“{text}”不是{_ROLE_WORDS[role]}，留空")
            return None
        self.records.append(FieldRecord(path, value, piece.where))
        return value

    def result(self) -> dict[str, dict[str, Any]]:
        """``{"total": {...}, "appropriation": {...}, "carryover": {...}, "other": {...}}``; a row the
        source does not have is all empty, and said so."""
        out = {}
        for key in FUNDS_ROWS:
            if key not in self.values:
                roles = _AMOUNTS + (_TOTAL_ONLY if key == "total" else ())
                for role in roles:
                    self.records.append(FieldRecord(f"funds.{key}.{role}", None, "", 0.0, "表中没有此行"))
                self.values[key] = dict.fromkeys(roles)
            row = self.values[key]
            if key == "total":
                row = {k: v for k, v in row.items() if not (k == "reason" and v is None)}
            out[key] = row
        self._add_extra(out["other"])
        return out

    def _add_extra(self, other: dict[str, Any]) -> None:
        """Rows the model has no place for (四川 财政专户管理资金, 单位资金) are money other than the
        year's appropriation: added into 其他资金 column by column when they print any, with a note."""
        given = [(label, row) for label, row in self.extra if any(row.get(k) for k in _AMOUNTS)]
        if not given:
            return
        before = " ".join(_shown(other.get(k)) for k in _AMOUNTS)
        for k in _AMOUNTS:
            values = [v for v in [other.get(k)] + [row.get(k) for _, row in given] if v is not None]
            other[k] = _tidy(sum(values)) if values else None
        shown = "; ".join(f"{label} {' '.join(_shown(row.get(k)) for k in _AMOUNTS)}" for label, row in given)
        self.notes.append(
            f"funds.other: 其他资金 {before} plus {shown}: the model has one row for money other than the "
            "year's appropriation (the national 其他资金), so these rows are added into it, column by column"
        )


def _shown(value: Any) -> str:
    return "—" if value is None else str(_tidy(value))


def _tidy(value: float) -> float | int:
    """A sum as printed: 100000.0 → 100000 (a float's rounding noise dropped)."""
    value = round(value, 6)
    return int(value) if float(value).is_integer() else value


_ROLE_WORDS = {
    "budget_initial": "金额",
    "budget_final": "金额",
    "executed": "金额",
    "weight": "分值",
    "score": "得分",
    "execution_rate": "百分比",
    "reason": "文字",
}
