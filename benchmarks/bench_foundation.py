"""Foundation benchmark: loading, network building and snapping, small and ≥1M nodes.

    python benchmarks/bench_foundation.py            # bundled district and 18×18 tiles
    python benchmarks/bench_foundation.py --tiles 4  # quicker

Prints seconds and peak memory per step, the HTML size of the demo's study-area map, and
the snapping rate against a baseline of osmnx's nearest-edge lookup on the same points.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import peak_rss_mb, timed  # noqa: E402


def step(label: str, fn, *args, **kwargs):
    """Run one step and print its time and the peak RSS so far."""
    out, t = timed(fn, *args, **kwargs)
    print(f"  {label:<44s} {t:8.2f} s   peak RSS {peak_rss_mb():8.0f} MB", flush=True)
    return out


def report_map_size(study) -> None:
    """HTML size of the demo's study-area map, offline (every asset inlined) and online."""
    import gzip

    from geoplan.maps import study_area_map

    for offline in (True, False):
        html = step(f"study-area map, {'offline' if offline else 'online'}",
                    lambda: study_area_map(study, lang="zh", offline=offline).html()).encode("utf-8")
        print(f"    {len(html) / 1024:8.0f} KiB HTML, {len(gzip.compress(html)) / 1024:6.0f} KiB gzipped")


def run(tiles: int) -> None:
    import osmnx as ox
    import shapely

    from bignet import tiled_osm
    from geoplan.sources import open_osm
    from geoplan.study import load_study

    repo = Path(__file__).resolve().parents[1]
    print("bundled district (Helsinki sample + sample layers)")
    osm = step("read OSM (pyosmium)", open_osm, None)
    study = step("load_study (networks, layers, snapping)", load_study, osm, layers=[repo / "layers"])
    report_map_size(study)
    print(f"  walk {study.walk.compiled.n_nodes:,} nodes, drive {study.drive.compiled.n_nodes:,} nodes, "
          f"{len(study.residents):,} residents, {len(study.facilities):,} facilities")

    if tiles < 1:  # --tiles 0: the bundled district only
        return
    print(f"tiled {tiles}×{tiles} (stitched copies of the real street geometry)")
    big_osm = step("tile and stitch", tiled_osm, tiles, tiles, osm)
    big = step("load_study", load_study, big_osm)
    net = big.walk.compiled
    print(f"  walk {net.n_nodes:,} nodes / {len(net.edge_u):,} edges, drive {big.drive.compiled.n_nodes:,} nodes, "
          f"{len(big.residents):,} residents, {len(big.facilities):,} facilities, {len(big.sites):,} sites")

    rng = np.random.default_rng(0)
    minx, miny, maxx, maxy = big.area.bounds
    n_pts = 100_000
    pts = shapely.points(rng.uniform(minx, maxx, n_pts), rng.uniform(miny, maxy, n_pts))
    t = time.perf_counter()
    snap = net.snap(pts)
    ours = time.perf_counter() - t
    print(f"  snap {n_pts:,} points to segments (STRtree)          {ours:8.2f} s")
    sample = 5_000
    step("walk.graph on first use (built lazily, not at load)", lambda: big.walk.graph)
    t = time.perf_counter()
    ox.distance.nearest_edges(big.walk.graph, shapely.get_x(pts[:sample]), shapely.get_y(pts[:sample]))
    base = (time.perf_counter() - t) * n_pts / sample
    print(f"  osmnx nearest_edges, same points (from {sample:,})     {base:8.2f} s   ratio {base / ours:6.1f}× "
          f"(osmnx / geoplan)")
    print(f"  median snap distance {np.median(snap.distance_m):.1f} m; peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=19, help="tiles per side (19 → ≈1.1M walk nodes; 0: bundled district only)")
    run(parser.parse_args().tiles)
