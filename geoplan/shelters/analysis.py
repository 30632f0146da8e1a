"""Emergency-shelter sites: which parks, squares and school grounds to designate, for whom.

The question a planner asks: *which open spaces should become shelters so that every resident
has one within walking distance, with enough room?*

Method (lengths metres, areas square metres, capacities persons):

1. **Candidates and capacity** — :mod:`geoplan.shelters.capacity`: OpenStreetMap parks, gardens,
   squares, green spaces, pitches, school grounds (open) and school buildings, gymnasiums,
   community centres (indoor), plus the ``sites`` layer; overlaps counted once; usable ground ×
   usable share ÷ m² per person (1.5 emergency, 2 fixed); too small, sliver, invalid and
   off-network sites rejected with the reason. Designated shelters (layer ``existing``,
   ``emergency=assembly_point``) are pre-selected: always open, never proposed again.
2. **Walking distances** — one bounded search batch on the compiled walking network from all
   usable sites to all residents (:meth:`CompiledNetwork.cost_matrix`): a pair's walk is
   ``site connector + streets + resident connector``, kept only within the service radius
   (500 m emergency, 2000 m fixed, preset). A site polygon is reached at the street nearest
   its edge (an entrance proxy); a resident at the street nearest its building. Walks are
   rounded to the centimetre before solving, so the radius can be re-checked exactly from the
   written tables.
3. **Models** — :func:`geoplan.shelters.models.solve_from_cost_matrix` (HiGHS, sparse: only pairs
   within the radius; residents at the same network location aggregated): ``mclp`` (the k
   new sites covering the most residents), ``lscp`` (fewest sites covering everyone
   reachable), ``pmedian`` (k sites, least total walk within the radius). Capacitated by
   default: each resident building goes whole to one open site and no site takes more than
   its capacity. Where demand exceeds capacity the model says so and reports the shortfall.
4. **Decision aids** — the coverage curve k = 1 … K (MCLP, same capacities); per site its
   capacity, assigned and covered residents, mean and longest walk and a build-order rank;
   uncovered residents and why; vulnerable residents covered (see *Elderly* below).

Elderly
-------
The residents table has no age split, so the *elderly profile* is a walking-time one: the
same walking time at the elderly speed (0.9 m/s, preset ``walk_speed_elderly_mps``) instead
of 1.2 m/s reaches ``radius × 0.9 / 1.2`` (375 m of 500 m). A resident counts as a vulnerable
resident covered when the site it is assigned to is within that distance. Where the residents
carry an ``elderly_share`` (0–1, residents layer), the elderly persons (population × share) and
those of them assigned within the elderly walking distance are reported as well
(``elderly_population``, ``elderly_persons_covered``).

Rank
----
New sites are ranked in build order: greedily, the site adding the most residents within the
radius not already covered by the existing and higher-ranked sites first (ties: more assigned
residents, then site id). Existing shelters have rank 0.
"""

from __future__ import annotations

import heapq
import warnings as _warnings
from typing import Callable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from geoplan.errors import InputError
from geoplan.network.service_areas import SERVICE_AREA_BUFFER_M
from geoplan.shelters.capacity import MIN_WIDTH_M, SHELTER_KINDS, candidate_sites, shelter_standard
from geoplan.shelters.models import MODELS, coverage_curve, solve_from_cost_matrix
from geoplan.shelters.result import SitesResult

Progress = Callable[[str], None]

#: Default solver budget per model solve, seconds.
DEFAULT_TIME_LIMIT_S = 60.0
#: Relative MIP gap at which HiGHS stops (see :func:`sites`).
DEFAULT_MIP_REL_GAP = 1e-7
#: Default largest k of the coverage curve (at least the k asked for).
DEFAULT_CURVE_K = 10
#: LSCP: the default curve runs up to the LSCP's number of new sites, but not beyond this.
MAX_DEFAULT_CURVE_K = 50
#: Capacitated (whole-building) curves above this many resident–site pairs are built from one
#: time-limited MCLP solve per k instead of one shared MIP (see :func:`_curve_by_solves`).
CURVE_ONE_MODEL_MAX_PAIRS = 20_000
_DECIMALS = 2
_MODEL_NAMES = {"lscp": "lscp", "mclp": "mclp", "pmedian": "pmedian", "p-median": "pmedian", "p_median": "pmedian"}

