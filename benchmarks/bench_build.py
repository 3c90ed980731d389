"""Build speed: `selfeval build` against the plain papermill + nbconvert loop a user would write.

    python benchmarks/bench_build.py                 # everything (about 5 minutes on 2 cores)
    python benchmarks/bench_build.py --skip-loop     # leave out the slow plain loop (a)
    python benchmarks/bench_build.py --only annual   # one part: loop, noop, floor, changed, annual, scale
    python benchmarks/bench_build.py --only versus --before /work/before   # this code against another checkout

Prints, with the machine (cores, CPU model, Python):

a. the 2022 build from scratch (`selfeval build data/2022 --out NEW`) against, in the same run,
   the loop: for each parameter file in params/2022, the `papermill` CLI, then
   `jupyter nbconvert --to html --no-input`, one after another; and the ratio (target ≥ 6×);
b. a no-op rebuild: `selfeval build` run again on unchanged inputs, as a subprocess (target ≤ 0.5 s);
c. the per-report cost against the floor: an empty notebook run by papermill with the same
   kernel (CLI and API), against the 2022 build's wall time per report and the mean time a
   report takes in a warm kernel;
d. the annual report over 2,000 synthetic projects (benchmarks/synthetic.py), one papermill run
   in a kernel started for it, HTML export included (target ≤ 60 s);
e. a rebuild after one form changed (only its report and the annual one run);
f. a whole build of 100 synthetic forms (every project report and the annual one), and its no-op;
v. with --before ROOT (another checkout, e.g. the code before a refactor): the 2022 build from
   scratch and its no-op rebuild, each checkout with its own code, notebooks and data, taking
   turns (--repeat times), so that both see the same machine.

Every timing is wall-clock time of a fresh subprocess, so imports and kernel start-up count.
Nothing here is asserted: the figures go to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
PARAMS = ROOT / "params" / "2022"
NOTEBOOKS = ROOT / "selfeval_kit" / "publish" / "notebooks"
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A console script of this interpreter's environment (papermill, jupyter, selfeval)."""
    path = BIN / name
    return str(path) if path.exists() else (shutil.which(name) or name)


LAST_OUTPUT = [""]


def run(cmd: list[str], cwd: Path = ROOT, check: bool = True) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if check and proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    LAST_OUTPUT[0] = proc.stdout
    return seconds


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{cores} cores, {model}, {python}, {platform.system()} {platform.machine()}"


def build_cmd(data: Path, out: Path, *extra: str) -> list[str]:
    return [tool("selfeval"), "build", str(data), "--out", str(out), *extra]


# ------------------------------------------------------------------ a. the plain loop


