"""One local parallel map: a function applied to many items in worker processes.

    from selfeval_kit.pool import PoolOptions, parallel_map

    for done in parallel_map(len, ["a", "bb", "ccc"], PoolOptions(jobs=2)):
        print(done.index, done.value if done.ok else done.error)

`selfeval check --jobs N` and `selfeval build` both run their work through this module. `Pool`
starts its workers as soon as it is made, so that their start-up (imports, a Jupyter kernel in
`PoolOptions.initializer`) overlaps the caller's own work, and keeps them from one `Pool.map` to
the next; `parallel_map` is one map on a pool of its own. Results come as tasks finish, each a
`Done` whose `index` says which item it belongs to; a task's failure is its `Done.error`, never
an exception out of the map. Each local worker has its next task waiting in the pool's queue, so
that it starts it as soon as it is done with one. The interface (`PoolOptions`, `Pool.map`,
`Done`) is what a distributed scheduler would offer too, and `PoolOptions.scheduler` uses one:
the same map runs on a Dask cluster (`selfeval_kit.cluster`), each Dask worker process running
`PoolOptions.initializer` once before its first task of that map's kind and then one such task at
a time (its state is the process's, as in a local worker); the workers the cluster has when the
pool connects start their initializer at once, as local ones do. On a cluster,
`PoolOptions.timeout` is not enforced (Dask cannot stop a running task); a worker lost mid-run
has its tasks run again on the others by the scheduler (its ``allowed-failures`` setting), then
they fail with `WorkerDied`.

The workers are loky processes (the concurrent.futures interface): each is a new interpreter
(fork and exec), never a bare fork of the caller, which may run threads, as Jupyter and pytest
do; and, unlike multiprocessing's "spawn" and "forkserver" starts, loky does not run the caller's
main module again in each worker, so a script without an ``if __name__ == "__main__"`` guard,
``python -`` and notebooks can use the pool. A function and its items travel by pickle (by
reference for a module-level function).

What can go wrong, task by task:

* `fn` raises: that task's `Done.error` is the exception; the worker goes on.
* A worker process dies (killed, out of memory, a crash in an extension): the task it was running
  fails with `WorkerDied`. Tasks running or waiting beside it at that moment are run again on fresh
  workers, one at a time, so that the one whose run kills a worker is told apart from the others.
* A task runs longer than `PoolOptions.timeout`, or a worker does not start it within
  `PoolOptions.start_timeout` (a worker stopped by SIGSTOP, or stuck holding the lock of the
  pool's task queue, starts nothing, neither does anyone else): the workers are killed (SIGKILL,
  which a stopped process obeys too) and replaced, the tasks running beside it are run again,
  and it runs again too, `PoolOptions.retries` times; then it fails with `TaskTimeout`.
* The initializer raises: every task given to that worker fails with `WorkerInitError`.
  What an initializer leaves in the worker is out of the garbage collector's reach
  (``gc.freeze``): state kept for the tasks, it is not walked by every collection; no collection
  runs while the initializer does.
* The caller exits or is killed: its workers exit too, even in the middle of a task.
* A worker does not exit when the pool is closed (stopped, or stuck in an exit handler): it is
  killed after `PoolOptions.exit_timeout`.

A worker ends by `os._exit` once its exit handlers (`multiprocessing.util.Finalize`, as for a
kernel to shut down) have run: the interpreter's own teardown, which frees every object and
unloads every module, took ~2 s a worker with papermill loaded, and serves no one. Its `atexit`
handlers do not run (nor do they in multiprocessing's workers).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing.util
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, wait
from dataclasses import dataclass
from functools import partial
from typing import Any

__all__ = ["Done", "Pool", "PoolOptions", "TaskTimeout", "WorkerDied", "WorkerInitError", "parallel_map"]

log = logging.getLogger("selfeval_kit.pool")

_PARENT_POLL = 0.5  # seconds between a worker's checks that the process that started it is alive
_START_POLL = 0.1  # seconds between the caller's looks at which tasks started (only with a timeout)
_KILL_WAIT = 10.0  # seconds to wait for the pool's manager thread once its workers are killed
# Tasks handed out per worker: one running, one waiting in the task queue, so that a worker that
# finishes takes the next at once instead of waiting for the caller to see its result and send one.
_IN_FLIGHT = 2


@dataclass(frozen=True)
class PoolOptions:
    """How a `Pool` runs its tasks.

    Parameters
    ----------
    jobs : int, default 1
        Worker processes; at most this many tasks run at once.
    initializer : callable, optional
        Called once in each worker, with `initargs`, before its first task: per-worker state (a
        warm kernel, imports). Module-level, so that it pickles by reference.
    initargs : tuple, default ()
        Arguments for `initializer` (pickled once per worker).
    timeout : float, optional
        Seconds one task may run, counted from when a worker starts it; None: no limit (and no
        `start_timeout` either).
    start_timeout : float, default 60
        With a `timeout`: seconds a task handed to the workers may wait for one of them to start
        it, counted from when it is handed out (the workers' own start, the initializer,
        included) or from when a worker last finished a task, whichever is later; a task waiting
        while every worker runs a task it started is not counted against. A task that never
        starts (a stopped worker holds the task queue's lock) times out as one that runs too long.
    retries : int, default 1
        Times a task that timed out is run again, on fresh workers, before it fails with
        `TaskTimeout`.
    exit_timeout : float, default 10
        Seconds the workers may take to exit when the pool is closed (their exit handlers: a
        kernel to stop); then they are killed.
    scheduler : str, optional
        The address of a Dask scheduler (``tcp://host:8786``): the tasks run on its workers
        instead of local processes (`jobs` and `timeout` then do not apply). None: locally.
    connect_timeout : float, default 10
        With a `scheduler`: seconds to reach it before the pool fails with `cluster.ClusterError`.
    """

    jobs: int = 1
    initializer: Callable[..., object] | None = None
    initargs: tuple[Any, ...] = ()
    timeout: float | None = None
    start_timeout: float = 60.0
    retries: int = 1
    exit_timeout: float = 10.0
    scheduler: str | None = None
    connect_timeout: float = 10.0


@dataclass(frozen=True)
class Done:
    """One finished task.

    Parameters
    ----------
    index : int
        The position of the task's item in the items given to `Pool.map`.
    value : object
        What the function returned (None when it failed).
    error : BaseException, optional
        Why the task failed: the exception the function raised, `WorkerDied`, `TaskTimeout` or
        `WorkerInitError`; None when it succeeded.
    """

    index: int
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        """Whether the task succeeded."""
        return self.error is None


class WorkerDied(RuntimeError):
    """The worker process running the task stopped before it finished."""


class TaskTimeout(TimeoutError):
    """The task ran longer than `PoolOptions.timeout` (or did not start within `PoolOptions.start_timeout`)
    on every try; its workers were killed.

    Parameters
    ----------
    message : str
        What happened, for people.
    limit : float
        The limit of the last try, in seconds.
    tries : int
        How many times the task was tried.
    started : bool
        Whether a worker started it on the last try (False: it waited for a worker in vain).
    """

    def __init__(self, message: str, limit: float = 0.0, tries: int = 1, started: bool = True):
        super().__init__(message)
        self.limit, self.tries, self.started = limit, tries, started

    def __reduce__(self) -> tuple:
        return type(self), (str(self), self.limit, self.tries, self.started)


class WorkerInitError(RuntimeError):
    """The worker's initializer raised; the task was not run (the initializer's error is the cause)."""


class Pool:
    """Worker processes that run `map` calls; started when the pool is made.

    Parameters
    ----------
    options : PoolOptions
        Workers, initializer, timeout.

    Notes
    -----
    Use it as a context manager: leaving the block normally waits for the workers to exit (their
    exit handlers, such as `multiprocessing.util.Finalize`, run); leaving it by an exception, or
    `close(kill=True)`, stops them at once.
    """

    def __init__(self, options: PoolOptions):
        if options.jobs < 1:
            raise ValueError(f"jobs must be at least 1, not {options.jobs}")
        self.options = options
        self._executor: Any = None
        self._started: Any = None  # tasks the workers began (index), when there is a timeout
        self._client: Any = None  # with a scheduler: the Dask client, instead of the executor
        self._starting: list = []  # with a scheduler: each worker's initializer, started now
        if options.scheduler:
            from selfeval_kit.cluster import connect, on_every_worker  # Dask is imported only for a cluster

            self._client = connect(options.scheduler, options.connect_timeout)
            if options.initializer is not None:
                start = partial(_cluster_call, _started, options.initializer, options.initargs)
                try:
                    self._starting = on_every_worker(self._client, start)
                except Exception:  # the first task a worker runs starts it all the same
                    log.debug("could not start the initializer on the cluster's workers", exc_info=True)
        else:
            self._start()

    def _start(self) -> None:
        import loky  # here, not at the top: a no-op build must not pay for its import
        from loky.backend.context import get_context

        context = get_context("loky")
        self._started = context.SimpleQueue() if self.options.timeout is not None else None
        initargs = (os.getpid(), self._started, self.options.initializer, self.options.initargs)
        self._executor = loky.ProcessPoolExecutor(
            max_workers=self.options.jobs, context=context, initializer=_start_worker, initargs=initargs
        )
        self._executor.submit(_ready)  # loky starts every worker with the first task: now

    def _restart(self) -> None:
        """Kill the workers (whatever they are doing, stopped ones too) and start new ones."""
        _stop(self._executor, kill=True, grace=0.0)
        self._start()

    def _submit(self, index: int, fn: Callable[[Any], Any], item: Any) -> Future:
        if self._executor is None:
            raise RuntimeError("the pool is closed")
        try:
            return self._executor.submit(_call, index, fn, item)
        except BrokenExecutor:  # a worker died while idle (or starting): new workers, once
            log.debug("the pool's workers were lost before task %d; starting new ones", index)
            self._restart()
            return self._executor.submit(_call, index, fn, item)

    def _take_started(self) -> list[int]:
        found = []
        while self._started is not None and not self._started.empty():
            found.append(self._started.get())
        return found

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Done]:
        """Apply `fn` to every item in the workers; yield each `Done` as its task finishes.

        Parameters
        ----------
        fn : callable
            A function of one argument, picklable (module-level, or a `functools.partial` of one).
        items : iterable
            The arguments, each picklable.

        Yields
        ------
        Done
            One per item, in the order the tasks finish; `Done.index` is the item's position.
        """
        if self._client is not None:
            return self._cluster_map(fn, list(items))
        return _Map(self, fn, list(items)).run()

    def _cluster_map(self, fn: Callable[[Any], Any], items: list[Any]) -> Iterator[Done]:
        from selfeval_kit.cluster import cluster_map

        options = self.options
        task = partial(_cluster_call, fn, options.initializer, options.initargs)
        for index, value, error, lost in cluster_map(self._client, task, items):
            if lost:
                reason = f"the cluster's workers running task {index} were lost ({_short(items[index])}): {error}"
                yield Done(index, error=WorkerDied(reason))
            else:
                yield Done(index, value, error)

    def close(self, kill: bool = False) -> None:
        """Stop the workers: after their current task (the default; those that do not exit within
        `PoolOptions.exit_timeout` are killed), or at once with `kill`. On a cluster: disconnect
        (the cluster's workers stay, with their state, for the next client)."""
        if self._client is not None:
            client, self._client = self._client, None
            self._starting = []  # their futures: released with the client
            _quietly_close(client)
        if self._executor is not None:
            executor, self._executor = self._executor, None
            _stop(executor, kill=kill, grace=self.options.exit_timeout)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        self.close(kill=kind is not None)


def _stop(executor: Any, kill: bool, grace: float) -> None:
    """Shut a loky executor down: at once (`kill`: loky SIGKILLs the workers, which a stopped process
    obeys too), or letting its workers exit for `grace` seconds, then killing those left. Never
    waits without a bound for a worker: a stopped one never exits by itself."""
    manager = getattr(executor, "_executor_manager_thread", None)
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, kill_workers=kill)
    if manager is None:
        return
    manager.join(_KILL_WAIT if kill else grace)
    if manager.is_alive():
        from loky.backend.utils import kill_process_tree

        log.debug("the pool's workers did not exit within %g s: killed", _KILL_WAIT if kill else grace)
        for process in processes:
            _quietly_kill(kill_process_tree, process)
        manager.join(_KILL_WAIT)
    if manager.is_alive():  # pragma: no cover - loky's own thread stuck: leave it rather than hang
        log.warning("the pool's manager thread did not end; leaving it")


def _quietly_close(client: Any) -> None:
    try:
        client.close()
    except Exception:  # a scheduler already gone: nothing to disconnect from
        log.debug("could not close the Dask client", exc_info=True)


def _quietly_kill(kill_process_tree: Callable[[Any], None], process: Any) -> None:
    try:
        if process.is_alive():
            kill_process_tree(process)
    except (OSError, ValueError, AssertionError):  # already gone, or not ours to join
        log.debug("could not kill worker %s", getattr(process, "pid", "?"), exc_info=True)


def parallel_map(fn: Callable[[Any], Any], items: Iterable[Any], options: PoolOptions) -> Iterator[Done]:
    """Apply `fn` to every item in worker processes of a pool of its own (or on the Dask cluster of
    `PoolOptions.scheduler`); yield `Done` as tasks finish.

    Parameters
    ----------
    fn : callable
        A function of one argument, picklable.
    items : iterable
        Its arguments, each picklable.
    options : PoolOptions
        Workers, initializer, timeout.

    Yields
    ------
    Done
        One per item, in the order the tasks finish.
    """
    with Pool(options) as pool:
        yield from pool.map(fn, items)


class _Map:
    """The state of one `Pool.map`: what waits, what runs, who is suspected of killing a worker."""

    def __init__(self, pool: Pool, fn: Callable[[Any], Any], items: list[Any]):
        self.pool, self.fn, self.items = pool, fn, items
        self.waiting: deque[int] = deque(range(len(items)))
        self.suspects: deque[int] = deque()  # running when a worker died: each runs again alone
        self.running: dict[Future, int] = {}
        self.sent: dict[int, float] = {}  # when each running task was handed out
        self.began: dict[int, float] = {}  # when a worker started it
        self.freed = 0.0  # when a task last finished: a worker could take the next from then on
        self.tries: dict[int, int] = {}  # how many times each task timed out

    def run(self) -> Iterator[Done]:
        while self.waiting or self.suspects or self.running:
            self._hand_out()
            finished, _ = wait(list(self.running), timeout=self._wait_time(), return_when=FIRST_COMPLETED)
            now = time.monotonic()
            for index in self.pool._take_started():
                self.began.setdefault(index, now)
            if any(_lost(future) for future in finished):
                yield from self._after_death()
                continue
            for future in finished:
                index = self.running.pop(future)
                self.freed = now
                yield _done(index, future)
            yield from self._timeouts(now)

    def _hand_out(self) -> None:
        if self.suspects:
            if not self.running:
                self._send(self.suspects.popleft())
            return
        while self.waiting and len(self.running) < self.pool.options.jobs * _IN_FLIGHT:
            self._send(self.waiting.popleft())

    def _send(self, index: int) -> None:
        self.began.pop(index, None)
        self.sent[index] = time.monotonic()
        self.running[self.pool._submit(index, self.fn, self.items[index])] = index

    def _wait_time(self) -> float | None:
        return None if self.pool.options.timeout is None else _START_POLL

    def _after_death(self) -> Iterator[Done]:
        """A worker died: every running task is lost with it (loky fails them all)."""
        lost = []
        for future, index in self.running.items():
            if future.done() and not _lost(future):
                yield _done(index, future)
            else:
                lost.append(index)
        self.running.clear()
        self.pool._restart()
        if len(lost) == 1:
            reason = _death_reason(lost[0], self.items[lost[0]])
            log.debug("%s", reason)
            yield Done(lost[0], error=WorkerDied(reason))
        else:
            log.debug("a worker died running one of tasks %s: each runs again alone", lost)
            self.suspects.extend(lost)

    def _late(self, index: int, now: float) -> bool:
        """Whether a task handed out is past its limit: running too long, or not started while a
        worker could have (it waits its turn, untimed, while every worker runs a task it started)."""
        options = self.pool.options
        assert options.timeout is not None
        if index in self.began:
            return now - self.began[index] > options.timeout
        if sum(1 for i in self.running.values() if i in self.began) >= options.jobs:
            return False
        return now - max(self.sent[index], self.freed) > options.start_timeout

    def _timeouts(self, now: float) -> Iterator[Done]:
        """Kill the workers when a task is late; it runs again (`PoolOptions.retries`), then fails."""
        if self.pool.options.timeout is None:
            return
        late = {i for i in self.running.values() if self._late(i, now)}
        if not late:
            return
        again = []
        for future, index in self.running.items():
            if future.done() and not _lost(future):  # finished meanwhile: keep its result
                yield _done(index, future)
            elif index not in late:
                again.append(index)  # innocent: first again, on the new workers
            else:
                self.tries[index] = self.tries.get(index, 0) + 1
                if self.tries[index] > self.pool.options.retries:
                    yield Done(index, error=self._timeout(index, now))
                else:
                    log.debug("task %d timed out (try %d): it runs again on new workers", index, self.tries[index])
                    again.append(index)
        self.running.clear()
        self.pool._restart()
        self.waiting.extendleft(reversed(again))

    def _timeout(self, index: int, now: float) -> TaskTimeout:
        options = self.pool.options
        tries = self.tries[index]
        times = "once" if tries == 1 else f"in each of {tries} tries"
        if index in self.began:
            limit = float(options.timeout or 0)
            text = f"task {index} ran longer than {limit:g} s {times}; its worker was killed"
            return TaskTimeout(text, limit, tries, started=True)
        limit = options.start_timeout
        text = f"task {index} was not started by a worker within {limit:g} s {times} (a worker stopped or stuck?)"
        return TaskTimeout(text + "; the workers were killed", limit, tries, started=False)


def _done(index: int, future: Future) -> Done:
    error = future.exception()
    return Done(index, error=error) if error is not None else Done(index, future.result())


def _lost(future: Future) -> bool:
    return future.done() and isinstance(future.exception(), BrokenExecutor)


def _death_reason(index: int, item: Any) -> str:
    return f"the worker process running task {index} died before it finished ({_short(item)})"


def _short(item: Any, limit: int = 120) -> str:
    text = repr(item)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- in the worker ------------------------------------------------------------------

_STARTED: Any = None  # the pool's queue of begun tasks, when it has a timeout
_INIT_ERROR: BaseException | None = None


def _start_worker(parent: int, started: Any, initializer: Callable[..., object] | None, initargs: tuple) -> None:
    """Every worker's initializer: follow the caller out, leave Ctrl-C to it, then the user's initializer."""
    global _STARTED, _INIT_ERROR
    # Ctrl-C is for the caller, which stops its workers: a worker leaves the caller's session (and
    # so its terminal and process group; a Jupyter kernel interrupts its whole group), and ignores
    # SIGINT besides. Its own session also gives it its own CPU share where the kernel groups
    # them by session (Linux autogroup), as for any process started with start_new_session.
    if hasattr(os, "setsid"):
        try:
            os.setsid()
        except OSError:
            log.debug("worker %d stays in its caller's session", os.getpid())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), name="selfeval-pool-parent", daemon=True).start()
    multiprocessing.util.Finalize(None, _end, exitpriority=-100)  # after every other exit handler
    _STARTED = started
    gc.disable()  # while the initializer imports and loads: see below
    if initializer is not None:
        try:
            initializer(*initargs)
        except Exception as exc:  # reported with each task, rather than a worker that never starts
            log.warning("the pool's initializer failed in worker %d: %s", os.getpid(), exc, exc_info=True)
            _INIT_ERROR = exc
    # The one place the package touches the garbage collector. What the worker holds once started
    # (its modules, the initializer's state) stays to its end: out of the collector's reach, it is
    # not walked again by each collection, and loky collects in its workers after tasks (when
    # psutil is missing). A collection walking the modules of a build worker took 0.08 s, one
    # walking the 10,000 forms a check worker holds ~1 s. Garbage without cycles is freed as ever.
    # For the same reason no collection runs during the initializer (a build worker's imports made
    # a sixth of its start-up); what cycles it leaves unreferenced are frozen with the rest.
    gc.freeze()
    gc.enable()


