"""Both cores: a stage's independent items (files to load, stories to analyse, pages to render) on a process pool.

Workers are forked, so they start with the parent's memory (the loaded articles, the configuration,
the templates) and nothing is sent to them but each item; each result comes back pickled. A pool costs
about 0.1 s to start and a few milliseconds per item sent back, so it is used only when a stage has at
least `MIN_ITEMS` items and the machine more than one core. Where fork is not the system's way (Windows,
macOS) every stage runs in the process itself; the output is the same either way, since every item is
computed alone and the results keep the items' order.
"""
from __future__ import annotations

import os
import sys
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 64  # fewer items than this run in the process itself: a pool would cost more than it saves

_task: Callable | None = None  # the function the forked workers call (set before the fork) ...
_items: Sequence = ()  # ... and the items they call it on: only an item's index is sent to a worker


def default_jobs() -> int:
    """Worker processes to use: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _call(n: int):
    try:
        return _task(_items[n])
    except Exception as exc:
        raise _portable(exc) from None


def _portable(exc: Exception) -> Exception:
    """The exception itself if it survives pickling both ways, else a RuntimeError that says what it was.
    An exception the parent cannot unpickle kills the pool's result thread, and the build would wait
    for that result forever."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        import traceback

        return RuntimeError("".join(traceback.format_exception(exc)).rstrip())


def parallel_map(task: Callable[[T], R], items: Sequence[T], jobs: int | None = None,
                 progress: Callable[[Iterable, str], Iterable] | None = None, stage: str = "") -> list[R]:
    """[task(x) for x in items], on `jobs` forked processes when that pays; results in the items' order.

    `task` and `items` may be anything, closures included: the workers inherit both by the fork, and only
    indices and results cross between processes. Exceptions raised in a worker are raised here."""
    return list(parallel_stream(task, items, jobs, progress, stage))


def parallel_stream(task: Callable[[T], R], items: Sequence[T], jobs: int | None = None,
                    progress: Callable[[Iterable, str], Iterable] | None = None, stage: str = "") -> Iterator[R]:
    """parallel_map's results one at a time, in the items' order, each as soon as it and those before it
    are made: the caller need not hold them all (rendered pages are written as they come)."""
    global _task, _items
    jobs = default_jobs() if jobs is None else jobs
    wrap = progress or (lambda it, _stage: it)
    if jobs < 2 or len(items) < MIN_ITEMS or not sys.platform.startswith("linux"):
        yield from (task(x) for x in wrap(items, stage))
        return
    import multiprocessing

    _task, _items = task, items  # read by the workers the pool forks (and forks again should one die)
    try:
        chunk = max(1, min(64, len(items) // (jobs * 8)))
        with multiprocessing.get_context("fork").Pool(min(jobs, len(items))) as pool:
            yield from wrap(Sized(pool.imap(_call, range(len(items)), chunksize=chunk), len(items)), stage)
    finally:
        _task, _items = None, ()


class Sized:
    """An iterator with a length, so that a progress bar knows the total."""

    def __init__(self, it, n: int):
        self.it, self.n = it, n

    def __iter__(self):
        return iter(self.it)

    def __len__(self) -> int:
        return self.n
