"""What the reader keeps of every field it reads: `FieldRecord`, and the typed readings of cell text.

Every value the reader puts into a form comes with a `FieldRecord`: the field path
(``funds.total.budget_final``, ``indicators[3].target``), the value, where in the source it was
read (``"第2页 表1 第5行第3列"``) and a confidence, or, for a field left empty, the reason. The
import report (`selfeval import --report`) is a table of them.

The readings (`amount`, `points`, `percent`) accept a cell's text as forms print numbers
(``296,272.00``, ``１０``, ``100.00%``) and return None for anything else: a cell is never half read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["FieldRecord", "amount", "is_dash", "one_line", "percent", "points"]

_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_DASHES = frozenset({"—", "——", "-", "--", "–", "―", "/", "－", "／", "—-", "无", "/ "})
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@dataclass(frozen=True)
class FieldRecord:
    """One field the reader read, or could not.

    Parameters
    ----------
    path : str
        The field's path in the form: ``name``, ``funds.total.executed``, ``indicators[0].score``.
    value : object
        What was read (None when the field is empty).
    where : str
        Where in the source, for people (``""`` when the field is empty).
    confidence : float
        1.0 read from a labelled place; lower when a check on the values failed or the place was
        inferred. 0 for an empty field.
    reason : str
        Why the field is empty or less certain (Chinese); ``""`` when there is nothing to say.
    """

    path: str
    value: object
    where: str = ""
    confidence: float = 1.0
    reason: str = ""


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\n", "")


def is_dash(text: str) -> bool:
    """A cell that says "nothing here": —, -, /, 无."""
    return _plain(text) in _DASHES or text.strip() in _DASHES


def amount(text: str) -> float | int | None:
    """An amount as printed (``296,272.00``, ``296272``), or None: an int when printed without decimals."""
    plain = _plain(text)
    if not _NUMBER.fullmatch(plain) or plain.startswith(("+", "-")):
        return None
    plain = plain.replace(",", "")
    return float(plain) if "." in plain else int(plain)


def points(text: str) -> float | int | None:
    """Points or a weight (``10``, ``5.00``, ``１０分``), or None: an int when printed without decimals."""
    plain = _plain(text).removesuffix("分")
    if not _NUMBER.fullmatch(plain) or "," in plain or plain.startswith(("+", "-")):
        return None
    return float(plain) if "." in plain else int(plain)


def percent(text: str) -> str | None:
    """An execution rate as written (``100.00%``, ``99.9%``), stripped, or None when the text is not one."""
    plain = _plain(text)
    if re.fullmatch(r"\d+(?:\.\d+)?%", plain):
        return text.strip()
    return None


def one_line(text: str) -> str:
    """A cell's text as one line: visual line breaks of a wrapped cell joined (without a space
    between Chinese characters, with one between Latin words)."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines:
        return ""
    out = lines[0]
    for line in lines[1:]:
        glue = "" if _CJK.search(out[-1]) or _CJK.search(line[0]) else " "
        out += glue + line
    return out
