"""Cold reading of target/actual cells, and comparing them, as scoring does.

    python benchmarks/bench_values.py [--forms 2000] [--seed 1] [--repeat 7]

Writes a synthetic portfolio (benchmarks/synthetic.py) to a temporary folder, loads it,
and reads every indicator's target and actual as `scoring.score_indicator` does
(`parse_value(target, role="target")`, then the actual with `like=` that target), with
the parse cache cleared before each run so that every distinct cell is read cold; then
compares each pair with `values.compare`. Prints the best and the median of `--repeat`
runs per cell and per form. Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_portfolio

from selfeval_kit.form.loading import load
from selfeval_kit.values import compare, parse_value
from selfeval_kit.values.parsing import _parse_cached


def parse_all(cells: list[tuple[str, str]]) -> float:
    """Seconds to read every (target, actual) pair cold, as score_indicator does."""
    _parse_cached.cache_clear()
    start = time.perf_counter()
    for target, actual in cells:
        parse_value(actual, role="actual", like=parse_value(target, role="target"))
    return time.perf_counter() - start


def compare_all(pairs: list) -> float:
    """Seconds to compare every pair, read beforehand."""
    start = time.perf_counter()
    for target, actual in pairs:
        compare(target, actual)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        write_portfolio(Path(tmp), args.forms, 0, seed=args.seed)
        portfolio = load(tmp)
    cells = [(i.target, i.actual) for form in portfolio for i in form.indicators]
    pairs = []
    for target, actual in cells:
        t = parse_value(target, role="target")
        pairs.append((t, parse_value(actual, role="actual", like=t)))
    n_cells = 2 * len(cells)
    print(f"{len(portfolio)} forms, {len(cells)} indicators, {n_cells} cells")

    times: dict[str, list[float]] = {"read": [], "compare": []}
    for _ in range(args.repeat):
        times["read"].append(parse_all(cells))
        times["compare"].append(compare_all(pairs))
    for label, runs in times.items():
        per = n_cells if label == "read" else len(pairs)
        best, median = min(runs), statistics.median(runs)
        unit = "cell" if label == "read" else "pair"
        print(
            f"{label:>8}: {best * 1e6 / per:6.2f} µs/{unit}, {best * 1e3 / len(portfolio):6.3f} ms/form (best); "
            f"{median * 1e6 / per:6.2f} µs/{unit}, {median * 1e3 / len(portfolio):6.3f} ms/form (median)"
        )


if __name__ == "__main__":
    main()
