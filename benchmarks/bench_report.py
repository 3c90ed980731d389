"""In-process cost of one report: SVG charts (now) against matplotlib PNG charts (before).

    python benchmarks/bench_report.py [--data data/2022] [--repeat 7]

For each project of the data and for the annual report, the pure computation of the report in a
warm process (every section rendered to HTML; the evaluation is loaded once, before timing, as
the build's kernel shares it through `selfeval_kit.report.cache`), least and median of
`--repeat` runs, for two chart paths side by side in the same run:

* ``svg``: the code as it is (`selfeval_kit.report.bars`, inline SVG);
* ``png``: the same reports with every chart drawn by `selfeval_kit.report.charts` (matplotlib,
  PNG through `charts.picture`), as before, and no chart left out for identical values.

Also printed: the HTML size of each report on both paths. Targets: a project report ≤ 0.1 s,
the annual report of data/2022 ≤ 0.5 s. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from types import SimpleNamespace
from unittest import mock

from selfeval_kit.report import annual, bars, project
from selfeval_kit.report.annual import AnnualReport
from selfeval_kit.report.cache import open_evaluation
from selfeval_kit.report.project import ProjectReport

__all__ = ["main"]

_CHARTS = (
    "funds_chart",
    "level1_score_chart",
    "ratio_chart",
    "execution_rate_chart",
    "budget_change_chart",
    "score_comparison_chart",
    "weight_split_chart",
    "ratio_distribution_chart",
    "attainment_chart",
    "distribution_chart",
)


@contextmanager
def png_path():
    """Draw every report chart with matplotlib as before (the same functions, PNG pictures)."""
    from selfeval_kit.report import charts

    shim = SimpleNamespace(**{name: getattr(charts, name) for name in _CHARTS}, all_equal=lambda _values: None)
    with (
        mock.patch.object(project, "bars", shim),
        mock.patch.object(project, "svg_picture", charts.picture),
        mock.patch.object(annual, "bars", shim),
        mock.patch.object(annual, "svg_picture", charts.picture),
    ):
        yield


def _time(build: Callable[[], str], repeat: int) -> tuple[float, float, int]:
    size = len(build().encode("utf-8"))  # warm-up: templates compiled, fonts registered
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        build()
        runs.append(time.perf_counter() - start)
    return min(runs), statistics.median(runs), size


def main() -> None:
    """Print the table of both paths for every report of the data."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/2022")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    ev = open_evaluation(args.data, "national")
    jobs: list[tuple[str, Callable[[], str]]] = [
        (r.id, lambda fid=r.id: "".join(map(str, ProjectReport(ev, fid).sections()))) for r in ev.forms
    ]
    jobs.append(("annual", lambda: "".join(map(str, AnnualReport(ev).sections()))))
    assert bars  # the module the svg path draws with
    print(
        f"{'report':32} {'svg least':>10} {'svg median':>11} {'png least':>10} {'png median':>11}"
        f" {'svg KB':>7} {'png KB':>7}"
    )
    totals = [0.0, 0.0]
    for name, build in jobs:
        new = _time(build, args.repeat)
        with png_path():
            old = _time(build, args.repeat)
        totals[0] += new[1]
        totals[1] += old[1]
        print(
            f"{name:32} {new[0]:10.4f} {new[1]:11.4f} {old[0]:10.4f} {old[1]:11.4f} "
            f"{new[2] / 1024:7.1f} {old[2] / 1024:7.1f}"
        )
    print(f"{'sum of medians':32} {'':10} {totals[0]:11.4f} {'':10} {totals[1]:11.4f}")


if __name__ == "__main__":
    main()
