"""Province scale: many reports built and many forms checked, locally and on a 2-worker Dask cluster.

    python benchmarks/bench_province.py                                   # 2,000 projects; 10k, 50k, 100k forms
    python benchmarks/bench_province.py --projects 100 --forms 2000       # smoke run, a few minutes
    python benchmarks/bench_province.py --data /tmp/province-data         # keep generated forms for the next run

Prints, side by side in one run (each measurement the wall time of a fresh subprocess, imports
included; nothing is asserted; the figures go to benchmarks/RESULTS.md):

1. Build: `--projects` synthetic projects (benchmarks/synthetic.py) built by
   `selfeval build DATA --out OUT --jobs 2` locally, the same with `--scheduler` on a
   `distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True)` this script
   starts and stops, and the in-process floor: every report's sections rendered directly
   (`ProjectReport(ev, id).sections()`, `AnnualReport(ev).sections()`) in one fresh process,
   its wall time divided by the 2 cores. Seconds, reports/s, the ratio build / floor (target ≤ 1.3×);
   CPU seconds (user + system) of all the run's processes (the client and the local workers it
   waited for, from `getrusage(RUSAGE_CHILDREN)`; on the cluster, the client and the restarted Dask
   workers' own) and of the client alone, against the CPU a build at 1.3× the floor could spend.
2. Check: for each size of `--forms`, `selfeval check FILE` of one JSON file and of one Parquet file
   (`selfeval export --format parquet` of the same forms), `--jobs 2`, locally and on the
   LocalCluster, for each output of `--outputs`: `--json > /dev/null`, the text listing
   `> /dev/null`, `--out findings.parquet` (`--inputs`, `--where` choose the rest). Wall time,
   exit code, the peak memory (VmHWM) of the selfeval process (the client) and of each worker:
   local loky workers polled through /proc while they live (psutil lists them), Dask workers asked
   with `client.run` after the check (the cluster is restarted before each measurement, so that
   a worker's peak is that measurement's own). One JSON file is limited to
   `selfeval_kit.form.limits.MAX_JSON_BYTES` (64 MiB, ≈ 15,000 synthetic forms): a larger one is
   refused by `selfeval check`, and the refusal is printed; the same forms are then also checked
   as a folder of JSON files of at most 10,000 forms each.

`--root DIR` measures the `selfeval_kit` of another copy of the repository (its runs, and the floor's,
start in DIR), e.g. the last commit's, to compare before and after a change on the same machine; the
LocalCluster's workers import this copy's, so there is then no cluster build:

    git archive HEAD | tar -x -C /tmp/before
    python benchmarks/bench_province.py --projects 0 --forms 10000,50000 --where local --root /tmp/before
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_build import machine  # noqa: E402
from synthetic import make_form, write_portfolio  # noqa: E402

__all__ = ["Measured", "main"]

CHUNK = 10_000  # forms a generated JSON file at most (43 MB: under the 64 MiB a JSON file may be)
POLL = 0.2  # seconds between looks at a local run's worker processes
SEED = 7

# The selfeval command in this interpreter, telling its own peak memory (VmHWM) and CPU time when it
# exits: `ru_maxrss` of a child includes what it inherited before exec, VmHWM is the process's own.
WRAP = r"""
import atexit, os, sys
def _peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print(f"SELFEVAL-PEAK-KIB={line.split()[1]}", file=sys.stderr, flush=True)
    print(f"SELFEVAL-CPU-S={sum(os.times()[:2])}", file=sys.stderr, flush=True)
atexit.register(_peak)
sys.argv = ["selfeval", *sys.argv[1:]]
from selfeval_kit.cli import main
main()
"""

# The floor: every report's sections rendered directly in one process, as bench_report.py does.
FLOOR = r"""
import json, sys, time
t0 = time.perf_counter()
from selfeval_kit.report.annual import AnnualReport
from selfeval_kit.report.cache import open_evaluation
from selfeval_kit.report.project import ProjectReport
t1 = time.perf_counter()
ev = open_evaluation(sys.argv[1], "national")
t2 = time.perf_counter()
size = 0
for r in ev.forms:
    size += len("".join(map(str, ProjectReport(ev, r.id).sections())))