def plain_loop(tmp: Path) -> tuple[float, int]:
    out = tmp / "loop"
    out.mkdir()
    files = sorted(PARAMS.glob("*.yaml"))
    start = time.perf_counter()
    for params in files:
        notebook = NOTEBOOKS / ("annual_report.ipynb" if params.stem == "annual" else "project_report.ipynb")
        executed = out / f"{params.stem}.ipynb"
        run([tool("papermill"), str(notebook), str(executed), "-f", str(params)])
        run([tool("jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
    return time.perf_counter() - start, len(files)


def part_loop(tmp: Path, results: dict) -> None:
    loop, n = plain_loop(tmp)
    build = run(build_cmd(ROOT / "data" / "2022", tmp / "built"))
    results["loop_s"], results["build_s"], results["reports"] = loop, build, n
    print(f"a. 2022 ({n} reports): plain papermill + nbconvert loop {loop:.1f} s; selfeval build {build:.1f} s; "
          f"ratio {loop / build:.1f}× (target ≥ 6×)", flush=True)  # fmt: skip


def part_build_only(tmp: Path, results: dict) -> None:
    build = run(build_cmd(ROOT / "data" / "2022", tmp / "built"))
    results["build_s"] = build
    print(f"a. 2022: selfeval build from scratch {build:.1f} s (plain loop not run)", flush=True)


# ------------------------------------------------------------------ b. no-op


def part_noop(tmp: Path, results: dict) -> None:
    out = tmp / "built"
    if not (out / ".selfeval-build.json").exists():
        run(build_cmd(ROOT / "data" / "2022", out))
    times = [run(build_cmd(ROOT / "data" / "2022", out)) for _ in range(7)]
    results["noop_s"] = statistics.median(times)
    print(
        f"b. no-op rebuild of 2022 (`selfeval build`, subprocess): median {statistics.median(times):.3f} s, "
        f"min {min(times):.3f} s, max {max(times):.3f} s over {len(times)} runs (target ≤ 0.5 s)",
        flush=True,
    )


# ------------------------------------------------------------------ c. floor


def part_floor(tmp: Path, results: dict) -> None:
    import nbformat

    empty = tmp / "empty.ipynb"
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [nbformat.v4.new_code_cell("pass")]
    nbformat.write(nb, empty)
    cli = statistics.median(run([tool("papermill"), str(empty), str(tmp / "empty-out.ipynb")]) for _ in range(3))
    api_code = (
        "import time, papermill; t = time.perf_counter(); "
        f"papermill.execute_notebook({str(empty)!r}, None, kernel_name='python3', progress_bar=False); "
        "print(time.perf_counter() - t)"
    )
    api = statistics.median(
        float(
            subprocess.run([sys.executable, "-c", api_code], capture_output=True, text=True, check=True).stdout.split()[
                -1
            ]
        )
        for _ in range(3)
    )
    out = tmp / "built"
    if not (out / ".selfeval-build.json").exists():
        results.setdefault("build_s", run(build_cmd(ROOT / "data" / "2022", out)))
    manifest = json.loads((out / ".selfeval-build.json").read_text(encoding="utf-8"))
    seconds = {e["id"]: e["seconds"] for e in manifest["reports"].values()}
    projects = [s for k, s in seconds.items() if not k.startswith("annual")]
    build = results.get("build_s")
    per_report = build / len(seconds) if build else float("nan")
    results.update(
        floor_cli_s=cli, floor_api_s=api, warm_project_mean_s=statistics.mean(projects), wall_per_report_s=per_report
    )
    print(f"c. floor, an empty notebook: papermill CLI {cli:.2f} s, papermill API (kernel start + run) {api:.2f} s; "
          f"selfeval build: {per_report:.2f} s of wall time per report ({len(seconds)} reports), "
          f"{statistics.mean(projects):.2f} s mean per project report in a warm kernel "
          f"(min {min(projects):.2f}, max {max(projects):.2f}; annual {seconds.get('annual', float('nan')):.2f} s; "
          f"the first report of each worker includes its first-use imports)", flush=True)  # fmt: skip


# ------------------------------------------------------------------ d. annual over 2,000 projects

ANNUAL = r"""
import json, sys, time
t0 = time.perf_counter()
from selfeval_kit.publish.kernel import discard_kernel
from selfeval_kit.publish.render import RenderOptions, ReportTask, render_report
from selfeval_kit.views.formatting import annual_title
data, out, nb = sys.argv[1], sys.argv[2], sys.argv[3]
parameters = {"data_path": data, "year": 2023, "profile": "national"}
task = ReportTask("annual", "annual", annual_title(2023), nb, parameters, out)
outcome = render_report(task, RenderOptions(timeout=3600))
discard_kernel()
wall = time.perf_counter() - t0
print(json.dumps({"ok": outcome.ok, "error": outcome.error, "seconds": outcome.seconds, "wall": wall}))
"""


def part_annual(tmp: Path, results: dict, forms: int) -> None:
    sys.path.insert(0, str(HERE))
    from synthetic import write_portfolio

    data = tmp / f"synthetic-{forms}"
    write_portfolio(data, forms, 0, seed=1)
    out = tmp / f"annual-{forms}.html"
    proc = subprocess.run(
        [sys.executable, "-c", ANNUAL, str(data), str(out), str(NOTEBOOKS / "annual_report.ipynb")],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    if not r["ok"]:
        raise SystemExit(f"annual report failed: {r['error']}")
    size = out.stat().st_size / 1024 / 1024
    results.update(annual_forms=forms, annual_s=r["wall"], annual_mib=size)
    print(
        f"d. annual report over {forms} synthetic projects: {r['wall']:.1f} s wall in a fresh process "
        f"(kernel start, load + score + audit of {forms} forms, charts, HTML export; target ≤ 60 s); "
        f"page {size:.1f} MiB",
        flush=True,
    )


# ------------------------------------------------------------------ e. one changed form


def part_changed(tmp: Path, results: dict) -> None:
    data = tmp / "data-2022"
    shutil.copytree(ROOT / "data" / "2022", data)
    out = tmp / "changed"
    run(build_cmd(data, out))
    form = data / "hotline-system-ops.yaml"
    text = form.read_text(encoding="utf-8")
    edited = text.replace('热线系统（运维）"', '热线系统（运维，修订）"', 1)
    assert edited != text
    form.write_text(edited, encoding="utf-8")
    seconds = run(build_cmd(data, out))
    summary = LAST_OUTPUT[0].strip().splitlines()[-1]
    results["changed_s"] = seconds
    print(f"e. one form changed in 2022: rebuild {seconds:.1f} s ({summary})", flush=True)


# ------------------------------------------------------------------ f. a whole build at scale


def part_scale(tmp: Path, results: dict, forms: int) -> None:
    sys.path.insert(0, str(HERE))
    from synthetic import write_portfolio

    data = tmp / f"scale-{forms}"
    write_portfolio(data, forms, 0, seed=2)
    out = tmp / f"scale-{forms}-out"
    seconds = run(build_cmd(data, out))
    summary = LAST_OUTPUT[0].strip().splitlines()[-1]
    noop = run(build_cmd(data, out))
    results.update(scale_forms=forms, scale_s=seconds, scale_noop_s=noop)
    print(
        f"f. whole build of {forms} synthetic forms ({forms + 1} reports): {seconds:.1f} s, "
        f"{seconds / (forms + 1):.2f} s per report ({summary}); no-op rebuild {noop:.2f} s",
        flush=True,
    )


# ------------------------------------------------------------------ v. this code against another checkout


def _timed_build(root: Path, out: Path) -> float:
    """`python -m selfeval_kit build data/2022` of the checkout at `root` (its own code, notebooks, data)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    cmd = [sys.executable, "-m", "selfeval_kit", "build", str(root / "data" / "2022"), "--out", str(out)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}) in {root}: {' '.join(cmd)}\n{proc.stderr[-4000:]}")
    return seconds


def part_versus(tmp: Path, results: dict, before: Path, repeat: int) -> None:
    """The 2022 build from scratch and its no-op rebuild, this checkout and `before` taking turns."""
    runs: dict[str, dict[str, list[float]]] = {"before": {"build": [], "noop": []}, "after": {"build": [], "noop": []}}
    for i in range(repeat):
        for label, root in (("before", before), ("after", ROOT)):
            out = tmp / f"versus-{label}-{i}"
            runs[label]["build"].append(_timed_build(root, out))
            runs[label]["noop"].append(min(_timed_build(root, out) for _ in range(3)))
    for what, target in (("build", "after ≤ before"), ("noop", "≤ 0.5 s")):
        b, a = runs["before"][what], runs["after"][what]
        results[f"versus_{what}"] = {"before": b, "after": a}
        print(f"v. 2022 {what} (12 reports; {repeat} turns each, alternating; least / median): "
              f"before {min(b):.2f} / {statistics.median(b):.2f} s, after {min(a):.2f} / {statistics.median(a):.2f} s "
              f"({target})", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-loop", action="store_true", help="do not run the plain loop (a)")
    parser.add_argument(
        "--only", choices=["loop", "noop", "floor", "annual", "changed", "scale", "versus"], action="append"
    )
    parser.add_argument("--before", type=Path, help="another checkout (e.g. /work/before): part v, side by side")
    parser.add_argument("--repeat", type=int, default=3, help="turns of each checkout in part v")
    parser.add_argument("--forms", type=int, default=2000, help="projects in the synthetic annual report (d)")
    parser.add_argument("--scale-forms", type=int, default=100, help="forms in the whole synthetic build (f)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    parts = args.only or ["loop", "noop", "floor", "changed", "annual", "scale"]
    print(f"machine: {machine()}", flush=True)
    results: dict = {"machine": machine()}
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        tmp = Path(tmp)
        if "loop" in parts:
            (part_build_only if args.skip_loop else part_loop)(tmp, results)
        if "noop" in parts:
            part_noop(tmp, results)
        if "floor" in parts:
            part_floor(tmp, results)
        if "changed" in parts:
            part_changed(tmp, results)
        if "annual" in parts:
            part_annual(tmp, results, args.forms)
        if "scale" in parts:
            part_scale(tmp, results, args.scale_forms)
        if args.before is not None and ("versus" in parts or not args.only):
            part_versus(tmp, results, args.before.resolve(), args.repeat)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
