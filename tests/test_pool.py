"""`selfeval_kit.pool`: the one local parallel map (results, failures task by task, worker state)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from selfeval_kit.pool import Pool, PoolOptions, TaskTimeout, WorkerDied, WorkerInitError, parallel_map

ROOT = Path(__file__).resolve().parent.parent

# --- what the workers run (module-level: they pickle by reference) ---------------------------

_STATE: dict = {}


def square(x: int) -> int:
    return x * x


def fails_on_two(x: int) -> int:
    if x == 2:
        raise ValueError("two is refused")
    return x


def dies_on_three(x: int) -> int:
    time.sleep(0.2)  # so that other tasks are running beside it
    if x == 3:
        os._exit(9)
    return x


def hangs_on_one(x: int) -> int:
    if x == 1:
        time.sleep(60)
    return x


def remember(tag: str) -> None:
    _STATE["tag"] = tag
    _STATE["inits"] = _STATE.get("inits", 0) + 1


def refuse() -> None:
    raise RuntimeError("no state for you")


def state(_: object) -> tuple:
    return os.getpid(), _STATE.get("tag"), _STATE.get("inits")


def _results(dones) -> dict:
    return {d.index: (d.value if d.ok else d.error) for d in dones}


# --- tests ------------------------------------------------------------------------------------


def test_every_item_once_with_its_index():
    results = _results(parallel_map(square, [3, 1, 4, 1, 5, 9, 2], PoolOptions(jobs=2)))
    assert results == {0: 9, 1: 1, 2: 16, 3: 1, 4: 25, 5: 81, 6: 4}


def test_an_exception_fails_its_task_only():
    results = _results(parallel_map(fails_on_two, range(5), PoolOptions(jobs=2)))
    assert isinstance(results[2], ValueError) and "two is refused" in str(results[2])
    assert {i: v for i, v in results.items() if i != 2} == {0: 0, 1: 1, 3: 3, 4: 4}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_dying_worker_fails_the_task_it_ran_and_the_rest_go_on(jobs):
    results = _results(parallel_map(dies_on_three, range(6), PoolOptions(jobs=jobs)))
    assert isinstance(results[3], WorkerDied) and "task 3" in str(results[3])
    assert {i: v for i, v in results.items() if i != 3} == {0: 0, 1: 1, 2: 2, 4: 4, 5: 5}


def test_a_task_over_the_timeout_fails_and_its_worker_is_replaced():
    start = time.monotonic()
    results = _results(parallel_map(hangs_on_one, range(4), PoolOptions(jobs=2, timeout=2)))
    assert isinstance(results[1], TaskTimeout) and "2 s" in str(results[1])
    assert {i: v for i, v in results.items() if i != 1} == {0: 0, 2: 2, 3: 3}
    assert time.monotonic() - start < 30  # not the 60 s the task wanted


def stops_its_worker(args: tuple[int, str, bool]) -> int:
    """Task `x` SIGSTOPs its own worker: on its first try only (`once`), or on every try."""
    x, folder, once = args
    if x == 1:
        marker = Path(folder, f"{x}-{os.getpid()}")
        first = not list(Path(folder).iterdir())
        marker.write_text("", encoding="utf-8")
        if first or not once:
            os.kill(os.getpid(), signal.SIGSTOP)  # a real stop of this very worker: it never answers again
    return x * 10


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_stopped_worker_is_killed_and_its_task_runs_again_on_a_fresh_one(tmp_path, jobs):
    start = time.monotonic()
    items = [(x, str(tmp_path), True) for x in range(4)]
    results = _results(parallel_map(stops_its_worker, items, PoolOptions(jobs=jobs, timeout=1.5)))
    assert results == {0: 0, 1: 10, 2: 20, 3: 30}
    workers = [int(p.name.split("-")[1]) for p in tmp_path.iterdir()]
    assert len(workers) == 2 and workers[0] != workers[1]  # the second try ran in another process
    assert not [pid for pid in workers if _alive(pid)]
    assert time.monotonic() - start < 20


def test_a_task_whose_worker_stops_on_every_try_fails_after_one_retry(tmp_path):
    start = time.monotonic()
    items = [(x, str(tmp_path), False) for x in range(4)]
    results = _results(parallel_map(stops_its_worker, items, PoolOptions(jobs=2, timeout=1.5)))
    assert isinstance(results[1], TaskTimeout)
    assert str(results[1]) == "task 1 ran longer than 1.5 s in each of 2 tries; its worker was killed"
    assert (results[1].limit, results[1].tries, results[1].started) == (1.5, 2, True)
    assert {i: v for i, v in results.items() if i != 1} == {0: 0, 2: 20, 3: 30}
    assert len(list(tmp_path.iterdir())) == 2  # tried twice, no more
    assert time.monotonic() - start < 20


def test_with_no_retries_a_stopped_worker_fails_its_task_at_once(tmp_path):
    items = [(x, str(tmp_path), False) for x in range(3)]
    results = _results(parallel_map(stops_its_worker, items, PoolOptions(jobs=2, timeout=1.5, retries=0)))
    assert str(results[1]) == "task 1 ran longer than 1.5 s once; its worker was killed"
    assert len(list(tmp_path.iterdir())) == 1


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_each_worker_has_its_next_task_waiting_in_the_queue():
    from selfeval_kit.pool import _Map

    with Pool(PoolOptions(jobs=2)) as pool:
        tasks = _Map(pool, square, list(range(7)))
        tasks._hand_out()
        assert len(tasks.running) == 4 and list(tasks.waiting) == [4, 5, 6]
        assert _results(tasks.run()) == {i: i * i for i in range(7)}


def test_a_task_waiting_behind_a_long_one_is_not_timed_out_for_waiting():
    # the second task waits 3 s for the only worker, past its start timeout of 1 s: no kill, one worker
    results = _results(parallel_map(pid_after, [3, 0], PoolOptions(jobs=1, timeout=20, start_timeout=1)))
    assert results[0] == results[1]


def record_pid(folder: str) -> None:
    Path(folder, str(os.getpid())).write_text("", encoding="utf-8")


def _stop_workers_once_idle(folder: Path, jobs: int) -> list[int]:
    deadline = time.monotonic() + 60
    while len(list(folder.iterdir())) < jobs:
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.05)
    time.sleep(0.5)  # each now waits for a task (one of them holding the task queue's lock)
    pids = [int(p.name) for p in folder.iterdir()]
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    return pids


def test_tasks_no_stopped_worker_starts_run_on_fresh_workers_after_the_start_timeout(tmp_path):
    # start_timeout leaves a fresh worker time to start on a loaded machine (a spawn imports the package)
    options = PoolOptions(jobs=2, initializer=record_pid, initargs=(str(tmp_path),), timeout=20, start_timeout=6)
    with Pool(options) as pool:
        stopped = _stop_workers_once_idle(tmp_path, 2)
        start = time.monotonic()
        results = _results(pool.map(square, range(5)))
    assert results == {0: 0, 1: 1, 2: 4, 3: 9, 4: 16}
    assert 6 <= time.monotonic() - start < 60
    assert not [pid for pid in stopped if _alive(pid)]


def test_closing_a_pool_kills_a_stopped_worker_after_the_exit_timeout(tmp_path):
    options = PoolOptions(jobs=2, initializer=record_pid, initargs=(str(tmp_path),), exit_timeout=1)
    pool = Pool(options)
    stopped = _stop_workers_once_idle(tmp_path, 2)
    start = time.monotonic()
    pool.close()
    assert time.monotonic() - start < 10  # the worker never exits by itself
    assert not [pid for pid in stopped if _alive(pid)]


def test_the_initializer_runs_once_per_worker_and_workers_persist_between_maps():
    with Pool(PoolOptions(jobs=2, initializer=remember, initargs=("warm",))) as pool:
        first = list(_results(pool.map(state, range(6))).values())
        second = list(_results(pool.map(state, range(6))).values())
    assert {tag for _, tag, _ in first + second} == {"warm"}
    assert {inits for _, _, inits in first + second} == {1}  # never again for a later task or map
    assert len({pid for pid, _, _ in first + second}) <= 2  # the same two workers throughout


def test_a_failing_initializer_fails_each_task_with_its_reason():
    results = _results(parallel_map(square, range(3), PoolOptions(jobs=2, initializer=refuse)))
    assert all(isinstance(e, WorkerInitError) and "no state for you" in str(e) for e in results.values())


def test_jobs_must_be_positive():
    with pytest.raises(ValueError, match="jobs"):
        Pool(PoolOptions(jobs=0))


UNGUARDED = """
from selfeval_kit.pool import PoolOptions, parallel_map
from tests.test_pool import square
print(sorted(d.value for d in parallel_map(square, range(5), PoolOptions(jobs=2))))
"""


@pytest.mark.parametrize("how", ["script", "stdin"])
def test_a_script_without_a_main_guard_can_use_the_pool(tmp_path, how):
    """multiprocessing's spawn would run such a script again in every worker, and fail."""
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    if how == "script":
        proc = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path
        )
    else:
        proc = subprocess.run(
            [sys.executable, "-"], input=UNGUARDED, capture_output=True, text=True, timeout=120, env=env
        )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines() == ["[0, 1, 4, 9, 16]"]


