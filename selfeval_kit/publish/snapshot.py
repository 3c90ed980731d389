"""The build's evaluation handed to its workers: written once, read by each worker instead of the forms.

A build loads and scores every form before it plans (the reports' digests and titles come from
the evaluation), and every report needs that same evaluation: without this module each worker
loads and scores the whole folder again, the longest part of a worker's day after its reports.
`write` pickles the build's evaluation into the output folder (`EVALUATION_NAME`, written
atomically) and keeps the SHA-256 of what it wrote; `install`, in a worker, reads the file, checks
the digest, unpickles it and keeps it in the report cache as the evaluation of the build's data
path and profile (`selfeval_kit.report.cache.prime`, under the build's token for the files), so that
the reports' `open_evaluation` find it. A file whose digest is not the one written (changed,
truncated, left by another build) is never unpickled.

Either step failing only costs time: a worker without the file (a full disk, a cluster worker that
does not see the output folder) opens the evaluation from the files, as it would outside a build.
The build removes the file when its reports are done (`remove`), and a later build removes one left
by a build that was killed (`selfeval_kit.publish.manifest.remove_stale_temporaries`).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selfeval_kit.files import atomic_write_bytes
from selfeval_kit.publish.manifest import EVALUATION_NAME

__all__ = ["Snapshot", "install", "read", "remove", "write"]

log = logging.getLogger("selfeval_kit.publish")


@dataclass(frozen=True)
class Snapshot:
    """A build's evaluation on disk: the file, and the SHA-256 (hex) of its bytes as written."""

    path: str
    sha256: str


def write(evaluation: Any, out: Path) -> Snapshot | None:
    """Pickle `evaluation` into `out` (`EVALUATION_NAME`); None if it cannot be written (the reason is logged)."""
    try:
        data = pickle.dumps(evaluation, protocol=pickle.HIGHEST_PROTOCOL)
        path = atomic_write_bytes(out / EVALUATION_NAME, data)
    except Exception as exc:  # noqa: BLE001 - not pickled, not written: the workers evaluate the files
        log.debug("the build's evaluation was not written for the workers: %s", exc)
        return None
    return Snapshot(str(path), hashlib.sha256(data).hexdigest())


def read(snapshot: Snapshot) -> Any:
    """The evaluation in `snapshot`, or None if its file is gone, unreadable or not the one written."""
    try:
        data = Path(snapshot.path).read_bytes()
    except OSError as exc:
        log.debug("the build's evaluation could not be read: %s", exc)
        return None
    if hashlib.sha256(data).hexdigest() != snapshot.sha256:
        log.debug("%s is not the evaluation the build wrote: not read", snapshot.path)
        return None
    collecting = gc.isenabled()
    gc.disable()  # unpickling makes many objects and no garbage: a collection now would only walk them
    try:
        return pickle.loads(data)  # the bytes the build wrote, as their digest shows
    except Exception as exc:  # noqa: BLE001 - a worker of another version: it evaluates the files instead
        log.debug("the build's evaluation could not be unpickled: %s", exc)
        return None
    finally:
        if collecting:
            gc.enable()


def install(snapshot: Snapshot, data_path: str, profile: str) -> bool:
    """Keep the snapshot's evaluation as this process's for `data_path` and `profile`, unless one is kept.

    Call it within `selfeval_kit.report.cache.vouched` for the build's token. Returns whether an
    evaluation of these inputs is kept now (False: the next open evaluates the files).
    """
    from selfeval_kit.report.cache import prime

    return prime(data_path, profile, lambda: read(snapshot))


def remove(snapshot: Snapshot) -> None:
    """Remove the snapshot's file (gone already is fine)."""
    try:
        Path(snapshot.path).unlink(missing_ok=True)
    except OSError as exc:
        log.debug("could not remove %s: %s", snapshot.path, exc)
