"""The Dask engine (`newsgen build --engine dask`): the same tasks as the local engine, on a
`dask.distributed` cluster.

With a scheduler address it connects to a running cluster (whose workers must have newsgen and its
dependencies installed, and see the articles folder at the same path); without one it starts a
`LocalCluster` of worker processes on this machine. The client (this process) keeps what needs the
whole archive at once (checking the copy candidates and their union-find, story grouping, the front
page, the search index, the atomic write) and sends out the rest:

- `map`: the items go in partitions (about four per worker, so a slow one does not hold up the rest,
  and at most `MAX_PARTITION` items each), inside the tasks, so that the scheduler can run a lost task
  again; only `PARTITIONS_PER_WORKER` partitions a worker are in flight at a time, so the client and
  the scheduler hold a window of the items in pickled form, not all of them; the shared data
  (settings) is scattered to every worker once, not sent with each partition;
- `shuffle`: each partition is split into `parts` pieces on its worker; reduce task k gathers piece k
  of every partition from the workers that hold them (worker to worker, never through the client).

A worker that dies mid-build loses only its running tasks: the scheduler runs them again on another
worker (up to `distributed.scheduler.allowed-failures` times), and since every task is pure, the
output is the same. Should a task fail for good, the build fails and the previous site stays.
"""
from __future__ import annotations

import logging
import operator
import pickle
import time
from collections import deque
from typing import Any, Iterator, Sequence

from .engine import Task, chunks
from .errors import BuildError, BuildFailed
from .pool import Sized, default_jobs

PARTITIONS_PER_WORKER = 4  # partitions a worker, and in flight a worker at a time
MAX_PARTITION = 500  # items a partition at most: about 4 MB of pickled articles


def _run(part: Sequence, task: Task, shared: Any) -> list:
    return [task(item, shared) for item in part]


def _apply(item: Any, task: Task, shared: Any):
    """task(item, shared) with the task passed by keyword: a shuffle's split or combine."""
    return task(item, shared)


class DaskEngine:
    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None, count_bytes: bool = False):
        try:
            import dask
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise BuildFailed([BuildError("--engine dask", "Dask is not installed: pip install 'newsgen[dask]'")])
        # Partitions of articles are the graph's data by design (see _partitions): no warning for its size.
        dask.config.set({"distributed.admin.large-graph-warning-threshold": "4GiB"})
        self.cluster = None
        self._shared: tuple[Any, Any] | None = None  # (the shared object, its future on the workers)
        try:
            if scheduler:
                # (Dask's connect timeout: 30 s unless its config says otherwise, e.g.
                # DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s)
                self.client = Client(scheduler, timeout=dask.config.get("distributed.comm.timeouts.connect"))
                if workers:
                    self.client.wait_for_workers(workers, timeout=120)
            else:
                self.cluster = LocalCluster(n_workers=workers or default_jobs(), threads_per_worker=1,
                                            processes=True, dashboard_address=None, silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise BuildFailed([BuildError(scheduler or "LocalCluster", f"cannot reach the Dask cluster: {exc}")])
        self.count_bytes = count_bytes
        self.counting = 0.0  # seconds spent counting them
        self.sent = 0  # bytes of items and shared data sent to the workers (counted with count_bytes) ...
        self.received = 0  # ... and of results they sent back

    def width(self) -> int:
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    def _scatter(self, shared: Any):
        """The shared data on every worker, sent once for as many stages as use the same object."""
        if shared is None:
            return None
        if self._shared is None or self._shared[0] is not shared:
            self._shared = None  # (releases the previous one on the workers)
            if self.count_bytes:
                self.sent += self._size(shared) * self.width()
            self._shared = (shared, self.client.scatter(shared, broadcast=True, hash=False))
        return self._shared[1]

    def _partitions(self, items: Sequence) -> list:
        """The items in partitions, about PARTITIONS_PER_WORKER a worker and at most MAX_PARTITION items
        each. They travel inside the tasks (not scattered as data), so that the scheduler can run a task
        again on another worker when the one holding it dies."""
        size = min(MAX_PARTITION, -(-len(items) // (self.width() * PARTITIONS_PER_WORKER)))
        return chunks(items, size)

    def _submit(self, function, part: Sequence, **kwargs):
        if self.count_bytes:
            self.sent += self._size(part)
        return self.client.submit(function, part, pure=False, **kwargs)

    def _size(self, data: Any) -> int:
        """Pickled bytes of the data (for the benchmark: the time this takes is kept in `counting`)."""
        start = time.perf_counter()
        size = len(pickle.dumps(data, pickle.HIGHEST_PROTOCOL))
        self.counting += time.perf_counter() - start
        return size

    def map(self, task: Task, items: Sequence, shared: Any = None, progress=None, stage: str = "") -> list:
        return list(self.stream(task, items, shared, progress, stage))

    def stream(self, task: Task, items: Sequence, shared: Any = None, progress=None, stage: str = "") -> Iterator:
        if not len(items):
            return
        ref = self._scatter(shared)
        parts = self._partitions(items)
        window = self.width() * PARTITIONS_PER_WORKER
        running: deque = deque()

        def results() -> Iterator[list]:
            """Each partition's results in order, with at most `window` partitions on the cluster."""
            waiting = iter(parts)
            for part in waiting:
                running.append(self._submit(_run, part, task=task, shared=ref))
                if len(running) >= window:
                    break
            while running:
                done = running.popleft().result()
                part = next(waiting, None)
                if part is not None:
                    running.append(self._submit(_run, part, task=task, shared=ref))
                yield done

        wrap = progress or (lambda it, _stage: it)
        try:
            for part in wrap(Sized(results(), len(parts)), stage):
                if self.count_bytes:
                    self.received += self._size(part)
                yield from part
        finally:
            self.client.cancel(list(running))

    def shuffle(self, split: Task, items: Sequence, combine: Task, parts: int, shared: Any = None,
                stage: str = "") -> list:
        ref = self._scatter(shared)
        mapped = [self._submit(_apply, part, task=split, shared=ref) for part in self._partitions(items)] if len(items) else []
        pieces = [[self.client.submit(operator.getitem, m, k, pure=False) for m in mapped] for k in range(parts)]
        reduced = [self.client.submit(_apply, pieces[k], task=combine, shared=ref, pure=False)
                   for k in range(parts)]
        try:
            found = self.client.gather(reduced)
            if self.count_bytes:
                self.received += self._size(found)
            return found
        finally:
            self.client.cancel(reduced + mapped + [f for row in pieces for f in row])

    def shuffled_bytes(self) -> int:
        """Bytes the workers have fetched from one another so far (the shuffle's pieces), as Dask logs them
        (its last `distributed.admin.low-level-log-length` transfers a worker)."""
        return sum(self.client.run(lambda dask_worker: sum(t["total"] for t in dask_worker.transfer_incoming_log)).values())

    def close(self) -> None:
        self._shared = None
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()
