"""The evaluation a report opens, kept while the files it was made from are unchanged.

One report needs the evaluation of the whole portfolio (a form's findings are scored against the
profile; the annual report covers every form). `selfeval build` runs report after report in one
kernel, and with hundreds of forms the evaluation is most of a report's time, so the last one is
kept and reused while its inputs are unchanged. "Unchanged" is checked on every open, so the cache
is always right without being told: a Jupyter user who edits a form and reruns the cell sees the
edit.

The key of an evaluation is

* the resolved data path;
* the name, size and modification time (ns) of every form file it stands for
  (`selfeval_kit.form.sources.form_stamps`);
* the profile: a built-in profile's name, or a profile file's resolved path, size and
  modification time.

A caller that knows the form files will not change for a while (a build, whose workers open the
same folder report after report) can vouch for them with a token of its own, a digest of the files
(`vouched`): while it holds, the token stands for the files in the key and they are not listed
again. Without it, every report of a build would stat every file of the folder, a cost that grows
with the square of the folder's size over the build.

Only one evaluation is kept (opening another portfolio or profile replaces it). Opens are
serialised: one that finds another thread evaluating waits for it and shares its evaluation. A
token vouches within its own thread only. An evaluation whose inputs cannot be listed (a missing
folder, a `Profile` object) is computed and not kept. The reports only read the evaluation they
share. A caller that has the evaluation already (a build's workers are handed the build's own)
can put it in the cache (`prime`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from selfeval_kit.errors import SelfEvalError
from selfeval_kit.form.loading import load
from selfeval_kit.form.sources import form_stamps, resolve_data_path
from selfeval_kit.rules.evaluation import Evaluation, evaluate
from selfeval_kit.rules.profile import builtin_profiles

__all__ = ["clear", "open_evaluation", "prime", "profile_argument", "vouched"]

_log = logging.getLogger("selfeval_kit.report")
_CACHE: dict[tuple, Evaluation] = {}
_LOCK = threading.RLock()  # held while an open looks up, evaluates and keeps


class _Vouched(threading.local):
    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}  # a resolved data path: the token this thread's caller vouches for


_VOUCHED = _Vouched()


def profile_argument(profile: str | Path) -> str | Path:
    """A profile name as is; a profile file path (``*.yaml``/``*.yml``) resolved like a data path."""
    text = str(profile)
    if text.endswith((".yaml", ".yml")):
        return resolve_data_path(text)
    return profile


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _key(data: Path, profile: str | Path) -> tuple | None:
    """The inputs of an evaluation (see the module's docstring), or None when they cannot be listed."""
    if not isinstance(profile, (str, Path)):
        return None
    try:
        folder = str(data.resolve())
        token = _VOUCHED.tokens.get(folder)
        files = ("vouched", token) if token is not None else form_stamps(data)
        name = str(profile)
        if name in builtin_profiles():
            rules: tuple = ("built-in", name)
        else:
            path = Path(name)
            rules = (str(path.resolve()), *_stamp(path))
        return (folder, files, rules)
    except (OSError, SelfEvalError) as exc:  # loading or evaluating says what is wrong
        _log.debug("evaluation of %s with %s not cached: %s", data, profile, exc)
        return None


def open_evaluation(data_path: str | Path, profile: str | Path = "national") -> Evaluation:
    """The evaluation of the forms at a data path under a profile, reused while its inputs are unchanged.

    Parameters
    ----------
    data_path
        A folder of form files or one form file, resolved by
        `selfeval_kit.form.sources.resolve_data_path` (relative paths also from the parent folder).
    profile
        A built-in profile's name or the path of a profile file.

    Returns
    -------
    Evaluation
        The same object as the previous call's when the data path, its form files and the profile
        are unchanged (see the module's docstring); treat it as read-only.

    Raises
    ------
    DataError
        The forms do not load.
    ProfileError
        The profile is unknown or invalid.
    """
    data, rules = resolve_data_path(data_path), profile_argument(profile)
    with _LOCK:
        key = _key(data, rules)
        if key is not None and key in _CACHE:
            return _CACHE[key]
        evaluation = evaluate(load(data), profile=rules)
        _CACHE.clear()
        if key is not None:
            _CACHE[key] = evaluation
        return evaluation


def prime(data_path: str | Path, profile: str | Path, source: Callable[[], Evaluation | None]) -> bool:
    """Keep the evaluation `source` gives as the one of these inputs, unless one is kept already.

    For a caller that has the evaluation `open_evaluation` would compute, made from the same files
    (a build hands its own to its workers, `selfeval_kit.publish.snapshot`), within `vouched`: the
    caller answers for it as for the files. `source` is called only when no evaluation of these
    inputs is kept, and may return None (it has none after all: the next open evaluates).

    Returns
    -------
    bool
        Whether an evaluation of these inputs is kept now.
    """
    data, rules = resolve_data_path(data_path), profile_argument(profile)
    with _LOCK:
        key = _key(data, rules)
        if key is None:
            return False
        if key not in _CACHE:
            evaluation = source()
            if evaluation is None:
                return False
            _CACHE.clear()
            _CACHE[key] = evaluation
        return True


@contextmanager
def vouched(data_path: str | Path | None, token: str | None) -> Iterator[None]:
    """Within the block, the form files at `data_path` are those `token` stands for (see the module's docstring).

    Parameters
    ----------
    data_path
        The data path the reports open, as `open_evaluation` takes it; None: vouch for nothing.
    token
        A digest of those files made by the caller (a build's fingerprint of its inputs), that
        changes whenever they do; None: vouch for nothing (every open lists the files).

    Notes
    -----
    It holds in the calling thread only. The caller answers for the files: an edit made while it
    vouches is not seen by the opens within the block (it is by the first open after it, or
    under another token).
    """
    if data_path is None or token is None:
        yield
        return
    folder = str(resolve_data_path(data_path).resolve())
    _VOUCHED.tokens[folder] = token
    try:
        yield
    finally:
        _VOUCHED.tokens.pop(folder, None)


def clear() -> None:
    """Forget the kept evaluation (the next open evaluates again)."""
    with _LOCK:
        _CACHE.clear()
