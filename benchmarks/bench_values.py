"""Cold parsing of target/actual cells: the general readers alone vs with the fast path.

    python benchmarks/bench_values.py [--forms 2000] [--seed 1] [--repeat 7]

Writes a synthetic portfolio (benchmarks/synthetic.py) to a temporary folder, loads it,
and parses every indicator's target and actual as `scoring.score_indicator` does
(`parse_value(target, role="target")`, then the actual with `like=` that target),
with the parse cache cleared before each run so that every distinct cell is read
cold. "before" swaps `values._parse` for `values._parse_slow` (the parser without
the fast path; the speed-ups both paths share, such as building quantities without
Value.__init__, count in both). Prints the best and the median of `--repeat` runs per
cell and per form, and the share of distinct cells the fast path reads. Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_portfolio  # noqa: E402

import selfeval_kit as sk  # noqa: E402
from selfeval_kit.values import core as values  # noqa: E402
from selfeval_kit.values.core import parse_value  # noqa: E402


@contextmanager
def slow_path_only():
    """Parse without the fast path (what the module did before it)."""
    fast = values._parse
    values._parse = values._parse_slow
    try:
        yield
    finally:
        values._parse = fast


def parse_all(cells: list[tuple[str, str]]) -> float:
    """Seconds to parse every (target, actual) pair cold, as score_indicator does."""
    values._parse_cached.cache_clear()
    start = time.perf_counter()
    for target, actual in cells:
        parse_value(actual, role="actual", like=parse_value(target, role="target"))
    return time.perf_counter() - start


def fast_share(cells: list[tuple[str, str]]) -> tuple[int, int]:
    """(distinct cells the fast path reads, distinct cells)."""
    seen = set()
    for target, actual in cells:
        like = parse_value(target, role="target")
        seen.add((target, "target", None))
        seen.add((actual, "actual", like))
    taken = sum(values._read_simple(text, values._normalise(text), role, like) is not None
                for text, role, like in seen)
    return taken, len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        write_portfolio(Path(tmp), args.forms, 0, seed=args.seed)
        portfolio = sk.load(tmp)
    cells = [(i.target, i.actual) for form in portfolio for i in form.indicators]
    n_cells = 2 * len(cells)
    print(f"{len(portfolio)} forms, {len(cells)} indicators, {n_cells} cells")

    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(args.repeat):  # interleaved, so that load on the machine hits both alike
        with slow_path_only():
            times["before"].append(parse_all(cells))
        times["after"].append(parse_all(cells))
    for label, runs in times.items():
        best, median = min(runs), statistics.median(runs)
        print(f"{label:>6}: {best * 1e6 / n_cells:6.2f} µs/cell, {best * 1e3 / len(portfolio):6.3f} ms/form (best); "
              f"{median * 1e6 / n_cells:6.2f} µs/cell, {median * 1e3 / len(portfolio):6.3f} ms/form (median)")
    print(f"speed-up: {min(times['before']) / min(times['after']):.2f}x (best), "
          f"{statistics.median(times['before']) / statistics.median(times['after']):.2f}x (median)")
    taken, distinct = fast_share(cells)
    print(f"fast path: {taken} of {distinct} distinct cells ({taken / distinct:.1%})")


if __name__ == "__main__":
    main()
