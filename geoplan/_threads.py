"""Independent GEOS work of one vectorised call shared by a few threads.

shapely releases the GIL inside its vectorised functions and spatial-index queries, so a call
over a city's hundreds of thousands of shapes can be cut into contiguous chunks that run on the
cores this process may use. The results are put back in input order, so they are the same as
one call's. One thread where ``OMP_NUM_THREADS=1`` pins the numeric pools (the batch's Dask
workers: one task per core already).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Sequence

import numpy as np

#: Most threads one call uses (tuning: past a few cores GEOS waits on memory).
MAX_THREADS = 4
#: Fewest items worth a thread of their own (tuning: a thread costs about a millisecond).
MIN_PER_THREAD = 4096


def cores() -> int:
    """Threads a call may use: the cores this process may run on, at most :data:`MAX_THREADS`."""
    if os.environ.get("OMP_NUM_THREADS") == "1":
        return 1
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(MAX_THREADS, n))


def chunks(n: int, *, min_per_thread: int = MIN_PER_THREAD) -> list[tuple[int, int]]:
    """``(start, stop)`` of the contiguous chunks ``n`` items are cut into (one when few)."""
    k = max(1, min(cores(), n // max(1, min_per_thread)))
    cuts = np.linspace(0, n, k + 1).astype(int)
    return [(int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:])]


def map_chunks(work: Callable[[int, int], object], n: int, *,
               min_per_thread: int = MIN_PER_THREAD) -> list:
    """``work(start, stop)`` of every chunk of ``n`` items, in chunk order."""
    parts = chunks(n, min_per_thread=min_per_thread)
    if len(parts) == 1:
        return [work(*parts[0])]
    with ThreadPoolExecutor(len(parts)) as pool:
        return list(pool.map(lambda p: work(*p), parts))


def elementwise(func: Callable, *arrays: np.ndarray, **kwargs) -> np.ndarray:
    """``func(*arrays, **kwargs)`` for a shapely function of aligned arrays (one result each)."""
    n = len(arrays[0])
    return np.concatenate(map_chunks(lambda a, b: func(*(x[a:b] for x in arrays), **kwargs), n)) if n else \
        func(*arrays, **kwargs)


def tree_query(tree, geoms: np.ndarray, *, nearest: bool = False, **kwargs) -> np.ndarray:
    """``tree.query`` (or ``query_nearest``) of ``geoms``: the ``(2, k)`` pairs in input order."""
    ask = tree.query_nearest if nearest else tree.query

    def part(a: int, b: int) -> np.ndarray:
        found = np.asarray(ask(geoms[a:b], **kwargs))
        return np.vstack([found[0] + a, found[1]])

    found: Sequence[np.ndarray] = map_chunks(part, len(geoms)) if len(geoms) else [np.asarray(ask(geoms, **kwargs))]
    return np.concatenate(found, axis=1)
