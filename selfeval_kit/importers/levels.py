"""Which rows a merged 一级/二级 label covers, from where a layout printed it.

A merged label cell prints once, at the top of its rows (top-aligned) or halfway down them
(centred). `spans` tells which, and gives each label its rows: top-aligned, a group runs from its
label's row to the next label's; centred, the groups are the partition of the rows, one a label
in order, whose middle lines are nearest to the labels' (least squares, exact by dynamic
programming over a few labels and a few dozen rows). `refined` then moves the 二级 boundaries a
row at a time while the 一级 labels sit better in their groups too.

A label is ``(text, middle line, first line)``; a row's extent ``(top, bottom, own line)``, in
the lines of the text (a row's own line is the one with its values).
"""

from __future__ import annotations

from collections.abc import Callable

from selfeval_kit.importers.fields import one_line
from selfeval_kit.importers.vocabulary import Vocabulary

__all__ = ["cost", "groups", "refined", "spans", "top_spans"]

_MAX_SEARCH = 500_000  # labels × rows²: a form has a dozen labels over a few dozen rows
Label = tuple[str, float, int]
Extent = tuple[float, float, int]


def spans(
    labels: list[Label],
    extents: list[Extent],
    start: int,
    end: int,
    fits: Callable[[int, int, int], bool] | None = None,
    continued: bool = False,
) -> list[tuple[int, int]]:
    """The rows [s, e) each label covers, of the rows `start` to `end`.

    Top-aligned when every label starts on a row's own line, the first on `start`'s (or later,
    in a table `continued` from the page before: its first rows carry the label above). Else
    centred: the partition, one group a label in order, whose middle lines are nearest to the
    labels' (`fits` may forbid a group). With more labels than rows, no allowed partition, or
    a table too large to search (text that is no form), each row takes the nearest label.
    """
    if not labels:
        return []
    top = top_spans(labels, extents, start, end, continued)
    if top is not None:
        return top
    if len(labels) <= end - start and len(labels) * (end - start) ** 2 <= _MAX_SEARCH:
        found = _centred(labels, extents, start, end, fits)
        if found is not None:
            return found
    nearest = [min(range(len(labels)), key=lambda i: (abs(labels[i][1] - extents[r][2]), i)) for r in range(start, end)]
    return [
        (start + rows[0], start + rows[-1] + 1) if rows else (start, start)
        for i in range(len(labels))
        for rows in [[r for r, n in enumerate(nearest) if n == i]]
    ]


def groups(
    level1: list[Label], level2: list[Label], extents: list[Extent], voc: Vocabulary, continued: bool = False
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The rows each 一级 and each 二级 label covers: (spans of `level1`, spans of `level2`).

    The 二级 groups are found first, over the rows; the 一级 groups then over the 二级 groups,
    each holding only 二级 labels the vocabulary allows under it; where the labels are centred,
    the 二级 boundaries are `refined` so that the 一级 labels sit near their groups' middles too.
    """
    n = len(extents)
    spans2 = spans(level2, extents, 0, n, continued=continued) if level2 else []
    if not level1:
        return [], spans2
    covered = bool(spans2) and spans2[0][0] == 0 and spans2[-1][1] == n and len(spans2) == len(level2)
    if not covered:
        return spans(level1, extents, 0, n, continued=continued), spans2
    parents = [voc.parents(voc.level2(one_line(text)) or "") for text, _, _ in level2]
    canon = [voc.level1(one_line(text)) for text, _, _ in level1]

    def fits(i: int, s: int, e: int) -> bool:
        return all(not parents[u] or canon[i] is None or canon[i] in parents[u] for u in range(s, e))

    def over(found2: list[tuple[int, int]]) -> list[tuple[int, int]]:
        units = [(extents[s][0], extents[e - 1][1], extents[s][2]) for s, e in found2]
        found1 = spans(level1, units, 0, len(units), fits, continued)
        return [(found2[s][0], found2[e - 1][1]) for s, e in found1]

    if top_spans(level2, extents, 0, n, continued) is None:
        spans2 = refined(spans2, lambda found: cost(level2, extents, found) + cost(level1, extents, over(found)))
    return over(spans2), spans2


def top_spans(
    labels: list[Label], extents: list[Extent], start: int, end: int, continued: bool
) -> list[tuple[int, int]] | None:
    """The groups of top-aligned labels (each on its first row's line), or None if they are not."""
    own = [e[2] for e in extents]
    tops = [own.index(b[2]) if b[2] in own[start:end] else None for b in labels]
    if not tops or None in tops or (tops[0] != start and not continued) or tops != sorted(set(tops)):  # type: ignore[type-var]
        return None
    starts = [t for t in tops if t is not None]
    return list(zip(starts, [*starts[1:], end], strict=True))


def cost(labels: list[Label], extents: list[Extent], spans: list) -> float:
    """How far the groups' middle lines are from their labels' (sum of squares)."""
    return sum(
        ((extents[s][0] + extents[e - 1][1]) / 2 - label[1]) ** 2
        for label, (s, e) in zip(labels, spans, strict=False)
        if e > s
    )


def refined(spans: list[tuple[int, int]], cost: Callable[[list[tuple[int, int]]], float]) -> list[tuple[int, int]]:
    """`spans` with boundaries moved a row at a time while that lowers `cost` (the 一级 labels'
    places then count too: a 二级 boundary a row off leaves the 一级 label off its group's middle)."""
    best, score = list(spans), cost(spans)
    for _ in range(4 * len(spans)):
        moves = []
        for j in range(len(best) - 1):
            for step in (-1, 1):
                cut = best[j][1] + step
                if best[j][0] < cut < best[j + 1][1]:
                    moved = [*best[:j], (best[j][0], cut), (cut, best[j + 1][1]), *best[j + 2 :]]
                    moves.append((cost(moved), moved))
        if not moves or min(moves)[0] >= score - 1e-9:
            return best
        score, best = min(moves)
    return best


def _centred(
    labels: list[Label],
    extents: list[Extent],
    start: int,
    end: int,
    fits: Callable[[int, int, int], bool] | None,
) -> list[tuple[int, int]] | None:
    """The partition of rows `start` to `end` into one group a label, in order, whose groups'
    middle lines are nearest to the labels' (least squares; a few labels over a few dozen rows)."""
    count = len(labels)
    best: dict[tuple[int, int], tuple[float, int]] = {}  # (label, first row) → (cost, end of its group)
    for i in range(count - 1, -1, -1):
        for s in range(start + i, end - (count - 1 - i)):
            last = end if i == count - 1 else end - (count - 1 - i)
            options = []
            for e in range(s + 1, last + 1):
                if (i == count - 1 and e != end) or (fits is not None and not fits(i, s, e)):
                    continue
                rest = 0.0 if i == count - 1 else best.get((i + 1, e), (float("inf"), 0))[0]
                middle = (extents[s][0] + extents[e - 1][1]) / 2
                options.append(((middle - labels[i][1]) ** 2 + rest, e))
            if options:
                best[(i, s)] = min(options)
    spans, s = [], start
    for i in range(count):
        if best.get((i, s), (float("inf"), 0))[0] == float("inf"):
            return None
        e = best[(i, s)][1]
        spans.append((s, e))
        s = e
    return spans
