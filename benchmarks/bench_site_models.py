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
cost data. spopt needs a dense matrix and builds its model variable by variable in
Python, so it is skipped (and said so) beyond ``--spopt-max-pairs`` dense pairs.

Usage::

    python benchmarks/bench_site_models.py            # all cases (several minutes)
    python benchmarks/bench_site_models.py --quick    # small cases only
    python benchmarks/bench_site_models.py --cases big --time-limit 60

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


def bench_case(case: Case, args):
    t0 = time.perf_counter()
    cost, weights, caps = synthetic(case)
    print(
        f"\n== {case.name}: {case.n_demand:,} demand points ({weights.sum():,.0f} persons) × {case.n_cand:,} "
        f"candidates, {case.city_m / 1000:g} km city, radius {case.radius:g} m, k={case.k}: "
        f"{cost.nnz:,} pairs within radius ({time.perf_counter() - t0:.1f} s to generate)"
    )
    tl = args.time_limit
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
    args = ap.parse_args(argv)
    names = args.cases or (["small", "medium"] if args.quick else list(CASES))
    print(f"geoplan site-model benchmark; time limit {args.time_limit:g} s per solve; numpy {np.__version__}")
    for name in names:
        bench_case(CASES[name], args)


if __name__ == "__main__":
    main()
