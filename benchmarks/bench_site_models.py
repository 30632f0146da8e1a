"""Benchmark of the cost-matrix site models (geoplan.shelters) against PySAL spopt.

Synthetic but city-like data, generated deterministically from a seeded RNG:
residential buildings clustered in neighbourhoods over a square city, snapped to a
20 m grid (a stand-in for "same network location"), with 1–150 persons each;
candidate sites partly uniform, partly in the same neighbourhoods. The walking
distance is approximated as 1.3 × the straight-line distance and only pairs within
the service radius are kept (a sparse matrix). The network-based benchmark comes
separately.

For every case it prints the solve time, peak memory, model size, objective and
gap of geoplan (HiGHS) and, where it fits, spopt (PuLP + bundled CBC) on the same
cost data; ``--network N`` adds the shelter instance of a tiled benchmark city (every building
a demand point, the usable candidates with their capacities). spopt needs a dense matrix and builds its model variable by variable in
Python, so it is skipped (and said so) beyond ``--spopt-max-pairs`` dense pairs.

Usage::

    python benchmarks/bench_site_models.py            # all cases (several minutes)
    python benchmarks/bench_site_models.py --quick    # small cases only
    python benchmarks/bench_site_models.py --cases big --time-limit 60
    python benchmarks/bench_site_models.py --cases --network 5 --only cap-mclp --gap-at 10,30,60 \
        --mip-rel-gap 1e-7 --before /path/to/previous/checkout   # the network case, before and after

Memory: ``py-peak`` is the tracemalloc peak of Python/NumPy allocations during that
solve (HiGHS's own C++ memory is not included); ``rss-max`` is the process's peak
resident size so far (cumulative over the run, so it includes earlier steps).

No figure is asserted; this only reports.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from _common import peak_rss_mb  # the benchmarks folder is on sys.path when run as a script
from geoplan.shelters import coverage_curve, solve_from_cost_matrix

DETOUR = 1.3


@dataclass
class Case:
    name: str
    n_demand: int
    n_cand: int
    city_m: float
    radius: float
    k: int
    seed: int = 42
    where: str = ""


CASES = {
    "small": Case("small", 2_000, 100, 4_000.0, 500.0, 10),
    "medium": Case("medium", 10_000, 300, 8_000.0, 500.0, 40),
    "big": Case("big", 100_000, 1_000, 15_000.0, 500.0, 100),
    "big-2km": Case("big-2km", 100_000, 1_000, 15_000.0, 2_000.0, 20),
}


def synthetic(case: Case):
    """Return (sparse cost, weights, capacities) for a case; deterministic."""
    rng = np.random.default_rng(case.seed)
    n_hoods = max(5, case.n_demand // 2_000)
    hoods = rng.uniform(0.1, 0.9, (n_hoods, 2)) * case.city_m
    spread = rng.uniform(200, 900, n_hoods)
    which = rng.integers(0, n_hoods, case.n_demand)
    dem = hoods[which] + rng.normal(0, 1, (case.n_demand, 2)) * spread[which, None]
    dem = np.clip(dem, 0, case.city_m)
    dem = np.round(dem / 20.0) * 20.0  # snap to a 20 m grid: co-located buildings
    weights = np.clip(np.round(rng.lognormal(3.0, 0.8, case.n_demand)), 1, 150)
    n_uniform = case.n_cand // 2
    cand = np.vstack(
        [
            rng.uniform(0, case.city_m, (n_uniform, 2)),
            hoods[rng.integers(0, n_hoods, case.n_cand - n_uniform)]
            + rng.normal(0, 600, (case.n_cand - n_uniform, 2)),
        ]
    )
    cand = np.clip(cand, 0, case.city_m)
    max_euclid = case.radius / DETOUR
    coo = cKDTree(dem).sparse_distance_matrix(cKDTree(cand), max_euclid, output_type="coo_matrix")
    cost = sparse.csr_matrix((coo.data * DETOUR, (coo.row, coo.col)), shape=(case.n_demand, case.n_cand))
    # co-located pairs (distance 0) are dropped by sparse_distance_matrix; that is
    # fine for a benchmark (probability ~0 with continuous candidate positions)
    capacities = np.round(rng.uniform(0.5, 2.0, case.n_cand) * weights.sum() / case.n_cand * 1.2)
    return cost, weights, capacities


def run_geoplan(label, fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        out = fn()
    finally:
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return out, elapsed, peak / 2**20


def report(label, sol, elapsed, peak_mb):
    print(
        f"  geoplan {label:<22} total {elapsed:7.2f} s (HiGHS {sol.solve_time_s:7.2f} s) "
        f"py-peak {peak_mb:7.1f} MB  rss-max {peak_rss_mb():7.0f} MB | "
        f"{sol.n_variables:>9,} vars {sol.n_constraints:>9,} rows {sol.n_nonzeros:>10,} nz "
        f"{sol.n_demand_points:>7,} pts | status {sol.status:<10} gap {sol.optimality_gap:.2e} | "
        f"objective {sol.objective:,.6g}  covered {sol.covered_weight:,.0f} ({sol.covered_share:.1%}) "
        f"sites {len(sol.selected)}"
    )


def run_spopt(case: Case, cost, weights, models, time_limit, max_pairs):
    n_pairs = cost.shape[0] * cost.shape[1]
    try:
        import pulp
        from spopt.locate import LSCP, MCLP, PMedian
    except ImportError:
        print("  spopt: skipped (spopt not installed; pip install spopt)")
        return {}
    dense = cost.toarray()
    dense[dense == 0] = np.inf  # absent = unreachable (no stored zeros here, see synthetic())
    out = {}
    for model in models:
        limit = max_pairs if model != "pmedian" else max_pairs // 10
        if n_pairs > limit:
            print(
                f"  spopt   {model:<22} skipped: dense {cost.shape[0]:,}×{cost.shape[1]:,} = {n_pairs:,} pairs "
                f"(> {limit:,}; spopt builds one PuLP object per pair)"
            )
            continue
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
        tracemalloc.start()
        t0 = time.perf_counter()
        if model == "mclp":
            m = MCLP.from_cost_matrix(dense, weights, service_radius=case.radius, p_facilities=case.k)
        elif model == "lscp":
            reach = (dense <= case.radius).any(axis=1)
            m = LSCP.from_cost_matrix(dense[reach], service_radius=case.radius)
        else:
            # spopt's p-median has no radius: unreachable pairs get a big-M distance
            big = np.where(np.isfinite(dense), dense, 1e6)
            m = PMedian.from_cost_matrix(big, weights, p_facilities=case.pmedian_k)
        t_build = time.perf_counter() - t0
        m.solve(solver)
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        obj = m.problem.objective.value()
        # PuLP reports CBC stopped by its time limit as "Optimal" too; flag it ourselves
        hit = time_limit is not None and elapsed - t_build >= 0.98 * time_limit
        out[model] = (obj, hit)
        status = pulp.LpStatus[m.problem.status] + (" (time limit hit: not proven optimal)" if hit else "")
        print(
            f"  spopt   {model:<22} total {elapsed:7.2f} s (build {t_build:6.2f} s) py-peak {peak / 2**20:7.1f} MB "
            f"rss-max {peak_rss_mb():7.0f} MB | status {status} | objective {obj:,.6g}"
        )
    return out


def bench_case(case: Case, args, data=None):
    t0 = time.perf_counter()
    cost, weights, caps, pre = data if data is not None else (*synthetic(case), None)
    where = case.where if data is not None else f"{case.city_m / 1000:g} km city"
    print(
        f"\n== {case.name}: {case.n_demand:,} demand points ({weights.sum():,.0f} persons) × {case.n_cand:,} "
        f"candidates, {where}, radius {case.radius:g} m, k={case.k}: "
        f"{cost.nnz:,} pairs within radius ({time.perf_counter() - t0:.1f} s to generate)"
    )
    tl = args.time_limit
    if args.only == "cap-mclp":
        capacitated_lines(case, cost, weights, caps, pre, args)
        return
    res = {}
    sol, el, pk = run_geoplan("lscp", lambda: solve_from_cost_matrix(cost, weights, model="lscp", radius=case.radius,
                                                                     time_limit=tl))
    report("lscp", sol, el, pk)
    res["lscp"] = sol
    sol, el, pk = run_geoplan("mclp", lambda: solve_from_cost_matrix(cost, weights, model="mclp", radius=case.radius,
                                                                     k=case.k, time_limit=tl))
    report(f"mclp k={case.k}", sol, el, pk)
    res["mclp"] = sol
    # p-median with enough sites to serve everyone reachable (LSCP count + 10 %)
    case.pmedian_k = int(np.ceil(res["lscp"].objective * 1.1))
    sol, el, pk = run_geoplan("pmedian", lambda: solve_from_cost_matrix(
        cost, weights, model="pmedian", radius=case.radius, k=case.pmedian_k, time_limit=tl))
    report(f"pmedian k={case.pmedian_k}", sol, el, pk)
    res["pmedian"] = sol
    if not args.no_capacitated:
        for split in (False, True):
            lab = f"cap-mclp k={case.k}{' split' if split else ''}"
            sol, el, pk = run_geoplan(lab, lambda: solve_from_cost_matrix(
                cost, weights, model="mclp", radius=case.radius, k=case.k, capacities=caps, split=split,
                time_limit=tl))
            report(lab, sol, el, pk)
            used = sol.assigned_weight <= caps[sol.selected] + 1e-6
            if not used.all():
                print("    !! capacity exceeded at", sol.selected[~used])
    if args.curve:
        kk = min(case.k, args.curve)
        t1 = time.perf_counter()
        curve = coverage_curve(cost, weights, radius=case.radius, k_max=kk, time_limit=tl)
        mono = bool(np.all(np.diff(curve["covered_weight"]) >= 0))
        print(
            f"  geoplan coverage curve k=1..{kk}: {time.perf_counter() - t1:.2f} s, monotone={mono}, "
            f"share at k={kk}: {curve['covered_share'].iloc[-1]:.1%}"
        )
    if not args.no_spopt:
        ref = run_spopt(case, cost, weights, ["lscp", "mclp", "pmedian"], tl, args.spopt_max_pairs)
        for model, (obj, hit) in ref.items():
            ours = res[model].objective
            if model == "pmedian":
                # spopt's objective includes 1e6 m per person it cannot reach
                ours = ours + 1e6 * (res["pmedian"].shortfall_weight + res["pmedian"].unreachable_weight)
            # both solvers stop within a relative gap of 1e-4 (HiGHS) / their time limit
            if np.isclose(ours, obj, rtol=2e-4):
                verdict = "same (within the MIP gap)"
            else:
                better = ours > obj if model == "mclp" else ours < obj
                verdict = ("geoplan better" if better else "geoplan WORSE") + (" (spopt hit its time limit)" if hit else "")
            print(f"  compare {model:<8} geoplan {ours:,.6g} vs spopt {obj:,.6g}: {verdict}")


def capacitated_lines(case: Case, cost, weights, caps, pre, args) -> None:
    """The capacitated MCLP alone (whole points, then split) at each time limit; with ``--before``,
    the same solves by the code of another checkout, in a subprocess, on the same instance."""
    for tl in args.gap_at or [args.time_limit]:
        for split in (False, True):
            lab = f"cap-mclp k={case.k}{' split' if split else ''} {tl:g} s"
            sol, el, pk = run_geoplan(lab, lambda: solve_from_cost_matrix(
                cost, weights, model="mclp", radius=case.radius, k=case.k, capacities=caps, preselected=pre,
                split=split, time_limit=tl, mip_rel_gap=args.mip_rel_gap))
            report(lab, sol, el, pk)
            if args.before:
                before_line(args.before, lab, cost, weights, caps, pre, case, split, tl, args.mip_rel_gap)


def before_line(checkout: str, label: str, cost, weights, caps, pre, case: Case, split: bool, tl: float,
                gap: float) -> None:
    """One capacitated MCLP solve by the geoplan of ``checkout`` (e.g. the previous commit's worktree)."""
    import json
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/case.npz"
        np.savez(path, data=cost.data, indices=cost.indices, indptr=cost.indptr, shape=cost.shape, w=weights,
                 caps=caps, pre=np.zeros(cost.shape[1], bool) if pre is None else pre)
        code = (
            "import json, sys, time, warnings; import numpy as np; from scipy import sparse\n"
            "from geoplan.shelters import solve_from_cost_matrix\n"
            "z = np.load(sys.argv[1]); warnings.simplefilter('ignore')\n"
            "c = sparse.csr_matrix((z['data'], z['indices'], z['indptr']), shape=tuple(z['shape']))\n"
            "t = time.perf_counter()\n"
            "s = solve_from_cost_matrix(c, z['w'], model='mclp', radius=float(sys.argv[2]), k=int(sys.argv[3]), "
            "capacities=z['caps'], preselected=z['pre'], split=sys.argv[4] == '1', time_limit=float(sys.argv[5]), "
            "mip_rel_gap=float(sys.argv[6]))\n"
            "print(json.dumps(dict(t=time.perf_counter() - t, status=s.status, gap=s.optimality_gap, "
            "covered=s.covered_weight)))\n")
        out = subprocess.run([sys.executable, "-c", code, path, str(case.radius), str(case.k), "1" if split else "0",
                              str(tl), str(gap)], capture_output=True, text=True, env={"PYTHONPATH": checkout,
                                                                                   "PATH": "/usr/bin:/bin"})
    if out.returncode != 0:
        print(f"  before  {label:<22} failed: {out.stderr.strip().splitlines()[-1:]}")
        return
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  before  {label:<22} total {r['t']:7.2f} s | status {r['status']:<10} gap {r['gap']:.2e} | "
          f"covered {r['covered']:,.0f}   (geoplan of {checkout})")


