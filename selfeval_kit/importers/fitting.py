"""A row's words fitted to its table's columns by what each word can be: a row of text without columns.

    columns:  一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 完成值 | 权重 | 得分
    words:    产出指标   经济成本指标  成本控制数   ≤          30       万元       完成     30     30

Text extracted from a PDF one row a line (``pdftotext`` without ``-layout``, a page copied from a
viewer) parts a row's cells by a single space, the same space that may stand inside a cell
("≥ 12万人次"), and leaves an empty cell out altogether. `fit` gives each column the words it
takes by an exact dynamic program over (word, column): every column takes a run of the words, in
order, at a cost saying how unlike that column's cells the run is (a 一级/二级 column takes a label
of the vocabulary, 分值 and 得分 a bare number, a target one value or a sign and a value, a name
any text), and the cheapest assignment of the whole row wins. The costs are small fixed numbers
chosen so that a column is left empty only when the row gives it nothing it could hold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from selfeval_kit.importers.fields import is_dash, points
from selfeval_kit.importers.vocabulary import Vocabulary

__all__ = ["Fit", "fit", "fitted", "placeholder", "words"]

Fit = dict[str, list[str]]
"""A fitted row: the words each column took (columns given none are left out)."""

# A sign glued to the name before it ("新增老年食堂（助餐点）≥6家"): the row's name ends there.
_GLUED_SIGN = re.compile(r"(?<=[\u4e00-\u9fff）)」”])(?=[≥≤<>=＞＜＝≧≦])")
_SIGNS = frozenset("≥≤<>=＞＜＝≧≦")
_NATURE_WORDS = frozenset({"定性", "定量", "正向", "反向"})
_MAX_LABEL_WORDS = 6  # a 一级/二级 label printed as several words ("产出 指标", "产 出 指 标")
_LONG = 40  # words the name and note columns may take
_CELLS_MOST = {"name": 2, "deviation_note": 3, "remark": 3, "target": 2, "actual": 2}  # cells, not words

_EMPTY = {  # the cost of a column left empty in a row
    "seq": 0.5,
    "level1": 0.0,
    "level2": 0.0,
    "name": 1.0,
    "nature": 0.3,
    "target": 1.5,
    "measure_unit": 0.3,
    "actual": 1.5,
    "weight": 2.0,
    "score": 1.9,  # an empty 得分 (a form not scored yet) is likelier than an empty 分值
}


def words(text: str) -> list[str]:
    """The words of a line: cut at white space, and before a sign glued to the name in front of it."""
    out: list[str] = []
    for word in text.split():
        out += [w for w in _GLUED_SIGN.split(word) if w]
    return out


_PLACEHOLDER = re.compile(r"指标\d{1,2}|[.…。·、\-—_]+")


def placeholder(word: str) -> bool:
    """Is a word a blank template's placeholder ("指标2", "……"), which no cell holds as its value?"""
    return _PLACEHOLDER.fullmatch(word) is not None


def fit(row: Sequence[str], roles: Sequence[str], voc: Vocabulary, *, named: bool = False) -> Fit | None:
    """The cheapest fit of a row's words to the columns, or None when the words fit no way.

    Parameters
    ----------
    row : sequence of str
        The row's words, left to right (`words`).
    roles : sequence of str
        The columns' roles, left to right, as the table's header gives them (vocabulary roles:
        ``seq``, ``level1``, ``level2``, ``name``, ``target``, ``actual``, ``weight``, ``score``,
        ``nature``, ``measure_unit``, ``deviation_note``, ``remark``).
    voc : Vocabulary
        What a 一级/二级 label is, and a sign.
    named : bool, default False
        The row's name was printed on lines before it, so its own words need not hold one.

    Returns
    -------
    Fit or None
        The words of each column that took any.
    """
    return fitted(row, roles, voc, named=named)[1]


