"""The shared MILP builder: every model is one of two formulations handed to HiGHS in one call.

* **cover** — columns ``y_j`` (site open, binary) and, for MCLP, ``z_g`` (demand point
  covered); uncapacitated MCLP and LSCP.
* **assign** — columns ``y_j`` and ``x_gj`` per pair within the radius (the share of demand
  point ``g`` served by site ``j``); capacitated models and p-median.

The matrices are built with NumPy from the aggregated pairs (:class:`~.instance.Agg`), never
one Python object per variable; :class:`~geoplan.shelters.models._milp.Milp` passes them to
HiGHS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from geoplan.shelters.models._milp import Milp
from geoplan.shelters.models.instance import Agg, Instance

# Tuning: add the x_ij <= y_j linking rows to capacitated models up to this many pairs
# (they tighten the LP bound a lot; above this the model size matters more).
LINK_MAX_PAIRS = 500_000
# Tuning: above this many pairs, integral assignment MIPs run without HiGHS presolve, which
# otherwise may ignore the time limit for minutes on such models.
PRESOLVE_MAX_PAIRS = 100_000


@dataclass
class Layout:
    kind: str  # "cover" (y, z) or "assign" (y, x per pair)
    n: int
    n_groups: int
    n_pairs: int
    budget_row: int | None


def budget_coo(n: int, pre: np.ndarray, row: int):
    free = np.flatnonzero(~pre)
    return np.full(free.size, row, dtype=np.int64), free, np.ones(free.size)


def build_cover(agg: Agg, inst: Instance, *, maximize: bool, k_new: int | None) -> tuple[Milp, Layout]:
    """Uncapacitated MCLP (``maximize``) or LSCP on the aggregated instance.

    Columns: y_j (binary, per candidate) then, for MCLP, z_g in [0, 1] (covered).
    """
    n, G = inst.n_cand, agg.n_groups
    pre = inst.pre
    if maximize:
        # z_g - sum_{j in N(g)} y_j <= 0 ;  sum_{j not pre} y_j <= k
        rows = [agg.pair_g, np.arange(G)]
        cols = [agg.pair_j, n + np.arange(G)]
        vals = [-np.ones(agg.pair_g.size), np.ones(G)]
        row_lo = [np.full(G, -np.inf)]
        row_hi = [np.zeros(G)]
        budget_row = G
        br, bc, bv = budget_coo(n, pre, budget_row)
        rows.append(br), cols.append(bc), vals.append(bv)
        row_lo.append([-np.inf]), row_hi.append([float(k_new)])
        n_rows, n_cols = G + 1, n + G
        cost = np.concatenate([np.zeros(n), agg.weight])
        lower = np.concatenate([pre.astype(float), np.zeros(G)])
        upper = np.ones(n_cols)
        integer = np.concatenate([np.ones(n, dtype=np.int32), np.zeros(G, dtype=np.int32)])
    else:
        # sum_{j in N(g)} y_j >= 1
        rows, cols, vals = [agg.pair_g], [agg.pair_j], [np.ones(agg.pair_g.size)]
        row_lo, row_hi = [np.ones(G)], [np.full(G, np.inf)]
        budget_row = None
        n_rows, n_cols = G, n
        cost = np.ones(n)
        lower = pre.astype(float)
        upper = np.ones(n)
        integer = np.ones(n, dtype=np.int32)
    a = sparse.coo_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_rows, n_cols)
    )
    milp = Milp(
        a, cost, lower, upper, integer, np.concatenate(row_lo), np.concatenate(row_hi), maximize=maximize
    )
    return milp, Layout("cover", n, G, 0, budget_row)


def build_assign(
    agg: Agg,
    inst: Instance,
    *,
    objective: str,
    k_new: int | None,
    assign_all: bool,
    floor: float | None,
    integral: bool,
    pre: np.ndarray | None = None,
    ceiling: float | None = None,
) -> tuple[Milp, Layout]:
    """Assignment-based model (capacitated models and p-median).

    Columns: y_j (binary) then x_p per aggregated pair p = (g, j), the share of
    group g served by site j. Rows: assignment (sum_j x_gj = 1 or <= 1), capacity
    (sum_g W_g x_gj - cap_j y_j <= 0), linking (x_gj - y_j <= 0), budget
    (sum_{j not pre} y_j <= k) and coverage floor (floor <= sum W_g x_gj, and <= ``ceiling``
    when given).
    ``objective``: "cover" (max persons), "sites" (min count) or "distance"
    (min person-metres).
    """
    n, G, P = inst.n_cand, agg.n_groups, agg.pair_g.size
    pre = inst.pre if pre is None else pre
    caps = inst.capacities
    wp = agg.weight[agg.pair_g]
    xcol = n + np.arange(P)
    rows, cols, vals, row_lo, row_hi = [], [], [], [], []
    r0 = 0
    # assignment rows
    rows.append(agg.pair_g), cols.append(xcol), vals.append(np.ones(P))
    row_lo.append(np.ones(G) if assign_all else np.full(G, -np.inf)), row_hi.append(np.ones(G))
    r0 += G
    link = caps is None or P <= LINK_MAX_PAIRS
    if caps is not None:
        rows += [r0 + agg.pair_j, r0 + np.arange(n)]
        cols += [xcol, np.arange(n)]
        vals += [wp, -caps]
        row_lo.append(np.full(n, -np.inf)), row_hi.append(np.zeros(n))
        r0 += n
    if link:
        rows += [r0 + np.arange(P), r0 + np.arange(P)]
        cols += [xcol, agg.pair_j]
        vals += [np.ones(P), -np.ones(P)]
        row_lo.append(np.full(P, -np.inf)), row_hi.append(np.zeros(P))
        r0 += P
    budget_row = None
    if k_new is not None:
        budget_row = r0
        br, bc, bv = budget_coo(n, pre, r0)
        rows.append(br), cols.append(bc), vals.append(bv)
        row_lo.append([-np.inf]), row_hi.append([float(k_new)])
        r0 += 1
    if floor is not None:
        rows.append(np.full(P, r0)), cols.append(xcol), vals.append(wp)
        row_lo.append([floor]), row_hi.append([np.inf if ceiling is None else ceiling])
        r0 += 1
    a = sparse.coo_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r0, n + P)
    )
    cost, lower, upper, integer = _assign_columns(agg, inst, objective=objective, integral=integral, pre=pre)
    milp = Milp(
        a, cost, lower, upper, integer, np.concatenate(row_lo), np.concatenate(row_hi), maximize=objective == "cover"
    )
    return milp, Layout("assign", n, G, P, budget_row)


def _assign_columns(agg: Agg, inst: Instance, *, objective: str, integral: bool,
                    pre: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Objective, bounds and integrality of the assignment layout's columns (y_j, then x_p)."""
    n, P = inst.n_cand, agg.pair_g.size
    caps = inst.capacities
    wp = agg.weight[agg.pair_g]
    if objective == "cover":
        cost = np.concatenate([np.zeros(n), wp])
    elif objective == "sites":
        cost = np.concatenate([np.ones(n), np.zeros(P)])
    else:
        cost = np.concatenate([np.zeros(n), wp * agg.pair_d])
    upper = np.ones(n + P)
    if caps is not None and integral:
        upper[n + np.flatnonzero(wp > caps[agg.pair_j] * (1 + 1e-12))] = 0.0  # a point larger than the site
    lower = np.concatenate([pre.astype(float), np.zeros(P)])
    integer = np.zeros(n + P, dtype=np.int32)
    integer[:n] = 1
    if caps is not None and integral:
        integer[n:] = 1
    return cost, lower, upper, integer


def presolve_ok(agg: Agg, integral_assignment: bool) -> bool:
    """HiGHS presolve is skipped on very large integral assignment models (see ``Milp.solve``)."""
    return not (integral_assignment and agg.pair_g.size > PRESOLVE_MAX_PAIRS)


@dataclass
class Budget:
    """The solver's wall-clock budget (seconds) shared by the phases of one model, and its gap."""

    time_limit: float | None
    mip_rel_gap: float
    deadline: float | None = None
    #: Tuning: a later phase always gets at least this share of the limit, even past the deadline.
    floor_share: float = 0.1

    @classmethod
    def start(cls, time_limit: float | None, mip_rel_gap: float) -> "Budget":
        import time

        deadline = None if time_limit is None else time.perf_counter() + float(time_limit)
        return cls(time_limit, float(mip_rel_gap), deadline)

    @property
    def floor_s(self) -> float:
        return self.floor_share * float(self.time_limit) if self.time_limit is not None else 0.0

    def remaining(self) -> float | None:
        """Seconds left for the next phase (``None``: no limit)."""
        import time

        if self.deadline is None:
            return None
        return max(self.deadline - time.perf_counter(), self.floor_s)
