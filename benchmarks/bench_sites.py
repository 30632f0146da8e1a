"""Shelter-sites benchmark: the bundled district and a ≥1M-node network, against PySAL spopt.

    python benchmarks/bench_sites.py                  # bundled district, then 19×19 tiles (≈1.1M nodes)
    python benchmarks/bench_sites.py --tiles 4        # quicker
    python benchmarks/bench_sites.py --tiles 0        # bundled district only

What is timed
-------------
* ``sites(study)`` — the whole analysis (candidates and capacities, the one walking cost-matrix
  call, the capacitated MCLP, the coverage curve, tables), with the time of each phase taken
  from its progress messages; then LSCP, p-median and the uncapacitated MCLP solved on the
  same cost matrix (``solve_from_cost_matrix``). For each: solve time, status, optimality gap,
  objective and model size (variables × constraints, non-zeros, resident–site pairs within
  the radius, demand points after aggregation).
* spopt — ``MCLP``, ``LSCP`` and ``PMedian`` (PuLP + bundled CBC) on the *same* cost data,
  uncapacitated (spopt's capacitated models differ: LSCP splits demand, no capacitated MCLP).
  spopt needs a dense matrix and builds its model in Python: on the large case it gets a
  spatial sub-instance (the sites and residents inside a central window, grown until the dense
  matrix reaches ``--spopt-max-pairs``) and geoplan is solved again on exactly that sub-matrix.
  Unreachable pairs get 10⁶ m in spopt's dense matrix. For the p-median both get the
  residents that have a candidate within the radius, and k large enough to reach them all, so
  the within-radius p-median (geoplan) and the classic one (spopt) have the same optimum.

Large case
----------
``bignet.tiled_study(19, 19)``: the bundled district copied 361 times and stitched into one
≈1.1M-node walking network. It has ~19k residential buildings; the issue asks for ≥100,000
residents, so there **every building footprint is a demand point**, its population estimated
as footprint × levels ÷ floor area per person (the preset's residential estimate applied to all
buildings) — this is said in the output. Needs ~11 GB of memory and several minutes to load;
run one large benchmark at a time.

No figure is asserted; this only reports.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).parent))
from _common import peak_rss_mb, timed  # noqa: E402
REPO = Path(__file__).resolve().parents[1]
#: Relative MIP gap of every geoplan solve here (as ``sites()``; CBC in spopt solves to optimality).
GAP = 1e-7
#: Largest dense p-median handed to spopt (one PuLP variable per resident–site pair).
PMEDIAN_MAX_PAIRS = 250_000


class Phases:
    """Progress callback that records when each message came (phase timings)."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def __call__(self, message) -> None:
        message = str(message)  # a geoplan.i18n.Message: its English sentence
        now = time.perf_counter()
        if self.marks:
            print(f"        ({now - self.marks[-1][1]:.1f} s)", flush=True)
        self.marks.append((message, now))
        print(f"      … {message}", flush=True)

    def report(self, end: float) -> list[tuple[str, float]]:
        out = []
        for (msg, t0), (_, t1) in zip(self.marks, self.marks[1:] + [("", end)]):
            out.append((msg, t1 - t0))
        return out


def all_buildings_as_demand(study):
    """Every building footprint as a demand point, population from footprint × levels."""
    import geopandas as gpd

    b = study.buildings
    preset = study.preset
    pop = np.round(b["footprint_m2"].to_numpy(float) * b["levels"].to_numpy(float) / preset.residents.floor_area_per_person_m2, 1)
    res = b[["building_id", "name", "geometry"]].rename(columns={"building_id": "resident_id"}).copy()
    res["population"] = pop
    res["population_source"] = "estimated_all_buildings"
    res["community"] = b["community"].to_numpy() if "community" in b else "unassigned"
    res = res[["resident_id", "name", "population", "population_source", "community", "geometry"]]
    res = res.reset_index(drop=True)
    snap, t = timed(study.walk.compiled.snap, res.geometry.to_numpy(), max_distance=preset.max_snap_m)
    snaps = dict(study.snaps)
    snaps["residents.walk"] = snap
    print(f"  demand: every building footprint, {len(res):,} points, population {pop.sum():,.0f} "
          f"(footprint × levels ÷ {preset.residents.floor_area_per_person_m2:g} m², all buildings); snapped in {t:.1f} s",
          flush=True)
    return dataclasses.replace(study, residents=gpd.GeoDataFrame(res, geometry="geometry", crs=study.crs),
                               snaps=snaps)