KILLED_CALLER = """
import sys
from selfeval_kit.pool import PoolOptions, parallel_map
from tests.test_pool import record_pid_and_hang
list(parallel_map(record_pid_and_hang, [sys.argv[1]] * 2, PoolOptions(jobs=2)))
"""


def record_pid_and_hang(folder: str) -> None:
    Path(folder, str(os.getpid())).write_text("", encoding="utf-8")
    time.sleep(120)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by its new parent) counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_exit_when_their_caller_is_killed_even_mid_task(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    proc = subprocess.Popen([sys.executable, "-c", KILLED_CALLER, str(tmp_path)], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.iterdir())) < 2:
            assert time.monotonic() < deadline and proc.poll() is None, "the workers did not start their tasks"
            time.sleep(0.1)
        workers = [int(p.name) for p in tmp_path.iterdir()]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]


def test_an_item_that_does_not_pickle_is_its_task_failure():
    results = _results(parallel_map(square, [2, threading.Lock(), 3], PoolOptions(jobs=1)))
    assert results[0] == 4 and results[2] == 9
    assert isinstance(results[1], Exception) and "pickle" in f"{type(results[1]).__name__} {results[1]}".lower()


def collector_on(_: object) -> bool:
    import gc

    return gc.isenabled()


def test_the_garbage_collector_is_on_when_the_tasks_run():
    # off while the initializer runs (imports), on again after: tasks make garbage with cycles too
    results = _results(parallel_map(collector_on, range(4), PoolOptions(jobs=2, initializer=remember, initargs=("x",))))
    assert results == {0: True, 1: True, 2: True, 3: True}
