"""Year build against the best peer: ploomber-engine in a process pool over the same notebooks.

    pip install ploomber-engine                      # benchmark-only (the `bench` extra)
    python benchmarks/bench_peer.py                  # peer and `selfeval build`, 3 rounds
    python benchmarks/bench_peer.py --repeat 5 --before /work/before   # and an older checkout

Measures, side by side in one run, the wall time of a fresh subprocess (imports included) of:

- peer: the best peer a user could write in 30 lines (issue 13). For every form of data/2022 and the
  annual report, ploomber-engine's in-process `execute_notebook` (it injects the parameters in a cell
  after the one tagged "parameters", as papermill does: data_path absolute, form_id or year, profile
  "national"; the notebook's introduction cell, tagged "remove", left out) in a
  `ProcessPoolExecutor(max_workers=os.cpu_count())`, each task then converting the executed notebook
  with nbconvert's stock `HTMLExporter(exclude_input=True)` and writing the page;
- `selfeval build data/2022 --out NEW` from scratch, and `selfeval build data/2022 --out OLD --force`;
- with --before CHECKOUT, the same two builds of that checkout (PYTHONPATH=CHECKOUT, CHECKOUT/data/2022).

Modules are compiled once, in a cache folder of the run (PYTHONPYCACHEPREFIX), as a package installed
by pip has its bytecode, even where the environment sets PYTHONDONTWRITEBYTECODE (a container may: then
every process compiles what it imports from a source tree, selfeval_kit here, the peer's workers too);
--no-bytecode leaves the environment as it is. Every contender runs once untimed before the rounds.
Each measurement is repeated --repeat times, the contenders taking turns (the order rotates every round).
Prints the machine, the package versions, the least and median seconds per contender and the ratios
peer / selfeval, and the CPU seconds each run used (user + system, of the process and of the processes
it waited for: its workers), which a busy machine inflates much less than the wall time. The peer's
pages are checked to be real reports (each names its project, none shows a traceback), their text
compared with the build's pages and their sizes printed next to the build's.
Nothing about speed is asserted. Run it with the interpreter of a fresh install (a new venv,
``pip install -e '.[test,bench,dask]'``), as users have it: the packages line says which versions ran.
"""

from __future__ import annotations

import argparse
import html
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PACKAGES = ("ploomber-engine", "nbconvert", "nbclient", "nbformat", "papermill", "ipykernel", "ipython", "matplotlib")
IMAGE = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")
PROMPT = re.compile(r"(In|Out)\s*\[\d*\]:")
TRACEBACK = ("Traceback (most recent call last)", "Ploomber Engine raised an exception", "An Exception has occured")


@dataclass(frozen=True)
class Checkout:
    """A source tree of selfeval_kit: where its code, notebooks and 2022 forms are."""

    label: str
    root: Path
    pycache: Path | None = None  # where its subprocesses keep compiled modules; None: as the caller's environment says

    @property
    def data(self) -> Path:
        return self.root / "data" / "2022"

    @property
    def notebooks(self) -> Path:
        packaged = self.root / "selfeval_kit" / "publish" / "notebooks"
        return packaged if packaged.is_dir() else self.root / "notebooks"

    def env(self) -> dict[str, str]:
        """The environment of a subprocess that imports selfeval_kit from this tree.

        With a `pycache`, modules are compiled once and their bytecode kept there (as an installed
        package has its own), even where the environment says not to write bytecode.
        """
        env = {**os.environ, "PYTHONPATH": str(self.root)}
        if self.pycache is not None:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(self.pycache)
        return env

    def describe(self) -> str:
        """Where a subprocess with env() really imports selfeval_kit from, and the notebooks and data used."""
        code = "import selfeval_kit; print(selfeval_kit.__file__)"
        proc = subprocess.run(
            [sys.executable, "-c", code], env=self.env(), cwd=self.root, capture_output=True, text=True
        )
        package = Path(proc.stdout.strip()).parent if proc.returncode == 0 else f"cannot import ({proc.stderr[-300:]})"
        return f"{self.label}: package {package}, notebooks {self.notebooks}, data {self.data}"


# ------------------------------------------------------------------ the peer (runs in its own process)


def peer_task(notebook: str, parameters: dict, page: str) -> int:
    """Execute one notebook in-process with ploomber-engine and write it as HTML without code; bytes written."""
    from nbconvert import HTMLExporter
    from ploomber_engine import execute_notebook

    executed = execute_notebook(
        notebook, None, parameters=parameters, progress_bar=False, log_output=False, remove_tagged_cells="remove"
    )
    body, _ = HTMLExporter(exclude_input=True).from_notebook_node(executed)
    return Path(page).write_text(body, encoding="utf-8")