t3 = time.perf_counter()
size += len("".join(map(str, AnnualReport(ev).sections())))
t4 = time.perf_counter()
print(json.dumps({"reports": len(ev.forms) + 1, "import_s": t1 - t0, "evaluate_s": t2 - t1,
                  "projects_s": t3 - t2, "annual_s": t4 - t3, "wall_s": t4 - t0, "bytes": size}))
"""


@dataclass
class Measured:
    """One selfeval run: wall seconds, exit code, the client's and each worker's peak memory (MiB), and CPU
    seconds (user + system) of the client alone and of every process of the run (the client, its local
    workers, or the Dask workers)."""

    seconds: float
    exit: int
    client_mib: float
    workers_mib: list[float] = field(default_factory=list)
    note: str = ""
    client_cpu_s: float = math.nan
    cpu_s: float = math.nan


def load_text() -> str:
    """The machine's load average now, as "1.2 / 1.1 / 1.0" (1, 5, 15 minutes)."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


# ------------------------------------------------------------------ peak memory


def vm_hwm_mib(pid: int | str = "self") -> float | None:
    """VmHWM of a process in MiB, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every descendant of `pid` (psutil if installed, else /proc)."""
    try:
        import psutil
    except ImportError:
        return _proc_descendants(pid)
    try:
        found = []
        for child in psutil.Process(pid).children(recursive=True):
            try:
                found.append((child.pid, " ".join(child.cmdline())))
            except psutil.Error:
                continue
        return found
    except psutil.Error:
        return []


def _proc_descendants(pid: int) -> list[tuple[int, str]]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], list(parents.get(pid, []))
    while todo:
        child = todo.pop()
        try:
            cmd = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        found.append((child, cmd))
        todo.extend(parents.get(child, []))
    return found


def _is_worker(cmd: str) -> bool:
    """A loky worker of the pool, not loky's resource tracker."""
    return "loky" in cmd and "resource_tracker" not in cmd


def worker_peak() -> float:
    """Run on a Dask worker by `client.run`: its process's VmHWM in MiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def worker_cpu() -> float:
    """Run on a Dask worker by `client.run`: its process's CPU seconds (user + system) since it started."""
    return sum(os.times()[:2])


def _children_cpu() -> float:
    """CPU seconds of this process's children that ended and were waited for, with their own such children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# ------------------------------------------------------------------ running selfeval


def run_selfeval(args: list[str], cluster: Cluster | None = None, root: Path = ROOT) -> Measured:
    """`selfeval ARGS` in a fresh interpreter started in `root` (whose selfeval_kit it imports), stdout to
    /dev/null; its time and peak memory."""
    if cluster is not None:
        cluster.fresh()
        args = [*args, "--scheduler", cluster.address]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        reaped = _children_cpu()  # the run's client and the local workers it waits for, when it has ended
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", WRAP, *args], stdout=subprocess.DEVNULL, stderr=err, cwd=root, text=True
        )
        peaks: dict[int, float] = {}  # VmHWM only grows: the last reading of a worker is its peak so far
        while proc.poll() is None:
            for pid, cmd in _descendants(proc.pid):
                if _is_worker(cmd) and (mib := vm_hwm_mib(pid)) is not None:
                    peaks[pid] = mib
            time.sleep(POLL)
        seconds = time.perf_counter() - start
        cpu = _children_cpu() - reaped
        err.seek(0)
        lines = err.read().splitlines()
    client = next((int(x.split("=")[1]) / 1024 for x in lines if x.startswith("SELFEVAL-PEAK-KIB=")), math.nan)
    client_cpu = next((float(x.split("=")[1]) for x in lines if x.startswith("SELFEVAL-CPU-S=")), math.nan)
    said = [x for x in lines if not x.startswith("SELFEVAL-") and x.strip()]
    workers = sorted(peaks.values(), reverse=True)
    if cluster is not None:
        workers = sorted(cluster.client.run(worker_peak).values(), reverse=True)
        cpu += sum(cluster.client.run(worker_cpu).values())  # fresh workers: their start and this run
    note = said[0][:160] if proc.returncode not in (0, 1) or (said and "Traceback" in "\n".join(said)) else ""
    if proc.returncode == 1 and said and not note and "problem" in said[-1]:
        note = said[0][:160]
    return Measured(seconds, proc.returncode, client, workers, note, client_cpu, cpu)


class Cluster:
    """A 2-worker `distributed.LocalCluster` (processes, one thread each) and a client of it."""

    def __init__(self, workers: int) -> None:
        from distributed import Client, LocalCluster

        self.cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        )
        self.client = Client(self.cluster)
        self.address = self.cluster.scheduler_address

    def fresh(self) -> None:
        """New worker processes, so that each measurement's worker peak is its own."""
        self.client.restart(wait_for_workers=True)

    def close(self) -> None:
        self.client.close()
        self.cluster.close()