def line(label: str, sol, t: float) -> str:
    return (f"    {label:<26} {t:8.2f} s  {sol.status:<11} gap {sol.optimality_gap:8.2e}  objective "
            f"{sol.objective:14,.1f}  {sol.n_variables:>9,} var × {sol.n_constraints:>9,} rows, "
            f"{sol.n_nonzeros:>10,} nz, {sol.n_demand_points:,} demand pts")


def geoplan_models(cost, w, caps, pre, *, radius: float, k: int, time_limit: float, skip=()) -> dict:
    from geoplan.shelters.models import solve_from_cost_matrix

    out = {}
    runs = [("mclp uncapacitated", dict(model="mclp", k=k)),
            ("lscp uncapacitated", dict(model="lscp")),
            ("pmedian uncapacitated", dict(model="pmedian", k=k)),
            ("lscp capacitated", dict(model="lscp", capacities=caps)),
            ("pmedian capacitated", dict(model="pmedian", k=k, capacities=caps))]
    for label, kw in runs:
        if label.replace(" ", "-") in skip:
            print(f"    {label:<26} skipped (--skip)")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sol, t = timed(solve_from_cost_matrix, cost, w, radius=radius, preselected=pre, time_limit=time_limit,
                           mip_rel_gap=GAP, **kw)
        out[label] = (sol, t)
        print(line(label, sol, t), flush=True)
    return out


def spopt_compare(cost: sparse.csr_matrix, w, pre, *, radius: float, k: int, time_limit: float,
                  label: str, models=("mclp", "lscp", "pmedian")) -> None:
    """spopt MCLP / LSCP / PMedian against geoplan on the same (dense-able) cost matrix."""
    try:
        import pulp
        from spopt.locate import LSCP, MCLP, PMedian
    except ImportError:
        print("    spopt not installed: comparison skipped (pip install spopt)")
        return
    from geoplan.shelters.models import solve_from_cost_matrix

    n_res, n_sites = cost.shape
    dense = np.full(cost.shape, 1e6)
    coo = cost.tocoo()
    dense[coo.row, coo.col] = coo.data
    pre_i = pre.astype(int)
    n_pre = int(pre.sum())
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
    print(f"  spopt vs geoplan on {label}: {n_res:,} residents × {n_sites:,} sites = {n_res * n_sites:,} dense pairs "
          f"({cost.nnz:,} within {radius:g} m)", flush=True)
    reach = np.diff(cost.indptr) > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if "mclp" in models:
            ours, t_ours = timed(solve_from_cost_matrix, cost, w, model="mclp", radius=radius, k=k, preselected=pre,
                                 time_limit=time_limit, mip_rel_gap=GAP)
            ref, t_ref = timed(lambda: MCLP.from_cost_matrix(dense, w, service_radius=radius,
                                                             p_facilities=k + n_pre,
                                                             predefined_facilities_arr=pre_i).solve(solver))
            _print_pair("MCLP", ours, t_ours, ref, t_ref)
        ours, t_ours = timed(solve_from_cost_matrix, cost, w, model="lscp", radius=radius, preselected=pre,
                             time_limit=time_limit, mip_rel_gap=GAP)
        if "lscp" in models:
            ref, t_ref = timed(lambda: LSCP.from_cost_matrix(dense[reach], service_radius=radius,
                                                             predefined_facilities_arr=pre_i).solve(solver))
            _print_pair("LSCP", ours, t_ours, ref, t_ref)
        if "pmedian" not in models:
            return
        lscp_new = int(ours.objective) - n_pre
        kp = min(max(k, lscp_new + 1), n_sites - n_pre)
        sub = cost[reach]
        ours, t_ours = timed(solve_from_cost_matrix, sub, w[reach], model="pmedian", radius=radius, k=kp,
                             preselected=pre, time_limit=time_limit, mip_rel_gap=GAP)
        if reach.sum() * n_sites > PMEDIAN_MAX_PAIRS:
            print(f"    p-median (k={kp})  geoplan {t_ours:8.2f} s objective {ours.objective:14,.1f}; "
                  f"spopt skipped ({reach.sum() * n_sites:,} x-variables: too many for PuLP here)")
            return
        ref, t_ref = timed(lambda: PMedian.from_cost_matrix(dense[reach], w[reach], p_facilities=kp + n_pre,
                                                            predefined_facilities_arr=pre_i).solve(solver))
        _print_pair(f"p-median (k={kp})", ours, t_ours, ref, t_ref)


