"""The build's manifest (``<out>/.selfeval-build.json``): what each page was built from, and whether it still is.

For each report the manifest keeps the digest of its inputs and a record of each file written
for it (SHA-256, size, modification time); for the whole build, one fingerprint of every input
file, set only when every report succeeded. A page is current when its inputs' digest is the
one recorded and its files are as the build wrote them (same size and time, or same content).
Every file is written atomically (a temporary file renamed into place).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from selfeval_kit.files import atomic_write_bytes
from selfeval_kit.publish.digest import MANIFEST_FORMAT, file_sha, sha
from selfeval_kit.publish.results import BuildResult, ReportOutcome

__all__ = [
    "BUILD_FILES",
    "EVALUATION_NAME",
    "INDEX_NAME",
    "LOCK_NAME",
    "MANIFEST_NAME",
    "RESERVED_NAMES",
    "cannot_write",
    "current",
    "file_record",
    "intact",
    "outputs_intact",
    "publish",
    "read_manifest",
    "remove_stale_temporaries",
    "reserved_name",
    "up_to_date",
    "write_manifest",
]

MANIFEST_NAME = ".selfeval-build.json"
LOCK_NAME = ".selfeval-build.lock"
EVALUATION_NAME = ".selfeval-evaluation.pickle"  # while the reports run (`selfeval_kit.publish.snapshot`)
INDEX_NAME = "index.html"
BUILD_FILES = frozenset({INDEX_NAME, MANIFEST_NAME, LOCK_NAME, EVALUATION_NAME})  # besides the reports' files

# The names a report cannot take. A report is named by its key (a form id, or the annual
# report's "annual" / "annual-<year>") and writes <key>.html (and <key>.ipynb with
# keep_notebooks) into the build's folder, where the build also writes index.html and the
# README's papermill recipe writes notebooks/. Compared ignoring case, as the file systems of
# macOS and Windows compare names. The build's other files (manifest, lock, temporary files)
# start with '.', which no form id does. Plain data and one regular expression, no imports: the
# form layer can take this definition over as it is, and this module import it from there.
RESERVED_NAMES = ("index", "annual", "annual-<year>", "notebooks")
_RESERVED = re.compile(r"index|annual|annual-[0-9]+|notebooks", re.IGNORECASE)


def reserved_name(form_id: str) -> bool:
    """Whether a form of this id would write over the build's own files (see `RESERVED_NAMES`)."""
    return _RESERVED.fullmatch(form_id) is not None


def cannot_write(path: Path, exc: OSError) -> str:
    """``<path>: cannot write: <reason>``: the file meant (never a temporary one) and the system's reason."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{path}: cannot write: {reason}"


def read_manifest(out: Path) -> dict:
    """The manifest in `out`; an empty one when there is none or it is unreadable or of another format."""
    try:
        manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return {}
    return manifest


def write_manifest(out: Path, manifest: dict) -> None:
    """Write the manifest atomically."""
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
    atomic_write_bytes(out / MANIFEST_NAME, text.encode("utf-8"))


def file_record(path: Path, digest: str | None = None) -> dict:
    """What the manifest keeps of a written file: its SHA-256 (`digest` if known), size and time."""
    st = path.stat()
    return {"sha256": digest or file_sha(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def publish(path: Path, text: str) -> dict:
    """Write a page atomically (readable as the umask allows); return its `file_record`."""
    data = text.encode("utf-8")
    atomic_write_bytes(path, data)
    return file_record(path, sha(data))


def intact(out: Path, name: str, record: dict | None) -> bool:
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
        return file_sha(path) == record.get("sha256")
    except OSError:
        return False


def outputs_intact(out: Path, entry: dict | None) -> bool:
    """Every file of a manifest entry is `intact`."""
    if not entry or not entry.get("outputs"):
        return False
    return all(intact(out, name, record) for name, record in entry["outputs"].items())


def _wanted(name: str, keep_notebooks: bool) -> list[str]:
    return [name] + ([Path(name).with_suffix(".ipynb").name] if keep_notebooks else [])


def current(out: Path, name: str, entry: dict | None, digest: str, keep_notebooks: bool) -> bool:
    """The page `name` on disk was built from inputs of this `digest` and is as the build wrote it."""
    if not entry or entry.get("digest") != digest or not outputs_intact(out, entry):
        return False
    return all(w in entry["outputs"] for w in _wanted(name, keep_notebooks))


def up_to_date(out: Path, manifest: dict, fingerprint: str | None, keep_notebooks: bool) -> BuildResult | None:
    """The previous build's result when nothing changed since (every input and output the same); else None."""
    if not fingerprint or manifest.get("fingerprint") != fingerprint or manifest.get("failed"):
        return None
    reports = manifest.get("reports") or {}
    if not reports or not outputs_intact(out, manifest.get("index")):
        return None
    projects: list[ReportOutcome] = []
    annual: list[ReportOutcome] = []
    for name, entry in reports.items():
        if not outputs_intact(out, entry) or not all(w in entry["outputs"] for w in _wanted(name, keep_notebooks)):
            return None
        outcome = ReportOutcome(
            entry["kind"], entry["id"], entry["title"], out / name, skipped=True, outputs=entry["outputs"]
        )
        (projects if entry["kind"] == "project" else annual).append(outcome)
    order = {k: i for i, k in enumerate(manifest.get("order") or [])}
    projects.sort(key=lambda o: order.get(o.key, len(order)))
    return BuildResult(out, out / INDEX_NAME, projects, annual, up_to_date=True, manifest=out / MANIFEST_NAME)


def remove_stale_temporaries(out: Path) -> None:
    """Remove the temporary files of a build that was killed (``.<name>.<random>.tmp``), and its
    evaluation for the workers (`EVALUATION_NAME`).

    Only those of pages, of the manifest and of that evaluation: the folder may hold other files
    written atomically (``selfeval export --out reports/2022/forms.json``), maybe at this very moment.
    """
    stale = [out / EVALUATION_NAME]
    for path in out.glob(".*.tmp"):
        stem = path.name[1:].rsplit(".", 2)[0]  # .<name>.<random>.tmp -> <name>
        if stem.endswith((".html", ".ipynb")) or stem in (MANIFEST_NAME, EVALUATION_NAME):
            stale.append(path)
    for path in stale:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