#: Why a resident is not covered (``reason`` column of residents.csv).
UNCOVERED_REASONS: Mapping[str, str] = {
    "covered": "assigned to an open site within the radius",
    "no_population": "no people recorded in this building",
    "off_network": "farther from the walking network than the preset's max_snap_m",
    "no_candidates": "there is no usable candidate site in the area",
    "too_far": "no candidate site within the walking radius",
    "site_not_chosen": "a candidate within the radius exists but was not chosen (raise k)",
    "capacity_exhausted": "the open sites within the radius are full",
}


def _check_model(model: str) -> str:
    key = str(model).strip().lower()
    if key not in _MODEL_NAMES:
        raise InputError(f"unknown site model {model!r}", fix=f"use one of: {', '.join(MODELS)}")
    return _MODEL_NAMES[key]


def _check_k(k, model: str) -> int | None:
    if k is None:
        if model == "lscp":
            return None
        raise InputError(f"{model.upper()} needs k, the number of new sites to propose", fix="e.g. --k 5")
    try:
        ok = not isinstance(k, bool) and float(k).is_integer() and float(k) >= 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InputError(f"k must be a whole number of sites >= 0, not {k!r}", fix="e.g. --k 5")
    return int(k)


def _population(residents) -> tuple[np.ndarray, list[str]]:
    notes = []
    pop = pd.to_numeric(residents["population"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(pop) | (pop < 0)
    if bad.any():
        notes.append(f"{int(bad.sum())} resident features have a missing or negative population; counted as 0 people")
        pop = np.where(bad, 0.0, pop)
    return pop, notes


def walking_cost_matrix(study, site_rows: np.ndarray, *, radius: float) -> sparse.csr_matrix:
    """Walking distance (m) from every resident (row) to each site of ``site_rows`` (column).

    One call to :meth:`CompiledNetwork.cost_matrix` from the sites (their connector as start
    cost) to the residents, bounded by ``radius``; the resident's own connector is added and
    pairs beyond the radius dropped. Values are rounded to the centimetre. Stored entries are
    the reachable pairs (a stored 0 is a walk of 0 m).
    """
    net = study.walk.compiled
    snap_r = study.snaps["residents.walk"]
    snap_s = study.snaps["sites.walk"].subset(np.asarray(site_rows, dtype=np.int64))
    n_res, n_sites = len(snap_r), len(snap_s)
    if n_sites == 0 or n_res == 0 or not snap_s.ok.any() or not snap_r.ok.any():
        return sparse.csr_matrix((n_res, n_sites))
    start = np.where(snap_s.ok & np.isfinite(snap_s.distance_m), snap_s.distance_m, 0.0)
    raw = net.cost_matrix(snap_s, snap_r, weight="length", limit=float(radius), source_cost=start).tocoo()
    conn = np.where(snap_r.ok & np.isfinite(snap_r.distance_m), snap_r.distance_m, np.inf)
    d = np.round(raw.data + conn[raw.row], _DECIMALS)
    keep = np.isfinite(d) & (d <= radius)
    cost = sparse.csr_matrix((d[keep], (raw.row[keep], raw.col[keep])), shape=(n_res, n_sites))
    cost.sort_indices()
    return cost


def _lookup(cost: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """cost[rows[i], cols[i]] for stored pairs (NaN where not stored), vectorised."""
    out = np.full(len(rows), np.nan)
    if len(rows) == 0:
        return out
    coo = cost.tocoo()
    key = pd.MultiIndex.from_arrays([coo.row, coo.col])
    idx = key.get_indexer(pd.MultiIndex.from_arrays([rows, cols]))
    hit = idx >= 0
    out[hit] = coo.data[idx[hit]]
    return out


def _build_order(reach: sparse.csr_matrix, weights: np.ndarray, open_cols: np.ndarray, pre: np.ndarray,
                 assigned: Mapping[int, float], ids: np.ndarray) -> dict[int, int]:
    """Greedy build-order rank (1 = first) of the new open sites (see module docstring).

    Lazy greedy: a site's gain only shrinks as others are built, so a stale gain is an upper
    bound and only the site on top of the heap is recomputed.
    """
    csc = reach.tocsc()
    open_cols = np.asarray(open_cols, dtype=np.int64)
    existing = open_cols[pre[open_cols]]
    covered = np.zeros(reach.shape[0], dtype=bool)
    if len(existing):
        covered = np.asarray(csc[:, existing].sum(axis=1)).ravel() > 0
    new = open_cols[~pre[open_cols]]
    if len(new) == 0:
        return {}
    gains = csc[:, new].T @ np.where(covered, 0.0, weights)
    heap = [(-float(g), -float(assigned.get(int(j), 0.0)), str(ids[j]), int(j)) for g, j in zip(gains, new)]
    heapq.heapify(heap)
    rank: dict[int, int] = {}
    while heap:
        _, neg_a, sid, j = heapq.heappop(heap)
        rows = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        key = (-float(weights[rows][~covered[rows]].sum()), neg_a, sid)
        if heap and key > heap[0][:3]:  # the gain shrank below the next candidate's bound
            heapq.heappush(heap, (*key, j))
            continue
        rank[j] = len(rank) + 1
        covered[rows] = True
    return rank


def _curve_by_solves(cost, pop, *, radius, k_max, capacities, preselected, time_limit,
                     mip_rel_gap) -> pd.DataFrame:
    """Capacitated coverage curve on a large instance: one time-limited MCLP solve per k.

    :func:`coverage_curve` keeps one whole-building assignment MIP and changes its budget; on
    hundreds of thousands of pairs HiGHS can overrun the time limit there. Each k here goes
    through :func:`solve_from_cost_matrix` (staged on large instances, honouring the limit);
    a k that comes out below k-1 (time limit) carries k-1 forward, so the curve never decreases.
    """
    total = float(np.sum(pop))
    base = 0.0
    if np.any(preselected):
        base = solve_from_cost_matrix(cost, pop, model="mclp", radius=radius, k=0, capacities=capacities,
                                      preselected=preselected, time_limit=time_limit,
                                      mip_rel_gap=mip_rel_gap).covered_weight
    rows, prev = [], None
    for k in range(1, k_max + 1):
        sol = solve_from_cost_matrix(cost, pop, model="mclp", radius=radius, k=k, capacities=capacities,
                                     preselected=preselected, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
        status, gap = sol.status, sol.optimality_gap
        if prev is not None and sol.covered_weight < prev.covered_weight:
            sol, status = prev, "carried_forward"
        before = prev.covered_weight if prev is not None else base
        rows.append((k, sol.covered_weight, sol.covered_weight / total if total > 0 else 0.0,
                     sol.covered_weight - before, int(sol.selected.size), tuple(int(j) for j in sol.selected),
                     status, gap))
        prev = sol
    return pd.DataFrame(rows, columns=["k", "covered_weight", "covered_share", "marginal_weight", "n_sites",
                                       "selected", "status", "optimality_gap"])


def sites(study, *, kind: str = "emergency", model: str = "mclp", k: int | None = 5, capacitated: bool = True,
          radius_m: float | None = None, time_limit: float | None = DEFAULT_TIME_LIMIT_S,
          curve_k: int | None = None, usable_share: Mapping[str, float] | None = None,
          min_width_m: float = MIN_WIDTH_M, split: bool = False,
          service_area_buffer_m: float = SERVICE_AREA_BUFFER_M, with_areas: bool = True,
          mip_rel_gap: float = DEFAULT_MIP_REL_GAP, progress: Progress | None = None) -> SitesResult:
    """Propose emergency (or fixed) shelter sites for the residents of a study.

    Parameters
    ----------
    study : geoplan.study.Study
        A loaded study (residents, candidate sites, buildings, water, walking network, preset).
    kind : {"emergency", "fixed"}
        Shelter kind: m² per person, service radius and minimum site from the preset
        (emergency 1.5 m², 500 m, 0.1 ha; fixed 2 m², 2000 m, 1 ha).
    model : {"mclp", "lscp", "pmedian"}
        Location model (see :mod:`geoplan.shelters.models`).
    k : int, optional
        New sites to propose on top of the existing shelters (MCLP, p-median; LSCP finds the
        number itself). Larger than the candidates left: clamped, with a warning.
    capacitated : bool
        Respect site capacities (each resident building assigned whole to one site).
    radius_m : float, optional
        Service radius, metres (default: the preset's for ``kind``).
    time_limit : float, optional
        Solver budget per solve, seconds (each k of the coverage curve is one solve); the best
        solution found and its gap are reported.
    curve_k : int, optional
        Largest k of the coverage curve (default ``max(k, 10)``; for LSCP up to its own number
        of new sites, at most 50; 0 skips the curve).
    usable_share : mapping, optional
        Overrides of the usable share per site kind (0–1).
    min_width_m : float
        Narrowest open space that counts as a site, metres.
    split : bool
        Capacitated only: allow a building's residents to be split between sites.
    service_area_buffer_m : float
        Walk-shed half-width around the reachable streets drawn as service areas, metres.
    with_areas : bool
        Build the service-area polygons (``False`` on very large networks).
    mip_rel_gap : float
        Relative MIP gap at which HiGHS may stop and call a solution optimal (default 1e-7:
        for populations in persons this is exact; HiGHS's own 1e-4 could leave a few persons
        on a district of 300,000). The time limit still bounds the search; the gap reached is
        reported.
    progress : callable, optional
        Called with a short message before each long step.

    Returns
    -------
    SitesResult
    """
    say = progress or (lambda message: None)
    if kind not in SHELTER_KINDS:
        raise InputError(f"unknown shelter kind {kind!r}", fix=f"use one of: {', '.join(SHELTER_KINDS)}")
    model = _check_model(model)
    k = _check_k(k, model)
    preset = study.preset
    m2pp, preset_radius, min_site = shelter_standard(preset, kind)
    radius = float(preset_radius if radius_m is None else radius_m)
    if not (np.isfinite(radius) and radius > 0):
        raise InputError(f"the service radius must be a positive number of metres, not {radius_m!r}",
                         fix="e.g. 500 (emergency) or 2000 (fixed)")
    if time_limit is not None and not (float(time_limit) > 0):
        raise InputError(f"the time limit must be a positive number of seconds, not {time_limit!r}",
                         fix="e.g. --time-limit 60")
    elderly_radius = radius * min(1.0, float(preset.life_circle.walk_speed_elderly_mps) / float(preset.life_circle.walk_speed_mps))
    warnings: list[str] = []

    # ---------------------------------------------------------------- candidates
    say("sites: candidate sites and their capacity")
    cand, notes = candidate_sites(study, kind=kind, usable_share=usable_share, min_width_m=min_width_m)
    warnings += notes
    usable = cand["status"].isin(["eligible", "existing"]).to_numpy()
    cols = np.flatnonzero(usable)
    col_rows = cand["_row"].to_numpy()[cols]
    col_ids = cand["site_id"].astype(str).to_numpy()[cols]
    pre = cand["existing"].to_numpy(dtype=bool)[cols]
    caps = cand["capacity"].to_numpy(dtype=float)[cols]

    # ---------------------------------------------------------------- residents
    residents = study.residents.reset_index(drop=True)
    pop, notes = _population(residents)
    warnings += notes
    snap_r = study.snaps["residents.walk"]
    total = float(pop.sum())

    # ---------------------------------------------------------------- distances
    say(f"sites: walking distances within {radius:g} m from {len(cols)} sites to {len(residents)} residents")
    cost = walking_cost_matrix(study, col_rows, radius=radius)
    reach = cost.copy()
    reach.data = np.ones_like(reach.data)

    # ---------------------------------------------------------------- models
    solution = None
    curve = pd.DataFrame(columns=["k", "covered_population", "covered_share", "marginal_population", "n_sites",
                                  "status", "optimality_gap", "selected"])
    status, message = "no_candidates", ""
    if len(cols) == 0:
        if len(cand) == 0:
            message = ("No candidate site in the area: the OSM data has no park, square, green space, sports "
                       "ground, school, gymnasium or community centre, and no sites layer was given "
                       "(add candidates or existing shelters in a sites layer).")
        else:
            message = (f"No usable candidate site in the area: all {len(cand)} candidates were rejected; see "
                       "candidates.csv for why (add sites in the sites layer, or lower the minimum size).")
        warnings.append(message)
    elif total <= 0:
        status, message = "no_demand", "There are no residents with a population: nothing to cover."
        warnings.append(message)
    else:
        say(f"sites: {model.upper()}{' (capacitated)' if capacitated else ''} on {cost.nnz:,} resident–site pairs")
        with _warnings.catch_warnings(record=True) as caught:
            _warnings.simplefilter("always")
            solution = solve_from_cost_matrix(cost, pop, model=model, radius=radius,
                                              k=None if model == "lscp" else k,
                                              capacities=caps if capacitated else None, preselected=pre,
                                              time_limit=time_limit, split=split, mip_rel_gap=mip_rel_gap)
        status, message = solution.status, solution.message
        warnings += [str(w.message) for w in caught if str(w.message) not in message]
        if message:
            warnings.append(message)
        n_free = int((~pre).sum())
        k_curve = max(k or 0, DEFAULT_CURVE_K) if curve_k is None else int(curve_k)
        if model == "lscp" and curve_k is None:  # up to the LSCP's own number of new sites (at most 50)
            k_curve = max(k_curve, min(int(len(solution.selected) - pre.sum()), MAX_DEFAULT_CURVE_K))
        k_curve = min(k_curve, n_free)
        if k_curve >= 1:
            say(f"sites: coverage curve k = 1 … {k_curve}")
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore")
                if capacitated and not split and cost.nnz > CURVE_ONE_MODEL_MAX_PAIRS:
                    raw_curve = _curve_by_solves(cost, pop, radius=radius, k_max=k_curve, capacities=caps,
                                                 preselected=pre, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
                else:
                    raw_curve = coverage_curve(cost, pop, radius=radius, k_max=k_curve,
                                               capacities=caps if capacitated else None, preselected=pre,
                                               time_limit=time_limit, split=split, mip_rel_gap=mip_rel_gap)
            curve = pd.DataFrame({
                "k": raw_curve["k"].astype(int),
                "covered_population": np.round(raw_curve["covered_weight"].astype(float), 3),
                "covered_share": np.round(raw_curve["covered_share"].astype(float), 6),
                "marginal_population": np.round(raw_curve["marginal_weight"].astype(float), 3),
                "n_sites": raw_curve["n_sites"].astype(int),
                "status": raw_curve["status"].astype(str),
                "optimality_gap": raw_curve["optimality_gap"].astype(float),
                "selected": [";".join(col_ids[list(s)]) for s in raw_curve["selected"]],
            })

    # ---------------------------------------------------------------- residents table
    say("sites: tables")
    n_res = len(residents)
    assign = solution.assignment.astype(np.int64) if solution is not None else np.full(n_res, -1, dtype=np.int64)
    assigned_mask = assign >= 0
    walk = np.full(n_res, np.nan)
    walk[assigned_mask] = _lookup(cost, np.flatnonzero(assigned_mask), assign[assigned_mask])
    n_reach = np.diff(cost.indptr)
    nearest = np.full(n_res, np.nan)
    if cost.nnz:
        has = n_reach > 0
        nearest[has] = np.minimum.reduceat(cost.data, cost.indptr[:-1][has])
    open_cols = np.asarray(solution.selected, dtype=np.int64) if solution is not None else np.flatnonzero(pre)
    is_open = np.zeros(len(cols), dtype=bool)
    is_open[open_cols] = True
    open_in_reach = (reach @ is_open.astype(float)) > 0 if len(cols) else np.zeros(n_res, dtype=bool)
    reason = np.full(n_res, "covered", dtype=object)
    reason[~assigned_mask & (n_reach > 0) & open_in_reach] = "capacity_exhausted"
    reason[~assigned_mask & (n_reach > 0) & ~open_in_reach] = "site_not_chosen"
    reason[~assigned_mask & (n_reach == 0)] = "too_far" if len(cols) else "no_candidates"
    reason[~snap_r.ok] = "off_network"
    reason[pop <= 0] = "no_population"
    covered = assigned_mask & (pop > 0)
    reason[covered] = "covered"
    within_elderly = covered & (walk <= elderly_radius)
    pts = residents.geometry.representative_point()
    ll = gpd.GeoSeries(pts, crs=study.crs).to_crs("EPSG:4326")
    site_of = np.where(assigned_mask, col_ids[np.maximum(assign, 0)] if len(cols) else "", None)
    res_table = pd.DataFrame({
        "resident_id": residents["resident_id"].astype(str).to_numpy(),
        "lon": np.round(ll.x.to_numpy(), 7),
        "lat": np.round(ll.y.to_numpy(), 7),
        "population": pop,
        "community": residents["community"].astype(object).fillna("unassigned").astype(str).to_numpy()
        if "community" in residents else "unassigned",
        "site_id": site_of,
        "walk_m": walk,
        "covered": covered,
        "within_elderly_m": within_elderly,
        "reason": reason,
        "nearest_candidate_m": nearest,
        "candidates_in_reach": n_reach.astype(int),
        "snap_m": np.round(np.where(np.isfinite(snap_r.distance_m), snap_r.distance_m, np.nan), _DECIMALS),
    })
    elderly_pop = None
    if "elderly_share" in residents:
        share = pd.to_numeric(residents["elderly_share"], errors="coerce").to_numpy(dtype=float)
        if np.isfinite(share).any():
            elderly_pop = np.where(np.isfinite(share), pop * np.clip(share, 0, 1), np.nan)
            res_table["elderly_population"] = elderly_pop
    res_gdf = gpd.GeoDataFrame(res_table, geometry=residents.geometry.to_numpy(), crs=study.crs)

    # ---------------------------------------------------------------- per site
    site_pts = gpd.GeoSeries(cand.geometry.representative_point(), crs=study.crs)
    site_ll = site_pts.to_crs("EPSG:4326")
    cand = cand.assign(lon=np.round(site_ll.x.to_numpy(), 7), lat=np.round(site_ll.y.to_numpy(), 7))
    covered_by = reach.T @ pop if len(cols) else np.zeros(0)
    per = pd.DataFrame({"col": assign[covered], "pop": pop[covered], "walk": walk[covered],
                        "eld": within_elderly[covered] * pop[covered]})
    agg = per.groupby("col").agg(assigned=("pop", "sum"), features=("pop", "size"), max_walk=("walk", "max"),
                                 eld=("eld", "sum"))
    per["pw"] = per["pop"] * per["walk"]
    agg["mean_walk"] = per.groupby("col")["pw"].sum() / agg["assigned"].where(agg["assigned"] > 0)
    assigned_by = agg["assigned"].to_dict()
    rank = _build_order(reach, pop, open_cols, pre, assigned_by, col_ids) if len(cols) else {}
    rows = []
    cand_index = np.flatnonzero(usable)
    for j in open_cols.tolist():
        c = cand.iloc[cand_index[j]]
        a = agg.loc[j] if j in agg.index else None
        rows.append({
            "site_id": col_ids[j], "name": c["name"], "kind": c["kind"], "lon": c["lon"], "lat": c["lat"],
            "effective_area_m2": c["effective_area_m2"], "capacity": int(c["capacity"]),
            "assigned_population": round(float(a["assigned"]), 3) if a is not None else 0.0,
            "covered_population": round(float(covered_by[j]), 3),
            "mean_walk_m": round(float(a["mean_walk"]), _DECIMALS) if a is not None else np.nan,
            "max_walk_m": round(float(a["max_walk"]), _DECIMALS) if a is not None else np.nan,
            "rank": 0 if pre[j] else rank.get(j, 0),
            "status": "existing" if pre[j] else "proposed",
            "assigned_residents": int(a["features"]) if a is not None else 0,
            "elderly_covered_population": round(float(a["eld"]), 3) if a is not None else 0.0,
            "utilisation": round(float(a["assigned"]) / c["capacity"], 4) if a is not None and c["capacity"] > 0
            else (0.0 if c["capacity"] > 0 else np.nan),
            "net_area_m2": c["net_area_m2"], "usable_share": c["usable_share"], "source": c["source"],
            "snap_m": c["snap_m"], "note": c["note"],
        })
    proposed_cols = ["site_id", "name", "kind", "lon", "lat", "effective_area_m2", "capacity", "assigned_population",
                     "covered_population", "mean_walk_m", "max_walk_m", "rank", "status", "assigned_residents",
                     "elderly_covered_population", "utilisation", "net_area_m2", "usable_share", "source", "snap_m",
                     "note"]
    proposed = pd.DataFrame(rows, columns=proposed_cols)
    if len(proposed):
        proposed = proposed.sort_values(["rank", "site_id"], kind="stable").reset_index(drop=True)
    proposed_pts = gpd.GeoSeries.from_xy(proposed["lon"], proposed["lat"], crs="EPSG:4326").to_crs(study.crs)
    proposed = gpd.GeoDataFrame(proposed, geometry=proposed_pts.to_numpy(), crs=study.crs)

    # ---------------------------------------------------------------- candidates table
    status_col = cand["status"].to_numpy(dtype=object).copy()
    cand_reason = cand["reason"].to_numpy(dtype=object).copy()
    cov_all = np.full(len(cand), np.nan)
    cov_all[cand_index] = covered_by
    for pos, j in enumerate(cand_index.tolist()):
        if status_col[j] == "eligible":
            status_col[j] = "proposed" if is_open[pos] else "not_chosen"
            if not is_open[pos] and covered_by[pos] <= 0:
                cand_reason[j] = "no_one_in_reach"
    candidates = cand.assign(status=status_col, reason=cand_reason, covered_population=np.round(cov_all, 3))
    order = ["site_id", "name", "kind", "status", "reason", "reason_text", "part_of", "existing", "lon", "lat",
             "gross_area_m2", "net_area_m2", "usable_share", "effective_area_m2", "capacity", "covered_population",
             "snap_m", "source", "open_ground", "name_zh", "name_en", "note"]
    candidates = candidates[order + ["geometry"]]

    # ---------------------------------------------------------------- assignment lines
    if covered.any():
        site_xy = gpd.GeoSeries(cand.geometry.representative_point().to_numpy()[cand_index], crs=study.crs)
        a_rows = np.flatnonzero(covered)
        lines = shapely.linestrings(np.stack([
            np.column_stack([shapely.get_x(pts.to_numpy()[a_rows]), shapely.get_y(pts.to_numpy()[a_rows])]),
            np.column_stack([shapely.get_x(site_xy.to_numpy()[assign[a_rows]]),
                             shapely.get_y(site_xy.to_numpy()[assign[a_rows]])]),
        ], axis=1))
        assignment = gpd.GeoDataFrame({
            "resident_id": res_table["resident_id"].to_numpy()[a_rows],
            "site_id": col_ids[assign[a_rows]],
            "population": pop[a_rows],
            "walk_m": walk[a_rows],
        }, geometry=lines, crs=study.crs)
    else:
        assignment = gpd.GeoDataFrame({"resident_id": [], "site_id": [], "population": [], "walk_m": []},
                                      geometry=gpd.GeoSeries([], crs=study.crs), crs=study.crs)

    # ---------------------------------------------------------------- service areas
    areas = gpd.GeoDataFrame({"site_id": [], "radius_m": [], "area_ha": []},
                             geometry=gpd.GeoSeries([], crs=study.crs), crs=study.crs)
    if with_areas and len(open_cols):
        say("sites: service areas of the open sites")
        areas = _service_areas(study, col_rows[open_cols], col_ids[open_cols], radius, service_area_buffer_m)

    # ---------------------------------------------------------------- summary
    cov_pop = float(pop[covered].sum())
    eld_pop = float(pop[within_elderly].sum())
    uncovered_by = {r: round(float(pop[reason == r].sum()), 3) for r in UNCOVERED_REASONS if r != "covered"}
    summary = {
        "kind": kind, "model": model, "capacitated": bool(capacitated), "radius_m": radius,
        "k": solution.k if solution is not None else k, "status": status,
        "optimality_gap": solution.optimality_gap if solution is not None else np.nan,
        "objective": solution.objective if solution is not None else np.nan,
        "solve_time_s": round(solution.solve_time_s, 3) if solution is not None else 0.0,
        "n_variables": solution.n_variables if solution is not None else 0,
        "n_constraints": solution.n_constraints if solution is not None else 0,
        "n_nonzeros": solution.n_nonzeros if solution is not None else 0,
        "n_pairs": int(cost.nnz), "n_demand_points": solution.n_demand_points if solution is not None else 0,
        "population": round(total, 3), "covered_population": round(cov_pop, 3),
        "covered_share": round(cov_pop / total, 6) if total > 0 else np.nan,
        "unreachable_population": round(float(pop[(reason == "too_far") | (reason == "no_candidates")
                                                 | (reason == "off_network")].sum()), 3),
        "shortfall_population": round(float(solution.shortfall_weight), 3) if solution is not None else 0.0,
        **{f"uncovered_{r}": v for r, v in uncovered_by.items() if r != "no_population"},
        "elderly_radius_m": round(elderly_radius, 3), "elderly_covered_population": round(eld_pop, 3),
        "elderly_covered_share": round(eld_pop / total, 6) if total > 0 else np.nan,
        "existing_sites": int(pre.sum()), "proposed_sites": int((~pre[open_cols]).sum()) if len(cols) else 0,
        "candidates": int(len(candidates)), "eligible": int(usable.sum() - pre.sum()),
        "rejected": int((candidates["status"] == "rejected").sum()),
        "total_capacity_open": int(proposed["capacity"].sum()) if len(proposed) else 0,
        "m2_per_person": m2pp, "min_site_m2": min_site, "preset": preset.name, "message": message,
    }
    if elderly_pop is not None:
        known = np.isfinite(elderly_pop)
        summary["elderly_population"] = round(float(elderly_pop[known].sum()), 3)
        summary["elderly_persons_covered"] = round(float(elderly_pop[known & within_elderly].sum()), 3)
    parameters = {"kind": kind, "model": model, "k": k, "capacitated": bool(capacitated), "radius_m": radius,
                  "mip_rel_gap": float(mip_rel_gap),
                  "elderly_radius_m": elderly_radius, "time_limit_s": time_limit, "split": bool(split),
                  "m2_per_person": m2pp, "min_site_m2": min_site, "min_width_m": float(min_width_m),
                  "usable_share": dict(usable_share or {}), "walk_speed_mps": float(preset.life_circle.walk_speed_mps),
                  "walk_speed_elderly_mps": float(preset.life_circle.walk_speed_elderly_mps), "preset": preset.name}
    return SitesResult(
        study_name=study.name, crs=study.crs, lang=study.lang, preset_name=preset.name,
        sources=tuple(study.sources), candidates=candidates, proposed=proposed, residents=res_gdf,
        assignment=assignment, service_areas=areas, coverage_curve=curve, summary=summary,
        boundaries=study.communities, solution=solution, parameters=parameters,
        warnings=tuple(dict.fromkeys(warnings)), cost=cost, weights=pop, capacities=caps, columns=col_ids,
        preselected=pre,
    )


def _service_areas(study, site_rows, site_ids, radius, buffer_m) -> gpd.GeoDataFrame:
    """Per-site service areas: the streets within the radius, owned by the nearest open site."""
    from geoplan.network.service_areas import service_areas

    net = study.walk.compiled
    snap = study.snaps["sites.walk"].subset(np.asarray(site_rows, dtype=np.int64))
    start = np.where(snap.ok & np.isfinite(snap.distance_m), snap.distance_m, 0.0)
    reach = net.search(snap, weight="length", limit=radius, source_cost=start)
    _, per = service_areas(net, {"sites": (reach, np.arange(len(site_ids)))}, {"sites": radius},
                           fac_ids=np.asarray(site_ids, dtype=object), buffer_m=buffer_m, per_facility=True,
                           crs=study.crs)
    if per is None or len(per) == 0:
        return gpd.GeoDataFrame({"site_id": [], "radius_m": [], "area_ha": []},
                                geometry=gpd.GeoSeries([], crs=study.crs), crs=study.crs)
    return gpd.GeoDataFrame({"site_id": per["facility_id"].astype(str).to_numpy(),
                             "radius_m": per["tier_m"].to_numpy(dtype=float),
                             "area_ha": per["area_ha"].to_numpy(dtype=float)},
                            geometry=per.geometry.to_numpy(), crs=study.crs)
