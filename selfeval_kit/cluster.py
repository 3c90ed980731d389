"""Running a map on a Dask cluster (``--scheduler tcp://host:8786``): the back end behind `pool.Pool`.

    from selfeval_kit.cluster import connect, cluster_map

    client = connect("tcp://10.0.0.5:8786")
    for index, value, error, lost in cluster_map(client, len, ["a", "bb"]):
        ...
    client.close()

Dask (``pip install 'selfeval-kit[dask]'``: dask[distributed]) is imported only here, and only
when a scheduler is given; without the extra, or when the scheduler cannot be reached within
`CONNECT_TIMEOUT`, `ClusterError` says so in Chinese and English, naming the address. Results
stream back as tasks finish (``as_completed``) and each is released once read, so the client
never holds them all. A task that raises on a worker comes back with its exception, as in the
local pool, once (a Dask ``retries`` would run a failing report again); a worker lost mid-run has
its tasks run again by the scheduler on the others (up to the scheduler's
``distributed.scheduler.allowed-failures`` times, 3 by default; then the task is reported
``lost``). The workers must see the same files
as the client (a shared folder): the tasks name files, they do not carry them.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from selfeval_kit.errors import SelfEvalError

__all__ = ["CONNECT_TIMEOUT", "ClusterError", "cluster_map", "connect", "on_every_worker"]

log = logging.getLogger("selfeval_kit.cluster")

CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler before giving up

_INSTALL = "pip install 'selfeval-kit[dask]'"


class ClusterError(SelfEvalError):
    """The Dask extra is not installed, or the scheduler cannot be reached; the message names the address."""


@dataclass(frozen=True)
class _Box:
    """One task's function and item, opaque to Dask (which would otherwise look into tuples and
    strings for keys of its graph and substitute them)."""

    fn: Callable[[Any], Any]
    item: Any


def _apply(box: _Box) -> Any:
    return box.fn(box.item)


def connect(address: str, timeout: float = CONNECT_TIMEOUT) -> Any:
    """A `distributed.Client` of the scheduler at `address`.

    Parameters
    ----------
    address : str
        The scheduler's address, e.g. ``tcp://10.0.0.5:8786``.
    timeout : float, default `CONNECT_TIMEOUT`
        Seconds to reach it.

    Returns
    -------
    distributed.Client
        Connected; close it when done.

    Raises
    ------
    ClusterError
        When dask[distributed] is not installed, or the scheduler cannot be reached in time.
    """
    try:
        from distributed import Client
    except ImportError as exc:
        raise ClusterError(
            f"使用 Dask 调度器 {address} 需要安装 Dask 扩展：{_INSTALL}"
            f" (--scheduler needs dask[distributed]: {_INSTALL}; {exc})"
        ) from None
    _refused_at_once(address)
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, or a malformed address: one message
        raise _unreachable(address, timeout, f"{type(exc).__name__}: {exc}") from None


def _refused_at_once(address: str) -> None:
    """Fail at once for a TCP address nobody listens on, rather than retrying until the timeout."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp" or not parts.hostname:
        return  # another transport (tls://, inproc://): Dask's own connect decides
    try:
        port = parts.port
    except ValueError:
        return  # Dask reports the malformed address
    if port is None:
        return
    try:
        with socket.create_connection((parts.hostname, port), timeout=CONNECT_TIMEOUT):
            pass
    except ConnectionRefusedError as exc:
        raise _unreachable(address, 0, exc.strerror or str(exc)) from None
    except OSError:
        return  # a timeout or an unknown host: Dask tries again, and says why


def _unreachable(address: str, timeout: float, reason: str) -> ClusterError:
    within = f"{timeout:g} 秒内" if timeout else ""
    within_en = f" within {timeout:g} s" if timeout else ""
    return ClusterError(
        f"无法连接 Dask 调度器 {address}{within}（调度器是否已启动？`dask scheduler`）"
        f" (cannot reach the Dask scheduler at {address}{within_en}: {reason})"
    )


def cluster_map(
    client: Any, fn: Callable[[Any], Any], items: Iterable[Any]
) -> Iterator[tuple[int, Any, BaseException | None, bool]]:
    """Apply `fn` to every item on the cluster; yield ``(index, value, error, lost)`` as tasks finish.

    Parameters
    ----------
    client : distributed.Client
        From `connect`.
    fn : callable
        A function of one argument, picklable.
    items : iterable
        Its arguments, each picklable.

    Yields
    ------
    tuple
        The item's position, what `fn` returned (None on failure), the exception (None on
        success), and whether the task failed because its workers were lost rather than by
        raising.
    """
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    boxes = [_Box(fn, item) for item in items]
    if not boxes:
        return
    futures = client.map(_apply, boxes, pure=False)
    index = {future.key: i for i, future in enumerate(futures)}
    # The client is not the default one (`connect`): as_completed must be given its loop.
    completed = as_completed(futures, loop=client.loop)
    del boxes, futures  # as_completed holds the futures; each is dropped once read and released
    try:
        for future in completed:
            i = index[future.key]
            if future.status == "error":
                error = future.exception()
                yield i, None, error, isinstance(error, KilledWorker)
            elif future.status == "cancelled":
                yield i, None, RuntimeError(f"task {i} was cancelled on the cluster"), True
            else:
                yield i, future.result(), None, False
            future.release()
    finally:
        # Stopped early (an interruption, a caller that stopped reading): the cluster drops the rest.
        _quietly_cancel(client, list(completed.futures))


def on_every_worker(client: Any, fn: Callable[[Any], Any]) -> list:
    """Start ``fn(None)`` now on every worker the cluster has, as a task of each, without waiting for it.

    Returns
    -------
    list
        Its futures, one a worker: keep them while it should run (Dask drops a task no one holds),
        and release them. A worker that joins later is not given it.
    """
    workers = list(client.scheduler_info().get("workers", {}))
    return [client.submit(_apply, _Box(fn, None), workers=[w], allow_other_workers=False, pure=False) for w in workers]


def _quietly_cancel(client: Any, futures: list) -> None:
    if not futures:
        return
    try:
        client.cancel(futures)
    except Exception:  # the client may already be closed; nothing left to stop
        log.debug("could not cancel the cluster's remaining tasks", exc_info=True)
