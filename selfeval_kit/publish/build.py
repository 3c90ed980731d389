"""Build the published reports: run the notebooks with papermill, publish self-contained HTML.

    from selfeval_kit.publish.build import build
    result = build("data/2022", "reports/2022")      # every project, the annual report, index.html
    result.ok, result.failed, result.executed

Each report is one papermill run of a parameterised notebook (`notebooks/project_report.ipynb`
per form, `notebooks/annual_report.ipynb` per year), converted in-process by nbconvert's
HTMLExporter with the package's own template (`templates/selfeval`: no code, no prompts, no
parameter cells, no scripts, figures inline, A4 print CSS). A report that fails does not stop
the others: it is listed in index.html with its error, and `BuildResult.ok` is False.

Speed (issue 5):

* Parallel: reports run in `jobs` worker processes (default: the number of cores).
* Warm kernels: starting a kernel and importing pandas/matplotlib costs more than a report, so
  each worker starts one kernel and runs its reports in it one after another, through papermill
  (parameters injected as papermill does, in an `injected-parameters` cell) with a papermill
  engine that reuses the worker's kernel instead of starting one. Between two reports the
  kernel's user namespace is reset (`InteractiveShell.reset`: variables, outputs, execution
  count), its working directory restored and the warnings registry cleared; imported modules
  stay, which is the point. A kernel that dies or times out is replaced.
* Incremental: a manifest (`<out>/.selfeval-build.json`) records, per output, a digest of
  everything it was made from: the form (its parsed content and its evaluation) or, for the
  annual report, every form; the notebook; the rules profile; the package (`__version__` and a
  digest of the package's files, so a developer's edit counts); the kernel. A report whose digest
  and output file are unchanged is not run again; `force=True` runs everything. When nothing at
  all changed the build stops after hashing the input files, before importing anything heavy.
* Atomic: every file is written to a hidden temporary file and renamed into place. A report
  that fails keeps its previous good page (index.html lists the failure and says the page is
  from an earlier build) and the manifest does not record the failed inputs as built; a build
  that is killed leaves every page either as it was or complete.

The per-report work is the top-level function `render_report`, which takes only plain,
picklable arguments and returns a plain `ReportOutcome`, so a process pool can run it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from selfeval_kit.errors import BuildError, DataError
from selfeval_kit.files import atomic_write_bytes
from selfeval_kit.form.sources import form_files

__all__ = [
    "BuildResult",
    "ReportOutcome",
    "build",
    "render_report",
    "export_html",
    "package_digest",
    "NOTEBOOKS_DIR",
    "TEMPLATES_DIR",
    "MANIFEST_NAME",
]

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # selfeval_kit/
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "selfeval"
# The notebooks live in the repository (notebooks/), beside the package of an editable install.
NOTEBOOKS_DIR = Path(__file__).resolve().parent / "notebooks"
REPORT_TEMPLATES_DIR = PACKAGE_DIR / "report" / "templates"
PROJECT_NOTEBOOK = "project_report.ipynb"
ANNUAL_NOTEBOOK = "annual_report.ipynb"
INDEX_NAME = "index.html"
MANIFEST_NAME = ".selfeval-build.json"
LOCK_NAME = ".selfeval-build.lock"
MANIFEST_FORMAT = 1
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]  # the kernel logs transport notices; reports need none


@dataclass
class ReportOutcome:
    """What happened to one report."""

    kind: str  # "project" | "annual"
    key: str  # form id, or "annual" / "annual-<year>"
    title: str
    path: Path | None  # the HTML of this build; None when it failed
    error: str | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # stderr the notebook printed (left out of the HTML)
    skipped: bool = False  # up to date: not run in this build
    outputs: dict = field(default_factory=dict)  # file name -> {"sha256", "size", "mtime_ns"} of what was written
    previous: Path | None = None  # a failed report's page from an earlier build, kept in place

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BuildResult:
    out_dir: Path
    index: Path
    projects: list[ReportOutcome]
    annual: list[ReportOutcome]
    seconds: float = 0.0
    up_to_date: bool = False  # nothing had changed: nothing was run or written
    manifest: Path | None = None
    dry_run: bool = False  # nothing was run or written; `executed` would have run

    @property
    def reports(self) -> list[ReportOutcome]:
        return [*self.projects, *self.annual]

    @property
    def failed(self) -> list[ReportOutcome]:
        return [r for r in self.reports if not r.ok]

    @property
    def executed(self) -> list[ReportOutcome]:
        """The reports whose notebook ran in this build (whether or not it succeeded)."""
        return [r for r in self.reports if not r.skipped]

    @property
    def skipped(self) -> list[ReportOutcome]:
        return [r for r in self.reports if r.skipped]

    @property
    def ok(self) -> bool:
        return not self.failed


# ------------------------------------------------------------------ digests (cheap: no heavy imports)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _json_sha(value) -> str:
    return _sha(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))


def package_digest() -> str:
    """A digest of the package's version and every file of the package (code, templates, profiles).

    An edit to any of them makes every report out of date. Computed afresh by every build (a few
    milliseconds): the workers import the package anew, so an edit made while this process runs
    (a Jupyter session) shows in their reports and must count.
    """
    from selfeval_kit.version import __version__

    h = hashlib.sha256(f"selfeval-kit {__version__}\0".encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        rel = path.relative_to(PACKAGE_DIR)
        if rel.parts[0] != "data" and "__pycache__" not in rel.parts and path.suffix not in (".pyc", ".pyo") and path.is_file():
            h.update(rel.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _data_files(path: Path) -> list[Path] | None:
    """The files `load` reads for a path (`sources.form_files`: no pydantic); None when it would raise."""
    try:
        return form_files(path)
    except DataError:
        return None


def _profile_digest(profile_param: str) -> str:
    """A built-in profile by name (its file is part of the package digest); a file by content."""
    path = Path(profile_param)
    if path.is_absolute() and path.is_file():
        return "file:" + _file_sha(path)
    return "builtin:" + profile_param


@dataclass(frozen=True)
class _Setup:
    """Everything a build's outputs depend on besides the forms: digested once per build."""

    package: str
    project_nb: str
    annual_nb: str
    profile: str
    kernel: str

    def common(self, kind: str) -> dict:
        notebook = self.project_nb if kind == "project" else self.annual_nb
        return {"format": MANIFEST_FORMAT, "package": self.package, "notebook": notebook, "profile": self.profile, "kernel": self.kernel}


