"""Location models for shelter sites, usable on their own from a cost matrix.

Everything here works on a plain *demand × candidate* distance table, so a planner
can feed network distances computed by any other tool. The OSM-side analysis builds
the table from the walking network and then calls :func:`solve_from_cost_matrix`.

Models
------
``"lscp"``
    Location set covering: the fewest sites so that every resident who has a
    candidate within ``radius`` is covered. ``k`` is ignored.
``"mclp"``
    Maximal covering: the ``k`` new sites (on top of ``preselected``) that cover
    the most residents within ``radius``.
``"pmedian"``
    p-median: the ``k`` new sites (on top of ``preselected``) with the least total
    weighted walking distance, each resident going to an open site **within**
    ``radius`` (pass ``radius=np.inf`` for the classic unrestricted p-median).
    Residents with no candidate within the radius cannot be served and are
    reported in ``unreachable_weight``. If ``k`` sites cannot reach everyone who is
    reachable, the model first serves as many residents as possible (the MCLP
    optimum) and then, among those solutions, minimises the distance; the
    residents left out are reported in ``shortfall_weight`` and in the message.

Any model becomes *capacitated* when ``capacities`` is given: each resident point
is assigned to at most one open site within the radius and a site's assigned
population never exceeds its capacity. By default an (aggregated) resident point
is assigned whole to one site (``split=False``); ``split=True`` lets a point's
population be divided between sites (a continuous assignment, easier to solve on
very large instances). A capacitated LSCP that cannot serve everyone even with all
candidates open returns status ``"infeasible"`` with the shortfall and, as the
proposal, the fewest sites that serve the most residents possible.

Large instances: a capacitated MCLP with whole-point assignment and more than
20,000 resident–site pairs is solved in two stages (sites chosen with split
assignment, whose optimum bounds the whole-point one; then whole points assigned
to those sites); the gap is reported against that bound. Capacitated models start
from a greedy solution, and integral assignment models with more than 100,000
pairs run without HiGHS presolve (which can overrun the time limit there). With
a 2–3 km radius on city-sized data (millions of pairs) a 60 s limit may leave a
large gap: read ``optimality_gap`` before trusting the proposal, or raise
``time_limit``.

Conventions
-----------
* ``cost`` is in metres (any consistent length unit works), ``weights`` and
  ``capacities`` in persons.
* Dense ``cost``: ``np.inf`` or ``NaN`` marks an unreachable pair. Sparse ``cost``
  (any SciPy sparse matrix/array): the **stored entries** are the reachable pairs
  (an explicitly stored 0 is a pair at distance 0); non-stored pairs are
  unreachable. Only pairs with ``cost <= radius`` are ever used.
* ``k`` counts **new** sites, on top of the ``preselected`` ones (existing
  shelters), which are always open. ``k`` is an upper bound: a site that would add
  nothing is not proposed. A ``k`` above the number of candidates left is clamped
  (with a warning and a note in ``message``).
* Residents with weight 0 are ignored. Residents with identical reachable
  candidates (and, where distances matter, identical distances) are aggregated
  into one point before solving; results are expanded back to the input rows.
* Solving uses HiGHS (``highspy``). ``time_limit`` is the wall-clock budget in
  seconds for the solver (shared by the phases of two-phase models); the best
  solution found is returned with the relative ``optimality_gap``.
"""

from __future__ import annotations

import hashlib
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from geoplan.errors import InputError
from geoplan.shelters._milp import Milp, MilpResult

__all__ = ["SiteSolution", "solve_from_cost_matrix", "coverage_curve", "MODELS"]

MODELS = ("lscp", "mclp", "pmedian")
_ALIASES = {
    "lscp": "lscp",
    "mclp": "mclp",
    "pmedian": "pmedian",
    "p-median": "pmedian",
    "p_median": "pmedian",
}
# Add the x_ij <= y_j linking rows to capacitated models up to this many pairs
# (they tighten the LP bound a lot; above this the model size matters more).
_LINK_MAX_PAIRS = 500_000
# Capacitated MCLP with whole-point assignment above this many pairs is solved in
# stages (split sites, then whole-point assignment); below it, as one MIP.
_DIRECT_MAX_PAIRS = 20_000
# Above this many pairs, integral assignment MIPs run without HiGHS presolve, which
# otherwise may ignore the time limit for minutes on such models.
_PRESOLVE_MAX_PAIRS = 100_000


# --------------------------------------------------------------------------- result


