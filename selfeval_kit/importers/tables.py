"""Where a text's tables are: the header rows that start them and the lines that end them.

Shared by the readers of text with columns (`selfeval_kit.importers.layout`, by position;
`selfeval_kit.importers.tabbed`, by tabs): a table starts at a row whose cells are its column
labels in the vocabulary, and ends before the next such row, a title or a header field.
"""

from __future__ import annotations

from selfeval_kit.importers.cells import Block, Line
from selfeval_kit.importers.vocabulary import Vocabulary
from selfeval_kit.importers.words import Word, words_of

__all__ = ["header_kind", "header_prefix", "page_of", "starts_other", "table_end"]

_BLANK_RUN_END = 3  # blank lines that end a funds or goal table (a page's gap)


def header_kind(texts: list[str], voc: Vocabulary) -> str | None:
    """The kind of table a header row of these cells heads ("indicators", "funds", "goal"), else None.

    Parameters
    ----------
    texts : list of str
        The row's cells (or a line's words).
    voc : Vocabulary
        Its column labels.

    Returns
    -------
    str or None
        "indicators" with 三级指标 and two more indicator columns; "funds" with three funds
        columns; "goal" with both 预期目标 and 实际完成情况.
    """
    roles = {r for t in texts if (r := voc.column(t, "indicators")) is not None}
    if "name" in roles and len(roles) >= 3:
        return "indicators"
    if len({r for t in texts if (r := voc.column(t, "funds")) is not None}) >= 3:
        return "funds"
    keys = {m.key for t in texts if (m := voc.field(t, "goal")) is not None}
    return "goal" if {"planned", "achieved"} <= keys else None


def starts_other(text: str, first: str, voc: Vocabulary) -> bool:
    """Whether a line ends the table above it: a title, or a header field (项目名称 …) first.

    Parameters
    ----------
    text : str
        The line.
    first : str
        Its first cell or word.
    voc : Vocabulary
        The titles and field labels.

    Returns
    -------
    bool
    """
    if voc.title(text) is not None:
        return True
    match = voc.field(first, "fields")
    return match is not None and match.key in ("name", "department", "implementer")


def _header_kind(words: list[Word], voc: Vocabulary) -> str | None:
    return header_kind([w.text for w in words], voc)


def page_of(line: Line) -> str:
    """The page a line is on ("第2页"), or "" for text without pages."""
    head = line.where.split(" ")[0]
    return head if head.endswith("页") else ""


def table_end(blocks: list[Block], start: int, kind: str, voc: Vocabulary) -> int:
    """The index after the last line of the table whose header is ``blocks[start]``."""
    blank, body = 0, False  # blank lines in a row; a line of the table's body seen
    first = blocks[start]
    page = page_of(first) if isinstance(first, Line) else ""
    for j in range(start + 1, len(blocks)):
        line = blocks[j]
        if not isinstance(line, Line):
            return j
        if not line.text:
            blank += 1
            if kind != "indicators" and body and blank >= _BLANK_RUN_END:
                return j
            continue
        blank, body = 0, True
        words = words_of(line, 0)
        if (found := _header_kind(words, voc)) is not None:
            return max(start + 1, j - header_prefix(blocks, j, found, voc))
        if _starts_other(line, words, voc):
            return j
        if kind != "indicators" and page_of(line) != page:
            return j
        if kind == "indicators" and any(voc.is_total(w.text) for w in words[:2]):
            return j + 1
    return len(blocks)


def header_prefix(blocks: list[Block], at: int, kind: str, voc: Vocabulary) -> int:
    """How many lines above the header line ``blocks[at]`` belong to the header: a line right
    above it (a blank line between allowed) each of whose words is a column label of the table,
    or begins one with the header word under it (a header cell of two lines, centred: 偏差原因分析
    above the header line, 及改进措施 below)."""
    header = words_of(blocks[at], 0)
    for back in (1, 2):
        if at - back < 0 or not isinstance(line := blocks[at - back], Line):
            return 0
        if not line.text:
            continue
        words = words_of(line, 0)
        return back if words and all(_prefix_role(w, header, kind, voc) for w in words) else 0
    return 0


def _prefix_role(word: Word, header: list[Word], kind: str, voc: Vocabulary) -> bool:
    """Whether `word`, above the header line, is a column label the header line lacks, or the
    beginning of the one under it."""
    block = "indicators" if kind == "indicators" else "funds"
    role = voc.column(word.text, block) if kind != "goal" else None
    if role is not None:
        return role not in {voc.column(h.text, block) for h in header}
    return any(
        word.shared(h.left - 1, h.right + 1) and kind != "goal" and voc.column(word.text + h.text, block) is not None
        for h in header
    )


def _starts_other(line: Line, words: list[Word], voc: Vocabulary) -> bool:
    return starts_other(line.text, words[0].text if words else "", voc)