def _print_pair(name, ours, t_ours, ref, t_ref) -> None:
    obj = ref.problem.objective.value()
    same = abs(obj - ours.objective) <= 1e-6 * max(1.0, abs(obj))
    print(f"    {name:<22} geoplan {t_ours:8.2f} s obj {ours.objective:14,.1f} ({ours.status}, gap "
          f"{ours.optimality_gap:.1e})   spopt {t_ref:8.2f} s obj {obj:14,.1f}   "
          f"{'same objective' if same else 'DIFFERENT'}   ratio {t_ref / max(t_ours, 1e-9):6.1f}×", flush=True)


def window(study, result, max_pairs: int):
    """Rows and columns of a central spatial window whose dense matrix stays under ``max_pairs``."""
    res_xy = np.column_stack([result.residents.geometry.representative_point().x,
                              result.residents.geometry.representative_point().y])
    cand = result.candidates.set_index("site_id")
    pts = cand.loc[list(result.columns)].geometry.representative_point()
    site_xy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
    cx, cy = np.median(site_xy[:, 0]), np.median(site_xy[:, 1])
    half = 250.0
    best = None
    while True:
        rows = np.flatnonzero((np.abs(res_xy[:, 0] - cx) <= half) & (np.abs(res_xy[:, 1] - cy) <= half))
        cols = np.flatnonzero((np.abs(site_xy[:, 0] - cx) <= half) & (np.abs(site_xy[:, 1] - cy) <= half))
        if len(rows) * len(cols) > max_pairs or half > 1e6:
            break
        best = (rows, cols, half)
        half *= 1.25
    return best