@contextmanager
def local_cluster(workers: int) -> Iterator[Cluster]:
    """A started `Cluster`, stopped on the way out."""
    cluster = Cluster(workers)
    try:
        yield cluster
    finally:
        cluster.close()


# ------------------------------------------------------------------ synthetic forms


def _write_chunk(path: str, first: int, count: int) -> str:
    """`count` forms from index `first` as one JSON list; its own seed, so that chunks do not depend on each other."""
    rng = random.Random(SEED * 1_000_003 + first)
    forms = [make_form(rng, i) for i in range(first, first + count)]
    Path(path).write_text(json.dumps(forms, ensure_ascii=False), encoding="utf-8")
    return path


def chunks(data: Path, sizes: list[int], jobs: int) -> tuple[int, list[Path]]:
    """The chunk size and the JSON chunk files holding the first max(sizes) forms (made if missing)."""
    size = min(CHUNK, math.gcd(*sizes))
    count = max(sizes) // size
    folder = data / f"chunks-{size}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"forms-{k:04d}.json" for k in range(count)]
    missing = [(str(p), k * size, size) for k, p in enumerate(paths) if not p.exists()]
    if missing:
        start = time.perf_counter()
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(_write_chunk, *zip(*missing, strict=True)))
        print(f"generated {len(missing) * size} forms in {time.perf_counter() - start:.0f} s", flush=True)
    return size, paths


def _join_json(parts: list[Path], out: Path) -> None:
    """One JSON list of the forms of several JSON lists, without parsing them."""
    with out.open("w", encoding="utf-8") as sink:
        sink.write("[")
        for k, part in enumerate(parts):
            text = part.read_text(encoding="utf-8").strip()
            sink.write(("," if k else "") + text[1:-1])
        sink.write("]")


@dataclass(frozen=True)
class Inputs:
    """The same `forms` forms as one JSON file, a folder of JSON chunks and one Parquet file."""

    forms: int
    json_file: Path
    json_folder: Path
    parquet: Path


