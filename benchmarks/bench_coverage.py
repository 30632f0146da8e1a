"""Coverage benchmark: the bundled district and a ≥1M-node network, against networkx.

    python benchmarks/bench_coverage.py               # bundled district, then 19×19 tiles (≈1.1M nodes)
    python benchmarks/bench_coverage.py --tiles 4     # quicker
    python benchmarks/bench_coverage.py --tiles 0     # bundled district only

What is timed
-------------
* ``coverage(study, with_areas=False)``: the whole analysis — one bounded multi-source search
  per category (bounded by the 20 km horizon), resident distances, summary, gaps — without
  the service-area polygons. Peak memory of the call is measured with ``tracemalloc`` (NumPy
  reports its buffers to it) in a second, separate run; peak RSS of the process is printed too.
* Service-area polygons (buffering and dissolving every reachable street stretch — the
  expensive part on a city-sized network): all categories on the bundled district, one
  category (``--areas``) on the large case.
* Engine vs baseline, per category: our search bounded by the tier plus the lookup for every
  resident, against ``networkx.multi_source_dijkstra_path_length(G, sources, cutoff=tier,
  weight="length")`` on the same osmnx walking graph. For the baseline each facility is
  snapped to the nearer end of the street segment it snaps to (networkx has no mid-segment
  sources) — so the baseline does slightly *less* work than geoplan (no connectors, no
  along-segment offsets, no lookup for the residents). On the large network the baseline is
  timed for one category only (``--baseline-categories`` to change), and the ratio is for
  that category.

* Catchment search vs nearest search, per category: the within-tier search from every facility
  that returns per-facility distances (``CompiledNetwork.cost_matrix``: one bounded Dijkstra
  over all the category's facilities, batched only for memory), which feeds 2SFCA/E2SFCA and the
  second-nearest facility (redundancy), beside the plain multi-source nearest search + lookup.

Catchment search, bundled district (2026-12-01, 2-core machine shared with other jobs, best of 5):
  7 categories with facilities: nearest 0.014 s, catchment 0.073 s (5.3×; 1.9–8.0× per category,
  1,277 resident–facility pairs in all). coverage(with_areas=False), best of 5 in one process:
  0.20 s before 2SFCA/redundancy, 0.23 s with them (0.14 s with --profile wheelchair: fewer
  reachable streets). The catchment search was NOT run at city scale here: it stores dense
  rows of (batch × nodes) while it runs (batches capped at 400 MB), so on the 1.1M-node tiled
  case expect it to cost several times the plain search; measure before relying on it.

Figures seen (2-core, 24 GB development machine, 2026-11-23, other jobs running)
----------------------------------------------------------------------------------
Bundled district (3,069 walk nodes, 59 residents, 91 facilities):
  coverage(with_areas=False) 0.12 s (tracemalloc peak 1.9 MB); with every service area 1.39 s;
  engine vs networkx, 7 categories with facilities: 0.033 s vs 0.113 s — 3.4× (1.4–5.7× per category).
Tiled 8×8 (196,920 nodes, 3,776 residents, 5,824 facilities): lean 4.0 s (109 MB); all service
  areas 139 s; market vs networkx 0.080 s vs 2.45 s — 30.8×.
Tiled 19×19 (1,110,987 nodes / 2,994,096 edges, 21,299 residents, 32,851 facilities; load_study
  275 s, peak RSS 11.5 GB): coverage(with_areas=False), 10 categories, 32.7 s, tracemalloc peak
  616 MB; market alone with its service-area polygon 80.9 s; market search + lookup 0.66 s vs
  networkx multi_source_dijkstra_path_length 16.0 s — 24.3× (847,220 nodes within 300 m).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import peak_rss_mb, timed, traced_peak_mb  # noqa: E402
REPO = Path(__file__).resolve().parents[1]


def _baseline_sources(study, rows: np.ndarray) -> list:
    """Facilities snapped to the nearer end node of their street segment (for networkx)."""
    net = study.walk.compiled
    snap = study.snaps["facilities.walk"].subset(rows)
    seg = snap.segment
    node = np.where(snap.t < 0.5, net.seg_u[seg], net.seg_v[seg])
    return sorted(set(net.node_ids[node].tolist()))


def engine_vs_networkx(study, categories, label: str) -> None:
    import networkx as nx

    net = study.walk.compiled
    preset = study.preset
    snap_f = study.snaps["facilities.walk"]
    snap_r = study.snaps["residents.walk"]
    cats = study.facilities["category"].astype(str).to_numpy()
    total_ours = total_base = 0.0
    print(f"  engine vs networkx ({label}): search bounded by the tier + lookup of {len(snap_r):,} residents")
    for cat in categories:
        rows = np.flatnonzero((cats == cat) & snap_f.ok)
        if len(rows) == 0:
            continue
        tier = preset.tier_m(cat)
        src = snap_f.subset(rows)

        def ours():
            reach = net.search(src, weight="length", limit=tier, source_cost=src.distance_m)
            return reach.to(snap_r)

        _, t_ours = timed(ours)
        sources = _baseline_sources(study, rows)
        base, t_base = timed(nx.multi_source_dijkstra_path_length, study.walk.graph, sources, cutoff=tier,
                             weight="length")
        total_ours += t_ours
        total_base += t_base
        print(f"    {cat:<17} {len(rows):6,} facilities  tier {tier:6.0f} m  geoplan {t_ours:8.3f} s   "
              f"networkx {t_base:8.3f} s   ratio {t_base / t_ours:7.1f}×   ({len(base):,} nodes reached)")
    if total_ours > 0:
        print(f"    {'all timed':<17} geoplan {total_ours:8.3f} s   networkx {total_base:8.3f} s   "
              f"ratio {total_base / total_ours:7.1f}× (networkx / geoplan)")


def catchment_vs_nearest(study, label: str, *, repeat: int = 5) -> None:
    """Per category: the plain nearest search (+ lookup) beside the within-tier catchment search
    (every facility → every resident within the tier, one bounded per-source Dijkstra), which
    feeds 2SFCA/E2SFCA and the second-nearest facility. Best of ``repeat`` runs."""
    from geoplan.life_circle.distances import nearest_facility, within_tier

    net = study.walk.compiled
    snap_f, snap_r = study.snaps["facilities.walk"], study.snaps["residents.walk"]
    cats = study.facilities["category"].astype(str).to_numpy()
    print(f"  catchment search vs nearest search ({label}), best of {repeat}:")
    tot_near = tot_catch = 0.0
    for cat in study.preset.categories:
        rows = np.flatnonzero((cats == cat) & snap_f.ok)
        if len(rows) == 0:
            continue
        tier = study.preset.tier_m(cat)
        src = snap_f.subset(rows)
        t_near = min(timed(nearest_facility, net, src, snap_r, rows, 20_000.0)[1] for _ in range(repeat))
        t_catch, pairs = np.inf, None
        for _ in range(repeat):
            pairs, t = timed(within_tier, net, src, snap_r, rows, tier)
            t_catch = min(t_catch, t)
        tot_near += t_near
        tot_catch += t_catch
        print(f"    {cat:<17} {len(rows):6,} facilities  tier {tier:6.0f} m  nearest {t_near:7.4f} s   "
              f"catchment {t_catch:7.4f} s   ratio {t_catch / t_near:5.1f}×   ({len(pairs):,} pairs)")
    if tot_near > 0:
        print(f"    {'all':<17} nearest {tot_near:7.4f} s   catchment {tot_catch:7.4f} s   "
              f"ratio {tot_catch / tot_near:5.1f}× (catchment / nearest)")


def bench(study, label: str, *, baseline_categories: list[str] | None, areas: str) -> None:
    from geoplan.life_circle import coverage

    net = study.walk.compiled
    print(f"{label}: {net.n_nodes:,} walk nodes / {len(net.edge_u):,} edges, {len(study.residents):,} residents, "
          f"{len(study.facilities):,} facilities", flush=True)
    result, t_lean = timed(coverage, study, with_areas=False)
    print(f"  coverage(study, with_areas=False), all {len(result.categories)} categories: {t_lean:8.2f} s", flush=True)
    peak = traced_peak_mb(coverage, study, with_areas=False)
    print(f"  peak memory allocated by that call (tracemalloc): {peak:8.1f} MB; "
          f"process peak RSS {peak_rss_mb():,.0f} MB", flush=True)
    if areas == "all":
        _, t_full = timed(coverage, study)
        print(f"  coverage(study) with every service-area polygon:          {t_full:8.2f} s", flush=True)
    else:
        _, t_one = timed(coverage, study, categories=areas)
        print(f"  coverage(study, categories={areas!r}) with its service-area polygon: {t_one:8.2f} s", flush=True)
    all_row = result.summary[result.summary["community"] == "ALL"]
    print("  shares: " + ", ".join(f"{r.category} {r.covered_share:.0%}" for r in all_row.itertuples()))
    catchment_vs_nearest(study, label)
    cats = baseline_categories or [c for c in result.categories]
    engine_vs_networkx(study, cats, "every category" if baseline_categories is None else ", ".join(cats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=19, help="tiles per side of the large case (0: skip it)")
    parser.add_argument("--baseline-categories", default="market",
                        help="categories timed with networkx on the large case (comma-separated, or 'all')")
    parser.add_argument("--areas", default="market",
                        help="on the large case, time service-area polygons for this category only (or 'all')")
    args = parser.parse_args()

    from geoplan.study import load_study

    study, t = timed(load_study, None, layers=[REPO / "layers"])
    print(f"(bundled district loaded in {t:.1f} s)")
    bench(study, "bundled district (Helsinki sample + sample layers)", baseline_categories=None, areas="all")
    if args.tiles > 0:
        from bignet import tiled_study

        big, t = timed(tiled_study, args.tiles, args.tiles)
        print(f"(tiled {args.tiles}×{args.tiles} study loaded in {t:.0f} s; peak RSS {peak_rss_mb():,.0f} MB)")
        cats = None if args.baseline_categories == "all" else args.baseline_categories.split(",")
        bench(big, f"tiled {args.tiles}×{args.tiles} (stitched copies of the real street geometry)",
              baseline_categories=cats, areas=args.areas)


if __name__ == "__main__":
    main()
