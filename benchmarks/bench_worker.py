"""A report in a build worker, step by step: the notebook run as a recipe and in the shell, side by side.

    python benchmarks/bench_worker.py                       # 2,000 synthetic forms, 300 reports a round
    python benchmarks/bench_worker.py --forms 200 --reports 100 --rounds 3

In one process, as a build worker has it (`selfeval_kit.publish.render.render_report` with the
in-process engine): the portfolio of `--forms` synthetic forms (benchmarks/synthetic.py) evaluated
once and shared (`report.cache.vouched`, as under a build's token), then for `--reports` project
reports a round, milliseconds per report of

- ``recipe``: the bundled project notebook executed by `publish.inprocess.execute` (the default:
  the sections called without the IPython shell, `publish.recipe`), exported to HTML
  (`publish.exporter.export_html`) and written (`publish.manifest.publish`, atomic, fsync);
- ``shell``: the same with ``recipes=False`` (every cell run by the worker's IPython shell);
- ``sections``: the report's sections rendered directly (`ProjectReport.sections`), the floor.

Each step's own time is printed too (execute, export, write). The contenders take turns, `--rounds`
times; least and median of the rounds' means. The pages of both paths are compared byte for byte
(they must be equal). Nothing is asserted about speed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_build import machine  # noqa: E402
from synthetic import write_portfolio  # noqa: E402

__all__ = ["main"]

TOKEN = "bench-worker"


def _round(ids: list[str], data: str, out: Path, recipes: bool) -> dict[str, float]:
    """Seconds per report of each step over `ids` (the notebook path of `render_report`)."""
    from selfeval_kit.publish import inprocess
    from selfeval_kit.publish.exporter import export_html
    from selfeval_kit.publish.manifest import publish
    from selfeval_kit.report.cache import vouched

    notebook = Path(inprocess.__file__).parent / "notebooks" / "project_report.ipynb"
    spent = {"execute": 0.0, "export": 0.0, "write": 0.0}
    for form_id in ids:
        parameters = {"data_path": data, "form_id": form_id, "profile": "national"}
        start = time.perf_counter()
        with vouched(data, TOKEN):
            nb = inprocess.execute(notebook, parameters, recipes=recipes)
        executed = time.perf_counter()
        page = export_html(nb, form_id)
        exported = time.perf_counter()
        publish(out / f"{form_id}.html", page)
        spent["execute"] += executed - start
        spent["export"] += exported - executed
        spent["write"] += time.perf_counter() - exported
    spent["report"] = sum(spent.values())
    return {step: seconds / len(ids) for step, seconds in spent.items()}


def _sections(ids: list[str], evaluation) -> dict[str, float]:
    from selfeval_kit.report.project import ProjectReport

    start = time.perf_counter()
    for form_id in ids:
        "".join(map(str, ProjectReport(evaluation, form_id).sections()))
    return {"report": (time.perf_counter() - start) / len(ids)}


def main() -> None:
    """Measure and print the figures (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=2000, help="synthetic forms in the portfolio")
    parser.add_argument("--reports", type=int, default=300, help="project reports a round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from selfeval_kit.report.cache import open_evaluation, vouched

    print(machine())
    with tempfile.TemporaryDirectory(prefix="bench-worker-") as tmp:
        folder = Path(tmp) / "data"
        write_portfolio(folder, args.forms)
        data = str(folder)
        with vouched(data, TOKEN):
            evaluation = open_evaluation(data, "national")
        ids = [r.id for r in evaluation.forms][: args.reports]
        pages = {name: Path(tmp) / name for name in ("recipe", "shell")}
        for path in pages.values():
            path.mkdir()
        _round(ids[:20], data, pages["recipe"], True)  # warm-up: templates compiled, shell made
        _round(ids[:20], data, pages["shell"], False)
        runs: dict[str, list[dict[str, float]]] = {"recipe": [], "shell": [], "sections": []}
        for _ in range(args.rounds):
            runs["recipe"].append(_round(ids, data, pages["recipe"], True))
            runs["shell"].append(_round(ids, data, pages["shell"], False))
            runs["sections"].append(_sections(ids, evaluation))
        same = all((pages["recipe"] / f"{i}.html").read_bytes() == (pages["shell"] / f"{i}.html").read_bytes()
                   for i in ids)  # fmt: skip
    print(f"{args.forms} forms loaded, {len(ids)} project reports a round, {args.rounds} rounds; ms per report")
    print(f"{'contender':10} {'least':>8} {'median':>8}   steps (median): execute / export / write")
    for name, rounds in runs.items():
        totals = [r["report"] * 1e3 for r in rounds]
        steps = ""
        if name != "sections":
            steps = " / ".join(
                f"{statistics.median(r[s] for r in rounds) * 1e3:.2f}" for s in ("execute", "export", "write")
            )
        print(f"{name:10} {min(totals):8.2f} {statistics.median(totals):8.2f}   {steps}")
    shell, recipe = (statistics.median(r["report"] for r in runs[n]) for n in ("shell", "recipe"))
    print(f"shell / recipe, by median: {shell / recipe:.2f}×; pages of both paths identical: {same}")


if __name__ == "__main__":
    main()