@dataclass
class SiteSolution:
    """Result of a site-selection model.

    Attributes
    ----------
    selected : numpy.ndarray of int
        Candidate column indices of the open sites (preselected included), sorted.
    covered_weight : float
        Persons assigned to an open site within the radius.
    total_weight : float
        Persons in the input (all rows).
    reachable_weight : float
        Persons with at least one candidate within the radius.
    unreachable_weight : float
        Persons with no candidate within the radius (no model can serve them).
    shortfall_weight : float
        Reachable persons left unassigned (``reachable_weight - covered_weight``):
        too few sites for MCLP / p-median, or capacity exhausted.
    objective : float
        LSCP: number of open sites (preselected included). MCLP: covered persons.
        p-median: total weighted distance (person-metres) of the assigned persons.
    optimality_gap : float
        Relative MIP gap reported by HiGHS for the (final) solve; 0 when proven
        optimal, ``inf`` when no solution was found.
    status : str
        ``"optimal"``, ``"time_limit"`` (best solution found is returned),
        ``"infeasible"`` (capacitated LSCP cannot serve everyone; the best partial
        proposal is returned), ``"feasible"`` (large capacitated MCLP solved in
        stages: a solution within ``optimality_gap`` but not proven optimal), ``"no_demand"`` (nothing to serve) or another
        HiGHS status in lower case.
    message : str
        Planner-readable explanation of the outcome and any adjustments.
    assignment : numpy.ndarray of int
        For every input row, the candidate column serving it, or -1. With
        ``split=True`` this is the site taking the largest share (see ``flows``).
    assigned_weight : numpy.ndarray of float
        Persons assigned to each site in ``selected`` (same order).
    total_distance : float
        Sum of assigned persons × distance (person-metres).
    solve_time_s : float
        Wall-clock seconds spent in HiGHS (all phases).
    n_variables, n_constraints, n_nonzeros : int
        Size of the (final) MILP handed to HiGHS.
    n_demand_points : int
        Demand points after dropping zero weights and aggregating identical rows.
    model : str
        ``"lscp"``, ``"mclp"`` or ``"pmedian"``.
    radius : float
        Service radius in metres.
    k : int or None
        Number of new sites allowed (after clamping); None for LSCP.
    capacitated, split : bool
        Whether capacities were used and whether assignment could be split.
    preselected : numpy.ndarray of int
        Preselected candidate columns (always in ``selected``).
    flows : pandas.DataFrame or None
        ``split=True`` only: columns ``demand`` (input row), ``site`` and
        ``weight`` (persons of that row sent to that site).
    """

    selected: np.ndarray
    covered_weight: float
    total_weight: float
    reachable_weight: float
    unreachable_weight: float
    shortfall_weight: float
    objective: float
    optimality_gap: float
    status: str
    message: str
    assignment: np.ndarray
    assigned_weight: np.ndarray
    total_distance: float
    solve_time_s: float
    n_variables: int
    n_constraints: int
    n_nonzeros: int
    n_demand_points: int
    model: str
    radius: float
    k: int | None
    capacitated: bool = False
    split: bool = False
    preselected: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    flows: pd.DataFrame | None = None

    @property
    def covered_share(self) -> float:
        """Covered persons as a share of all persons (0 when there are none)."""
        return self.covered_weight / self.total_weight if self.total_weight > 0 else 0.0

    @property
    def mean_distance(self) -> float:
        """Mean walking distance (metres) of the assigned persons (NaN if none)."""
        return self.total_distance / self.covered_weight if self.covered_weight > 0 else float("nan")

    def site_table(self, capacities=None) -> pd.DataFrame:
        """One row per open site: ``site``, ``preselected``, ``assigned_weight``
        (persons) and, when ``capacities`` (the array given to the solver) is
        passed, ``capacity`` and ``utilisation``."""
        table = pd.DataFrame(
            {
                "site": self.selected,
                "preselected": np.isin(self.selected, self.preselected),
                "assigned_weight": self.assigned_weight,
            }
        )
        if capacities is not None:
            cap = np.asarray(capacities, dtype=float)[self.selected]
            table["capacity"] = cap
            with np.errstate(divide="ignore", invalid="ignore"):
                table["utilisation"] = np.where(cap > 0, self.assigned_weight / cap, np.nan)
        return table

    def summary(self) -> str:
        """A short multi-line description for logs and reports."""
        lines = [
            f"{self.model.upper()}{' (capacitated)' if self.capacitated else ''}, radius {self.radius:g} m"
            + (f", k={self.k}" if self.k is not None else ""),
            f"status: {self.status}, gap {self.optimality_gap:.4%}, {self.solve_time_s:.2f} s, "
            f"{self.n_variables} variables × {self.n_constraints} constraints",
            f"sites: {len(self.selected)} ({len(self.preselected)} preselected)",
            f"covered: {self.covered_weight:,.0f} of {self.total_weight:,.0f} persons ({self.covered_share:.1%}); "
            f"unreachable {self.unreachable_weight:,.0f}, shortfall {self.shortfall_weight:,.0f}",
            f"objective: {self.objective:,.6g}",
        ]
        if self.message:
            lines.append(self.message)
        return "\n".join(lines)


# --------------------------------------------------------------------------- input


@dataclass
class _Instance:
    n_demand: int
    n_cand: int
    indptr: np.ndarray  # CSR of in-radius pairs over the input rows
    indices: np.ndarray
    data: np.ndarray
    weights: np.ndarray
    capacities: np.ndarray | None
    pre: np.ndarray  # bool mask over candidates
    radius: float
    notes: list[str]

    @property
    def row_counts(self) -> np.ndarray:
        return np.diff(self.indptr)

    @property
    def active(self) -> np.ndarray:
        """Rows with people and at least one candidate within the radius."""
        return (self.weights > 0) & (self.row_counts > 0)


@dataclass
class _Agg:
    rows: np.ndarray  # input rows that take part (active)
    gid: np.ndarray  # group of each of those rows
    n_groups: int
    weight: np.ndarray  # persons per group
    pair_g: np.ndarray  # aggregated pairs: group, candidate, distance (sorted by g, j)
    pair_j: np.ndarray
    pair_d: np.ndarray


def _as_pairs(cost, radius: float):
    """Return (shape, rows, cols, dist) of finite pairs with dist <= radius."""
    if sparse.issparse(cost):
        coo = sparse.coo_array(cost)
        shape = tuple(int(s) for s in coo.shape)
        r = np.asarray(coo.row, dtype=np.int64)
        c = np.asarray(coo.col, dtype=np.int64)
        try:
            d = np.asarray(coo.data, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError("the cost matrix holds values that are not numbers", fix="pass distances in metres") from exc
        finite = np.isfinite(d)
        if np.any(d[finite] < 0):
            raise InputError(
                "the cost matrix has negative distances",
                fix="distances must be >= 0 metres; store unreachable pairs as absent entries",
            )
        keep = finite & (d <= radius)
        r, c, d = r[keep], c[keep], d[keep]
        if r.size:
            order = np.lexsort((d, c, r))  # row, col, then shortest first
            r, c, d = r[order], c[order], d[order]
            first = np.ones(r.size, dtype=bool)
            first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])  # duplicate entries: keep the shortest
            r, c, d = r[first], c[first], d[first]
        return shape, r, c, d
    try:
        arr = np.asarray(cost, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            "the cost matrix is neither a numeric array nor a SciPy sparse matrix",
            fix="pass a 2-D numpy array (np.inf for unreachable) or a scipy.sparse matrix of distances in metres",
        ) from exc
    if arr.ndim != 2:
        raise InputError(
            f"the cost matrix must be 2-D (demand × candidates), got {arr.ndim}-D",
            fix="pass one row per demand point and one column per candidate site",
        )
    finite = np.isfinite(arr)
    if np.any(arr[finite] < 0):
        raise InputError("the cost matrix has negative distances", fix="distances must be >= 0 metres; use np.inf for unreachable")
    mask = finite & (arr <= radius)
    r, c = np.nonzero(mask)
    return arr.shape, r.astype(np.int64), c.astype(np.int64), arr[r, c]


