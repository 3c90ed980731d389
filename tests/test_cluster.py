"""`--scheduler`: `selfeval check` and `selfeval build` on a real Dask cluster give what they give locally."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

from selfeval_kit.pool import Pool, PoolOptions, WorkerInitError, parallel_map  # noqa: E402
from selfeval_kit.publish.build import build  # noqa: E402
from selfeval_kit.publish.manifest import EVALUATION_NAME  # noqa: E402
from tests.publish.test_snapshot import spoil_after_evaluation  # noqa: E402
from tests.test_pool import fails_on_two, refuse, remember, square, state  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "2022"
SUBSET = ("hotline-system-ops.yaml", "portal-website-ops.yaml")
# A page stamped with a time (none is today, but a build may add one) is compared without it.
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?([+-]\d{4}|Z)?")


@pytest.fixture(scope="module")
def address():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def _selfeval(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "selfeval_kit", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_check_on_the_cluster_prints_what_the_local_check_prints(address):
    local = _selfeval("check", str(DATA), "--json")
    remote = _selfeval("check", str(DATA), "--json", "--scheduler", address)
    assert (remote.returncode, remote.stdout) == (local.returncode, local.stdout)
    assert '"id": "hotline-system-ops"' in remote.stdout


def test_the_scheduler_may_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:1")
    done = _selfeval("check", str(DATA), "--json")
    assert (done.returncode, done.stdout) == (1, "")
    assert "tcp://127.0.0.1:1" in done.stderr


def test_build_on_the_cluster_writes_the_pages_the_local_build_writes(address, tmp_path):
    data = tmp_path / "2022"
    data.mkdir()
    for name in SUBSET:
        shutil.copy(DATA / name, data / name)
    local = _selfeval("build", str(data), "--out", str(tmp_path / "local"), "--jobs", "2")
    remote = _selfeval("build", str(data), "--out", str(tmp_path / "remote"), "--scheduler", address)
    assert local.returncode == 0 and remote.returncode == 0, remote.stderr
    pages = sorted(p.name for p in (tmp_path / "local").glob("*.html"))
    assert pages == ["annual.html", "hotline-system-ops.html", "index.html", "portal-website-ops.html"]
    assert sorted(p.name for p in (tmp_path / "remote").glob("*.html")) == pages
    for page in pages:
        mine = _STAMP.sub("", (tmp_path / "local" / page).read_text(encoding="utf-8"))
        theirs = _STAMP.sub("", (tmp_path / "remote" / page).read_text(encoding="utf-8"))
        assert theirs == mine, page


def test_the_clusters_workers_read_the_builds_evaluation_not_the_forms(address, tmp_path, monkeypatch):
    data = tmp_path / "2022"
    data.mkdir()
    for name in SUBSET:
        shutil.copy(DATA / name, data / name)
    spoil_after_evaluation(monkeypatch, data)
    result = build(data, tmp_path / "out", scheduler=address)
    assert result.ok, [r.error for r in result.reports if r.error]
    assert len(result.projects) == 2 and not (tmp_path / "out" / EVALUATION_NAME).exists()


def test_an_unreachable_scheduler_is_named_quickly_without_a_traceback():
    started = time.monotonic()
    done = _selfeval("check", str(DATA), "--scheduler", "tcp://127.0.0.1:1")
    assert done.returncode == 1
    assert "无法连接 Dask 调度器 tcp://127.0.0.1:1" in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - started < 15


def test_a_task_failing_on_a_worker_fails_its_done_only(address):
    results = {d.index: (d.value if d.ok else d.error) for d in parallel_map(fails_on_two, range(4), _on(address))}
    assert isinstance(results[2], ValueError) and str(results[2]) == "two is refused"
    assert {i: v for i, v in results.items() if i != 2} == {0: 0, 1: 1, 3: 3}


def test_results_come_with_their_index(address):
    results = {d.index: d.value for d in parallel_map(square, [3, 1, 4], _on(address))}
    assert results == {0: 9, 1: 1, 2: 16}


def test_the_initializer_runs_once_per_worker_process(address):
    options = _on(address, initializer=remember, initargs=("cluster-once",))
    with Pool(options) as pool:
        seen = [d.value for d in pool.map(state, range(8))]
    assert {tag for _, tag, _ in seen} == {"cluster-once"}
    assert {inits for _, _, inits in seen} == {1}  # never twice in one process, whichever ran the task


def test_a_failing_initializer_fails_every_task(address):
    dones = list(parallel_map(square, [1, 2], _on(address, initializer=refuse)))
    assert [type(d.error) for d in dones] == [WorkerInitError, WorkerInitError]
    assert all("no state for you" in str(d.error) for d in dones)


def die_once(item: tuple[int, str]) -> int:
    """Kill the worker process the first time item 1 runs (a marker file remembers), else square."""
    number, marker = item
    if number == 1 and not Path(marker).exists():
        Path(marker).write_text("died", encoding="utf-8")
        os._exit(1)
    return number * number


def test_a_worker_lost_mid_map_has_only_its_task_run_again(address, tmp_path):
    marker = str(tmp_path / "died")
    items = [(n, marker) for n in range(4)]
    results = {d.index: (d.value if d.ok else d.error) for d in parallel_map(die_once, items, _on(address))}
    assert Path(marker).read_text(encoding="utf-8") == "died"  # the worker did die once
    assert results == {0: 0, 1: 1, 2: 4, 3: 9}


def _on(address: str, **kwargs) -> PoolOptions:
    return PoolOptions(scheduler=address, **kwargs)


def _tag() -> object:
    from tests.test_pool import _STATE

    return _STATE.get("tag")


def test_every_worker_starts_the_initializer_when_the_pool_connects(address):
    with distributed.Client(address, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=60)  # a worker an earlier test killed is back
        with Pool(_on(address, initializer=remember, initargs=("cluster-eager",))):
            deadline = time.monotonic() + 60
            tags = client.run(_tag)
            while set(tags.values()) != {"cluster-eager"} and time.monotonic() < deadline:
                time.sleep(0.05)
                tags = client.run(_tag)
    assert len(tags) == 2 and set(tags.values()) == {"cluster-eager"}  # no task was given
