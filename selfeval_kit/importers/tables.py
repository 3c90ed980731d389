"""Where a text's tables are: the header rows that start them and the lines that end them.

Shared by the readers of text with columns (`selfeval_kit.importers.layout`, by position;
`selfeval_kit.importers.tabbed`, by tabs): a table starts at a row whose cells are its column
labels in the vocabulary, and ends before the next such row, a title or a header field.
"""

from __future__ import annotations

from selfeval_kit.importers.vocabulary import Vocabulary

__all__ = ["header_kind", "starts_other"]


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