def peer_jobs(checkout: Checkout, out: Path) -> list[tuple[str, dict, str]]:
    """(notebook, parameters, page) for the annual report (first: it is the longest) and every form."""
    from selfeval_kit.form.loading import load

    data = str(checkout.data.resolve())
    portfolio = load(data)
    annual = (str(checkout.notebooks / "annual_report.ipynb"), {"data_path": data, "year": max(portfolio.years)})
    project = str(checkout.notebooks / "project_report.ipynb")
    jobs = [(*annual, str(out / "annual.html"))]
    jobs += [(project, {"data_path": data, "form_id": i}, str(out / f"{i}.html")) for i in portfolio.ids]
    return [(notebook, {**params, "profile": "national"}, page) for notebook, params, page in jobs]


def peer_main(out: Path) -> None:
    """The peer itself: every report of data/2022 in a process pool as wide as the machine."""
    import nbconvert  # noqa: F401  (a user's script imports these at its top; forked workers inherit them)
    import ploomber_engine  # noqa: F401

    # the task is sent by its module's name: the IPython shell ploomber-engine starts in a worker
    # replaces that worker's sys.modules["__main__"], where a task defined in __main__ would be looked up
    from benchmarks.bench_peer import peer_task as task

    out.mkdir(parents=True, exist_ok=True)
    jobs = peer_jobs(Checkout("peer", ROOT), out)
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        futures = [pool.submit(task, *job) for job in jobs]
        for future in futures:
            future.result()


