"""Benchmark of ``geoplan batch``: ≥ 8 districts on 1 and 2 Dask workers, beside one process in a row.

The bundled district is cut into a grid of districts (``--cols × --rows``, default 4 × 2 = 8),
each analysed on its extract plus the default margin, exactly as ``geoplan batch --districts``
does. Three runs of the same tasks in one process, each into a fresh folder:

* ``sequential``: ``run_district`` for every task one after another in this process (no Dask);
* ``dask 1 worker`` and ``dask 2 workers``: a LocalCluster of that many single-thread processes.

Printed: wall seconds, speed-up against the sequential run, and the per-district median.
On a 2-core machine the 2-worker speed-up is bounded by 2 and lowered by cluster start-up
(≈ 2–3 s, included) and by each worker importing the stack once.

    python benchmarks/bench_batch.py [--cols 4 --rows 2] [--analyses coverage,sites]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import shapely

sys.path.insert(0, str(Path(__file__).parent))
from _common import peak_rss_mb  # noqa: E402

from geoplan.districts import batch, plan_tasks, run_district  # noqa: E402
from geoplan.sources import bundled_sample_path, open_osm  # noqa: E402


def grid_districts(folder: Path, cols: int, rows: int) -> Path:
    """A GeoJSON of cols × rows rectangular districts covering the bundled sample's streets."""
    nodes = open_osm(None).nodes
    west, east = nodes["lon"].min(), nodes["lon"].max()
    south, north = nodes["lat"].min(), nodes["lat"].max()
    dx, dy = (east - west) / cols, (north - south) / rows
    cells = [shapely.box(west + i * dx, south + j * dy, west + (i + 1) * dx, south + (j + 1) * dy)
             for j in range(rows) for i in range(cols)]
    frame = gpd.GeoDataFrame({"name": [f"D{k + 1:02d}" for k in range(len(cells))]}, geometry=cells, crs="EPSG:4326")
    path = folder / "districts.geojson"
    frame.to_file(path, driver="GeoJSON")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cols", type=int, default=4)
    ap.add_argument("--rows", type=int, default=2)
    ap.add_argument("--analyses", default="coverage,sites")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    districts = grid_districts(work, args.cols, args.rows)
    osm = [bundled_sample_path()]
    analyses = tuple(args.analyses.split(","))
    print(f"{args.cols * args.rows} districts of the bundled sample, analyses {','.join(analyses)}, folder {work}")

    tasks = plan_tasks(osm=osm, out=work / "sequential", districts=districts, name_field="name", analyses=analyses)
    t0 = time.perf_counter()
    rows = [run_district(t) for t in tasks]
    base = time.perf_counter() - t0
    bad = [r for r in rows if r["status"] != "done"]
    print(f"  sequential      {base:7.1f} s  (1.00×)  median district {statistics.median(r['seconds'] for r in rows):.1f} s"
          f"  {len(bad)} not done")
    for workers in (1, 2):
        t0 = time.perf_counter()
        result = batch(osm=osm, out=work / f"dask{workers}", districts=districts, name_field="name",
                       analyses=analyses, workers=workers)
        wall = time.perf_counter() - t0
        done = int((result.summary["status"] == "done").sum())
        print(f"  dask {workers} worker{'s' if workers > 1 else ' '}  {wall:7.1f} s  ({base / wall:4.2f}×)  "
              f"median district {result.summary['seconds'].median():.1f} s  {done}/{len(result.summary)} done",
              flush=True)
    print(f"  peak memory of the client process {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