def _prepare(cost, weights, radius, capacities, preselected) -> _Instance:
    try:
        radius = float(radius)
    except (TypeError, ValueError) as exc:
        raise InputError(f"radius must be a number of metres, got {radius!r}", fix="e.g. radius=500") from exc
    if np.isnan(radius) or radius < 0:
        raise InputError(f"radius must be >= 0 metres, got {radius}", fix="e.g. radius=500 (emergency) or 2000 (fixed)")
    shape, r, c, d = _as_pairs(cost, radius)
    n_demand, n_cand = shape
    if n_cand == 0:
        raise InputError(
            "there are no candidate sites (the cost matrix has 0 columns)",
            fix="add candidate sites (one column each) before choosing sites",
        )
    if weights is None:
        w = np.ones(n_demand)
    else:
        try:
            w = np.asarray(weights, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise InputError("demand weights must be numbers (persons)") from exc
        if w.size != n_demand:
            raise InputError(
                f"{w.size} demand weights for {n_demand} cost-matrix rows",
                fix="give one weight (persons) per row of the cost matrix",
            )
        if not np.all(np.isfinite(w)):
            raise InputError("demand weights contain NaN or infinite values", fix="use 0 for unknown population")
        if np.any(w < 0):
            raise InputError(f"{int(np.sum(w < 0))} demand weights are negative", fix="weights are persons and must be >= 0")
    caps = None
    if capacities is not None:
        try:
            caps = np.asarray(capacities, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise InputError("capacities must be numbers (persons)") from exc
        if caps.size != n_cand:
            raise InputError(
                f"{caps.size} capacities for {n_cand} candidate sites",
                fix="give one capacity (persons) per column of the cost matrix",
            )
        if np.any(np.isnan(caps)) or np.any(caps < 0):
            raise InputError("capacities must be >= 0 persons (np.inf for unlimited), with no NaN")
        caps = np.minimum(caps, float(w.sum()) + 1.0)  # unlimited -> more than everyone
    pre = np.zeros(n_cand, dtype=bool)
    if preselected is not None:
        p = np.asarray(preselected).reshape(-1)
        if p.dtype == bool:
            if p.size != n_cand:
                raise InputError(
                    f"preselected mask has {p.size} entries for {n_cand} candidates",
                    fix="pass a boolean mask with one entry per candidate, or a list of column indices",
                )
            pre = p.copy()
        elif p.size:
            if not np.issubdtype(p.dtype, np.integer):
                if np.issubdtype(p.dtype, np.floating) and np.all(p == np.round(p)):
                    p = p.astype(np.int64)
                else:
                    raise InputError("preselected must be candidate column indices or a boolean mask")
            if np.any(p < 0) or np.any(p >= n_cand):
                raise InputError(
                    f"preselected column indices must be in 0..{n_cand - 1}",
                    fix=f"there are {n_cand} candidate columns",
                )
            pre[p] = True
    indptr = np.zeros(n_demand + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=n_demand), out=indptr[1:])
    return _Instance(
        n_demand=n_demand,
        n_cand=n_cand,
        indptr=indptr,
        indices=c,
        data=d,
        weights=w,
        capacities=caps,
        pre=pre,
        radius=radius,
        notes=[],
    )


def _gather(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (into indices/data) of the pairs of ``rows``, and the counts."""
    counts = indptr[rows + 1] - indptr[rows]
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), counts
    offsets = np.repeat(indptr[rows] - (np.cumsum(counts) - counts), counts)
    return offsets + np.arange(total, dtype=np.int64), counts


def _aggregate(inst: _Instance, *, use_costs: bool, whole_rows: bool = False) -> _Agg:
    """Merge active rows with the same reachable candidates (and distances).

    ``whole_rows`` keeps every row its own point: in a capacitated model that assigns each
    point whole to one site, two buildings merged into one point could no longer go to
    different sites, or fit where only one of them fits.
    """
    rows = np.flatnonzero(inst.active)
    keys: dict[bytes, int] = {}
    gid = np.empty(rows.size, dtype=np.int64)
    reps: list[int] = []
    indptr, indices, data = inst.indptr, inst.indices, inst.data
    for t, i in enumerate(rows.tolist()):
        if whole_rows:
            gid[t] = len(reps)
            reps.append(i)
            continue
        s, e = indptr[i], indptr[i + 1]
        h = hashlib.blake2b(indices[s:e].tobytes(), digest_size=20)
        if use_costs:
            h.update(data[s:e].tobytes())
        key = h.digest()
        g = keys.get(key)
        if g is None:
            g = keys[key] = len(reps)
            reps.append(i)
        gid[t] = g
    n_groups = len(reps)
    weight = np.bincount(gid, weights=inst.weights[rows], minlength=n_groups)
    rep = np.asarray(reps, dtype=np.int64)
    pos, counts = _gather(indptr, rep)
    return _Agg(
        rows=rows,
        gid=gid,
        n_groups=n_groups,
        weight=weight,
        pair_g=np.repeat(np.arange(n_groups, dtype=np.int64), counts),
        pair_j=indices[pos],
        pair_d=data[pos],
    )


# --------------------------------------------------------------------------- model building


@dataclass
class _Layout:
    kind: str  # "cover" (y, z) or "assign" (y, x per pair)
    n: int
    n_groups: int
    n_pairs: int
    budget_row: int | None


def _budget_coo(n: int, pre: np.ndarray, row: int):
    free = np.flatnonzero(~pre)
    return np.full(free.size, row, dtype=np.int64), free, np.ones(free.size)


def _build_cover(agg: _Agg, inst: _Instance, *, maximize: bool, k_new: int | None) -> tuple[Milp, _Layout]:
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
        br, bc, bv = _budget_coo(n, pre, budget_row)
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
    return milp, _Layout("cover", n, G, 0, budget_row)


def _build_assign(
    agg: _Agg,
    inst: _Instance,
    *,
    objective: str,
    k_new: int | None,
    assign_all: bool,
    floor: float | None,
    integral: bool,
    pre: np.ndarray | None = None,
) -> tuple[Milp, _Layout]:
    """Assignment-based model (capacitated models and p-median).

    Columns: y_j (binary) then x_p per aggregated pair p = (g, j), the share of
    group g served by site j. Rows: assignment (sum_j x_gj = 1 or <= 1), capacity
    (sum_g W_g x_gj - cap_j y_j <= 0), linking (x_gj - y_j <= 0), budget
    (sum_{j not pre} y_j <= k) and coverage floor (sum W_g x_gj >= floor).
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
    link = caps is None or P <= _LINK_MAX_PAIRS
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
        br, bc, bv = _budget_coo(n, pre, r0)
        rows.append(br), cols.append(bc), vals.append(bv)
        row_lo.append([-np.inf]), row_hi.append([float(k_new)])
        r0 += 1
    if floor is not None:
        rows.append(np.full(P, r0)), cols.append(xcol), vals.append(wp)
        row_lo.append([floor]), row_hi.append([np.inf])
        r0 += 1
    a = sparse.coo_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r0, n + P)
    )
    if objective == "cover":
        cost = np.concatenate([np.zeros(n), wp])
    elif objective == "sites":
        cost = np.concatenate([np.ones(n), np.zeros(P)])
    else:
        cost = np.concatenate([np.zeros(n), wp * agg.pair_d])
    upper = np.ones(n + P)
    if caps is not None and integral:
        upper[xcol[wp > caps[agg.pair_j] * (1 + 1e-12)]] = 0.0  # a point larger than the site
    lower = np.concatenate([pre.astype(float), np.zeros(P)])
    integer = np.zeros(n + P, dtype=np.int32)
    integer[:n] = 1
    if caps is not None and integral:
        integer[n:] = 1
    milp = Milp(
        a, cost, lower, upper, integer, np.concatenate(row_lo), np.concatenate(row_hi), maximize=objective == "cover"
    )
    return milp, _Layout("assign", n, G, P, budget_row)


