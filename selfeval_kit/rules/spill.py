"""A parallel check's results kept on disk in the client, and read back merged, in order.

`selfeval check --jobs N` gets each task's results (each form's dict, its finding dicts, its
`audit.PortfolioFacts`) as the task finishes. Held in memory they made the client grow by about
40 KiB a form (4 GiB at 100,000 forms); so `bulk` writes each task's results at once to files
in a private temporary folder, and reads them back by a k-way merge (`heapq.merge`), one record
per file at a time: the client holds O(tasks) records, never O(forms).

Each task leaves one *run* per kind of record, sorted within the task:

- ``ids``: the forms' ids in lower case, sorted (two equal neighbours in the merge are an id
  used twice, as `loading.load` compares them);
- ``facts``, ``forms``, ``findings``: ``(key, value)`` in load order, the key being
  ``(seq is None, seq or 0, file name, task, position in the task)``: the sort of `loading.load`
  and then the task order, so that the merge gives exactly the stable sort of every task's
  results one after the other.

A record is one pickle (the tasks' results are the package's own, read back by the process that
wrote them). With more runs than `FAN_IN` the runs are first merged in groups, so that a merge
never opens more than `FAN_IN` files. The folder is removed by `Spill.close` (also when the
`Spill` is garbage-collected, and by the `with` block).
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any

__all__ = ["FAN_IN", "KINDS", "Spill"]

FAN_IN = 64  # runs a merge reads at once: open files, and one record each in memory
KINDS = ("ids", "facts", "forms", "findings")
_PROTOCOL = pickle.HIGHEST_PROTOCOL
_first = itemgetter(0)


def _write(path: Path, records: Iterable[Any]) -> None:
    with path.open("wb") as sink:
        for record in records:
            pickle.dump(record, sink, protocol=_PROTOCOL)  # one pickle a record: no memo across records


def _read(path: Path) -> Iterator[Any]:
    with path.open("rb") as source:
        while True:
            try:
                yield pickle.load(source)
            except EOFError:
                return


class Spill:
    """Every task's results as sorted runs in a private temporary folder.

    Parameters
    ----------
    prefix : str, default "selfeval-check-"
        The folder's name starts with it (in the system's temporary folder).

    Attributes
    ----------
    forms : int
        The forms added.
    counts : collections.Counter
        The findings added, by severity.

    Notes
    -----
    Use it as a context manager, or call `close`: the folder and its files are removed.
    """

    def __init__(self, prefix: str = "selfeval-check-") -> None:
        self._folder = tempfile.TemporaryDirectory(prefix=prefix)
        self._root = Path(self._folder.name)
        self._runs: dict[str, list[Path]] = {kind: [] for kind in KINDS}
        self._made = 0  # files made so far: each run's name
        self.forms = 0
        self.counts: Counter[str] = Counter()

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the folder and every run in it (again: nothing happens)."""
        self._folder.cleanup()

    def add(self, task: int, entries: list[tuple]) -> None:
        """Write one task's results as one run of each kind.

        Parameters
        ----------
        task : int
            The task's position in the task list (it orders forms whose load key is equal).
        entries : list of tuple
            ``((seq, file name), form dict, finding dicts, PortfolioFacts)`` for each form of the task.
        """
        keyed = []  # (load key, form dict, finding dicts, facts), sorted by the key
        for k, ((seq, name), form, found, facts) in enumerate(entries):
            keyed.append(((seq is None, seq or 0, name, task, k), form, found, facts))
        keyed.sort(key=_first)
        self._add_run("ids", sorted(form["id"].lower() for _key, form, _found, _facts in keyed))
        self._add_run("facts", ((key, facts) for key, _form, _found, facts in keyed))
        self._add_run("forms", ((key, form) for key, form, _found, _facts in keyed))
        self._add_run("findings", ((key, found) for key, _form, found, _facts in keyed))
        self.forms += len(entries)
        self.counts.update(f["severity"] for _key, _form, found, _facts in keyed for f in found)

    def duplicate(self) -> str | None:
        """An id (in lower case) that two forms use, if any; else None."""
        previous = None
        for name in self._merged("ids", key=None):
            if name == previous:
                return name
            previous = name
        return None

    def stream(self, kind: str) -> Iterator[Any]:
        """The values of one kind (``"facts"``, ``"forms"`` or ``"findings"``) of every task, in load order."""
        for _key, value in self._merged(kind, key=_first):
            yield value

    def _add_run(self, kind: str, records: Iterable[Any]) -> None:
        path = self._root / f"{self._made:06d}.{kind}"
        self._made += 1
        _write(path, records)
        self._runs[kind].append(path)

    def _merged(self, kind: str, key: Any) -> Iterator[Any]:
        """Every record of `kind`, merged; the runs first merged in groups while there are more than `FAN_IN`."""
        runs = self._runs[kind]
        while len(runs) > FAN_IN:
            merged = []
            for start in range(0, len(runs), FAN_IN):
                group = runs[start : start + FAN_IN]
                path = self._root / f"{self._made:06d}.{kind}"
                self._made += 1
                _write(path, heapq.merge(*map(_read, group), key=key))
                for done in group:
                    done.unlink()
                merged.append(path)
            runs = self._runs[kind] = merged
        return heapq.merge(*map(_read, runs), key=key)
