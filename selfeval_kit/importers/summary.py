"""The import report: for each form read, every field with its value, where it came from and how
sure the reader is, or why it is empty (`selfeval import … --report`).

    for line in field_lines(forms):
        print(line)

Columns line up on a terminal whatever the script (Chinese characters are two columns wide,
`wcwidth`); values are cut to `VALUE_CHARS` characters with "…". Text from the source is shown
as it is: the caller makes it printable (`selfeval_kit.terminal.printable`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from wcwidth import wcswidth

from selfeval_kit.importers.fields import FieldRecord
from selfeval_kit.importers.imported import ImportedForm

__all__ = ["VALUE_CHARS", "field_lines", "field_rows"]

VALUE_CHARS = 30
_HEAD = ("字段", "值", "来源位置", "置信度 / 说明")


def field_rows(imported: ImportedForm) -> list[tuple[str, str, str, str]]:
    """One row per field record: path, value shown, where, confidence (or the reason it is empty)."""
    return [_row(record) for record in imported.records]


def _row(record: FieldRecord) -> tuple[str, str, str, str]:
    if record.value is None:
        return record.path, "（空）", record.where or "—", record.reason or "未读到"
    shown = f"{record.value:g}" if isinstance(record.value, float) else str(record.value)
    value = shown.replace("\n", "⏎")
    if len(value) > VALUE_CHARS:
        value = value[: VALUE_CHARS - 1] + "…"
    sure = f"{record.confidence:.2f}" + (f"（{record.reason}）" if record.reason else "")
    return record.path, value, record.where, sure


def field_lines(forms: Iterable[ImportedForm]) -> Iterator[str]:
    """The report's lines: per form a heading (its state, what is missing), then its field table."""
    for imported in forms:
        state = "完整" if imported.ok else ("草稿" if imported.draft else "未导入")
        heading = f"{imported.source}  [{state}]"
        if imported.missing:
            heading += "  缺少：" + "、".join(imported.missing)
        yield heading
        for reason in imported.errors:
            yield f"  {reason}"
        rows = field_rows(imported)
        if rows:
            yield from _table([_HEAD, *rows])
        yield ""


def _table(rows: list[tuple[str, ...]]) -> Iterator[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=False)]
        yield "  " + "  ".join([*cells, row[-1]])


def _width(text: str) -> int:
    width = wcswidth(text)
    return width if width >= 0 else len(text)  # a control character: the caller escapes it