def _greedy_cover_start(agg: _Agg, inst: _Instance, k_new: int) -> np.ndarray:
    """Greedy MCLP solution in the (y, z) layout, used as a HiGHS start."""
    n, G = inst.n_cand, agg.n_groups
    a = sparse.csc_array((np.ones(agg.pair_g.size), (agg.pair_g, agg.pair_j)), shape=(G, n))
    y = inst.pre.copy()
    covered = (a @ y.astype(float)) > 0
    for _ in range(k_new):
        gain = a.T @ (agg.weight * ~covered)
        gain[y] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break
        y[j] = True
        covered |= (a[:, [j]].toarray().ravel() > 0)
    return np.concatenate([y.astype(float), covered.astype(float)])


def _greedy_capacitated_start(
    agg: _Agg, inst: _Instance, k_new: int | None, integral: bool, pre: np.ndarray | None = None
) -> np.ndarray:
    """Greedy capacitated-MCLP solution in the (y, x) assignment layout.

    Opens, one at a time, the site that can take the most still-unserved persons
    (``min(capacity, unserved within radius)``) and fills it nearest-first. Used
    as a HiGHS start so that large models have a sensible incumbent at once.
    """
    n, P = inst.n_cand, agg.pair_g.size
    caps = inst.capacities
    x = np.zeros(P)
    left = agg.weight.copy()  # persons of each group not yet served
    order = np.lexsort((agg.pair_d, agg.pair_j))  # pairs by site, nearest first
    starts = np.searchsorted(agg.pair_j[order], np.arange(n + 1))
    a = sparse.csc_array((np.ones(P), (agg.pair_g, agg.pair_j)), shape=(agg.n_groups, n))
    pre = inst.pre if pre is None else pre
    y = pre.copy()

    def fill(j: int) -> None:
        pairs = order[starts[j] : starts[j + 1]]
        g = agg.pair_g[pairs]
        want = left[g]
        if integral:
            want = np.where(want >= agg.weight[g] - 1e-12, want, 0.0)  # whole, unserved points only
            fits = np.cumsum(want) <= caps[j] + 1e-9
            take = np.where(fits, want, 0.0)
        else:
            cum = np.cumsum(want)
            take = np.clip(caps[j] - (cum - want), 0.0, want)
        x[pairs] = take / agg.weight[g]
        left[g] -= take

    for j in np.flatnonzero(y):
        fill(j)
    budget = int(np.sum(~pre)) if k_new is None else k_new
    for _ in range(budget):
        gain = np.minimum(caps, a.T @ left)
        gain[y] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break
        y[j] = True
        fill(j)
    return np.concatenate([y.astype(float), x])


def _nearest_pairs(agg: _Agg, open_mask: np.ndarray) -> np.ndarray:
    """Pair-level 0/1 vector assigning each group to its nearest open candidate."""
    x = np.zeros(agg.pair_g.size)
    ok = np.flatnonzero(open_mask[agg.pair_j])
    if ok.size:
        order = ok[np.lexsort((agg.pair_j[ok], agg.pair_d[ok], agg.pair_g[ok]))]
        g = agg.pair_g[order]
        first = np.ones(order.size, dtype=bool)
        first[1:] = g[1:] != g[:-1]
        x[order[first]] = 1.0
    return x


def _prune_redundant(agg: _Agg, inst: _Instance, open_mask: np.ndarray) -> np.ndarray:
    """Close open (non-preselected) sites whose every covered group is also covered
    by another open site; coverage is unchanged. Least-covering sites go first."""
    open_mask = open_mask | inst.pre
    on = open_mask[agg.pair_j]
    count = np.bincount(agg.pair_g[on], minlength=agg.n_groups)
    order = np.argsort(agg.pair_j, kind="stable")
    starts = np.searchsorted(agg.pair_j[order], np.arange(inst.n_cand + 1))
    cand = np.flatnonzero(open_mask & ~inst.pre)
    reach = np.bincount(agg.pair_j, weights=agg.weight[agg.pair_g], minlength=inst.n_cand)
    open_mask = open_mask.copy()
    for j in cand[np.argsort(reach[cand], kind="stable")]:
        groups = agg.pair_g[order[starts[j] : starts[j + 1]]]
        if np.all(count[groups] >= 2):
            count[groups] -= 1
            open_mask[j] = False
    return open_mask


# --------------------------------------------------------------------------- results


@dataclass
class _Run:
    """Accumulated solver information over the phases of one model."""

    time_s: float = 0.0
    status: str = "optimal"
    gap: float = 0.0
    n_variables: int = 0
    n_constraints: int = 0
    n_nonzeros: int = 0

    def add(self, milp: Milp, res: MilpResult) -> None:
        self.time_s += res.solve_time_s
        # a phase stopped by the time limit makes the whole result "time_limit"
        self.status = "time_limit" if self.status == "time_limit" and res.status == "optimal" else res.status
        self.gap = res.gap
        self.n_variables, self.n_constraints, self.n_nonzeros = milp.n_cols, milp.n_rows, milp.n_nonzeros


