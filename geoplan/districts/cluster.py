"""Which Dask cluster runs the districts: a given client, a scheduler address, or a LocalCluster.

A LocalCluster of worker *processes* with one thread each is the default: every district's
analysis is numpy/scipy work that holds the GIL between calls, so processes, not threads, give
parallelism; numpy's BLAS/OpenMP pools are pinned to one thread so that N workers use N cores,
not N × cores. ``--scheduler`` (or the standard ``DASK_SCHEDULER_ADDRESS``) sends the same
tasks to any running cluster (``dask scheduler`` + ``dask worker``, or a managed deployment).
"""

from __future__ import annotations

import contextlib
import os
from typing import Iterator

#: Environment of LocalCluster workers: one thread per numeric library pool.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "NUMEXPR_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1"}


def default_workers() -> int:
    """One worker per core, at most 8 (a district needs memory too)."""
    return max(1, min(8, os.cpu_count() or 1))


@contextlib.contextmanager
def dask_client(*, client=None, scheduler: str | None = None, workers: int | None = None,
                retries: int = 1) -> Iterator:
    """A ``distributed.Client`` for the batch, closed afterwards if this function made it.

    Parameters
    ----------
    client : distributed.Client, optional
        Use this client as it is (not closed here).
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``); default ``DASK_SCHEDULER_ADDRESS``.
    workers : int, optional
        Worker processes of the LocalCluster started otherwise (default: :func:`default_workers`).
    retries : int
        How many times a task may lose its worker before it is reported failed
        (the scheduler's ``allowed-failures``; a LocalCluster's nanny restarts a dead worker).
    """
    import dask
    from distributed import Client, LocalCluster

    if client is not None:
        yield client
        return
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if address:
        with Client(address) as made:
            yield made
        return
    n = workers or default_workers()
    with dask.config.set({"distributed.scheduler.allowed-failures": int(retries)}):
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, memory_limit="auto",
                          env=WORKER_ENV, dashboard_address=":0") as cluster, Client(cluster) as made:
            yield made