def bench(study, label: str, *, k: int, time_limit: float, curve_k: int, spopt_max_pairs: int,
          all_buildings: bool, skip: tuple[str, ...] = ()) -> None:
    from geoplan import sites

    net = study.walk.compiled
    print(f"{label}: {net.n_nodes:,} walk nodes / {len(net.edge_u):,} edges, {len(study.residents):,} residents, "
          f"{len(study.sites):,} candidate features", flush=True)
    if all_buildings:
        study = all_buildings_as_demand(study)
    phases = Phases()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result, t = timed(sites, study, model="mclp", k=k, capacitated=True, time_limit=time_limit, curve_k=curve_k,
                          with_areas=False, progress=phases)
    end = time.perf_counter()
    s = result.figures
    print(f"  sites(study, model='mclp', k={k}, capacitated) total {t:8.2f} s; peak RSS {peak_rss_mb():,.0f} MB")
    for msg, dt in phases.report(end):
        print(f"    {dt:8.2f} s  {msg}")
    print(f"  candidates {s['candidates']:,}: {s['existing_sites']:,} existing, {s['eligible']:,} eligible, "
          f"{s['rejected']:,} rejected; {len(result.residents):,} demand points, population {s['population']:,.0f}")
    print(f"  model size: {s['n_pairs']:,} resident–site pairs within {s['radius_m']:g} m, "
          f"{s['n_demand_points']:,} demand points after aggregation, {s['n_variables']:,} variables × "
          f"{s['n_constraints']:,} constraints, {s['n_nonzeros']:,} non-zeros")
    print(f"  capacitated MCLP: {s['status']}, gap {s['optimality_gap']:.2e}, solve {s['solve_time_s']:.2f} s, "
          f"covered {s['covered_population']:,.0f} ({s['covered_share']:.1%}), shortfall "
          f"{s['shortfall_population']:,.0f}, unreachable {s['unreachable_population']:,.0f}", flush=True)
    if len(result.coverage_curve):
        c = result.coverage_curve
        print("  coverage curve: " + ", ".join(f"k={r.k} {r.covered_share:.1%}" for r in c.itertuples()))
    n_dense = result.cost.shape[0] * result.cost.shape[1]
    n_reach = int((np.diff(result.cost.indptr) > 0).sum())
    plan = [(spopt_max_pairs, ("mclp", "lscp"), n_dense), (PMEDIAN_MAX_PAIRS, ("pmedian",),
                                                           n_reach * result.cost.shape[1])]
    for limit, models, size in plan:
        if size <= limit:
            spopt_compare(result.cost, result.weights, result.preselected, radius=s["radius_m"], k=k,
                          time_limit=time_limit, models=models, label="the full cost matrix")
            continue
        win = window(study, result, limit)
        if win is None:
            print(f"  spopt ({', '.join(models)}): no window small enough; skipped")
            continue
        rows, cols, half = win
        sub = result.cost[rows][:, cols].tocsr()
        kk = max(1, min(k, len(cols) // 4))
        print(f"  spopt cannot hold the full {size:,}-pair dense matrix for {', '.join(models)}: "
              f"sub-instance of a central window", flush=True)
        spopt_compare(sub, result.weights[rows], result.preselected[cols], radius=s["radius_m"], k=kk,
                      time_limit=time_limit, models=models,
                      label=f"the central {2 * half:,.0f} m window, {len(rows):,} × {len(cols):,}, k={kk}")
    print("  other models on the same cost matrix (geoplan / HiGHS):", flush=True)
    geoplan_models(result.cost, result.weights, result.capacities, result.preselected, radius=s["radius_m"], k=k,
                   time_limit=time_limit, skip=skip)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=19, help="tiles per side of the large case (0: skip it)")
    parser.add_argument("--k", type=int, default=None, help="new sites (default 5 bundled, 100 large)")
    parser.add_argument("--time-limit", type=float, default=120.0, help="solver seconds per solve")
    parser.add_argument("--curve-k", type=int, default=None, help="coverage curve length (default 10 bundled, 5 large)")
    parser.add_argument("--spopt-max-pairs", type=int, default=1_000_000,
                        help="largest dense matrix handed to spopt (residents × sites)")
    parser.add_argument("--skip", default="", help="large case: extra geoplan runs to skip, comma-separated "
                        "(e.g. pmedian-uncapacitated,pmedian-capacitated)")
    parser.add_argument("--residents-only", action="store_true",
                        help="large case: keep the residential buildings as demand (not every building)")
    args = parser.parse_args()

    from geoplan.study import load_study

    study, t = timed(load_study, None, layers=[REPO / "layers"])
    print(f"(bundled district loaded in {t:.1f} s)")
    bench(study, "bundled district (Helsinki sample + sample layers)", k=args.k or 5, time_limit=args.time_limit,
          curve_k=args.curve_k if args.curve_k is not None else 10, spopt_max_pairs=args.spopt_max_pairs,
          all_buildings=False)
    if args.tiles > 0:
        from bignet import tiled_study

        big, t = timed(tiled_study, args.tiles, args.tiles)
        print(f"(tiled {args.tiles}×{args.tiles} study loaded in {t:.0f} s; peak RSS {peak_rss_mb():,.0f} MB)",
              flush=True)
        bench(big, f"tiled {args.tiles}×{args.tiles} (stitched copies of the real street geometry)",
              k=args.k or 100, time_limit=args.time_limit,
              curve_k=args.curve_k if args.curve_k is not None else 5, spopt_max_pairs=args.spopt_max_pairs,
              all_buildings=not args.residents_only, skip=tuple(x for x in args.skip.split(",") if x))


if __name__ == "__main__":
    main()
