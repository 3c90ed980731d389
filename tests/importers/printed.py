"""Comparing imported forms with the bundled ones, value by printed value (for the round trips)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA_2022 = ROOT / "data" / "2022"
NOT_PRINTED = ("id", "seq")  # the form's file name and place: not in the printed form


def bundled() -> list[dict]:
    """The forms of data/2022, in their order (seq)."""
    forms = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in DATA_2022.glob("*.yaml")]
    return sorted(forms, key=lambda d: d["seq"])


def flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"funds.total.weight": 10, "indicators[0].name": …}``: every leaf of a form's mapping."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not prefix and key in NOT_PRINTED:
                continue
            out.update(flat(item, f"{prefix}.{key}" if prefix else key))
        return out
    if isinstance(value, list):
        out = {}
        for i, item in enumerate(value):
            out.update(flat(item, f"{prefix}[{i}]"))
        return out
    return {prefix: value}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return abs(a - b) < 1e-9
    return a == b


def differences(expected: list[dict], got: list[dict]) -> tuple[int, int, list[tuple]]:
    """(values equal, values expected, [(form, path, expected, got)]): a value imported where the
    form has none counts as a difference too."""
    equal = total = 0
    wrong: list[tuple] = []
    for want, have in zip(expected, got, strict=False):
        e, g = flat(want), flat(have)
        for path, value in e.items():
            total += 1
            if _same(value, g.get(path)):
                equal += 1
            else:
                wrong.append((want["id"], path, value, g.get(path)))
        wrong += [(want["id"], path, None, g[path]) for path in g if path not in e and g[path] is not None]
    for want in expected[len(got) :]:
        total += len(flat(want))
        wrong.append((want["id"], "", "the whole form", None))
    return equal, total, wrong


def copied_tables(document_path: Path) -> str:
    """The tables of a document as a browser copies them: each row's own cells (a merged cell in
    its first row only), a tab between them; the lines outside tables as they are."""
    from selfeval_kit.importers.adapters import read_document
    from selfeval_kit.importers.cells import Table

    lines = []
    for block in read_document(document_path).blocks:
        if isinstance(block, Table):
            for r in range(block.n_rows):
                lines.append("\t".join(c.text.replace("\n", " ") for c in block.row_cells(r) if c.row == r))
        else:
            lines.append(block.text)
    return "\n".join(lines) + "\n"