def _solution(
    inst: _Instance,
    agg: _Agg,
    *,
    model: str,
    k_new: int | None,
    open_mask: np.ndarray,
    x_pairs: np.ndarray | None,
    split: bool,
    run: _Run,
    status: str,
    notes: list[str],
) -> SiteSolution:
    """Turn an open-site mask (and, for assignment models, pair values) into a result."""
    n_demand = inst.n_demand
    w = inst.weights
    assignment = np.full(n_demand, -1, dtype=np.int64)
    flows = None
    open_mask = open_mask | inst.pre
    if x_pairs is None:
        # uncapacitated: every active input row goes to its nearest open site
        pos, counts = _gather(inst.indptr, agg.rows)
        pr = np.repeat(agg.rows, counts)
        pc, pd_ = inst.indices[pos], inst.data[pos]
        ok = open_mask[pc]
        pr, pc, pd_ = pr[ok], pc[ok], pd_[ok]
        order = np.lexsort((pc, pd_, pr))
        pr, pc, pd_ = pr[order], pc[order], pd_[order]
        first = np.ones(pr.size, dtype=bool)
        first[1:] = pr[1:] != pr[:-1]
        assignment[pr[first]] = pc[first]
        site_weight = np.bincount(pc[first], weights=w[pr[first]], minlength=inst.n_cand)
        total_distance = float(np.sum(w[pr[first]] * pd_[first]))
    else:
        x = np.clip(x_pairs, 0.0, 1.0)
        if not split:
            x = (x > 0.5).astype(float)
        x[~open_mask[agg.pair_j]] = 0.0
        if split:
            x[x < 1e-9] = 0.0
        # per group: pair with the largest share
        best = np.full(agg.n_groups, -1, dtype=np.int64)
        nz = np.flatnonzero(x > 0)
        if nz.size:
            order = nz[np.lexsort((-x[nz], agg.pair_g[nz]))]
            g = agg.pair_g[order]
            first = np.ones(order.size, dtype=bool)
            first[1:] = g[1:] != g[:-1]
            best[g[first]] = agg.pair_j[order[first]]
        assignment[agg.rows] = best[agg.gid]
        if split:
            # row r of group g sends w_r * x_gj to j
            share = x[nz]
            grp_rows = pd.DataFrame({"g": agg.gid, "demand": agg.rows, "w": w[agg.rows]})
            pf = pd.DataFrame({"g": agg.pair_g[nz], "site": agg.pair_j[nz], "share": share, "d": agg.pair_d[nz]})
            fl = grp_rows.merge(pf, on="g", how="inner")
            fl["weight"] = fl["w"] * fl["share"]
            site_weight = np.bincount(fl["site"].to_numpy(), weights=fl["weight"].to_numpy(), minlength=inst.n_cand)
            total_distance = float(np.sum(fl["weight"].to_numpy() * fl["d"].to_numpy()))
            flows = fl[["demand", "site", "weight"]].sort_values(["demand", "site"]).reset_index(drop=True)
        else:
            a = assignment >= 0
            site_weight = np.bincount(assignment[a], weights=w[a], minlength=inst.n_cand)
            # distance of each assigned group
            gsel = best >= 0
            gd = np.zeros(agg.n_groups)
            pair_best = np.flatnonzero((x > 0.5))
            gd[agg.pair_g[pair_best]] = agg.pair_d[pair_best]
            total_distance = float(np.sum(agg.weight[gsel] * gd[gsel]))
    # open sites that serve nobody are not proposed (preselected ones always stay)
    keep = inst.pre | (open_mask & (site_weight > 0))
    dropped = int(np.sum(open_mask & ~keep))
    selected = np.flatnonzero(keep)
    covered = float(site_weight.sum())
    total = float(w.sum())
    reachable = float(w[inst.active].sum())
    unreachable = total - reachable
    shortfall = max(reachable - covered, 0.0)
    if shortfall < 1e-9 * max(reachable, 1.0):
        shortfall = 0.0
    n_new = int(np.sum(keep & ~inst.pre))
    if dropped:
        notes.append(f"{dropped} open site(s) that would serve nobody were left out.")
    if model in ("mclp", "pmedian") and k_new is not None and n_new < k_new and n_new < int(np.sum(~inst.pre)):
        if shortfall == 0:
            notes.append(f"{n_new} new site(s) already serve everyone reachable; more would add nothing.")
    if status == "time_limit":
        notes.append(
            "Time limit reached: the best solution found is shown"
            + (f" (optimality gap {run.gap:.2%})." if np.isfinite(run.gap) else ".")
        )
    if unreachable > 0:
        notes.append(
            f"{unreachable:,.0f} person(s) have no candidate within {inst.radius:g} m and cannot be served by any site."
        )
    if model == "lscp":
        objective = float(selected.size)
    elif model == "mclp":
        objective = covered
    else:
        objective = total_distance
    return SiteSolution(
        selected=selected.astype(np.int64),
        covered_weight=covered,
        total_weight=total,
        reachable_weight=reachable,
        unreachable_weight=unreachable,
        shortfall_weight=shortfall,
        objective=objective,
        optimality_gap=run.gap,
        status=status,
        message=" ".join(inst.notes + notes),
        assignment=assignment,
        assigned_weight=site_weight[selected],
        total_distance=total_distance,
        solve_time_s=run.time_s,
        n_variables=run.n_variables,
        n_constraints=run.n_constraints,
        n_nonzeros=run.n_nonzeros,
        n_demand_points=agg.n_groups,
        model=model,
        radius=inst.radius,
        k=k_new,
        capacitated=inst.capacities is not None,
        split=split,
        preselected=np.flatnonzero(inst.pre).astype(np.int64),
        flows=flows,
    )


def _no_result_status(res: MilpResult) -> str:
    return f"no solution found ({res.status.replace('_', ' ')})"


# --------------------------------------------------------------------------- public API


def _presolve_ok(agg: _Agg, integral_assignment: bool) -> bool:
    """HiGHS presolve is skipped on very large integral assignment models (see Milp.solve)."""
    return not (integral_assignment and agg.pair_g.size > _PRESOLVE_MAX_PAIRS)


