"""Run independent tasks in order-preserving batches: in this process, on a local process pool, or
on a Dask distributed cluster (``scheduler="tcp://host:port"`` or a ``dask.distributed.Client``);
the engine of the bootstrap (:mod:`.bootstrap`) and of Monte Carlo power
(:mod:`psychometrics.simulate.power`). What every task shares (``shared``: the model, the data)
is sent once per worker process (the pool's initializer; Dask's ``scatter``), not with each task.

In pool and cluster workers the BLAS libraries run one thread each: the tasks are many small
matrix problems, and two BLAS threads per process on two cores made two processes slower than one
(measured: 50 against 64 replications per second; 140 with one thread each).

Every task carries its own random streams, so the results do not depend on where or in which order
the tasks ran; they come back in task order. A task lost with a worker is run again by Dask (its
scheduler retries tasks of a lost worker), never dropped. Ctrl-C cancels the tasks not started and
stops the pool or the client before the interrupt goes on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from ..exceptions import OptionError, PsychometricsError

#: how long to try reaching a Dask scheduler before giving up with a message
CONNECT_TIMEOUT = "20s"


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, e.g. a container's or a batch job's share),
    not every core of the machine."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):     # not on Linux
        return os.cpu_count() or 1


_SHARED: Any = None


def _set_shared(value: Any) -> None:
    """A pool worker's start: the shared data; Ctrl-C is the parent's to handle (a worker dying of
    it would leave the pool waiting for its results)."""
    import signal

    global _SHARED
    _SHARED = value
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _with_shared(fn: Callable[[Any, Any], Any], task: Any) -> Any:
    return fn(task, _SHARED)


class _OneThread:
    """``fn`` with the process's BLAS thread pools limited to one thread (set once per process)."""

    done = False

    def __init__(self, fn: Callable[..., Any]):
        self.fn = fn

    def __call__(self, *args: Any) -> Any:
        if not _OneThread.done:
            from threadpoolctl import threadpool_limits

            threadpool_limits(1)
            _OneThread.done = True
        return self.fn(*args)


def run(fn: Callable[[Any, Any], Any], tasks: Sequence[Any], workers: int | None = None, scheduler: Any = None,
        progress: bool = True, desc: str = "replications", sizes: Sequence[int] | None = None, shared: Any = None,
        argument: str = "workers") -> list:
    """``[fn(t, shared) for t in tasks]`` on the chosen engine (``sizes``: units per task for the
    progress bar; ``argument``: the caller's name for ``workers`` in messages)."""
    import multiprocessing as mp

    from tqdm.auto import tqdm

    sizes = list(sizes) if sizes is not None else [1] * len(tasks)
    bar = tqdm(total=sum(sizes), desc=desc, disable=not progress, leave=False)
    try:
        if scheduler is not None:
            return _dask(fn, tasks, scheduler, bar, sizes, shared)
        n = available_cores() if workers in (None, -1) else workers
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise OptionError(f"{argument}={workers!r}: give a number of processes (1 or more; -1 for all cores)",
                              argument=argument)
        if n == 1 or len(tasks) == 1 or "fork" not in mp.get_all_start_methods():   # no fork (Windows): here
            out = []
            for t, s in zip(tasks, sizes):
                out.append(fn(t, shared))
                bar.update(s)
            return out
        return _pool(fn, tasks, min(n, len(tasks)), bar, sizes, shared)
    finally:
        bar.close()


def _pool(fn, tasks, n: int, bar, sizes, shared) -> list:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    results: list = [None] * len(tasks)
    pool = ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("fork"), initializer=_set_shared,
                               initargs=(shared,))
    try:
        futures = {pool.submit(_OneThread(_with_shared), fn, t): i for i, t in enumerate(tasks)}
        for fut in as_completed(futures):
            i = futures[fut]
            results[i] = fut.result()
            bar.update(sizes[i])
    except BaseException:                 # Ctrl-C or a failed task: stop the workers now, then go on
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return results


def _dask(fn, tasks, scheduler, bar, sizes, shared) -> list:
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise PsychometricsError("scheduler= needs Dask: pip install 'psychometrics[distributed]'") from None
    own = not isinstance(scheduler, Client)
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT) if own else scheduler
    except OSError as exc:
        raise PsychometricsError(f"cannot reach the Dask scheduler {scheduler!r} ({exc}); start it with "
                                 "'dask scheduler' and workers with 'dask worker ADDRESS'") from None
    try:
        common = None
        for attempt in range(3):     # a worker lost while the shared data go out: send them again
            try:
                common = client.scatter(shared, broadcast=True) if shared is not None else None
                break
            except OSError:
                if attempt == 2:
                    raise
        futures = client.map(_OneThread(fn), list(tasks), [common] * len(tasks), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list = [None] * len(tasks)
        try:
            for fut in as_completed(futures):
                i = index[fut.key]
                results[i] = fut.result()
                bar.update(sizes[i])
        except BaseException:
            client.cancel(futures)
            raise
        return results
    finally:
        if own:
            client.close()