# ------------------------------------------------------------------ timing


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (its own and its reaped children's) of one subprocess; exits if it fails."""
    before = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return seconds, _children_cpu() - before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build_cmd(checkout: Checkout, out: Path, *extra: str) -> list[str]:
    selfeval = BIN / "selfeval"
    return [str(selfeval if selfeval.exists() else "selfeval"), "build", str(checkout.data), "--out", str(out), *extra]


@dataclass
class Contender:
    """One thing timed: how to run it once into a fresh or existing folder, and its timings."""

    name: str
    checkout: Checkout
    kind: str  # "peer", "scratch" or "force"
    seconds: list[float]
    cpu: list[float] = field(default_factory=list)

    def run(self, tmp: Path, round_no: int) -> tuple[float, float]:
        if self.kind == "peer":
            cmd = [sys.executable, str(Path(__file__).resolve()), "--peer-run", str(tmp / f"peer-{round_no}")]
            return timed(cmd, self.checkout.env(), self.checkout.root)
        if self.kind == "scratch":
            out = tmp / f"{self.checkout.label}-scratch-{round_no}"
            return timed(build_cmd(self.checkout, out), self.checkout.env(), self.checkout.root)
        out = tmp / f"{self.checkout.label}-force"
        if not out.exists():  # the folder --force rebuilds into: built once, untimed
            timed(build_cmd(self.checkout, out), self.checkout.env(), self.checkout.root)
        return timed(build_cmd(self.checkout, out, "--force"), self.checkout.env(), self.checkout.root)


def contenders(before: Path | None, pycache: Path | None) -> list[Contender]:
    now = Checkout("now", ROOT, pycache)
    found = [
        Contender("peer: ploomber-engine pool + HTMLExporter", now, "peer", []),
        Contender("selfeval build, from scratch", now, "scratch", []),
        Contender("selfeval build --force, existing folder", now, "force", []),
    ]
    if before is not None:
        old = Checkout("before", before.resolve(), pycache)
        found += [
            Contender(f"before ({old.root}): selfeval build, from scratch", old, "scratch", []),
            Contender(f"before ({old.root}): selfeval build --force", old, "force", []),
        ]
    return found


def measure(found: list[Contender], tmp: Path, repeat: int) -> None:
    for contender in found:  # untimed: modules compiled, caches made, files read once before round 1
        contender.run(tmp / "warm-up", 0)
    for round_no in range(repeat):
        turn = found[round_no % len(found) :] + found[: round_no % len(found)]
        for contender in turn:
            seconds, cpu = contender.run(tmp, round_no)
            contender.seconds.append(seconds)
            contender.cpu.append(cpu)
            print(
                f"  round {round_no + 1}: {contender.name}: {seconds:.2f} s, CPU {cpu:.2f} s (load {load()})",
                flush=True,
            )


# ------------------------------------------------------------------ checking and printing


class _Text(HTMLParser):
    """The visible text of a page: its text nodes outside <script> and <style>, stripped, one per item."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(page: Path) -> list[str]:
    parser = _Text()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.parts


def images(page: Path) -> set[str]:
    return set(IMAGE.findall(page.read_text(encoding="utf-8")))


def same_content(peer: Path, built: Path) -> str:
    """Whether the peer's page says and shows what the build's page does, apart from its title and prompts."""
    if not built.exists():
        return "no build page to compare"
    ours = visible_text(built)[1:]  # the first text is the build's page title
    theirs = [t for t in visible_text(peer) if not PROMPT.fullmatch(t)]
    charts = images(built)
    if theirs[-len(ours) :] != ours:
        return f"TEXT DIFFERS from the build's page ({len(theirs)} against {len(ours)} text nodes)"
    if not charts <= images(peer):
        return f"text as the build's page, but {len(charts - images(peer))} of its {len(charts)} images missing"
    extra = theirs[: len(theirs) - len(ours)]
    plus = f", plus {' '.join(map(repr, extra))}" if extra else ""
    return f"the build page's text and its {len(charts)} images{plus}"


def check_peer_pages(pages: Path, built: Path) -> None:
    """Each peer page names its project (the annual one every project) and shows no traceback; sizes printed."""
    from selfeval_kit.form.loading import load

    names = {form.id: form.name for form in load(Checkout("now", ROOT).data)}
    written = sorted(pages.glob("*.html"))
    assert len(written) == len(names) + 1, f"the peer wrote {len(written)} pages for {len(names)} forms"
    print("\npeer pages, checked (KiB; in brackets the build's page of the same report):")
    for page in written:
        text = page.read_text(encoding="utf-8")
        expected = list(names.values()) if page.stem == "annual" else [names[page.stem]]
        missing = [n for n in expected if n not in text and html.escape(n) not in text]
        assert not missing, f"{page.name} does not name {missing}"
        shown = [t for t in TRACEBACK if t in text]
        assert not shown, f"{page.name} shows {shown}"
        twin = built / page.name
        size = f"{page.stat().st_size / 1024:.0f}" + (f" ({twin.stat().st_size / 1024:.0f})" if twin.exists() else "")
        print(f"  {page.name}: {size}; names its project{'s' if page.stem == 'annual' else ''}, no traceback; "
              f"{same_content(page, twin)}")  # fmt: skip


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{cores} cores (os.cpu_count() {os.cpu_count()}), {cpu_model()}, {python}, {platform.system()}"


def load() -> str:
    """The 1-minute load average: above the cores, the neighbours were busy and the figure is slow."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def versions() -> str:
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def report(found: list[Contender]) -> None:
    width = max(len(c.name) for c in found)
    print(f"\n{'contender':<{width}}  least s  median s  CPU least s  CPU median s  runs")
    for c in found:
        runs = " ".join(f"{s:.2f}" for s in c.seconds)
        cpu = f"{min(c.cpu):11.2f}  {statistics.median(c.cpu):12.2f}"
        print(f"{c.name:<{width}}  {min(c.seconds):7.2f}  {statistics.median(c.seconds):8.2f}  {cpu}  {runs}")
    peer = found[0]
    print("\nratio peer / contender (above 1: the contender is faster)   by least   by median")
    for c in found[1:]:
        least = min(peer.seconds) / min(c.seconds)
        median = statistics.median(peer.seconds) / statistics.median(c.seconds)
        cpu = statistics.median(peer.cpu) / statistics.median(c.cpu)
        print(f"  {c.name:<{width}}  {least:9.2f}×  {median:9.2f}×  (CPU by median {cpu:.2f}×)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds of every measurement (default 3)")
    parser.add_argument("--before", type=Path, help="also time `selfeval build` of this checkout (its data/2022)")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="run with the environment as is (where it sets PYTHONDONTWRITEBYTECODE, every process compiles "
        "the modules it imports that have no bytecode yet, as selfeval_kit from a source tree)",
    )
    parser.add_argument("--peer-run", type=Path, help=argparse.SUPPRESS)  # the timed peer process itself
    args = parser.parse_args()
    if args.peer_run:
        peer_main(args.peer_run)
        return
    print(f"machine: {machine()}, load {load()}\npackages: {versions()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as tmp:
        pycache = None if args.no_bytecode else Path(tmp) / "pycache"
        print(
            f"bytecode: {'as the environment says' if pycache is None else f'kept in {pycache}'} "
            f"(PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r})",
            flush=True,
        )
        found = contenders(args.before, pycache)
        for checkout in dict.fromkeys(c.checkout for c in found):
            print(checkout.describe(), flush=True)
        measure(found, Path(tmp), max(1, args.repeat))
        check_peer_pages(Path(tmp) / "peer-0", Path(tmp) / "now-scratch-0")
    report(found)


if __name__ == "__main__":
    main()
