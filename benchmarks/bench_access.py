"""Access-audit benchmark: the bundled district and a ≥1M-node network, against networkx.

    python benchmarks/bench_access.py                 # bundled district, then 19×19 tiles (≈1.1M walk nodes)
    python benchmarks/bench_access.py --tiles 4       # quicker
    python benchmarks/bench_access.py --tiles 0       # bundled district only

What is timed
-------------
* ``access(study, vehicle=...)``: the whole audit — passability of every edge, three network
  searches (unrestricted, baseline, now), statuses and causes, routes of affected buildings,
  the clearing analysis (one search per obstruction, then the lazy greedy order), critical
  links (networkx bridges + bridge tree) and dead ends. On the large case the tiled sample
  obstructions (4 per tile) are thinned to ``--obstructions`` (default 50, every k-th, so the
  subset is deterministic) — the clearing analysis is what scales with that number.
* Engine vs baseline: one multi-source search of the passable network from every station of
  the vehicle's kind plus the response-time lookup for every residential building, against
  ``networkx.multi_source_dijkstra_path_length(G, sources, weight="travel_time")`` on the same
  passable osmnx graph (stations snapped to the nearer end of their segment, since networkx has
  no mid-segment sources: the baseline does slightly less work).

Figures seen on the 2-core, 24 GB development machine (2026-11-23), ``--tiles 19``::

    bundled district: 988 drive nodes; access(fire) 0.2 s, access(ambulance) 0.2 s
    tiled 19×19: 363,508 drive nodes / 623,219 directed edges, 21,299 residential buildings,
      1,444 stations, 50 obstructions (load_study 276 s, peak RSS 11.5 GB)
      access(fire)       43 s  (36 clearing searches; 5,847 critical links; 18,893 dead ends)
      access(ambulance)  50 s  (72 clearing searches)
      one search + lookup of every building: fire 0.22 s vs networkx 3.6 s (16×);
                                             ambulance 0.18 s vs networkx 2.3 s (12×)
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import peak_rss_mb, timed  # noqa: E402
REPO = Path(__file__).resolve().parents[1]


def engine_vs_networkx(study, vehicle: str) -> None:
    import networkx as nx

    from geoplan.emergency_access.tables import aligned_edges as _aligned_edges
    from geoplan.emergency_access.obstructions import Placement
    from geoplan.emergency_access.passability import judge_edges, vehicle_profile
    from geoplan.emergency_access.response import Scenarios

    profile = vehicle_profile(study.preset, vehicle)
    full = study.drive.compiled
    judged = judge_edges(_aligned_edges(study, full), study.drive.nodes, profile, study.preset.passability)
    closed = ~judged["passable"].to_numpy()
    stations = study.stations.loc[study.stations["kind"].isin(profile.station_kinds).to_numpy()]
    scen, t_build = timed(Scenarios, full, closed, Placement.empty(), study.residents.geometry.to_numpy(),
                          stations.geometry.to_numpy(), max_snap_m=study.preset.max_snap_m)
    costs, t_ours = timed(scen.run)
    g = study.drive.graph.copy()
    g.remove_edges_from([full.edge_keys[i] for i in np.flatnonzero(closed)])
    st = costs.stations
    node = np.where(st.t < 0.5, costs.network.seg_u[np.maximum(st.segment, 0)],
                    costs.network.seg_v[np.maximum(st.segment, 0)])
    sources = sorted(set(full.node_ids[node[st.ok]].tolist()))
    base, t_base = timed(nx.multi_source_dijkstra_path_length, g, sources, weight="travel_time")
    print(f"  engine vs networkx ({vehicle}): {len(sources)} stations, {len(study.residents):,} buildings")
    print(f"    passable network compiled once: {t_build:7.3f} s (without_edges + building snap)")
    print(f"    geoplan search + lookup {t_ours:8.3f} s   networkx {t_base:8.3f} s   ratio {t_base / t_ours:7.1f}× "
          f"(networkx / geoplan; {len(base):,} nodes reached)")


def bench(study, label: str) -> None:
    from geoplan.emergency_access import access

    net = study.drive.compiled
    print(f"{label}: {net.n_nodes:,} drive nodes / {len(net.edge_u):,} directed edges, "
          f"{len(study.residents):,} residential buildings, {len(study.stations):,} stations, "
          f"{len(study.obstructions):,} obstructions")
    for vehicle in ("fire", "ambulance"):
        result, t = timed(access, study, vehicle=vehicle)
        s = result.figures
        by = s["buildings_by_status"]
        print(f"  access(study, vehicle={vehicle!r}): {t:8.2f} s   clearing searches {s['clearing_searches']}, "
              f"critical links {s['critical_links']}, dead ends {s['dead_ends']}")
        print("    " + ", ".join(f"{k} {v:,}" for k, v in by.items()))
        top = result.obstructions.sort_values("rank").head(3)
        print("    top to clear: " + ", ".join(f"#{r.rank} {r.obstruction_id} ({r.kind}) {r.residents_restored_if_cleared:,.0f}"
                                             for r in top.itertuples()))
    print(f"  process peak RSS {peak_rss_mb():,.0f} MB")
    for vehicle in ("fire", "ambulance"):
        engine_vs_networkx(study, vehicle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=19, help="tiles per side of the large case (0: skip it)")
    parser.add_argument("--obstructions", type=int, default=50, help="obstructions kept on the large case")
    args = parser.parse_args()

    from geoplan.study import load_study

    study, t = timed(load_study, None, layers=[REPO / "layers"])
    print(f"(bundled district loaded in {t:.1f} s)")
    bench(study, "bundled district (Helsinki sample + sample layers)")
    if args.tiles > 0:
        from bignet import tiled_study

        big, t = timed(tiled_study, args.tiles, args.tiles)
        print(f"(tiled {args.tiles}×{args.tiles} study loaded in {t:.0f} s; peak RSS {peak_rss_mb():,.0f} MB)")
        obs = big.obstructions
        if len(obs) > args.obstructions:
            step = len(obs) / args.obstructions
            keep = np.floor(np.arange(args.obstructions) * step).astype(int)
            big = replace(big, obstructions=obs.iloc[keep].reset_index(drop=True))
        bench(big, f"tiled {args.tiles}×{args.tiles} (stitched copies of the real street geometry)")


if __name__ == "__main__":
    main()
