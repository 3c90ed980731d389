"""Scale: load + validate + score + audit of a large synthetic portfolio.

    python benchmarks/bench_scale.py [--forms 10000] [--broken 100] [--jobs 0] [--repeat 3]

Prints wall time and peak memory for each stage, from YAML files (one per form,
the project's data format) and from one JSON file (the export format, which a
bureau collecting many forms would keep). Each measurement runs in a fresh
interpreter so its peak memory is its own. Then the parallel bulk path
(`selfeval_kit.rules.bulk`, `selfeval check --jobs N`) on the same inputs, and the whole
`selfeval check --json` command (output included) serial and parallel. With --before ROOT,
the bulk check of another checkout (e.g. the code before a refactor) and of this one take turns.
Targets (issue 5): ≤ 10 s, ≤ 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# Peak memory is VmHWM (Linux): ru_maxrss survives exec, so a fresh interpreter started by this
# script after it loaded 10,000 forms would report this script's peak, not its own.
PEAK = r"""
def peak_mib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

MEASURE = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import selfeval_kit as sk
portfolio = sk.load(sys.argv[1])
t1 = time.perf_counter()
evaluation = sk.evaluate(portfolio)
t2 = time.perf_counter()
print(json.dumps({
    "forms": len(portfolio),
    "indicators": sum(len(f.indicators) for f in portfolio),
    "findings": len(evaluation.findings),
    "load_s": t1 - t0,
    "evaluate_s": t2 - t1,
    "total_s": t2 - t0,
    "peak_mib": peak_mib(),
}))
"""

# The parallel bulk path (`selfeval check --jobs N`): the same work, in N worker processes,
# up to the dict `selfeval check --json` prints (Evaluation.to_dict(); not the JSON text).
BULK = r"""
import json, resource, sys, time
t0 = time.perf_counter()
try:
    from selfeval_kit.rules import bulk
except ImportError:  # a checkout from before the package had layers (--before)
    from selfeval_kit import bulk
data = bulk.check(sys.argv[1], "national", jobs=int(sys.argv[2])).data
t1 = time.perf_counter()
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # workers: forked small
print(json.dumps({
    "forms": len(data["forms"]),
    "findings": len(data["findings"]),
    "total_s": t1 - t0,
    "peak_mib": peak_mib(),
    "worker_peak_mib": children,
}))
"""

# The whole command, output included, as a user runs it.
CLI = r"""
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
out = subprocess.run([sys.executable, "-m", "selfeval_kit", "check", sys.argv[1], "--json", "--jobs", sys.argv[2]],
                     stdout=subprocess.DEVNULL)
print(json.dumps({"total_s": time.perf_counter() - t0, "exit": out.returncode}))
"""

VALIDATE = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import selfeval_kit as sk
try:
    sk.load(sys.argv[1])
    problems = 0
except sk.DataError as exc:
    problems = len(exc.problems)
print(json.dumps({"problems": problems, "total_s": time.perf_counter() - t0,
                  "peak_mib": peak_mib()}))
"""


def run(script: str, path: Path, *args: str, root: Path | None = None) -> dict:
    """The JSON a script prints, run in a fresh interpreter (with the checkout at `root` first on its path)."""
    env = None if root is None else {**os.environ, "PYTHONPATH": str(root)}
    cmd = [sys.executable, "-c", PEAK + script, str(path), *args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout)


def repeated(times: int, script: str, path: Path, *args: str) -> tuple[dict, str]:
    """The run with the least total time of `times` runs, and "min / median of N" of that total.

    The machine is shared: the least time is the best estimate of the work itself, the
    median says how much the neighbours took."""
    runs = sorted((run(script, path, *args) for _ in range(times)), key=lambda r: r["total_s"])
    spread = "" if times == 1 else f" (median of {times}: {statistics.median(r['total_s'] for r in runs):.2f} s)"
    return runs[0], spread


def versus(before: Path, inputs: list[tuple[str, Path]], jobs: int, args: argparse.Namespace) -> None:
    """The bulk check of this checkout and of `before`, taking turns, so that both see the same machine."""
    for label, path in inputs:
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(args.repeat):
            times["before"].append(run(BULK, path, str(jobs), root=before)["total_s"])
            times["after"].append(run(BULK, path, str(jobs), root=HERE.parent)["total_s"])
        b, a = times["before"], times["after"]
        print(
            f"{label:12} bulk --jobs {jobs}, side by side ({args.repeat} turns; least / median): "
            f"before {min(b):.2f} / {statistics.median(b):.2f} s, after {min(a):.2f} / {statistics.median(a):.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=10_000)
    parser.add_argument("--broken", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=0, help="workers for the bulk path (0: the cores)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the least time is printed")
    parser.add_argument("--data", type=Path, help="keep the generated forms here and reuse them on the next run")
    parser.add_argument("--before", type=Path, help="another checkout (e.g. /work/before): its bulk check side by side")
    args = parser.parse_args()

    from synthetic import write_portfolio

    from selfeval_kit import load, to_json

    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores; each figure: the least of {args.repeat} runs"
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp = args.data or Path(tmp)
        done = tmp / f".generated-{args.forms}-{args.broken}"
        if not done.exists():
            t = time.perf_counter()
            write_portfolio(tmp / "yaml", args.forms, 0, seed=1)
            write_portfolio(tmp / "broken", 0, args.broken, seed=2)
            print(f"generated {args.forms} forms (+{args.broken} broken) in {time.perf_counter() - t:.1f} s")
            (tmp / "forms.json").write_text(to_json(load(tmp / "yaml")), encoding="utf-8")
            done.touch()

        for label, path in (("YAML folder", tmp / "yaml"), ("JSON file", tmp / "forms.json")):
            r, spread = repeated(args.repeat, MEASURE, path)
            print(
                f"{label:12} serial: {r['forms']} forms, {r['indicators']} indicators, {r['findings']} findings: "
                f"load+validate {r['load_s']:.2f} s, score+audit {r['evaluate_s']:.2f} s, "
                f"total {r['total_s']:.2f} s{spread} (target ≤ 10 s), peak {r['peak_mib']:.0f} MiB (target ≤ 2048)"
            )
        jobs = args.jobs or (os.cpu_count() or 1)
        for label, path in (("YAML folder", tmp / "yaml"), ("JSON file", tmp / "forms.json")):
            r, spread = repeated(args.repeat, BULK, path, str(jobs))
            together = r["peak_mib"] + jobs * r["worker_peak_mib"]
            print(
                f"{label:12} bulk --jobs {jobs}: {r['forms']} forms, {r['findings']} findings: "
                f"load+validate+score+audit {r['total_s']:.2f} s{spread} (target ≤ 10 s), "
                f"peak {r['peak_mib']:.0f} MiB parent, {r['worker_peak_mib']:.0f} MiB largest worker: "
                f"≤ {together:.0f} MiB together (target ≤ 2048)"
            )
            for j in (1, jobs):
                c, spread = repeated(args.repeat, CLI, path, str(j))
                print(f"{label:12} `selfeval check --json --jobs {j}` (output included): {c['total_s']:.2f} s{spread}")
        if args.before is not None:
            versus(
                args.before.resolve(), [("YAML folder", tmp / "yaml"), ("JSON file", tmp / "forms.json")], jobs, args
            )
        r = run(VALIDATE, tmp / "broken")
        print(f"broken forms: {args.broken} files, {r['problems']} problems reported in {r['total_s']:.2f} s")


if __name__ == "__main__":
    main()