def _exit_with(parent: int) -> None:
    """Exit (with status 1, no clean-up) once the process that started this worker is gone."""
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL)
    os._exit(1)


def _end() -> None:
    """End the worker: its results are sent and its exit handlers have run. Skipping the interpreter's
    teardown (freeing every object, unloading every module) saves seconds with pandas or papermill loaded."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(0)


def _ready() -> None:
    """The task that makes loky start the workers."""


def _started(item: Any) -> None:
    """The task that has a Dask worker run the pool's initializer (`_cluster_call`) before any other."""


def _call(index: int, fn: Callable[[Any], Any], item: Any) -> Any:
    if _INIT_ERROR is not None:
        raise WorkerInitError(f"the worker's initializer failed: {_INIT_ERROR}") from _INIT_ERROR
    if _STARTED is not None:
        _STARTED.put(index)
    return fn(item)


# --- in a Dask worker ---------------------------------------------------------------

_CLUSTER_LOCK = threading.Lock()  # a Dask worker runs tasks in threads: the process's state is one
_CLUSTER_INITS: dict[bytes, BaseException | None] = {}  # each initializer's outcome in this process


def _cluster_call(
    fn: Callable[[Any], Any], initializer: Callable[..., object] | None, initargs: tuple, item: Any
) -> Any:
    """A task on a Dask worker: `initializer` once per process (and per initargs), then `fn`.

    With an initializer, the tasks of one process run one at a time: what it prepared (a warm
    kernel) serves one task at a time, as in a local worker."""
    if initializer is None:
        return fn(item)
    import pickle

    key = pickle.dumps((initializer, initargs))
    with _CLUSTER_LOCK:
        if key not in _CLUSTER_INITS:
            try:
                initializer(*initargs)
                _CLUSTER_INITS[key] = None
            except Exception as exc:  # reported with each task, as in a local worker
                log.warning("the pool's initializer failed in Dask worker %d: %s", os.getpid(), exc, exc_info=True)
                _CLUSTER_INITS[key] = exc
        error = _CLUSTER_INITS[key]
        if error is not None:
            raise WorkerInitError(f"the worker's initializer failed: {error}") from error
        return fn(item)
