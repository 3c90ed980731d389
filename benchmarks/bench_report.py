"""In-process cost of one report: the current code, and an older checkout side by side.

    python benchmarks/bench_report.py [--data data/2022] [--repeat 7] [--before DIR]

    git worktree add /tmp/before 0e1119c             # an older commit to compare with, e.g.
    python benchmarks/bench_report.py --repeat 5 --before /tmp/before

For each project of the data and for the annual report, the pure computation of the report in a
warm process (every section rendered to HTML; the evaluation is loaded once, before timing, as
the build's worker shares it through `selfeval_kit.report.cache`): least and median of
`--repeat` runs, and the size of the report's HTML. Each contender runs in its own subprocess
that imports selfeval_kit from its own tree (PYTHONPATH): ``now``, this checkout, and with
``--before DIR``, that tree (it needs `selfeval_kit.report.cache`, commit 8b0dce9's parent or
later). Both compute the same reports: `--data` (resolved here) is given to both. The figures
are printed side by side with the sums of the medians; without `--before`, the current code's
figures only. Targets: a project report ≤ 0.1 s, the annual report of data/2022 ≤ 0.5 s.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["main", "measure"]

ROOT = Path(__file__).resolve().parent.parent
Figures = dict[str, tuple[float, float, int]]  # report → (least s, median s, HTML bytes)


def _time(build: Callable[[], str], repeat: int) -> tuple[float, float, int]:
    size = len(build().encode("utf-8"))  # warm-up: templates compiled, caches filled
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        build()
        runs.append(time.perf_counter() - start)
    return min(runs), statistics.median(runs), size


def measure(data: str, repeat: int) -> None:
    """In this process: time every report of `data`, printing one JSON line per report.

    The first line names the package imported (``{"package": path}``); then
    ``{"report": name, "least": s, "median": s, "bytes": n}`` per report, the annual last.
    """
    import selfeval_kit
    from selfeval_kit.report.annual import AnnualReport
    from selfeval_kit.report.cache import open_evaluation
    from selfeval_kit.report.project import ProjectReport

    print(json.dumps({"package": str(Path(selfeval_kit.__file__).parent)}), flush=True)
    ev = open_evaluation(data, "national")
    jobs: list[tuple[str, Callable[[], str]]] = [
        (r.id, lambda fid=r.id: "".join(map(str, ProjectReport(ev, fid).sections()))) for r in ev.forms
    ]
    jobs.append(("annual", lambda: "".join(map(str, AnnualReport(ev).sections()))))
    for name, build in jobs:
        least, median, size = _time(build, repeat)
        print(json.dumps({"report": name, "least": least, "median": median, "bytes": size}), flush=True)


def run_contender(tree: Path, data: Path, repeat: int) -> tuple[str, Figures]:
    """`measure` in a subprocess importing selfeval_kit from `tree`: the package it used and its figures."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--measure", "--data", str(data), "--repeat", str(repeat)]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{tree}: the measurement failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    package, figures = "?", {}
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        if "package" in row:
            package = row["package"]
        else:
            figures[row["report"]] = (row["least"], row["median"], row["bytes"])
    return package, figures


def _cells(figures: Figures, name: str) -> tuple[str, str, str]:
    if name not in figures:
        return "—", "—", "—"
    least, median, size = figures[name]
    return f"{least:.4f}", f"{median:.4f}", f"{size / 1024:.1f}"


def print_table(contenders: list[tuple[str, Figures]]) -> None:
    """One row per report (the union of the contenders' reports), each contender's least, median, KB."""
    head = f"{'report':32}"
    for label, _ in contenders:
        head += f" {label + ' least':>13} {label + ' median':>14} {label + ' KB':>10}"
    print(head)
    names = list(dict.fromkeys(name for _, figures in contenders for name in figures))
    for name in names:
        line = f"{name:32}"
        for _, figures in contenders:
            least, median, size = _cells(figures, name)
            line += f" {least:>13} {median:>14} {size:>10}"
        print(line)
    sums = [sum(m for _, m, _ in figures.values()) for _, figures in contenders]
    print(f"{'sum of medians':32}" + "".join(f" {'':>13} {total:14.4f} {'':>10}" for total in sums))
    if len(sums) == 2 and sums[0] > 0:
        print(f"before / now, sum of medians: {sums[1] / sums[0]:.2f}×")


def main() -> None:
    """Measure the current code (and with --before, an older tree) and print the figures side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/2022", help="the forms (relative to the current directory)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--before", type=Path, help="a checkout of an older commit (e.g. a git worktree)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # in a contender's process
    args = parser.parse_args()
    if args.measure:
        measure(args.data, args.repeat)
        return
    data = Path(args.data).resolve()
    trees = [("now", ROOT)] + ([("before", args.before.resolve())] if args.before else [])
    contenders = []
    for label, tree in trees:
        package, figures = run_contender(tree, data, args.repeat)
        print(f"{label}: selfeval_kit from {package}, data {data}, {args.repeat} runs per report")
        contenders.append((label, figures))
    print_table(contenders)


if __name__ == "__main__":
    main()
