"""The instance a model solves: the pairs within the radius, checked, and aggregated.

:func:`prepare` turns whatever a planner passes (a dense array with ``np.inf`` for no path, or
a SciPy sparse matrix whose stored entries are the reachable pairs) into a CSR table of the
resident-site pairs within the radius, in metres. :func:`aggregate` then merges resident rows
that see the same candidates (at the same distances, where distances matter), so the MILP has
one variable per distinct demand point rather than per building.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from geoplan.errors import InputError
from geoplan.i18n import Message, message


@dataclass
class Instance:
    """The pairs within the radius over the input rows (CSR), with weights and capacities.

    Distances in metres, weights and capacities in persons; ``pre`` is the mask of the
    preselected (existing) candidates; ``notes`` collects what a planner should read about
    adjustments made to the input.
    """

    n_demand: int
    n_cand: int
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    weights: np.ndarray
    capacities: np.ndarray | None
    pre: np.ndarray
    radius: float
    notes: list[Message] = field(default_factory=list)

    @property
    def row_counts(self) -> np.ndarray:
        return np.diff(self.indptr)

    @property
    def active(self) -> np.ndarray:
        """Rows with people and at least one candidate within the radius."""
        return (self.weights > 0) & (self.row_counts > 0)

    @property
    def n_free(self) -> int:
        """Candidates that are not preselected."""
        return int(np.sum(~self.pre))


@dataclass
class Agg:
    """Aggregated demand points and their pairs (sorted by group, then candidate)."""

    rows: np.ndarray  # input rows that take part (active)
    gid: np.ndarray  # group of each of those rows
    n_groups: int
    weight: np.ndarray  # persons per group
    pair_g: np.ndarray
    pair_j: np.ndarray
    pair_d: np.ndarray

    def restricted(self, keep: np.ndarray) -> "Agg":
        """The same groups with only the pairs of ``keep`` (a mask over the pairs)."""
        return Agg(self.rows, self.gid, self.n_groups, self.weight, self.pair_g[keep], self.pair_j[keep],
                   self.pair_d[keep])


def as_pairs(cost, radius: float):
    """Return (shape, rows, cols, dist) of finite pairs with dist <= radius."""
    if sparse.issparse(cost):
        coo = sparse.coo_array(cost)
        shape = tuple(int(s) for s in coo.shape)
        r = np.asarray(coo.row, dtype=np.int64)
        c = np.asarray(coo.col, dtype=np.int64)
        try:
            d = np.asarray(coo.data, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(message("the cost matrix holds values that are not numbers"),
                             fix=message("pass distances in metres")) from exc
        finite = np.isfinite(d)
        if np.any(d[finite] < 0):
            raise InputError(
                message("the cost matrix has negative distances"),
                fix=message("distances must be >= 0 metres; store unreachable pairs as absent entries"),
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
            message("the cost matrix is neither a numeric array nor a SciPy sparse matrix"),
            fix=message("pass a 2-D numpy array (np.inf for unreachable) or a scipy.sparse matrix of distances in metres"),
        ) from exc
    if arr.ndim != 2:
        raise InputError(
            message("the cost matrix must be 2-D (demand × candidates), got {ndim}-D", ndim=arr.ndim),
            fix=message("pass one row per demand point and one column per candidate site"),
        )
    finite = np.isfinite(arr)
    if np.any(arr[finite] < 0):
        raise InputError(message("the cost matrix has negative distances"),
                         fix=message("distances must be >= 0 metres; use np.inf for unreachable"))
    mask = finite & (arr <= radius)
    r, c = np.nonzero(mask)
    return arr.shape, r.astype(np.int64), c.astype(np.int64), arr[r, c]


def prepare(cost, weights, radius, capacities, preselected) -> Instance:
    """Check the input and keep the pairs within ``radius`` (metres).

    Raises
    ------
    geoplan.errors.InputError
        Wrong shapes, negative distances, weights or capacities, a bad preselection, no
        candidate column.
    """
    radius = _radius(radius)
    shape, r, c, d = as_pairs(cost, radius)
    n_demand, n_cand = shape
    if n_cand == 0:
        raise InputError(
            message("there are no candidate sites (the cost matrix has 0 columns)"),
            fix=message("add candidate sites (one column each) before choosing sites"),
        )
    w = _weights(weights, n_demand)
    caps = _capacities(capacities, n_cand, float(w.sum()))
    pre = _preselected(preselected, n_cand)
    indptr = np.zeros(n_demand + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=n_demand), out=indptr[1:])
    return Instance(n_demand=n_demand, n_cand=n_cand, indptr=indptr, indices=c, data=d, weights=w,
                    capacities=caps, pre=pre, radius=radius)


def clamp_k(k: int | None, inst: Instance) -> int | None:
    """``k`` limited to the candidates left, with a note (and a Python warning) when it was larger."""
    if k is None or k <= inst.n_free:
        return k
    note = (message("k={k} new sites asked but there are only {n} candidates ({free} not preselected); "
                    "solved with k={free}.", code="k_clamped", k=k, n=inst.n_cand, free=inst.n_free)
            if inst.pre.any() else
            message("k={k} new sites asked but there are only {n} candidates; solved with k={n}.",
                    code="k_clamped", k=k, n=inst.n_cand))
    import warnings

    warnings.warn(note.render("en"), UserWarning, stacklevel=4)
    inst.notes.append(note)
    return inst.n_free


def _radius(radius) -> float:
    try:
        radius = float(radius)
    except (TypeError, ValueError) as exc:
        raise InputError(message("radius must be a number of metres, got {value!r}", value=radius),
                         fix=message("e.g. {example}", example="radius=500")) from exc
    if np.isnan(radius) or radius < 0:
        raise InputError(message("radius must be >= 0 metres, got {value}", value=radius),
                         fix=message("e.g. radius=500 (emergency) or 2000 (fixed)"))
    return radius


def _weights(weights, n_demand: int) -> np.ndarray:
    if weights is None:
        return np.ones(n_demand)
    try:
        w = np.asarray(weights, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise InputError(message("demand weights must be numbers (persons)")) from exc
    if w.size != n_demand:
        raise InputError(message("{count} demand weights for {rows} cost-matrix rows", count=w.size, rows=n_demand),
                         fix=message("give one weight (persons) per row of the cost matrix"))
    if not np.all(np.isfinite(w)):
        raise InputError(message("demand weights contain NaN or infinite values"), fix=message("use 0 for unknown population"))
    if np.any(w < 0):
        raise InputError(message("{count} demand weights are negative", count=int(np.sum(w < 0))),
                         fix=message("weights are persons and must be >= 0"))
    return w


def _capacities(capacities, n_cand: int, everyone: float) -> np.ndarray | None:
    if capacities is None:
        return None
    try:
        caps = np.asarray(capacities, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise InputError(message("capacities must be numbers (persons)")) from exc
    if caps.size != n_cand:
        raise InputError(message("{count} capacities for {sites} candidate sites", count=caps.size, sites=n_cand),
                         fix=message("give one capacity (persons) per column of the cost matrix"))
    if np.any(np.isnan(caps)) or np.any(caps < 0):
        raise InputError(message("capacities must be >= 0 persons (np.inf for unlimited), with no NaN"))
    return np.minimum(caps, everyone + 1.0)  # unlimited -> more than everyone


def _preselected(preselected, n_cand: int) -> np.ndarray:
    pre = np.zeros(n_cand, dtype=bool)
    if preselected is None:
        return pre
    p = np.asarray(preselected).reshape(-1)
    if p.dtype == bool:
        if p.size != n_cand:
            raise InputError(message("preselected mask has {count} entries for {sites} candidates", count=p.size, sites=n_cand),
                             fix=message("pass a boolean mask with one entry per candidate, or a list of column indices"))
        return p.copy()
    if p.size == 0:
        return pre
    if not np.issubdtype(p.dtype, np.integer):
        if np.issubdtype(p.dtype, np.floating) and np.all(p == np.round(p)):
            p = p.astype(np.int64)
        else:
            raise InputError(message("preselected must be candidate column indices or a boolean mask"))
    if np.any(p < 0) or np.any(p >= n_cand):
        raise InputError(message("preselected column indices must be in 0..{last}", last=n_cand - 1),
                         fix=message("there are {count} candidate columns", count=n_cand))
    pre[p] = True
    return pre


def gather(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (into indices/data) of the pairs of ``rows``, and the counts."""
    counts = indptr[rows + 1] - indptr[rows]
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), counts
    offsets = np.repeat(indptr[rows] - (np.cumsum(counts) - counts), counts)
    return offsets + np.arange(total, dtype=np.int64), counts



def aggregate(inst: Instance, *, use_costs: bool, whole_rows: bool = False) -> Agg:
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
    pos, counts = gather(indptr, rep)
    return Agg(
        rows=rows,
        gid=gid,
        n_groups=n_groups,
        weight=weight,
        pair_g=np.repeat(np.arange(n_groups, dtype=np.int64), counts),
        pair_j=indices[pos],
        pair_d=data[pos],
    )