def network_case(tiles: int, radius: float):
    """The shelter-sites instance of the tiled benchmark city: every building a demand point (as
    ``bench_sites.py``'s large case), the usable candidates with their capacities, existing shelters
    preselected; k scaled from 100 at 19 × 19 tiles."""
    from bench_sites import all_buildings_as_demand
    from bignet import tiled_study
    from geoplan.population import resident_population
    from geoplan.shelters.candidates import candidate_sites
    from geoplan.shelters.cost import site_columns, walking_cost_matrix
    from geoplan.shelters.request import check_request

    study = all_buildings_as_demand(tiled_study(tiles, tiles))
    req = check_request(study.preset, kind="emergency", model="mclp", k=5, capacitated=True, radius_m=radius,
                        time_limit=None, curve_k=None, usable_share=None, min_width_m=None, split=False,
                        service_area_buffer_m=30.0, with_areas=False, mip_rel_gap=1e-7)
    cand, _ = candidate_sites(study, kind=req.kind, usable_share=req.usable_share, min_width_m=req.min_width_m)
    cols = site_columns(cand)
    pop, _ = resident_population(study.residents.reset_index(drop=True), note_zero=False)
    t = time.perf_counter()
    cost = walking_cost_matrix(study, cols.rows, radius=req.radius_m)
    print(f"(tiled {tiles}×{tiles}: {study.walk.compiled.n_nodes:,} walk nodes; cost matrix {time.perf_counter() - t:.1f} s)")
    k = max(5, round(100 * tiles * tiles / 361))
    case = Case(f"network {tiles}x{tiles}", cost.shape[0], cost.shape[1], 0.0, req.radius_m, k)
    case.where = f"tiled {tiles}×{tiles} Helsinki city, every building, {int(cols.preselected.sum())} existing shelters"
    return case, (cost, pop, cols.capacities, cols.preselected)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", nargs="*", default=None, choices=list(CASES), help="cases to run (default: all)")
    ap.add_argument("--quick", action="store_true", help="small and medium cases only")
    ap.add_argument("--time-limit", type=float, default=120.0, help="seconds per solve (default 120)")
    ap.add_argument("--spopt-max-pairs", type=int, default=3_000_000,
                    help="largest dense demand×candidate size given to spopt (default 3,000,000)")
    ap.add_argument("--no-spopt", action="store_true")
    ap.add_argument("--no-capacitated", action="store_true")
    ap.add_argument("--curve", type=int, default=20, help="coverage curve up to this k (0 = skip)")
    ap.add_argument("--network", type=int, default=0,
                    help="also the network case of a tiled study with this many tiles per side (e.g. 5)")
    ap.add_argument("--only", choices=["cap-mclp"], help="cap-mclp: only the capacitated MCLP (whole, split)")
    ap.add_argument("--gap-at", type=lambda v: [float(x) for x in v.split(",")], default=None,
                    help="with --only cap-mclp: solve at each of these time limits (e.g. 10,30,60)")
    ap.add_argument("--mip-rel-gap", type=float, default=1e-4,
                    help="relative MIP gap (1e-4 as solve_from_cost_matrix; sites() uses 1e-7)")
    ap.add_argument("--before", default=None,
                    help="with --only cap-mclp: also solve with the geoplan of this checkout (a path), same instance")
    args = ap.parse_args(argv)
    names = args.cases if args.cases is not None else (["small", "medium"] if args.quick else list(CASES))
    print(f"geoplan site-model benchmark; time limit {args.time_limit:g} s per solve; numpy {np.__version__}")
    for name in names:
        bench_case(CASES[name], args)
    if args.network:
        case, data = network_case(args.network, 500.0)
        bench_case(case, args, data)


if __name__ == "__main__":
    main()