def _fingerprint(setup: _Setup, data: Path, keep_notebooks: bool) -> str | None:
    """One digest of every input file of the build; None when the data cannot be listed."""
    files = _data_files(data)
    if files is None:
        return None
    try:
        listing = [[p.name, _file_sha(p)] for p in files]
    except OSError:
        return None
    return _json_sha({"setup": setup.__dict__, "data": listing, "keep_notebooks": keep_notebooks})


# ------------------------------------------------------------------ the manifest


def _read_manifest(out: Path) -> dict:
    try:
        manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return {}
    return manifest


def _file_record(path: Path, sha: str | None = None) -> dict:
    st = path.stat()
    return {"sha256": sha or _file_sha(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _intact(out: Path, name: str, record: dict | None) -> bool:
    """The file is there and is the one a build wrote (same size and time, or same content)."""
    if not record:
        return False
    path = out / name
    try:
        st = path.stat()
    except OSError:
        return False
    if st.st_size != record.get("size"):
        return False
    if st.st_mtime_ns == record.get("mtime_ns"):
        return True
    try:
        return _file_sha(path) == record.get("sha256")
    except OSError:
        return False


def _outputs_intact(out: Path, entry: dict | None) -> bool:
    return bool(entry) and bool(entry.get("outputs")) and all(_intact(out, n, r) for n, r in entry["outputs"].items())


def _write_manifest(out: Path, manifest: dict) -> None:
    atomic_write_bytes(out / MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))


def _up_to_date(out: Path, manifest: dict, fingerprint: str | None, keep_notebooks: bool) -> BuildResult | None:
    """The previous build's result when nothing changed since (every input and output the same)."""
    if not fingerprint or manifest.get("fingerprint") != fingerprint or manifest.get("failed"):
        return None
    reports = manifest.get("reports") or {}
    if not reports or not _outputs_intact(out, manifest.get("index")):
        return None
    projects, annual = [], []
    for name, entry in reports.items():
        if not _outputs_intact(out, entry) or (keep_notebooks and Path(name).with_suffix(".ipynb").name not in entry["outputs"]):
            return None
        outcome = ReportOutcome(entry["kind"], entry["id"], entry["title"], out / name, skipped=True, outputs=entry["outputs"])
        (projects if entry["kind"] == "project" else annual).append(outcome)
    order = {k: i for i, k in enumerate(manifest.get("order") or [])}
    projects.sort(key=lambda o: order.get(o.key, len(order)))
    return BuildResult(out, out / INDEX_NAME, projects, annual, up_to_date=True, manifest=out / MANIFEST_NAME)


class _Lock:
    """An exclusive lock on the output folder: two builds must not write one manifest."""

    def __init__(self, out: Path):
        self.path = out / LOCK_NAME
        self.handle = None

    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock
            return self
        self.handle = open(self.path, "a+")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.handle.close()
            self.handle = None
            raise BuildError(f"another build is writing {self.path.parent} (lock: {self.path}); wait for it to finish") from None
        return self

    def __exit__(self, *exc):
        if self.handle is not None:
            self.handle.close()  # releases the lock
        return False


def _remove_stale_temporaries(out: Path) -> None:
    """Temporary files of a build that was killed (atomic_write_* names them .<name>.<random>.tmp).

    Only those of pages and of the manifest: the folder may hold other files written atomically
    (`selfeval export --out reports/2022/forms.json`), maybe at this very moment.
    """
    for path in out.glob(".*.tmp"):
        stem = path.name[1:].rsplit(".", 2)[0]  # .<name>.<random>.tmp -> <name>
        if stem.endswith((".html", ".ipynb")) or stem == MANIFEST_NAME:
            try:
                path.unlink()
            except OSError:
                pass


# ------------------------------------------------------------------ HTML export


def _publish(path: Path, text: str) -> dict:
    """Write atomically (readable as the umask allows); the record the manifest keeps of it."""
    data = text.encode("utf-8")
    atomic_write_bytes(path, data)
    return _file_record(path, _sha(data))


def _css_string(text: str) -> str:
    """A CSS string literal that cannot end the string or the <style> element."""
    out = []
    for ch in str(text):
        if ch.isalnum() and ord(ch) > 127 or ch.isalnum() or ch in " -_.,:;()（）·":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


_EXPORTER = None
_NO_ALT = re.compile(r"<img(?![^>]*\salt=)", re.IGNORECASE)


def _exporter_class():
    """nbconvert's HTMLExporter, less its final pass over the page with BeautifulSoup.

    That pass (nbconvert 7) parses and re-serialises the whole page in pure Python to add alt
    text to images without one and tabindex to JupyterLab cell wrappers. Our template writes
    no such wrappers and alt text on every figure; on an annual report of thousands of table
    rows the pass took longer than everything else together (59 s of 80 for 2,000 projects).
    Here the page is the template's output as written; images without alt get nbconvert's text.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    class SelfevalHTMLExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            try:
                from nbconvert.filters.highlight import Highlight2HTML
                from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

                langinfo = nb.metadata.get("language_info", {})
                lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
                self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
                resources = self._init_resources(resources)
                self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            except (ImportError, AttributeError):  # another nbconvert: its own way, slower
                return super().from_notebook_node(nb, resources, **kw)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _NO_ALT.sub('<img alt="No description has been provided for this image"', html), resources

    return SelfevalHTMLExporter


def _exporter():
    """One HTML exporter per process (template compilation is the expensive part)."""
    global _EXPORTER
    if _EXPORTER is None:
        exporter = _exporter_class()(
            template_name=TEMPLATE_NAME,
            extra_template_basedirs=[str(TEMPLATES_DIR)],
            extra_template_paths=[str(REPORT_TEMPLATES_DIR)],  # report.css, shared with the sections
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
        exporter.register_filter("css_string", _css_string)
        _EXPORTER = exporter
    return _EXPORTER


def export_html(nb, title: str) -> str:
    """A notebook (NotebookNode) as one self-contained HTML page titled `title`."""
    nb.metadata["selfeval"] = {"title": title}
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def _stderr_of(nb) -> list[str]:
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                texts.append(output.get("text", "").strip())
    return [t for t in texts if t]


def _error_text(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None)
    if ename:  # papermill.PapermillExecutionError: the error raised inside the notebook
        evalue = getattr(exc, "evalue", "")
        count = getattr(exc, "exec_count", None)
        where = f"（第 {count} 个代码单元）" if count else ""
        return f"{ename}: {evalue}{where}"
    return f"{type(exc).__name__}: {exc}"


# ------------------------------------------------------------------ warm kernels

# Run before every report in a reused kernel: a clean user namespace, history and execution
# count (InteractiveShell.reset), the notebook's folder as working directory, and a cleared
# warnings registry (so a warning shows in every report that triggers it, not only the first).
_RESET_CODE = """\
get_ipython().reset(new_session=True)
import os as _os, warnings as _warnings
_os.chdir({cwd!r})
getattr(_warnings, "_filters_mutated", lambda: None)()
del _os, _warnings
__import__("gc").freeze()  # what survives is the modules' state: later collections skip it
"""
# Run once per kernel, before the first report, while the parent is still planning: import what
# the notebooks import (for ours: selfeval_kit.report.sections, with pandas, pydantic and matplotlib).
_PREWARM_CODE = """\
import importlib as _importlib
for _name in {modules!r}:
    try:
        _importlib.import_module(_name)
    except Exception:
        pass
del _importlib, _name
import gc as _gc
_gc.collect()
_gc.freeze()
del _gc
"""
_IMPORT_LINE = re.compile(r"^\s*(?:from\s+([A-Za-z_][\w.]*)\s+import\s|import\s+([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*))", re.M)


def _notebook_imports(*notebooks: Path) -> list[str]:
    """The modules the code cells of the notebooks import (a plain reading; nothing is run)."""
    modules: set[str] = set()
    for path in notebooks:
        try:
            cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            for match in _IMPORT_LINE.finditer(source):
                if match.group(1):
                    modules.add(match.group(1))
                else:
                    modules.update(name.strip() for name in match.group(2).split(","))
    return sorted(m for m in modules if not m.startswith("."))


class _WarmKernel:
    """One started kernel and its client, reused for report after report in this process."""

    def __init__(self, kernel_name: str, start_timeout: float, cwd: str):
        import nbformat
        from nbclient import NotebookClient

        starter = NotebookClient(
            nbformat.v4.new_notebook(), kernel_name=kernel_name, startup_timeout=start_timeout, extra_arguments=list(KERNEL_ARGS)
        )
        starter.km = starter.create_kernel_manager()
        try:
            starter.start_new_kernel(cwd=cwd)
            starter.start_new_kernel_client()
        except BaseException:
            _quietly(lambda: _run_sync(starter.km.shutdown_kernel)(now=True))
            raise
        self.km, self.kc = starter.km, starter.kc
        self.kernel_name = kernel_name
        self.reports = 0
        self.pid = os.getpid()

    def run(self, code: str, timeout: float = 60) -> None:
        reply = _run_sync(self.kc.execute_interactive)(
            code, silent=True, store_history=False, allow_stdin=False, timeout=timeout, output_hook=lambda msg: None
        )
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise RuntimeError(f"kernel reset failed: {content.get('ename')}: {content.get('evalue')}")

    def alive(self) -> bool:
        try:
            return bool(_run_sync(self.km.is_alive)())
        except Exception:  # noqa: BLE001
            return False

    def shutdown(self) -> None:
        if self.pid != os.getpid():  # inherited through fork: not ours to stop
            return
        _quietly(self.kc.stop_channels)
        _quietly(lambda: _run_sync(self.km.shutdown_kernel)(now=True))


def _run_sync(coro_function):
    from jupyter_core.utils import run_sync

    return run_sync(coro_function) if _is_coroutine_function(coro_function) else coro_function


def _is_coroutine_function(fn) -> bool:
    import inspect

    return inspect.iscoroutinefunction(fn)


def _quietly(fn) -> None:
    try:
        fn()
    except Exception:  # noqa: BLE001 - cleanup must not hide the real outcome
        pass


_WARM: _WarmKernel | None = None


_PREWARM_MODULES: list[str] = []  # what a new kernel imports first (set by the worker)


def _warm_kernel(kernel_name: str, start_timeout: float, cwd: str) -> _WarmKernel:
    """This process's kernel, started (and pre-warmed) on first use, replaced when it died."""
    global _WARM
    if _WARM is not None and (_WARM.kernel_name != kernel_name or _WARM.pid != os.getpid() or not _WARM.alive()):
        _discard_warm_kernel()
    if _WARM is None:
        _WARM = _WarmKernel(kernel_name, start_timeout, cwd)
        _quietly(lambda: _WARM.run(_PREWARM_CODE.format(modules=list(_PREWARM_MODULES)), timeout=max(start_timeout, 60)))
    return _WARM


def _discard_warm_kernel() -> None:
    global _WARM
    if _WARM is not None:
        _WARM.shutdown()
        _WARM = None


_ENGINE_NAME = "selfeval-warm"
_ENGINE_REGISTERED = False


def _register_engine() -> None:
    """A papermill engine that executes in the process's warm kernel instead of starting one.

    papermill still reads the notebook, injects the parameters (the `injected-parameters`
    cell), records execution metadata and raises PapermillExecutionError on a failing cell;
    only the kernel's start and shutdown are left out.
    """
    global _ENGINE_REGISTERED
    if _ENGINE_REGISTERED:
        return
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
            start_timeout=60, execution_timeout=None, warm_kernel=None, **kwargs,
        ):  # fmt: skip
            client = PapermillNotebookClient(
                nb_man,
                km=warm_kernel.km,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client.kc = warm_kernel.kc  # reuse the client too: the kernel manager is not owned, so nothing is shut down
            return client.execute()

    papermill_engines.register(_ENGINE_NAME, WarmKernelEngine)
    _ENGINE_REGISTERED = True


# ------------------------------------------------------------------ one report


def render_report(
    kind: str,
    key: str,
    title: str,
    notebook: str,
    parameters: dict,
    out_html: str,
    kernel_name: str = "python3",
    timeout: int = 600,
    keep_notebook: bool = False,
    start_timeout: int = 60,
    warm: bool = True,
) -> ReportOutcome:
    """Run one parameterised notebook and write it as HTML; never raises for a failing notebook.

    All arguments are plain values (paths as absolute strings), so this runs as well in a
    worker process as in the caller's. `timeout` is papermill's per-cell execution timeout,
    `start_timeout` the kernel's start timeout. With `warm` (the default) the notebook runs in
    this process's reused kernel; `warm=False` starts a kernel for this report only.

    A report that fails leaves the page already at `out_html` (if any) as it was.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    out = Path(out_html)
    nb_path = Path(notebook)
    common = dict(
        parameters=parameters,
        kernel_name=kernel_name,
        progress_bar=False,
        log_output=False,
        request_save_on_cell_execute=False,
        execution_timeout=timeout,
        start_timeout=start_timeout,
    )
    try:
        if warm:
            _register_engine()
            kernel = _warm_kernel(kernel_name, start_timeout, str(nb_path.parent))
            try:
                kernel.run(_RESET_CODE.format(cwd=str(nb_path.parent)), timeout=max(timeout, 60))
                nb = papermill.execute_notebook(str(nb_path), None, engine_name=_ENGINE_NAME, warm_kernel=kernel, **common)
            except PapermillExecutionError:
                raise  # an error in the notebook's code: the kernel is fine
            except BaseException:
                _discard_warm_kernel()  # timed out, died, or interrupted: never reuse it
                raise
            kernel.reports += 1
        else:
            nb = papermill.execute_notebook(
                str(nb_path), None, cwd=str(nb_path.parent), extra_arguments=list(KERNEL_ARGS), **common
            )
        html = export_html(nb, title)
        outputs = {out.name: _publish(out, html)}
        if keep_notebook:
            import nbformat

            ipynb = out.with_suffix(".ipynb")
            outputs[ipynb.name] = _publish(ipynb, nbformat.writes(nb))
        return ReportOutcome(kind, key, title, out, None, time.perf_counter() - start, _stderr_of(nb), outputs=outputs)
    except Exception as exc:  # noqa: BLE001 - one report's failure must not stop the build
        previous = out if out.is_file() else None  # kept: never replaced by a broken page
        return ReportOutcome(kind, key, title, None, _error_text(exc), time.perf_counter() - start, previous=previous)


# ------------------------------------------------------------------ worker processes

# A worker is a plain `python` process (not multiprocessing: no fork of the caller, which may be
# a Jupyter kernel or pytest, and no re-import of the caller's main script), reading one task
# per line as JSON on stdin and answering with one outcome per line on its original stdout.
_WORKER_CODE = "from selfeval_kit.publish.build import _worker_main; _worker_main()"


def _outcome_to_json(outcome: ReportOutcome) -> dict:
    data = dict(outcome.__dict__)
    for name in ("path", "previous"):
        data[name] = None if data[name] is None else str(data[name])
    return data


def _outcome_from_json(data: dict) -> ReportOutcome:
    for name in ("path", "previous"):
        data[name] = None if data[name] is None else Path(data[name])
    return ReportOutcome(**data)


def _watch_parent(parent_pid: int) -> None:
    """Exit (and stop this process's kernel) when the build that started us is gone, even killed."""
    import threading

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(parent_pid, 0)
                alive = os.getppid() == parent_pid
            except ProcessLookupError:
                alive = False
            except OSError:
                alive = True
            if not alive:
                kernel = _WARM
                if kernel is not None:
                    _quietly(lambda: os.kill(kernel.km.provisioner.process.pid, 9))
                os._exit(1)

    threading.Thread(target=watch, name="selfeval-parent-watch", daemon=True).start()


def _worker_main() -> None:
    """The worker process: a warm kernel, then `render_report` for each task read from stdin."""
    import signal

    config = json.loads(sys.argv[1])
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything else printed goes to stderr, never into the replies
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the build handles Ctrl-C and stops us
    _watch_parent(config["parent"])
    _PREWARM_MODULES[:] = config.get("prewarm", [])
    os.environ.setdefault("SELFEVAL_SHARE_EVALUATION", "1")  # for our kernels (see report._evaluate); =0 turns it off

    def load_tools() -> None:  # papermill and nbconvert load while the kernel starts
        _quietly(_register_engine)
        _quietly(_exporter)

    import threading

    loader = threading.Thread(target=load_tools, name="selfeval-imports", daemon=True)
    loader.start()
    if config.get("warm", True):
        try:  # start the kernel now, while the build is still planning; a failure shows in the first report
            _warm_kernel(config["kernel_name"], config["start_timeout"], config["cwd"])
        except Exception:  # noqa: BLE001
            _discard_warm_kernel()
    loader.join()
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            outcome = render_report(**json.loads(line))
            replies.write(json.dumps(_outcome_to_json(outcome), ensure_ascii=False) + "\n")
            replies.flush()
    finally:
        _discard_warm_kernel()
    replies.close()
    os._exit(0)  # everything is written and the kernel stopped: skip the interpreter's slow teardown


class _WorkerDied(Exception):
    pass


class _Worker:
    """A worker process as seen from the build."""

    def __init__(self, kernel_name: str, start_timeout: int, cwd: str, warm: bool = True, prewarm: list[str] | None = None):
        import subprocess
        import tempfile

        env = dict(os.environ)
        # the worker imports this very package, wherever the caller found it
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_DIR.parent), env.get("PYTHONPATH")) if p)
        config = {"kernel_name": kernel_name, "start_timeout": start_timeout, "cwd": cwd, "parent": os.getpid(), "warm": warm, "prewarm": prewarm or []}
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER_CODE, json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=env,
            text=True,
            encoding="utf-8",
            start_new_session=True,  # Ctrl-C reaches the build only; it stops the workers
        )

    def run(self, task: dict) -> ReportOutcome:
        try:
            self.proc.stdin.write(json.dumps(task, ensure_ascii=False) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (OSError, ValueError):
            line = ""
        if not line:
            raise _WorkerDied(self._last_words())
        return _outcome_from_json(json.loads(line))

    def _last_words(self) -> str:
        code = self.proc.poll()
        try:
            self.stderr.seek(0)
            tail = self.stderr.read()[-2000:].decode("utf-8", "replace").strip().splitlines()
        except OSError:
            tail = []
        return f"the worker process stopped (exit code {code})" + (f": {tail[-1]}" if tail else "")

    def finish(self) -> None:
        """No more tasks: the worker stops its kernel and exits (`close` waits for it)."""
        _quietly(self.proc.stdin.close)

    def close(self, kill: bool = False) -> None:
        if kill:
            _quietly(self.proc.kill)
        else:
            self.finish()
        try:
            self.proc.wait(timeout=15)
        except Exception:  # noqa: BLE001
            _quietly(self.proc.kill)
            _quietly(lambda: self.proc.wait(timeout=5))
        _quietly(self.proc.stdout.close)
        _quietly(self.stderr.close)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover
        return max(1, os.cpu_count() or 1)


# ------------------------------------------------------------------ the build


def _profile_parameter(profile) -> str:
    """A built-in profile name as is; a profile file as an absolute path (the kernel's cwd differs)."""
    text = str(profile)
    path = Path(text).expanduser()
    if text.endswith((".yaml", ".yml")) or path.is_file():
        return str(path.resolve())
    return text


def _form_json(form) -> dict:
    return form.model_dump(mode="json")


def build(
    data_path: str | Path,
    out_dir: str | Path,
    profile: str | Path = "national",
    *,
    project_notebook: str | Path | None = None,
    annual_notebook: str | Path | None = None,
    kernel_name: str = "python3",
    timeout: int = 600,
    start_timeout: int = 60,
    jobs: int | None = None,
    force: bool = False,
    keep_notebooks: bool = False,
    progress: Callable[[ReportOutcome], None] | None = None,
    progress_bar: bool | None = False,
    warm: bool = True,
    dry_run: bool = False,
) -> BuildResult:
    """Build every project report, the annual report(s) and index.html into out_dir.

    Only reports whose inputs changed since the last build into out_dir are run (`force`
    runs all). `jobs` worker processes (default: the number of cores) run them; `timeout` is
    the per-cell execution timeout and `start_timeout` the kernel start timeout, in seconds.

    Raises DataError (invalid forms), ProfileError (unknown profile) or BuildError (missing
    notebooks, another build running in out_dir) before anything runs; a failing report is
    recorded, not raised. `progress` is called with each ReportOutcome as its notebook
    completes; `progress_bar` shows a tqdm bar on stderr (None: only on a terminal).
    `dry_run` runs and writes nothing: the result's `executed` are the reports a build would run.
    """
    started = time.perf_counter()
    data = Path(data_path).expanduser().resolve()
    out = Path(out_dir).expanduser().resolve()
    project_nb = Path(project_notebook or NOTEBOOKS_DIR / PROJECT_NOTEBOOK).resolve()
    annual_nb = Path(annual_notebook or NOTEBOOKS_DIR / ANNUAL_NOTEBOOK).resolve()
    for nb in (project_nb, annual_nb):
        if not nb.is_file():
            raise BuildError(f"notebook not found: {nb} (the report notebooks are in the repository's notebooks/ folder)")
    profile_param = _profile_parameter(profile)
    setup = _Setup(package_digest(), _file_sha(project_nb), _file_sha(annual_nb), _profile_digest(profile_param), kernel_name)

    # The no-op check: hash the input files and compare with the manifest, before importing
    # pydantic, pandas, matplotlib, papermill or nbconvert.
    manifest = _read_manifest(out)
    fingerprint = _fingerprint(setup, data, keep_notebooks)
    if not force:
        done = _up_to_date(out, manifest, fingerprint, keep_notebooks)
        if done is not None:
            done.seconds = time.perf_counter() - started
            return done

    # Something changed: start the workers (and their kernels) now, while this process loads,
    # evaluates and works out which reports are out of date.
    jobs = max(1, jobs or default_jobs())
    files = _data_files(data) or []
    prewarm = _notebook_imports(project_nb, annual_nb)

    def make_worker() -> _Worker:
        return _Worker(kernel_name, start_timeout, str(project_nb.parent), warm, prewarm)

    early_workers = [make_worker() for _ in range(min(jobs, len(files) + 1))] if files and not dry_run else []
    try:
        import selfeval_kit as sk

        from selfeval_kit.report import sections as report

        portfolio = sk.load(data)  # DataError lists every problem
        evaluation = sk.evaluate(portfolio, profile=profile_param)  # ProfileError for an unknown profile
        if dry_run:
            return _dry_run(data, out, portfolio, evaluation, report, setup, manifest, profile_param, project_nb, annual_nb, force, keep_notebooks, started)
        out.mkdir(parents=True, exist_ok=True)
        with _Lock(out):
            _remove_stale_temporaries(out)
            manifest = _read_manifest(out)  # again, under the lock
            return _build_locked(
                data, out, portfolio, evaluation, report, setup, manifest, fingerprint, profile_param, project_nb, annual_nb,
                kernel_name=kernel_name, timeout=timeout, start_timeout=start_timeout, jobs=jobs, force=force,
                keep_notebooks=keep_notebooks, progress=progress, progress_bar=progress_bar, warm=warm, started=started,
                early_workers=early_workers, make_worker=make_worker,
            )  # fmt: skip
    finally:
        for worker in early_workers:  # those not used (nothing to run, or invalid data)
            worker.close(kill=True)


def _plan(data: Path, out: Path, portfolio, evaluation, report, setup: _Setup, profile_param: str, project_nb: Path, annual_nb: Path):
    """Every report of the build: (name, entry for the manifest, task for render_report)."""
    profile_dump = evaluation.profile.model_dump(mode="json")
    findings_by_form: dict[str | None, list] = {}
    for finding in evaluation.findings:
        findings_by_form.setdefault(finding.form_id, []).append(finding.to_dict())
    results = evaluation.to_dict()["forms"]
    plans = []
    for result, summary in zip(evaluation.forms, results):
        form = result.form
        digest = _json_sha({
            **setup.common("project"), "profile_settings": profile_dump, "form": _form_json(form),
            "result": summary, "findings": findings_by_form.get(form.id, []),
        })  # fmt: skip
        name = f"{form.id}.html"
        task = dict(
            kind="project", key=form.id, title=report.project_title(form), notebook=str(project_nb),
            parameters={"data_path": str(data), "form_id": form.id, "profile": profile_param}, out_html=str(out / name),
        )  # fmt: skip
        plans.append((name, digest, task))

    all_forms = [_form_json(f) for f in portfolio]
    years = portfolio.years
    for year in years:
        key = "annual" if len(years) == 1 else f"annual-{year}"
        implementers = {f.implementer for f in portfolio if f.year == year}
        title = report.annual_title(year, implementers.pop() if len(implementers) == 1 else None)
        digest = _json_sha({**setup.common("annual"), "profile_settings": profile_dump, "year": year, "forms": all_forms})
        name = f"{key}.html"
        task = dict(
            kind="annual", key=key, title=title, notebook=str(annual_nb),
            parameters={"data_path": str(data), "year": year, "profile": profile_param}, out_html=str(out / name),
        )  # fmt: skip
        plans.append((name, digest, task))
    return plans


def _current(out: Path, name: str, entry: dict | None, digest: str, keep_notebooks: bool) -> bool:
    """The page on disk was built from these very inputs and is as the build wrote it."""
    wanted = [name] + ([Path(name).with_suffix(".ipynb").name] if keep_notebooks else [])
    return bool(entry) and entry.get("digest") == digest and _outputs_intact(out, entry) and all(w in entry["outputs"] for w in wanted)


def _dry_run(data, out, portfolio, evaluation, report, setup, manifest, profile_param, project_nb, annual_nb, force, keep_notebooks, started) -> BuildResult:
    old_reports = manifest.get("reports") or {}
    projects, annual = [], []
    for name, digest, task in _plan(data, out, portfolio, evaluation, report, setup, profile_param, project_nb, annual_nb):
        skip = not force and _current(out, name, old_reports.get(name), digest, keep_notebooks)
        outcome = ReportOutcome(task["kind"], task["key"], task["title"], out / name, skipped=skip)
        (projects if task["kind"] == "project" else annual).append(outcome)
    return BuildResult(out, out / INDEX_NAME, projects, annual, time.perf_counter() - started, dry_run=True)


def _build_locked(
    data, out, portfolio, evaluation, report, setup, manifest, fingerprint, profile_param, project_nb, annual_nb, *,
    kernel_name, timeout, start_timeout, jobs, force, keep_notebooks, progress, progress_bar, warm, started,
    early_workers, make_worker,
) -> BuildResult:  # fmt: skip
    old_reports: dict = dict(manifest.get("reports") or {})
    plans = _plan(data, out, portfolio, evaluation, report, setup, profile_param, project_nb, annual_nb)
    new_manifest = {
        "format": MANIFEST_FORMAT,
        "fingerprint": None,  # set once the whole build succeeded
        "data": str(data),
        "order": [t["key"] for _, _, t in plans],
        "reports": {},
        "failed": {},
        "index": manifest.get("index"),
    }
    outcomes: dict[str, ReportOutcome] = {}
    todo = []
    for name, digest, task in plans:
        entry = old_reports.get(name)
        if not force and _current(out, name, entry, digest, keep_notebooks):
            new_manifest["reports"][name] = entry
            outcomes[name] = ReportOutcome(task["kind"], task["key"], task["title"], out / name, skipped=True, outputs=entry["outputs"])
        else:
            if entry:
                new_manifest["reports"][name] = entry  # the page now on disk, until it is replaced
            todo.append((name, digest, task))

    # forms no longer in the data: remove the pages this tool wrote for them
    planned = {name for name, _, _ in plans}
    for name, entry in old_reports.items():
        if name not in planned:
            for file, record in (entry.get("outputs") or {}).items():
                if _intact(out, file, record):
                    (out / file).unlink(missing_ok=True)

    # the annual reports first: they are the longest, and need only the forms
    todo.sort(key=lambda item: item[2]["kind"] != "annual")
    options = dict(kernel_name=kernel_name, timeout=timeout, keep_notebook=keep_notebooks, start_timeout=start_timeout, warm=warm)
    jobs = max(1, min(jobs, len(todo) or 1))
    last_write = [time.monotonic()]
    state = {"bar": None}

    def record(name: str, digest: str, outcome: ReportOutcome) -> None:
        outcomes[name] = outcome
        if outcome.ok:
            new_manifest["reports"][name] = {
                "kind": outcome.kind, "id": outcome.key, "title": outcome.title, "digest": digest,
                "outputs": outcome.outputs, "seconds": round(outcome.seconds, 3), "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }  # fmt: skip
            new_manifest["failed"].pop(name, None)
        else:
            new_manifest["failed"][name] = {"digest": digest, "error": outcome.error}
        if progress:
            progress(outcome)
        if state["bar"] is not None:
            state["bar"].update(1)
        if time.monotonic() - last_write[0] > 1.0:  # a killed build keeps what it finished
            _write_manifest(out, {**new_manifest, "reports": {**new_manifest["reports"]}})
            last_write[0] = time.monotonic()

    try:
        if todo:
            workers = early_workers[:jobs]
            for extra in early_workers[jobs:]:
                extra.close(kill=True)
            del early_workers[:]
            workers += [make_worker() for _ in range(jobs - len(workers))]
            _run_workers(todo, options, workers, make_worker, record, lambda: state.update(bar=_progress_bar(len(todo), progress_bar)))
    except BaseException:  # interrupted: keep what was finished, so the next build need not redo it
        _write_manifest(out, new_manifest)
        raise
    finally:
        for worker in early_workers:
            worker.close(kill=True)
        if state["bar"] is not None:
            state["bar"].close()

    projects = [outcomes[name] for name, _, t in plans if t["kind"] == "project"]
    annual = [outcomes[name] for name, _, t in plans if t["kind"] == "annual"]
    for name, _, _ in plans:
        outcome = outcomes[name]
        if not outcome.ok:
            entry = new_manifest["reports"].get(name)
            outcome.previous = out / name if entry and _intact(out, name, entry["outputs"].get(name)) else None

    index = out / INDEX_NAME
    index_html = _index_html(evaluation, projects, annual, data, profile_param, new_manifest["reports"])
    index_digest = _sha(index_html.replace(report.chinese_date(), "").encode("utf-8"))  # the date alone is no change
    old_index = manifest.get("index") or {}
    if old_index.get("digest") != index_digest or not _outputs_intact(out, old_index):
        new_manifest["index"] = {"digest": index_digest, "outputs": {INDEX_NAME: _publish(index, index_html)}}
    if not new_manifest["failed"]:
        new_manifest["fingerprint"] = fingerprint
    _write_manifest(out, new_manifest)
    return BuildResult(out, index, projects, annual, time.perf_counter() - started, manifest=out / MANIFEST_NAME)


def _progress_bar(total: int, enabled: bool | None):
    """A tqdm bar on stderr (None: only when stderr is a terminal), or None."""
    if enabled is False or (enabled is None and not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="reports", unit="report", file=sys.stderr, leave=False, dynamic_ncols=True)


def _run_workers(todo, options: dict, workers: list, make_worker, record, on_started) -> None:
    """Run the tasks on the workers (one thread each drives one); `record` outcomes as they come."""
    import queue
    import threading

    tasks: queue.Queue = queue.Queue()
    for item in todo:
        tasks.put(item)
    results: queue.Queue = queue.Queue()
    stop = threading.Event()

    def drive(worker) -> None:
        try:
            while not stop.is_set():
                try:
                    name, digest, task = tasks.get_nowait()
                except queue.Empty:
                    break
                try:
                    outcome = worker.run({**task, **options})
                except _WorkerDied as exc:
                    outcome = ReportOutcome(task["kind"], task["key"], task["title"], None, str(exc))
                    worker.close(kill=True)
                    if stop.is_set():
                        break
                    worker = make_worker()  # a fresh one for the remaining reports
                    workers.append(worker)
                results.put((name, digest, outcome))
        finally:
            results.put(None)

    threads = [threading.Thread(target=drive, args=(w,), daemon=True) for w in list(workers)]
    for thread in threads:
        thread.start()
    on_started()
    running = len(threads)
    try:
        while running:
            try:
                item = results.get(timeout=0.5)
            except queue.Empty:
                continue
            if item is None:
                running -= 1
            else:
                record(*item)
    except BaseException:
        stop.set()
        for worker in workers:
            worker.close(kill=True)
        raise
    for worker in workers:
        worker.finish()
    for worker in workers:
        worker.close()


def _index_html(evaluation, projects: list[ReportOutcome], annual: list[ReportOutcome], data: Path, profile: str, built: dict | None = None) -> str:
    import selfeval_kit as sk

    from selfeval_kit.report import sections as report

    built = built or {}

    def link(outcome: ReportOutcome) -> tuple[str | None, str | None]:
        """(href, date of the earlier page shown instead of a failed one)."""
        if outcome.ok and outcome.path:
            return outcome.path.name, None
        if outcome.previous is not None:
            entry = built.get(outcome.previous.name) or {}
            return outcome.previous.name, (entry.get("built") or "")[:10] or "较早"
        return None, None

    entries = []
    for result, outcome in zip(evaluation.forms, projects):
        findings = result.findings
        href, earlier = link(outcome)
        entries.append(
            {
                "id": result.form.id,
                "name": result.form.name,
                "href": href,
                "earlier": earlier,
                "error": outcome.error,
                "score_reported": report.points(result.score_reported),
                "score_recomputed": report.points(result.score_recomputed),
                "grade": result.grade or "—",
                "rate": report.pct(result.execution_rate),
                "findings": "／".join(str(sum(1 for f in findings if f.severity == s)) for s in report.SEVERITY_ORDER),
            }
        )
    annual_entries = []
    for a in annual:
        href, earlier = link(a)
        annual_entries.append({"name": a.title, "href": href, "earlier": earlier, "error": a.error})
    years = sorted({r.form.year for r in evaluation.forms})
    title = f"{'、'.join(str(y) for y in years)}年度项目支出绩效自评复核报告"
    summary = {
        "data": data.name,
        "profile": evaluation.profile.label,
        "built": sum(1 for r in [*projects, *annual] if r.ok),
        "failed": sum(1 for r in [*projects, *annual] if not r.ok),
        "version": sk.__version__,
    }
    return report.render_index(title, entries, annual_entries, summary)
