"""Thin, vectorised wrapper around HiGHS (``highspy``) for the site models.

The model is handed to HiGHS in one call (``Highs.passModel`` with column-wise
sparse arrays), so building a model with millions of non-zeros costs a few NumPy /
SciPy operations and no per-variable Python loop.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

_KCOLWISE = int(highspy.MatrixFormat.kColwise)
_MAXIMIZE = int(highspy.ObjSense.kMaximize)
_MINIMIZE = int(highspy.ObjSense.kMinimize)

_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible",
    highspy.HighsModelStatus.kUnbounded: "unbounded",
    highspy.HighsModelStatus.kIterationLimit: "iteration_limit",
    highspy.HighsModelStatus.kSolutionLimit: "solution_limit",
    highspy.HighsModelStatus.kInterrupt: "interrupted",
    highspy.HighsModelStatus.kMemoryLimit: "memory_limit",
    highspy.HighsModelStatus.kModelEmpty: "optimal",
}


@contextlib.contextmanager
def _stdout_to_devnull():
    """Send what C code writes on file descriptor 1 to /dev/null for the duration."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (embedded interpreters): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


@functools.cache
def _banner_swallowed() -> bool:
    """Create the process's first HiGHS instance silently.

    HiGHS prints its version banner on stdout when the first instance is created, before any
    option can turn output off; geoplan's stdout is the planner's summary, so that first
    instance is made with stdout sent to /dev/null.
    """
    with _stdout_to_devnull():
        highspy.Highs()
    return True


@dataclass
class MilpResult:
    """Outcome of one HiGHS run."""

    x: np.ndarray | None
    status: str
    objective: float
    gap: float
    solve_time_s: float
    bound: float = float("nan")  # best proven bound on the objective (MIP dual bound)


class Milp:
    """A mixed-integer programme ``opt c'x  s.t.  rl <= A x <= ru,  l <= x <= u``.

    Parameters
    ----------
    a
        Constraint matrix (any SciPy sparse format), ``n_rows × n_cols``.
    cost, lower, upper
        Objective coefficients and column bounds, length ``n_cols``.
    integer
        Boolean mask of integer columns.
    row_lower, row_upper
        Row bounds, length ``n_rows`` (``±np.inf`` for free sides).
    maximize
        Objective sense.
    """

    def __init__(
        self,
        a,
        cost: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
        integer: np.ndarray,
        row_lower: np.ndarray,
        row_upper: np.ndarray,
        *,
        maximize: bool,
    ) -> None:
        a = sparse.csc_array(a)
        a.sum_duplicates()
        a.sort_indices()
        self.n_cols = int(a.shape[1])
        self.n_rows = int(a.shape[0])
        self.n_nonzeros = int(a.nnz)
        self.maximize = maximize
        _banner_swallowed()
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        status = self.highs.passModel(
            self.n_cols,
            self.n_rows,
            self.n_nonzeros,
            _KCOLWISE,
            _MAXIMIZE if maximize else _MINIMIZE,
            0.0,
            np.ascontiguousarray(cost, dtype=np.float64),
            np.ascontiguousarray(lower, dtype=np.float64),
            np.ascontiguousarray(upper, dtype=np.float64),
            np.ascontiguousarray(row_lower, dtype=np.float64),
            np.ascontiguousarray(row_upper, dtype=np.float64),
            np.ascontiguousarray(a.indptr, dtype=np.int32),
            np.ascontiguousarray(a.indices, dtype=np.int32),
            np.ascontiguousarray(a.data, dtype=np.float64),
            np.ascontiguousarray(integer, dtype=np.int32),
        )
        if status == highspy.HighsStatus.kError:  # pragma: no cover - defensive
            raise RuntimeError("HiGHS rejected the site-selection model")

    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        """Change the bounds of one constraint row (e.g. the site budget)."""
        self.highs.changeRowBounds(int(row), float(lower), float(upper))

    def solve(
        self,
        *,
        time_limit: float | None = None,
        mip_rel_gap: float = 1e-4,
        start: np.ndarray | None = None,
        presolve: bool = True,
    ) -> MilpResult:
        """Run HiGHS; return the best solution found (``x`` is None if none).

        ``presolve=False`` is used for very large integral assignment models: HiGHS
        1.15's MIP presolve can run for many minutes there without checking the
        time limit, whereas the branch-and-bound honours it.
        """
        h = self.highs
        h.setOptionValue("presolve", "on" if presolve else "off")
        h.setOptionValue("time_limit", float(time_limit) if time_limit is not None else float("inf"))
        h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
        # Tuning: feasibility jump only looks for a first incumbent; with a start it costs seconds
        # before the root LP on large assignment models and finds nothing better.
        h.setOptionValue("mip_heuristic_run_feasibility_jump", start is None)
        if start is not None:
            idx = np.arange(self.n_cols, dtype=np.int32)
            h.setSolution(self.n_cols, idx, np.ascontiguousarray(start, dtype=np.float64))
        t0 = time.perf_counter()
        h.run()
        elapsed = time.perf_counter() - t0
        model_status = h.getModelStatus()
        status = _STATUS.get(model_status, h.modelStatusToString(model_status).lower().replace(" ", "_"))
        info = h.getInfo()
        has_solution = int(info.primal_solution_status) == 2  # kSolutionStatusFeasible
        x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_solution else None
        if x is not None and x.size != self.n_cols:  # pragma: no cover - defensive
            x = None
        gap = float(info.mip_gap) if has_solution else float("inf")
        if status == "optimal" and not np.isfinite(gap):
            gap = 0.0
        objective = float(info.objective_function_value) if has_solution else float("nan")
        bound = float(info.mip_dual_bound)
        if status == "optimal" and has_solution and not np.isfinite(bound):
            bound = objective
        return MilpResult(x=x, status=status, objective=objective, gap=gap, solve_time_s=elapsed, bound=bound)