def inputs(data: Path, forms: int, size: int, paths: list[Path]) -> Inputs:
    """The three inputs of the first `forms` forms (made if missing)."""
    parts = paths[: forms // size]
    folder = data / f"json-{forms}"
    if not folder.exists():
        folder.mkdir()
        for part in parts:
            os.link(part, folder / part.name)
    single = data / f"forms-{forms}.json"
    if not single.exists():
        _join_json(parts, single)
    parquet = data / f"forms-{forms}.parquet"
    if not parquet.exists():
        start = time.perf_counter()
        cmd = [
            sys.executable,
            "-m",
            "selfeval_kit",
            "export",
            str(folder),
            "--format",
            "parquet",
            "--out",
            str(parquet),
        ]
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        print(f"exported {forms} forms to Parquet in {time.perf_counter() - start:.0f} s", flush=True)
    return Inputs(forms, single, folder, parquet)


def mib(path: Path) -> float:
    """Size of a file, or of a folder's files, in MiB."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir()) / 1024 / 1024
    return path.stat().st_size / 1024 / 1024


# ------------------------------------------------------------------ 1. build


def _workers_text(m: Measured) -> str:
    return ", ".join(f"{w:.0f}" for w in m.workers_mib) or "—"


def part_build(tmp: Path, projects: int, jobs: int, cluster: Cluster, results: dict, root: Path = ROOT) -> None:
    """`selfeval build` of `projects` synthetic forms locally and on the cluster, against the floor, with the
    selfeval_kit of `root` (the cluster's workers import this checkout's: with another root, no cluster run)."""
    data = tmp / f"projects-{projects}"
    if not data.exists():
        start = time.perf_counter()
        write_portfolio(data, projects, 0, seed=SEED)
        print(f"generated {projects} project forms in {time.perf_counter() - start:.0f} s", flush=True)
    reports = projects + 1  # and the annual report
    cmd = ["build", str(data), "--jobs", str(jobs), "--force"]
    runs = {"local": run_selfeval([*cmd, "--out", str(tmp / "built-local")], root=root)}
    if root == ROOT:
        runs["cluster"] = run_selfeval([*cmd, "--out", str(tmp / "built-cluster")], cluster)
    manifest = json.loads((tmp / "built-local" / ".selfeval-build.json").read_text(encoding="utf-8"))
    seconds = [e["seconds"] for e in manifest["reports"].values() if not e["id"].startswith("annual")]
    reaped = _children_cpu()
    proc = subprocess.run(
        [sys.executable, "-c", FLOOR, str(data)], capture_output=True, text=True, check=True, cwd=root
    )
    floor = json.loads(proc.stdout.strip().splitlines()[-1])
    floor["cpu_s"] = _children_cpu() - reaped
    whole = floor["wall_s"] / jobs
    sections = (floor["projects_s"] + floor["annual_s"]) / jobs
    results["build"] = {"projects": projects, "floor": floor, **{k: vars(m) for k, m in runs.items()}}
    print(f"\n1. build of {projects} synthetic projects ({reports} reports), --jobs {jobs}; load {load_text()}")
    print(f"   package of {root}" + ("" if root == ROOT else " (no cluster run: its workers import this checkout's)"))
    print(
        f"   floor, one process: imports {floor['import_s']:.2f} s, load+score {floor['evaluate_s']:.2f} s, "
        f"{projects} project reports {floor['projects_s']:.2f} s "
        f"({floor['projects_s'] / projects * 1000:.1f} ms each), "
        f"annual {floor['annual_s']:.2f} s; wall {floor['wall_s']:.2f} s"
    )
    print(f"   {'':34} {'seconds':>8} {'reports/s':>10} {'÷ floor A':>10} {'÷ floor B':>10} {'exit':>5} "
          f"{'CPU s':>7} {'client CPU s':>13} {'client MiB':>11}  workers MiB")  # fmt: skip
    print(f"   {'floor A: whole process ÷ ' + str(jobs):34} {whole:8.2f} {reports / whole:10.1f} {'':27} "
          f"{floor['cpu_s']:7.2f}")  # fmt: skip
    print(f"   {'floor B: sections only ÷ ' + str(jobs):34} {sections:8.2f} {reports / sections:10.1f}")
    for label, m in runs.items():
        name = f"selfeval build, {label}"
        print(
            f"   {name:34} {m.seconds:8.2f} {reports / m.seconds:10.1f} {m.seconds / whole:9.2f}× "
            f"{m.seconds / sections:9.2f}× {m.exit:5} {m.cpu_s:7.2f} {m.client_cpu_s:13.2f} "
            f"{m.client_mib:11.0f}  {_workers_text(m)}" + (f"  ({m.note})" if m.note else "")
        )
    budget = 1.3 * whole * jobs
    print(
        f"   CPU: the floor's process {floor['cpu_s']:.2f} s; 1.3× floor A on {jobs} cores leaves at most "
        f"{budget:.2f} CPU-s, {(budget - floor['cpu_s']) / reports * 1000:.2f} ms a report beyond the floor's work"
    )
    mean = sum(seconds) / len(seconds)
    results["build"]["worker_report_mean_s"] = mean
    print(f"   a project report in a local build worker (its manifest): {mean:.3f} s mean, {max(seconds):.3f} s most")
    print("   target: build ≤ 1.3× the floor", flush=True)


# ------------------------------------------------------------------ 2. check


def _check_row(label: str, forms: int, m: Measured) -> str:
    rate = forms / m.seconds if m.seconds else math.nan
    note = f"  ({m.note})" if m.note else ""
    return f"   {label:48} {m.seconds:8.2f} {rate:8.0f} {m.exit:5} {m.client_mib:11.0f} {_workers_text(m):>16}{note}"


@dataclass(frozen=True)
class CheckPlan:
    """Which checks part 2 runs: inputs ("json", "parquet"), outputs ("json", "text", "out"), where
    ("local", "cluster"), and the repository copy whose package runs."""

    inputs: tuple[str, ...] = ("json", "parquet")
    outputs: tuple[str, ...] = ("json", "text", "out")
    where: tuple[str, ...] = ("local", "cluster")
    root: Path = ROOT


def _check_inputs(given: Inputs, over: bool, plan: CheckPlan) -> list[tuple[str, str]]:
    """(label, path) of each input to check."""
    cases = []
    if "json" in plan.inputs:
        cases.append(("one JSON file", str(given.json_file)))
        if over:
            cases.append((f"JSON folder ({len(list(given.json_folder.iterdir()))} files)", str(given.json_folder)))
    if "parquet" in plan.inputs:
        cases.append(("one Parquet file", str(given.parquet)))
    return cases


def part_check(
    data: Path, sizes: list[int], jobs: int, cluster: Cluster | None, results: dict, plan: CheckPlan
) -> None:
    """`selfeval check` of each size, from one JSON file and from Parquet, locally and on the cluster."""
    from selfeval_kit.form.limits import MAX_JSON_BYTES

    size, paths = chunks(data, sizes, jobs)
    results["check"] = []
    for forms in sizes:
        given = inputs(data, forms, size, paths)
        over = given.json_file.stat().st_size > MAX_JSON_BYTES
        print(
            f"\n2. check of {forms} synthetic forms, --jobs {jobs}; load {load_text()}; JSON file "
            f"{mib(given.json_file):.0f} MiB{' (over the 64 MiB limit)' if over else ''}, Parquet "
            f"{mib(given.parquet):.0f} MiB; package of {plan.root}"
        )
        print(f"   {'':48} {'seconds':>8} {'forms/s':>8} {'exit':>5} {'client MiB':>11} {'workers MiB':>16}")
        for label, path in _check_inputs(given, over, plan):
            for output in plan.outputs:
                for where in plan.where:
                    out = data / f"findings-{forms}-{where}.parquet"
                    flags = {"json": ["--json"], "text": [], "out": ["--out", str(out)]}[output]
                    on = cluster if where == "cluster" else None
                    m = run_selfeval(["check", path, *flags, "--jobs", str(jobs)], on, plan.root)
                    row = {"forms": forms, "input": label, "output": output, "where": where, **vars(m)}
                    results["check"].append(row)
                    print(_check_row(f"{label}, {' '.join(flags[:1]) or 'text'}, {where}", forms, m), flush=True)
                    out.unlink(missing_ok=True)


# ------------------------------------------------------------------ main


def _words(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split(",") if x.strip())


def main() -> None:
    """Parse the flags, start the LocalCluster, run the parts and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000, help="synthetic projects to build (0: no build)")
    parser.add_argument("--forms", default="10000,50000,100000", help="forms to check, a comma list ('': none)")
    parser.add_argument("--jobs", type=int, default=2, help="local workers, and the LocalCluster's")
    parser.add_argument("--data", type=Path, help="keep the generated forms here and reuse them next time")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--inputs", default="json,parquet", help="inputs to check: json, parquet")
    parser.add_argument("--outputs", default="json,text,out", help="check outputs: json, text, out (--out FILE)")
    parser.add_argument("--where", default="local,cluster", help="run the checks: local, cluster")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository copy whose selfeval_kit runs")
    args = parser.parse_args()
    sizes = [int(x) for x in args.forms.split(",") if x.strip()]
    plan = CheckPlan(_words(args.inputs), _words(args.outputs), _words(args.where), args.root.resolve())
    print(f"machine: {machine()}; load {load_text()}; {time.strftime('%Y-%m-%d %H:%M')}", flush=True)
    results: dict = {"machine": machine(), "started": time.strftime("%Y-%m-%d %H:%M"), "load_start": load_text()}
    with tempfile.TemporaryDirectory(prefix="bench-province-") as scratch:
        data = args.data or Path(scratch)
        data.mkdir(parents=True, exist_ok=True)
        if sizes:
            chunks(data, sizes, args.jobs)  # before the cluster's processes share the cores
        if args.projects or "cluster" in plan.where:
            start = time.perf_counter()
            with local_cluster(args.jobs) as cluster:
                print(f"LocalCluster up at {cluster.address} in {time.perf_counter() - start:.1f} s", flush=True)
                if args.projects:
                    part_build(Path(scratch), args.projects, args.jobs, cluster, results, plan.root)
                if sizes:
                    part_check(data, sizes, args.jobs, cluster, results, plan)
        elif sizes:
            part_check(data, sizes, args.jobs, None, results, plan)
    results["load_end"] = load_text()
    print(f"\nload at the end {load_text()}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
