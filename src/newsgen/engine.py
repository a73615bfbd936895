"""Engines: what runs the pipeline's heavy stages.

Every heavy stage (load and clean each file, each article's features and LSH signature, the shuffle of
LSH band keys into candidate pairs, each story's analysis, each page) is written once, as a task over
one item, `task(item, shared)`: a module-level function, the item, and read-only data every item needs
(the settings, or the whole site for rendering). An engine runs it:

- `LocalEngine` (the default): in this process, or on a process pool forked from it (pool.py), so
  nothing is copied to the workers but the items' indices;
- `DaskEngine` (`--engine dask`, engine_dask.py): on a `dask.distributed` cluster, a running one or a
  LocalCluster. The shared data is sent to each worker once; items go in partitions.

Two operations make the stages: `map` (each item alone; results in the items' order; `stream` gives
them one at a time as they come, so that the caller need not hold them all) and `shuffle`
(each partition's items split into `parts` pieces by key; piece k of every partition goes to reduce
task k; the reduced results come back in order). No stage knows which engine runs it, and every engine
gives the same results: the tasks are pure and the results keep the items' order.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator, Protocol, Sequence, TypeVar

from .pool import default_jobs, parallel_stream

T = TypeVar("T")
Task = Callable[[Any, Any], Any]  # task(item, shared) -> result: a module-level function


class Engine(Protocol):
    name: str

    def map(self, task: Task, items: Sequence, shared: Any = None, progress=None, stage: str = "") -> list: ...

    def stream(self, task: Task, items: Sequence, shared: Any = None, progress=None,
               stage: str = "") -> Iterator: ...

    def shuffle(self, split: Task, items: Sequence, combine: Task, parts: int, shared: Any = None,
                stage: str = "") -> list: ...

    def width(self) -> int: ...

    def close(self) -> None: ...


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """The items in consecutive slices of `size` (the last may be shorter)."""
    return [items[i:i + size] for i in range(0, len(items), max(1, size))]


class LocalEngine:
    """This machine: `jobs` forked processes (None: one a core; 1: the process itself)."""

    name = "local"

    def __init__(self, jobs: int | None = None):
        self.jobs = jobs

    def width(self) -> int:
        return default_jobs() if self.jobs is None else self.jobs

    def map(self, task: Task, items: Sequence, shared: Any = None, progress=None, stage: str = "") -> list:
        return list(self.stream(task, items, shared, progress, stage))

    def stream(self, task: Task, items: Sequence, shared: Any = None, progress=None, stage: str = "") -> Iterator:
        return parallel_stream(lambda item: task(item, shared), items, self.jobs, progress, stage)

    def shuffle(self, split: Task, items: Sequence, combine: Task, parts: int, shared: Any = None,
                stage: str = "") -> list:
        size = -(-len(items) // max(1, self.width()))
        pieces = self.map(split, chunks(items, size), shared, stage=stage) if items else []
        return self.map(combine, [[p[k] for p in pieces] for k in range(parts)], shared, stage=stage)

    def close(self) -> None:
        pass


def make_engine(name: str = "local", jobs: int | None = None, scheduler: str | None = None,
                workers: int | None = None) -> Engine:
    """The engine `name` ("local" or "dask"). Dask is imported only here, and only for "dask"."""
    if name == "local":
        return LocalEngine(jobs)
    if name == "dask":
        from .engine_dask import DaskEngine

        return DaskEngine(scheduler, workers)
    raise ValueError(f"unknown engine {name!r} (expected local or dask)")