def _capacitated_mclp_staged(inst, agg, k_new, run, notes, deadline, floor_s, mip_rel_gap, time_limit):
    """Capacitated MCLP with whole-point assignment on a large instance.

    1. Solve the split (continuous-assignment) model: its sites, and a bound that
       also holds for whole-point assignment.
    2. Fix those sites and assign whole points to them (a much smaller MIP).
    The reported gap is measured against the split bound, so it is honest.
    """
    half = None if deadline is None else max(0.5 * float(time_limit), floor_s)
    m1, l1 = _build_assign(agg, inst, objective="cover", k_new=k_new, assign_all=False, floor=None, integral=False)
    r1 = m1.solve(time_limit=half, mip_rel_gap=mip_rel_gap,
                  start=_greedy_capacitated_start(agg, inst, k_new, integral=False))
    run.add(m1, r1)
    empty = np.zeros(inst.n_cand, dtype=bool)
    if r1.x is None:
        notes.append(_no_result_status(r1) + "; only preselected sites are shown.")
        return _solution(inst, agg, model="mclp", k_new=k_new, open_mask=empty, x_pairs=np.zeros(l1.n_pairs),
                         split=False, run=run, status=r1.status, notes=notes)
    bound = r1.bound if np.isfinite(r1.bound) else float("inf")
    # simple valid bounds: persons reachable; capacity of the preselected plus the k largest others
    free_caps = np.sort(inst.capacities[~inst.pre])[::-1]
    cap_bound = float(inst.capacities[inst.pre].sum() + free_caps[: k_new].sum())
    bound = min(bound, float(agg.weight.sum()), cap_bound)
    y = (r1.x[: inst.n_cand] > 0.5) | inst.pre
    keep = y[agg.pair_j]
    sub = _Agg(agg.rows, agg.gid, agg.n_groups, agg.weight, agg.pair_g[keep], agg.pair_j[keep], agg.pair_d[keep])
    m2, l2 = _build_assign(sub, inst, objective="cover", k_new=None, assign_all=False, floor=None, integral=True,
                           pre=y)
    start2 = _greedy_capacitated_start(sub, inst, 0, True, pre=y)
    r2 = m2.solve(time_limit=_remaining(deadline, floor_s), mip_rel_gap=mip_rel_gap, start=start2,
                  presolve=_presolve_ok(sub, True))
    status = "time_limit" if "time_limit" in (r1.status, r2.status) else r2.status
    run.add(m2, r2)
    if r2.x is None:  # keep the greedy whole-point assignment to the chosen sites
        objective = float(np.dot(sub.weight[sub.pair_g], start2[l2.n:]))
        r2 = MilpResult(x=start2, status=r2.status, objective=objective, gap=float("inf"), solve_time_s=0.0)
        notes.append("No whole-point assignment improved on the greedy one in time.")
    if r2.x is None:
        notes.append(_no_result_status(r2) + " for the whole-point assignment; only preselected sites are shown.")
        return _solution(inst, agg, model="mclp", k_new=k_new, open_mask=empty, x_pairs=np.zeros(keep.size),
                         split=False, run=run, status=r2.status, notes=notes)
    x = np.zeros(keep.size)
    x[keep] = r2.x[l2.n:]
    run.gap = max(0.0, (bound - r2.objective) / max(abs(bound), 1e-9))
    # sized as the full model, the one the bound belongs to
    run.n_variables, run.n_constraints, run.n_nonzeros = m1.n_cols, m1.n_rows, m1.n_nonzeros
    if run.gap <= mip_rel_gap:
        status = "optimal"
    elif status != "time_limit":
        status = "feasible"  # a good whole-point solution, within the reported gap but not proven optimal
    notes.append(
        f"Large instance ({agg.pair_g.size:,} pairs): sites chosen with split assignment, then whole points "
        f"assigned to them; gap measured against the split-assignment bound ({bound:,.0f} persons)."
    )
    return _solution(inst, agg, model="mclp", k_new=k_new, open_mask=y, x_pairs=x, split=False, run=run,
                     status=status, notes=notes)


def _check_model(model) -> str:
    key = str(model).strip().lower() if model is not None else ""
    if key not in _ALIASES:
        raise InputError(f"unknown site model {model!r}", fix=f"use one of {', '.join(MODELS)}")
    return _ALIASES[key]


def _check_k(k, inst: _Instance, model: str) -> int | None:
    if model == "lscp":
        if k is not None:
            inst.notes.append("k is ignored by LSCP (it finds the fewest sites itself).")
        return None
    if k is None:
        raise InputError(f"{model.upper()} needs k, the number of new sites to place", fix="e.g. k=5")
    try:
        ok = not isinstance(k, (bool, np.bool_)) and float(k).is_integer() and k >= 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InputError(f"k must be a whole number >= 0, got {k!r}", fix="e.g. k=5")
    k = int(k)
    n_free = int(np.sum(~inst.pre))
    if k > n_free:
        what = (
            f"k={k} new sites asked but there are only {inst.n_cand} candidates"
            + (f" ({n_free} not preselected)" if inst.pre.any() else "")
            + f"; solved with k={n_free}."
        )
        warnings.warn(what, UserWarning, stacklevel=3)
        inst.notes.append(what)
        k = n_free
    return k


def _remaining(deadline: float | None, floor_s: float) -> float | None:
    if deadline is None:
        return None
    return max(deadline - time.perf_counter(), floor_s)


