"""Scale: load + validate + score + audit of a large synthetic portfolio.

    python benchmarks/bench_scale.py [--forms 10000] [--broken 100]

Prints wall time and peak memory for each stage, from YAML files (one per form,
the project's data format) and from one JSON file (the export format, which a
bureau collecting many forms would keep). Each measurement runs in a fresh
interpreter so its peak memory is its own. Targets (issue 5): ≤ 10 s, ≤ 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

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
    "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
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
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(script: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=10_000)
    parser.add_argument("--broken", type=int, default=100)
    args = parser.parse_args()

    from synthetic import write_portfolio

    from selfeval_kit import load, to_json

    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"{__import__('os').cpu_count()} cores")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        write_portfolio(tmp / "yaml", args.forms, 0, seed=1)
        write_portfolio(tmp / "broken", 0, args.broken, seed=2)
        print(f"generated {args.forms} forms (+{args.broken} broken) in {time.perf_counter() - t:.1f} s")
        (tmp / "forms.json").write_text(to_json(load(tmp / "yaml")), encoding="utf-8")

        for label, path in (("YAML folder", tmp / "yaml"), ("JSON file", tmp / "forms.json")):
            r = run(MEASURE, path)
            print(
                f"{label:12} {r['forms']} forms, {r['indicators']} indicators, {r['findings']} findings: "
                f"load+validate {r['load_s']:.2f} s, score+audit {r['evaluate_s']:.2f} s, "
                f"total {r['total_s']:.2f} s (target ≤ 10 s), peak {r['peak_mib']:.0f} MiB (target ≤ 2048)"
            )
        r = run(VALIDATE, tmp / "broken")
        print(f"broken forms: {args.broken} files, {r['problems']} problems reported in {r['total_s']:.2f} s")


if __name__ == "__main__":
    main()