def fitted(
    row: Sequence[str], roles: Sequence[str], voc: Vocabulary, *, named: bool = False, cells: bool = False
) -> tuple[float, Fit | None]:
    """`fit`, with the cost of the fit (inf when the words fit no way): to compare cuts of a
    sequence of cells into rows. With `cells`, the row's items are whole cells: a column takes one
    (a name or a note a few)."""
    n, k = len(row), len(roles)
    costs = _Costs(row, voc, named, cells)
    # best[i][j]: the cost of fitting row[i:] to roles[j:]; choice[i][j]: the words roles[j] takes
    best = [[math.inf] * (k + 1) for _ in range(n + 1)]
    choice = [[0] * (k + 1) for _ in range(n + 1)]
    best[n][k] = 0.0
    for j in range(k - 1, -1, -1):
        for i in range(n, -1, -1):
            for take in range(0, min(n - i, costs.most(roles[j])) + 1):
                cost = costs.of(roles[j], i, take) + best[i + take][j + 1]
                if cost < best[i][j]:
                    best[i][j], choice[i][j] = cost, take
    if math.isinf(best[0][0]):
        return math.inf, None
    out: Fit = {}
    i = 0
    for j, role in enumerate(roles):
        take = choice[i][j]
        if take:
            out[role] = list(row[i : i + take])
        i += take
    return best[0][0], out


class _Costs:
    """What a run of a row's words costs in a column of each role."""

    def __init__(self, row: Sequence[str], voc: Vocabulary, named: bool, cells: bool = False):
        self.row, self.voc, self.named, self.cells = row, voc, named, cells
        self.label = [voc.level1(w) is not None or voc.level2(w) is not None for w in row]
        self.number = [points(w) is not None for w in row]
        self.sign = [voc.sign(w) is not None or w in _SIGNS for w in row]
        self.dash = [is_dash(w) for w in row]

    def most(self, role: str) -> int:
        if self.cells:
            return _CELLS_MOST.get(role, 1)
        if role in ("name", "deviation_note", "remark"):
            return _LONG
        if role in ("level1", "level2"):
            return _MAX_LABEL_WORDS
        return 2 if role in ("target", "actual") else 1

    def of(self, role: str, i: int, take: int) -> float:
        if take == 0:
            if role == "name" and self.named:
                return 0.2
            return _EMPTY.get(role, 0.0)
        run = self.row[i : i + take]
        if role in ("level1", "level2"):
            text = "".join(run)
            found = self.voc.level1(text) if role == "level1" else self.voc.level2(text)
            return -1.0 - 0.1 * (take - 1) if found is not None else math.inf
        if role == "seq":
            return 0.0 if run[0].isdigit() and len(run[0]) <= 3 else math.inf
        if role in ("weight", "score"):
            return 0.0 if self.number[i] or self.dash[i] else math.inf
        if role == "nature":
            return -0.5 if self.sign[i] or run[0] in _NATURE_WORDS else math.inf
        if role == "measure_unit":
            short = len(run[0]) <= 4 and not self.number[i] and not self.sign[i]
            return -0.3 if short and not any(ch.isdigit() for ch in run[0]) else math.inf
        if role in ("target", "actual"):
            return self._value(i, take)
        return self._text(role, i, take)

    def _value(self, i: int, take: int) -> float:
        if any(placeholder(w) for w in self.row[i : i + take]):
            return math.inf
        return self._sign_value(i, take)

    def _sign_value(self, i: int, take: int) -> float:
        """A target or actual: one word, or a sign and the value after it ("≥ 12万人次"); never a
        unit sign alone ("%": the 度量单位 of a row whose 完成值 is empty)."""
        if not any(ch.isalnum() for ch in self.row[i + take - 1]) and not self.sign[i + take - 1]:
            return math.inf
        if take == 1:
            return 0.4 if self.sign[i] else 0.0
        if self.sign[i] and not self.sign[i + 1]:
            return 0.1
        return math.inf

    def _text(self, role: str, i: int, take: int) -> float:
        """A name or a note: any words; a name does not hold a value's sign or a label."""
        run = self.row[i : i + take]
        cost = 0.3 * (take - 1)
        if any(placeholder(w) for w in run):
            return math.inf
        if role == "name":
            cost += sum(2.0 for w in range(i, i + take) if self.sign[w])
            cost += sum(1.0 for w in range(i, i + take) if self.label[w])
            cost += 1.0 if all(self.number[i : i + take]) else 0.0
            return cost
        return 0.1 + 0.01 * take