def solve_from_cost_matrix(
    cost,
    weights,
    *,
    model: str,
    radius: float,
    k: int | None = None,
    capacities=None,
    preselected=None,
    time_limit: float | None = None,
    split: bool = False,
    mip_rel_gap: float = 1e-4,
) -> SiteSolution:
    """Choose sites from a demand × candidate distance table.

    Parameters
    ----------
    cost : array_like or scipy.sparse matrix, shape (n_demand, n_candidates)
        Walking distance in metres from each demand point (row) to each candidate
        site (column). Dense: ``np.inf``/``NaN`` = unreachable. Sparse: stored
        entries (explicit zeros included) are the reachable pairs.
    weights : array_like, shape (n_demand,)
        Persons at each demand point (>= 0). ``None`` means 1 per row.
    model : {"lscp", "mclp", "pmedian"}
        Location model (see module docstring).
    radius : float
        Service radius in metres (``np.inf`` allowed); pairs farther away are
        never used.
    k : int, optional
        New sites to place on top of ``preselected`` (required for ``"mclp"`` and
        ``"pmedian"``; ignored by ``"lscp"``). Clamped, with a warning, to the
        number of candidates left.
    capacities : array_like, shape (n_candidates,), optional
        Persons each candidate can hold (``np.inf`` = unlimited). Makes the model
        capacitated, with an explicit assignment.
    preselected : array_like of int or bool mask, optional
        Candidates that are open anyway (e.g. existing shelters).
    time_limit : float, optional
        Solver wall-clock budget in seconds; the best solution found is returned
        with ``status="time_limit"`` and its optimality gap.
    split : bool, default False
        Capacitated models only: allow a demand point's population to be split
        between sites (continuous assignment).
    mip_rel_gap : float, default 1e-4
        Relative gap at which HiGHS stops (as its ``mip_rel_gap`` option).

    Returns
    -------
    SiteSolution
        Open sites, coverage, assignment, objective, gap and model size.

    Raises
    ------
    geoplan.errors.InputError
        Malformed input: wrong shapes, negative distances/weights/capacities,
        unknown model, missing ``k``, no candidate columns, bad preselection.
    """
    model = _check_model(model)
    inst = _prepare(cost, weights, radius, capacities, preselected)
    k_new = _check_k(k, inst, model)
    capacitated = inst.capacities is not None
    if split and not capacitated:
        inst.notes.append("split only applies to capacitated models; ignored.")
        split = False
    deadline = None if time_limit is None else time.perf_counter() + float(time_limit)
    floor_s = 0.1 * float(time_limit) if time_limit is not None else 0.0
    run = _Run()
    empty = np.zeros(inst.n_cand, dtype=bool)

    if float(inst.weights.sum()) <= 0:
        agg = _aggregate(inst, use_costs=False)
        return _solution(
            inst, agg, model=model, k_new=k_new, open_mask=empty, x_pairs=None, split=split, run=run,
            status="no_demand", notes=["There is no demand: all weights are 0 (or there are no demand rows); only preselected sites are open."],
        )
    agg = _aggregate(inst, use_costs=capacitated or model == "pmedian", whole_rows=capacitated and not split)
    if agg.n_groups == 0:
        return _solution(
            inst, agg, model=model, k_new=k_new, open_mask=empty, x_pairs=None, split=split, run=run,
            status="optimal", notes=[f"No resident has a candidate within {inst.radius:g} m; no site can serve anyone."],
        )
    reachable = float(agg.weight.sum())
    tol = 1e-9 * max(reachable, 1.0)
    notes: list[str] = []

    if not capacitated and model in ("mclp", "lscp"):
        if model == "mclp":
            milp, lay = _build_cover(agg, inst, maximize=True, k_new=k_new)
            start = _greedy_cover_start(agg, inst, k_new)
        else:
            milp, lay = _build_cover(agg, inst, maximize=False, k_new=None)
            start = None
        res = milp.solve(time_limit=_remaining(deadline, floor_s), mip_rel_gap=mip_rel_gap, start=start)
        run.add(milp, res)
        if res.x is None:
            notes.append(_no_result_status(res) + "; only preselected sites are shown.")
            return _solution(inst, agg, model=model, k_new=k_new, open_mask=empty, x_pairs=None, split=split,
                             run=run, status=res.status, notes=notes)
        open_mask = _prune_redundant(agg, inst, res.x[: inst.n_cand] > 0.5)
        return _solution(inst, agg, model=model, k_new=k_new, open_mask=open_mask, x_pairs=None,
                         split=split, run=run, status=res.status, notes=notes)

    integral = not split
    if capacitated:
        total_cap = float(inst.capacities[np.unique(agg.pair_j)].sum())
        if total_cap + tol < reachable:
            notes.append(
                f"Demand beyond capacity: {reachable:,.0f} reachable persons but all candidates together hold "
                f"{total_cap:,.0f} (at least {reachable - total_cap:,.0f} cannot be served)."
            )

    if model == "mclp":  # capacitated
        if integral and agg.pair_g.size > _DIRECT_MAX_PAIRS:
            return _capacitated_mclp_staged(inst, agg, k_new, run, notes, deadline, floor_s, mip_rel_gap, time_limit)
        milp, lay = _build_assign(agg, inst, objective="cover", k_new=k_new, assign_all=False, floor=None,
                                  integral=integral)
        res = milp.solve(time_limit=_remaining(deadline, floor_s), mip_rel_gap=mip_rel_gap,
                         start=_greedy_capacitated_start(agg, inst, k_new, integral),
                         presolve=_presolve_ok(agg, integral))
        run.add(milp, res)
        if res.x is None:
            notes.append(_no_result_status(res) + "; only preselected sites are shown.")
            return _solution(inst, agg, model=model, k_new=k_new, open_mask=empty, x_pairs=np.zeros(lay.n_pairs),
                             split=split, run=run, status=res.status, notes=notes)
        return _solution(inst, agg, model=model, k_new=k_new, open_mask=res.x[: lay.n] > 0.5,
                         x_pairs=res.x[lay.n:], split=split, run=run, status=res.status, notes=notes)

    if model == "lscp":  # capacitated
        status_override = None
        res = None
        if total_cap + tol >= reachable:
            milp, lay = _build_assign(agg, inst, objective="sites", k_new=None, assign_all=True, floor=None,
                                      integral=integral)
            res = milp.solve(time_limit=_remaining(deadline, floor_s), mip_rel_gap=mip_rel_gap,
                             presolve=_presolve_ok(agg, integral))
            run.add(milp, res)
        if res is None or res.status == "infeasible":
            # phase 1: the most persons all candidates together can serve
            all_open = np.ones(inst.n_cand, dtype=bool)
            m1, l1 = _build_assign(agg, inst, objective="cover", k_new=None, assign_all=False, floor=None,
                                   integral=integral, pre=all_open)
            # fix all sites open in phase 1
            r1 = m1.solve(time_limit=_remaining(deadline, floor_s), mip_rel_gap=mip_rel_gap,
                          presolve=_presolve_ok(agg, integral))
            run.add(m1, r1)
            if r1.x is None:
                notes.append(_no_result_status(r1) + " while finding how many persons can be served.")
                return _solution(inst, agg, model=model, k_new=None, open_mask=empty,
                                 x_pairs=np.zeros(l1.n_pairs), split=split, run=run, status=r1.status, notes=notes)
            best = float(np.dot(agg.weight[agg.pair_g], (r1.x[l1.n:] > 0.5) if integral else r1.x[l1.n:]))
            notes.append(
                f"Infeasible: not everyone reachable can be served within capacity — shortfall "
                f"{reachable - best:,.0f} of {reachable:,.0f} persons. Shown: the fewest sites serving the most "
                f"persons possible ({best:,.0f})."
            )
            status_override = "infeasible"
            milp, lay = _build_assign(agg, inst, objective="sites", k_new=None, assign_all=False,
                                      floor=best - tol, integral=integral)
            start = r1.x.copy()
            res = milp.solve(time_limit=_remaining(deadline, floor_s), mip_rel_gap=mip_rel_gap, start=start,
                             presolve=_presolve_ok(agg, integral))
            run.add(milp, res)
            if res.x is None:  # the phase-1 solution is a valid (if wasteful) proposal
                res = MilpResult(x=start, status=res.status, objective=float("nan"), gap=float("inf"),
                                 solve_time_s=0.0)
        if res.x is None:
            notes.append(_no_result_status(res) + "; only preselected sites are shown.")
            return _solution(inst, agg, model=model, k_new=None, open_mask=empty, x_pairs=np.zeros(lay.n_pairs),
                             split=split, run=run, status=res.status, notes=notes)
        status = status_override or run.status
        return _solution(inst, agg, model=model, k_new=None, open_mask=res.x[: lay.n] > 0.5,
                         x_pairs=res.x[lay.n:], split=split, run=run, status=status, notes=notes)

    # ---- p-median (capacitated or not)
    n_free = int(np.sum(~inst.pre))
    assign_all, floor, start = True, None, None
    if capacitated or k_new < n_free:
        # phase 1: how many persons can k sites serve at all?
        if capacitated:
            m1, l1 = _build_assign(agg, inst, objective="cover", k_new=k_new, assign_all=False, floor=None,
                                   integral=integral)
            r1 = m1.solve(time_limit=_remaining(deadline, floor_s), mip_rel_gap=mip_rel_gap,
                          presolve=_presolve_ok(agg, integral))
        else:
            m1, l1 = _build_cover(agg, inst, maximize=True, k_new=k_new)
            r1 = m1.solve(time_limit=_remaining(deadline, floor_s), mip_rel_gap=mip_rel_gap,
                          start=_greedy_cover_start(agg, inst, k_new))
        run.add(m1, r1)
        if r1.x is not None:
            y1 = r1.x[: inst.n_cand] > 0.5
            if capacitated:
                x1 = r1.x[l1.n:] if split else (r1.x[l1.n:] > 0.5).astype(float)
            else:
                x1 = _nearest_pairs(agg, y1 | inst.pre)
            best = float(np.dot(agg.weight[agg.pair_g], x1))
            start = np.concatenate([y1.astype(float), x1])
            if best < reachable - tol:
                assign_all, floor = False, best - tol
                proven = r1.status == "optimal"
                notes.append(
                    f"{k_new} new site(s) can serve {'at most' if proven else 'at least'} {best:,.0f} of "
                    f"{reachable:,.0f} reachable persons"
                    + (" (capacity)" if capacitated else "")
                    + ("" if proven else " (maximum not proven within the time limit)")
                    + "; distance is minimised among solutions serving that many."
                )
        else:
            notes.append("Could not determine the maximal coverage in time; trying to serve everyone reachable.")
    milp, lay = _build_assign(agg, inst, objective="distance", k_new=k_new, assign_all=assign_all, floor=floor,
                              integral=integral)
    res = milp.solve(time_limit=_remaining(deadline, floor_s), mip_rel_gap=mip_rel_gap, start=start,
                     presolve=_presolve_ok(agg, integral and capacitated))
    run.add(milp, res)
    if res.x is None:
        if start is not None:
            res = MilpResult(x=start, status=res.status, objective=float("nan"), gap=float("inf"), solve_time_s=0.0)
            notes.append("No distance-optimised solution found in time; showing the maximal-coverage solution.")
        else:
            notes.append(_no_result_status(res) + "; only preselected sites are shown.")
            return _solution(inst, agg, model=model, k_new=k_new, open_mask=empty, x_pairs=None, split=split,
                             run=run, status=res.status, notes=notes)
    x_pairs = res.x[lay.n:] if capacitated else None
    return _solution(inst, agg, model=model, k_new=k_new, open_mask=res.x[: lay.n] > 0.5, x_pairs=x_pairs,
                     split=split, run=run, status=run.status, notes=notes)


