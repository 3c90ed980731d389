"""The words of laid-out text, each with the columns it is printed over.

`words_of` cuts a `Line` into words (a run of characters between spaces; a no-break space is inside a
word, as printed) at the column where ``pdftotext -layout`` or pdfplumber put each, by its x
position. A word is as wide as printed (a Chinese character two columns, `wcwidth`) but never
reaches the next word: a cell in a smaller font is narrower than its characters say. `narrow`
counts a column a character: where the word surely is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from wcwidth import wcswidth

from selfeval_kit.importers.cells import Block, Line

__all__ = ["Word", "joined", "words_of"]

_WORD = re.compile(r"[^ \t\u3000]+")  # a no-break space is inside a word, as printed


@dataclass(frozen=True)
class Word:
    """A word: its text, its line's index, its printed columns [left, right) and [left, narrow)."""

    text: str
    line: int  # index of its line in the table's lines
    left: int
    right: int  # exclusive, in printed columns: as wide as printed, up to the next word
    narrow: int  # one column a character: where the word surely is, though its font be small

    @property
    def center(self) -> float:
        return (self.left + self.right) / 2

    def shared(self, left: int, right: int) -> int:
        return max(0, min(self.right, right) - max(self.left, left))


def words_of(block: Block, index: int) -> list[Word]:
    """The words of a line: each starts at its character's column (where ``pdftotext -layout`` put
    it, by its x position) and is as wide as printed (a Chinese character two columns), but never
    reaches the next word (a cell in a smaller font is narrower than its characters say)."""
    if not isinstance(block, Line) or not block.text:
        return []
    if block.layout:
        found = [(m.start(), m.group()) for m in _WORD.finditer(block.layout)]
    else:
        found = [(block.indent + m.start(), m.group()) for m in _WORD.finditer(block.text)]
    ends = [left - 1 for left, _ in found[1:]] + [None]
    words = []
    for (left, text), limit in zip(found, ends, strict=True):
        right = left + width(text)
        right = right if limit is None else max(left + 1, min(right, limit))
        words.append(Word(text, index, left, right, min(right, left + len(text))))
    return words


def width(text: str) -> int:
    width = wcswidth(text)
    return width if width >= 0 else len(text)


def joined(words: Iterable[Word]) -> str:
    """Words of one cell: on one line joined by a space, lines by a line break (`one_line` joins them)."""
    lines: list[list[str]] = []
    last = None
    for word in words:
        if word.line != last:
            lines.append([])
            last = word.line
        lines[-1].append(word.text)
    return "\n".join(" ".join(line) for line in lines)
