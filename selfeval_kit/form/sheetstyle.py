"""How text sits in a printed worksheet cell: widths, line breaks and row heights.

Excel, WPS and LibreOffice do not size a row to a merged or wrapped cell when the
file is opened, and LibreOffice has no 避头尾 (kinsoku) line breaking: it starts a
line with "，" or "。" where the width runs out. The workbook writer therefore
estimates every wrapped cell's lines itself (`line_count`) and, for prose, writes
the line breaks into the text (`break_lines`), choosing them so that no line
starts with closing punctuation nor ends with opening punctuation.

Widths are in Excel column-width units (the width of "0" in the default font): a
CJK glyph at `FONT_SIZE` takes 2 units, an ASCII character 1. Excel and WPS lay
out 宋体 exactly so; LibreOffice (with its Noto CJK substitute) fits ~30 % more per
line, so lines broken for Excel never overflow there.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "CELL_PADDING",
    "FONT_CHARSET",
    "FONT_NAME",
    "FONT_SIZE",
    "LINE_HEIGHT",
    "POINTS_FORMAT",
    "break_lines",
    "line_count",
    "row_height",
    "text_width",
    "wrap",
]

FONT_NAME = "宋体"  # the name Windows and WPS show; LibreOffice substitutes a Noto CJK font
FONT_CHARSET = 134  # GB2312: what Excel writes for 宋体, so Windows picks the Chinese face
FONT_SIZE = 10.5
LINE_HEIGHT = 15.5  # points per line: Noto Sans CJK at 10.5 pt needs 15.2, SimSun 13.5
ROW_PADDING = 4.5  # points above and below the lines of a row
CELL_PADDING = 1.0  # width units a cell's margins take from its text
POINTS_FORMAT = "0.00"  # 分值 and 得分 as the form prints them: 100.00

# A line never starts with closing punctuation nor ends with opening punctuation (避头尾).
CLOSING = frozenset("，。、；：？！）》」』】〕〗〉”’…%‰,.;:?!)]}")
OPENING = frozenset("（《「『【〔〖〈“‘([{")
_MAX_PUSHED = 2  # tokens moved to the next line to satisfy the rule, at most
_TOKEN = re.compile(r"[\x21-\x7e]+|\s|.", re.DOTALL)  # an ASCII word is never split


def text_width(text: str) -> int:
    """The width of `text` in column-width units: 2 for a wide (CJK) character, else 1.

    Parameters
    ----------
    text : str
        One line of text.

    Returns
    -------
    int
        The units `text` takes in a cell in `FONT_NAME` at `FONT_SIZE`.
    """
    # East Asian "ambiguous" characters (“ ” … ·) are full width in CJK fonts.
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def wrap(text: str, width: float) -> list[str]:
    """The lines `text` takes in a wrapped cell `width` units wide, breaking by 避头尾 rules.

    Parameters
    ----------
    text : str
        The cell's text; its own line breaks are kept.
    width : float
        The cell's width in column-width units (of merged columns: their sum).

    Returns
    -------
    list of str
        The lines; joined with "\\n" they give `break_lines(text, width)`.
    """
    capacity = max(int(width - CELL_PADDING), 2)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_balanced(paragraph, capacity))
    return lines


def break_lines(text: str, width: float) -> str:
    """`text` with "\\n" inserted where its wrapped lines break (nothing else changes).

    Parameters
    ----------
    text : str
        The cell's text.
    width : float
        The cell's width in column-width units.

    Returns
    -------
    str
        `text` itself when it fits on one line per paragraph; else the text with line breaks
        such that no line starts with "，", "。", "）" and the like.
    """
    return "\n".join(wrap(text, width))


def line_count(text: str | None, width: float) -> int:
    """The lines a wrapped cell `width` units wide shows of `text` (1 for an empty cell).

    Parameters
    ----------
    text : str or None
        The cell's text.
    width : float
        The cell's width in column-width units.

    Returns
    -------
    int
        At least 1.
    """
    return len(wrap(text, width)) if text else 1


def row_height(lines: int) -> float:
    """The height in points of a row showing `lines` lines of text.

    Parameters
    ----------
    lines : int
        The most lines a cell of the row shows.

    Returns
    -------
    float
        `lines * LINE_HEIGHT` plus the row's padding.
    """
    return max(lines, 1) * LINE_HEIGHT + ROW_PADDING


def _balanced(paragraph: str, capacity: int) -> list[str]:
    """The paragraph's lines at the narrowest width that needs no more lines than `capacity`:
    "平台基地运行\\n管理机构数", not "平台基地运行管理机构\\n数"."""
    tokens = _tokens(paragraph, capacity)
    lines = _wrap_tokens(tokens, capacity)
    low, high = max(2, text_width(paragraph) // len(lines)), capacity
    while low < high:  # the least width giving as few lines (widths are whole units)
        middle = (low + high) // 2
        if len(_wrap_tokens(tokens, middle)) <= len(lines):
            high = middle
        else:
            low = middle + 1
    return _wrap_tokens(tokens, high) if high < capacity else lines


def _tokens(paragraph: str, capacity: int) -> list[str]:
    """Characters, and ASCII words kept whole unless wider than a line."""
    out: list[str] = []
    for token in _TOKEN.findall(paragraph):
        out.extend(token if len(token) > 1 and text_width(token) > capacity else (token,))
    return out


def _wrap_tokens(tokens: list[str], capacity: int) -> list[str]:
    """Greedy lines of at most `capacity` units (a token wider than that gets a line of its own)."""
    lines: list[list[str]] = [[]]
    used = 0
    for token in tokens:
        width = text_width(token)
        if used + width <= capacity or not lines[-1] or token.isspace():
            lines[-1].append(token)  # a space may hang past the edge: it is invisible
            used += width
            continue
        line = [*_pushed(lines[-1], token), token]
        lines.append(line)
        used = sum(text_width(t) for t in line)
    return ["".join(line) for line in lines]


def _pushed(head: list[str], token: str) -> list[str]:
    """Tokens taken off the end of the full line `head` so that the next line, starting with
    them and then `token`, does not start with closing punctuation and `head` does not end with
    opening punctuation."""
    moved: list[str] = []
    while len(head) > 1 and len(moved) < _MAX_PUSHED:
        starts = (moved[0] if moved else token)[0]
        if starts not in CLOSING and head[-1][-1] not in OPENING:
            break
        moved.insert(0, head.pop())
    return moved