def coverage_curve(
    cost,
    weights,
    *,
    radius: float,
    k_max: int,
    capacities=None,
    preselected=None,
    time_limit: float | None = None,
    split: bool = False,
    mip_rel_gap: float = 1e-4,
) -> pd.DataFrame:
    """Residents covered by the best k = 1 … k_max new sites (MCLP for each k).

    The model is built once; for each k only the site budget changes and HiGHS
    starts from the previous k's solution (still feasible), so the curve is
    non-decreasing. Should a solve stop at ``time_limit`` (seconds, per k) with a
    worse result than k-1, the k-1 solution is carried forward (status
    ``"carried_forward"``), so the curve never decreases.

    Parameters
    ----------
    cost, weights, radius, capacities, preselected, split, mip_rel_gap
        As for :func:`solve_from_cost_matrix` (metres, persons).
    k_max : int
        Largest number of new sites (clamped to the candidates left).
    time_limit : float, optional
        Seconds per k.

    Returns
    -------
    pandas.DataFrame
        Columns ``k``, ``covered_weight`` (persons), ``covered_share`` (of all
        persons), ``marginal_weight`` (persons gained over k-1; for k=1 over the
        preselected sites alone), ``n_sites`` (open sites incl. preselected),
        ``selected`` (tuple of columns), ``status``, ``optimality_gap``.
    """
    inst = _prepare(cost, weights, radius, capacities, preselected)
    try:
        ok = not isinstance(k_max, (bool, np.bool_)) and float(k_max).is_integer() and k_max >= 1
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InputError(f"k_max must be a whole number >= 1, got {k_max!r}", fix="e.g. k_max=10")
    k_max = _check_k(int(k_max), inst, "mclp")
    capacitated = inst.capacities is not None
    columns = ["k", "covered_weight", "covered_share", "marginal_weight", "n_sites", "selected", "status",
               "optimality_gap"]
    total = float(inst.weights.sum())
    if total <= 0 or k_max == 0:
        return pd.DataFrame(columns=columns)
    agg = _aggregate(inst, use_costs=capacitated, whole_rows=capacitated and not split)
    empty = np.zeros(inst.n_cand, dtype=bool)
    if agg.n_groups == 0:
        return pd.DataFrame(
            [(k, 0.0, 0.0, 0.0, int(inst.pre.sum()), tuple(np.flatnonzero(inst.pre)), "optimal", 0.0)
             for k in range(1, k_max + 1)],
            columns=columns,
        )
    presolve = _presolve_ok(agg, capacitated and not split)
    if capacitated:
        milp, lay = _build_assign(agg, inst, objective="cover", k_new=0, assign_all=False, floor=None,
                                  integral=not split)
    else:
        milp, lay = _build_cover(agg, inst, maximize=True, k_new=0)

    def to_solution(x, run, status, k):
        xp = (x[lay.n:] if capacitated else None) if x is not None else (np.zeros(lay.n_pairs) if capacitated else None)
        mask = x[: lay.n] > 0.5 if x is not None else empty
        if not capacitated:
            mask = _prune_redundant(agg, inst, mask)
        return _solution(inst, agg, model="mclp", k_new=k, open_mask=mask, x_pairs=xp, split=split and capacitated,
                         run=run, status=status, notes=[])

    # baseline: preselected sites alone
    if inst.pre.any():
        res0 = milp.solve(time_limit=time_limit, mip_rel_gap=mip_rel_gap, presolve=presolve)
        prev_x = res0.x
        base = to_solution(res0.x, _Run(), res0.status, 0).covered_weight
    else:
        prev_x, base = None, 0.0
    prev_cov, prev_sol = base, None
    rows = []
    for k in range(1, k_max + 1):
        milp.set_row_bounds(lay.budget_row, -np.inf, k)
        start = prev_x if prev_x is not None else (None if capacitated else _greedy_cover_start(agg, inst, k))
        res = milp.solve(time_limit=time_limit, mip_rel_gap=mip_rel_gap, start=start, presolve=presolve)
        run = _Run()
        run.add(milp, res)
        sol = to_solution(res.x, run, res.status, k)
        status = res.status
        if prev_sol is not None and sol.covered_weight < prev_sol.covered_weight:
            sol, status = prev_sol, "carried_forward"
        else:
            prev_x = res.x if res.x is not None else prev_x
        cov = sol.covered_weight
        rows.append((k, cov, cov / total, cov - prev_cov, int(sol.selected.size), tuple(int(j) for j in sol.selected),
                     status, res.gap))
        prev_cov, prev_sol = cov, sol
    return pd.DataFrame(rows, columns=columns)
