"""City-scale benchmark: every phase of a study with its floor and its anchor, in one run.

    python benchmarks/bench_scale.py --tiles 5      # ≈ 77 k walking nodes, a few minutes on 2 cores
    python benchmarks/bench_scale.py --tiles 19 --quick   # ≈ 1.1 M walking nodes, without the slow anchors
    python benchmarks/bench_scale.py --tiles 6 --only coverage  # the coverage phases alone
    python benchmarks/bench_scale.py --tiles 6 --only access    # the fire access audit and its floor only
    python benchmarks/bench_scale.py --tiles 6 --only sites-matrix   # the cost-matrix phases alone

The city is :mod:`bignet`'s: the bundled Helsinki extract copied onto an N × N grid and stitched.
Each line gives the phase's wall seconds and the peak resident memory *during that phase*
(Linux: the high-water mark is reset before each phase through ``/proc/self/clear_refs``;
elsewhere the process peak so far). Floors and anchors run beside the phases they bound:

* reading: ``read_osm_file`` on a street-only PBF of the city against a bare pyosmium pass
  over the same file (every node location, way refs and tags, nothing kept);
* network build: the array build against the reference per-way loop + ``graph_from_gdfs``
  it replaced (the old load path), and the lazy graph's first use;
* searches: the engine's search of each category against a bare
  ``scipy.sparse.csgraph.dijkstra`` from the same nodes on the same CSR matrix (floor) and
  ``networkx.multi_source_dijkstra_path_length`` on the osmnx graph (anchor); pandana when
  installed;
* sites cost matrix: the windowed matrix (with the time of its window searches alone) against
  the whole-network batched one (the reference it must equal) and a single nearest-only
  multi-source search from every site (a floor no all-pairs matrix can reach).
* 2SFCA vs plain coverage search: every category's catchment pairs within its tier (the sparse
  disjoint-catchment searches, and the windowed cost matrix they replaced) against the plain
  nearest-facility coverage search of the same categories (the anchor the issue names: 2SFCA
  should cost about as much).
* fire access audit with ``--obstructions`` (default 50, every k-th of the tiled sample ones):
  the whole ``access(study, vehicle="fire")`` with the time of each of its steps, against one
  search of the passable network from every fire station plus the lookup of every building
  (floor).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import peak_rss_mb  # noqa: E402

_CLEAR_REFS = Path("/proc/self/clear_refs")


def _reset_peak() -> bool:
    try:
        _CLEAR_REFS.write_text("5")  # resets VmHWM to the current RSS
        return True
    except OSError:
        return False


def _phase_peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return peak_rss_mb()


class Phases:
    """Times phases and prints one aligned line each, keeping them for the summary."""

    def __init__(self) -> None:
        self.rows: dict[str, float] = {}

    def run(self, label: str, fn, *args, **kwargs):
        gc.collect()
        _reset_peak()
        t = time.perf_counter()
        out = fn(*args, **kwargs)
        dt = time.perf_counter() - t
        self.rows[label] = dt
        print(f"  {label:<58s} {dt:9.2f} s   peak {_phase_peak_mb():8.0f} MB", flush=True)
        return out

    def ratio(self, label: str, num: str, den: str) -> None:
        if self.rows.get(den):
            print(f"  {'':<4s}{label:<54s} {self.rows[num] / self.rows[den]:9.1f}×", flush=True)


def load_phases(ph: Phases, osm, layers: Path):
    """load_study with the time of each of its own steps (from its progress messages)."""
    from geoplan.study import load_study

    marks: list[tuple[float, str]] = []
    study = ph.run("load_study (no cache)", load_study, osm, layers=[layers],
                   progress=lambda m: marks.append((time.perf_counter(), m)))
    end = marks[0][0] + ph.rows["load_study (no cache)"]  # the first message comes right at the start
    for (t, m), (t_next, _) in zip(marks, marks[1:] + [(end, "")]):
        print(f"      {m:<54s} {t_next - t:9.2f} s", flush=True)
    return study


def network_build_floor(ph: Phases, osm, study) -> None:
    from geoplan.network import build_frames, build_graph

    ph.run("walk network, array build (what load does)", build_frames, osm, "walk", study.crs, study.preset)
    ph.run("walk network, per-way loop + graph (the old load path)", build_graph, osm, "walk", study.crs, study.preset)
    ph.ratio("old / new", "walk network, per-way loop + graph (the old load path)",
             "walk network, array build (what load does)")
    ph.run("walk.graph on first use (osmnx MultiDiGraph, lazy)", lambda: study.walk.graph)
    ph.run("drive.graph on first use", lambda: study.drive.graph)


def reading_floor(ph: Phases, osm, folder: Path) -> None:
    from bignet import bare_pyosmium_pass, write_street_pbf
    from geoplan.sources import read_osm_file

    pbf = ph.run("write a street-only PBF of the city (setup)", write_street_pbf, osm, folder / "city.osm.pbf")
    print(f"      {pbf.stat().st_size / 2**20:.1f} MiB, {len(osm.nodes):,} nodes, {len(osm.ways):,} ways")
    ph.run("read_osm_file(street PBF) (geoplan reader; not changed here)", read_osm_file, pbf)
    ph.run("bare pyosmium pass over the same PBF (floor)", bare_pyosmium_pass, pbf)
    ph.ratio("geoplan / floor", "read_osm_file(street PBF) (geoplan reader; not changed here)",
             "bare pyosmium pass over the same PBF (floor)")


def cache_phases(ph: Phases, osm, layers: Path, folder: Path) -> None:
    from geoplan.study import load_study

    cache = folder / "cache"
    ph.run("load_study(cache=True), first: build + store", load_study, osm, layers=[layers], cache=True,
           cache_dir=cache)
    size = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
    print(f"      cache entry {size / 2**20:.0f} MiB")
    ph.run("load_study(cache=True), second: cached load", load_study, osm, layers=[layers], cache=True,
           cache_dir=cache)
    ph.ratio("uncached / cached", "load_study (no cache)", "load_study(cache=True), second: cached load")


def search_phases(ph: Phases, study, *, anchor: bool = True) -> None:
    import networkx as nx
    from scipy.sparse.csgraph import dijkstra

    net = study.walk.compiled
    snap_f, snap_r = study.snaps["facilities.walk"], study.snaps["residents.walk"]
    cats = study.facilities["category"].astype(str).to_numpy()
    base, _ = net._base["length"]
    chosen = [(c, np.flatnonzero((cats == c) & snap_f.ok)) for c in study.preset.life_circle.circle_of_category]
    chosen = [(c, rows) for c, rows in chosen if len(rows)]

    def engine():
        for c, rows in chosen:
            src = snap_f.subset(rows)
            net.search(src, weight="length", limit=study.preset.tier_m(c), source_cost=src.distance_m).to(snap_r)

    def ends(rows):
        s = snap_f.subset(rows)
        return np.unique(np.where(s.t < 0.5, net.seg_u[s.segment], net.seg_v[s.segment]))

    def scipy_floor():
        for c, rows in chosen:
            dijkstra(base, directed=True, indices=ends(rows), limit=study.preset.tier_m(c), min_only=True)

    def networkx_anchor():
        g = study.walk.graph
        for c, rows in chosen:
            nx.multi_source_dijkstra_path_length(g, set(net.node_ids[ends(rows)].tolist()),
                                                 cutoff=study.preset.tier_m(c), weight="length")

    label = f"coverage searches, {len(chosen)} categories, + resident lookup"
    ph.run(label, engine)
    ph.run("  floor: bare scipy dijkstra, same nodes, same CSR", scipy_floor)
    ph.ratio("engine / scipy floor", label, "  floor: bare scipy dijkstra, same nodes, same CSR")
    if not anchor:
        return
    ph.run("  anchor: networkx multi_source_dijkstra_path_length", networkx_anchor)
    ph.ratio("networkx / engine", "  anchor: networkx multi_source_dijkstra_path_length", label)
    try:
        import pandana  # noqa: F401
        print("      pandana is installed but not wired into this benchmark yet")
    except ImportError:
        print("      pandana: not installed, not measured")


def _exact_service_areas():
    """The previous drawing: stretches cut as lines, one GEOS ``union_all(buffer(...))`` per category and facility."""
    import shapely

    from geoplan.network import service_areas as sa

    def cut(net, seg, lo, hi):
        lines = sa._cut(net, seg, lo, hi)
        return lines[shapely.length(lines) > 0], shapely.length(lines) > 0

    def area(net, streets, seg, lo, hi, buffer_m, cell_m):
        lines, _ = cut(net, seg, lo, hi)
        return shapely.union_all(shapely.buffer(lines, buffer_m, quad_segs=4)) if len(lines) else None

    def by_owner(net, streets, seg, lo, hi, owner, buffer_m, cell_m):
        lines, some = cut(net, seg, lo, hi)
        owner = owner[some]
        keep = owner >= 0
        lines, owner = lines[keep], owner[keep]
        order = np.argsort(owner, kind="stable")
        lines, owner = lines[order], owner[order]
        cut_at = np.flatnonzero(np.diff(owner)) + 1
        groups = np.split(shapely.buffer(lines, buffer_m, quad_segs=4), cut_at)
        return (owner[np.r_[0, cut_at]] if len(owner) else owner), [shapely.union_all(g) for g in groups]

    return sa, area, by_owner


def coverage_phases(ph: Phases, study, *, exact: bool) -> None:
    """Coverage lean, with every category's walk-shed (raster) and per facility; the GEOS union beside it."""
    import shapely

    from geoplan import coverage
    from geoplan.life_circle.gaps import gap_areas

    lean = ph.run("coverage(with_areas=False) (searches, tables, gap areas)", coverage, study, with_areas=False)
    cats = lean.categories
    ph.run("  of which gap areas (gap_areas alone)", gap_areas, lean.residents, cats,
           {c: lean.parameters["tier_m"][c] for c in cats})
    drawn = ph.run("coverage() with every category's service area (raster walk-shed)", coverage, study)
    ph.run("coverage(per_facility=True) (+ one walk-shed per facility)", coverage, study, per_facility=True)
    ph.ratio("service areas + rest / lean", "coverage() with every category's service area (raster walk-shed)",
             "coverage(with_areas=False) (searches, tables, gap areas)")
    areas = ph.rows["coverage() with every category's service area (raster walk-shed)"] - \
        ph.rows["coverage(with_areas=False) (searches, tables, gap areas)"]
    search = next((v for k, v in ph.rows.items() if k.startswith("coverage searches")), None)
    print(f"      walk-sheds alone (with areas − lean) {areas:.2f} s" +
          (f", {areas / search:.1f}× the searches" if search else ""), flush=True)
    if not exact:
        return
    sa, area, by_owner = _exact_service_areas()
    raster = sa._area, sa._areas_by_owner
    sa._area, sa._areas_by_owner = area, by_owner
    try:
        geos = ph.run("coverage() with the exact GEOS union of buffers (before)", coverage, study)
    finally:
        sa._area, sa._areas_by_owner = raster
    ph.ratio("GEOS union / raster walk-shed", "coverage() with the exact GEOS union of buffers (before)",
             "coverage() with every category's service area (raster walk-shed)")
    a = drawn.service_areas.dropna(subset=["geometry"]).geometry.to_numpy()
    b = geos.service_areas.dropna(subset=["geometry"]).geometry.to_numpy()
    diff = shapely.area(shapely.symmetric_difference(a, b)) / shapely.area(shapely.union(a, b))
    print(f"      raster vs GEOS, {len(a)} categories: symmetric difference {100 * diff.min():.2f}–"
          f"{100 * diff.max():.2f} % of the union", flush=True)


def _timing_searches():
    """Patch the windowed cost matrix's Dijkstra to add up its own time (the searches alone)."""
    from geoplan.network import _windows

    spent = {"s": 0.0, "calls": 0}
    inner = _windows.dijkstra

    def timed(*args, **kwargs):
        t = time.perf_counter()
        out = inner(*args, **kwargs)
        spent["s"] += time.perf_counter() - t
        spent["calls"] += 1
        return out

    return spent, inner, timed


def windowed_cost_matrix(ph: Phases, study, radius: float, label: str):
    """The sites cost matrix as the analysis runs it, with the time of its Dijkstra searches alone."""
    from geoplan.network import _windows

    net = study.walk.compiled
    sites, res = study.snaps["sites.walk"], study.snaps["residents.walk"]
    start = np.where(sites.ok, sites.distance_m, 0.0)
    spent, inner, timed = _timing_searches()
    _windows.dijkstra = timed
    try:
        new = ph.run(label, net.cost_matrix, sites, res, weight="length", limit=radius, source_cost=start)
    finally:
        _windows.dijkstra = inner
    side = "sites" if _windows.search_forward(_windows.source_ways(net, sites, _starts_of(sites, start), "length"),
                                              _windows.target_ways(net, res, "length")) else "residents (reversed)"
    print(f"      {new.nnz:,} pairs; searched from the {side}; of which {spent['calls']:,} window searches "
          f"{spent['s']:.2f} s ({ph.rows[label] / max(spent['s'], 1e-9):.1f}× the searches alone)", flush=True)
    return new


def _starts_of(sites, start):
    from geoplan.network.engine import _starts

    return _starts(sites, start)


def cost_matrix_phases(ph: Phases, study, radius: float) -> None:
    from scipy.sparse.csgraph import dijkstra

    from geoplan.network import CompiledNetwork

    net = study.walk.compiled
    sites, res = study.snaps["sites.walk"], study.snaps["residents.walk"]
    start = np.where(sites.ok, sites.distance_m, 0.0)
    print(f"      {int(sites.ok.sum()):,} candidate sites × {int(res.ok.sum()):,} residents at {radius:g} m")
    new = windowed_cost_matrix(ph, study, radius, "sites cost matrix, windowed (now)")
    whole = CompiledNetwork._reach_bound_m
    CompiledNetwork._reach_bound_m = lambda self, w, lim: np.inf
    try:
        old = ph.run("sites cost matrix, whole-network batches (reference)", net.cost_matrix, sites, res,
                     weight="length", limit=radius, source_cost=start)
    finally:
        CompiledNetwork._reach_bound_m = whole
    same = new.nnz == old.nnz and abs(new - old).max() < 1e-6 if new.nnz else old.nnz == 0
    print(f"      {new.nnz:,} pairs; identical to the whole-network search: {bool(same)}")
    graph = net._augmented(_starts_of(sites, start), "length", len(sites))
    virtual = net.n_nodes + np.flatnonzero(sites.ok)
    ph.run("  floor: one multi-source search from every site (nearest only)", dijkstra, graph, directed=True,
           indices=virtual, limit=radius, min_only=True)
    ph.ratio("whole-network / windowed", "sites cost matrix, whole-network batches (reference)",
             "sites cost matrix, windowed (now)")


def catchment_phases(ph: Phases, study) -> None:
    from geoplan.life_circle.capacity import catchments, facility_capacity
    from geoplan.life_circle.distances import nearest_facility, within_tier
    from geoplan.life_circle.population import resident_population

    net = study.walk.compiled
    snap_f, snap_r = study.snaps["facilities.walk"], study.snaps["residents.walk"]
    cats = study.facilities["category"].astype(str).to_numpy()
    chosen = [(c, np.flatnonzero((cats == c) & snap_f.ok)) for c in study.preset.categories]
    chosen = [(c, rows, snap_f.subset(rows), study.preset.tier_m(c)) for c, rows in chosen if len(rows)]
    print(f"      {len(chosen)} categories, {sum(len(r) for _, r, _, _ in chosen):,} facilities, "
          f"{int(snap_r.ok.sum()):,} residents, tiers {sorted({t for *_, t in chosen})} m")

    def plain():
        return [nearest_facility(net, src, snap_r, rows, tier)[0] for _, rows, src, tier in chosen]

    def pairs(method):
        return [within_tier(net, src, snap_r, rows, tier, method=method) for _, rows, src, tier in chosen]

    ph.run("plain coverage search, every category (nearest facility)", plain)
    sparse_pairs = ph.run("2SFCA catchment pairs, sparse searches (now)", pairs, "sparse")
    windowed = ph.run("2SFCA catchment pairs, windowed cost matrix (before)", pairs, "windowed")
    same = all(np.array_equal(a.resident, b.resident) and np.array_equal(a.facility, b.facility)
               and np.array_equal(a.distance_m, b.distance_m) for a, b in zip(sparse_pairs, windowed))
    covered = sum(len(np.unique(p.resident)) for p in sparse_pairs)
    n_pairs = sum(len(p) for p in sparse_pairs)
    print(f"      {n_pairs:,} pairs; identical to the windowed matrix: {same}; a covered resident reaches "
          f"{n_pairs / max(covered, 1):.1f} facilities of a category on average (the catchment search walks each "
          f"street about that many times, the plain search once)")
    population, _ = resident_population(study.residents)
    capacity = facility_capacity(study.facilities)
    capacity = np.where(np.isnan(capacity), 50.0, capacity)  # the tiles state few capacities: time the steps
    ph.run("  2SFCA + E2SFCA steps on the pairs (arithmetic only)",
           lambda: [catchments(c, p, population, capacity, rows, tier) for (c, rows, _, tier), p in
                    zip(chosen, sparse_pairs)])
    ph.ratio("2SFCA (sparse) vs plain coverage search", "2SFCA catchment pairs, sparse searches (now)",
             "plain coverage search, every category (nearest facility)")
    ph.ratio("windowed (before) / sparse (now)", "2SFCA catchment pairs, windowed cost matrix (before)",
             "2SFCA catchment pairs, sparse searches (now)")


def access_phases(ph: Phases, study, obstructions: int) -> None:
    """The fire audit with ``obstructions`` obstructions, its own steps, and its search floor."""
    from dataclasses import replace

    from geoplan import access
    from geoplan.emergency_access.obstructions import Placement
    from geoplan.emergency_access.passability import judge_edges, vehicle_profile
    from geoplan.emergency_access.response import Scenarios
    from geoplan.emergency_access.tables import aligned_edges

    obs = study.obstructions
    if len(obs) > obstructions:  # every k-th, so the subset is deterministic
        keep = np.floor(np.arange(obstructions) * len(obs) / obstructions).astype(int)
        study = replace(study, obstructions=obs.iloc[keep].reset_index(drop=True))
    marks: list[tuple[float, str]] = []
    label = f"fire access audit, {len(study.obstructions)} obstructions"
    result = ph.run(label, access, study, vehicle="fire", progress=lambda m: marks.append((time.perf_counter(), m)))
    end = marks[0][0] + ph.rows[label] if marks else 0.0
    for (t, m), (t_next, _) in zip(marks, marks[1:] + [(end, "")]):
        print(f"      {m:<54s} {t_next - t:9.2f} s", flush=True)
    f = result.figures
    print(f"      {f['buildings']:,} buildings, {f['stations']} stations, {f['clearing_searches']} clearing searches, "
          f"{f['critical_links']:,} critical links, {f['dead_ends']:,} dead ends; by status "
          + ", ".join(f"{k} {v:,}" for k, v in f["buildings_by_status"].items()), flush=True)
    profile = vehicle_profile(study.preset, "fire")
    full = study.drive.compiled
    closed = ~judge_edges(aligned_edges(study, full), study.drive.nodes, profile,
                          study.preset.passability)["passable"].to_numpy()
    stations = study.stations.loc[study.stations["kind"].isin(profile.station_kinds).to_numpy()]
    scen = Scenarios(full, closed, Placement.empty(), study.residents.geometry.to_numpy(),
                     stations.geometry.to_numpy(), max_snap_m=study.preset.max_snap_m)
    floor = "  floor: one search from every fire station + building lookup"
    ph.run(floor, scen.run)
    ph.ratio("audit / floor", label, floor)
    # the audit searches by design: unrestricted, baseline and now, then one per clearing test
    runs = 3 + int(f["clearing_searches"])
    if ph.rows.get(floor):
        print(f"  {'':<4s}{f'audit / ({runs} searches it runs × floor)':<54s} "
              f"{ph.rows[label] / (runs * ph.rows[floor]):9.1f}×", flush=True)


def run(tiles: int, radius: float, *, quick: bool = False, only: str | None = None, obstructions: int = 50) -> None:
    from bignet import tiled_layers, tiled_osm
    from geoplan.sources import open_osm

    ph = Phases()
    print(f"tiled {tiles}×{tiles} city (stitched copies of the bundled Helsinki streets); "
          f"phase peaks {'per phase' if _reset_peak() else 'are process peaks so far'}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = open_osm(None)
        osm = ph.run("tile and stitch (setup)", tiled_osm, tiles, tiles, base)
        (folder / "layers").mkdir()
        layers = ph.run("tile the sample layers (setup)", tiled_layers, tiles, tiles, folder / "layers", base)
        if only is None:
            reading_floor(ph, osm, folder)
        if only == "sites-matrix":  # load, then the cost-matrix phases alone
            study = load_phases(ph, osm, layers)
            cost_matrix_phases(ph, study, radius)
            print(f"process peak RSS {peak_rss_mb():,.0f} MB")
            return
        study = load_phases(ph, osm, layers)
        net = study.walk.compiled
        print(f"      walk {net.n_nodes:,} nodes / {len(net.edge_u):,} edges, drive {study.drive.n_nodes:,} nodes, "
              f"{len(study.residents):,} residents, {len(study.facilities):,} facilities, {len(study.sites):,} sites")
        if only == "coverage":  # searches without the networkx anchor, then the coverage phases
            search_phases(ph, study, anchor=False)
            coverage_phases(ph, study, exact=True)
        elif only == "access":
            access_phases(ph, study, obstructions)
        elif quick:  # the slow anchors (old build, networkx, GEOS polygons, whole-network matrix) left out
            cache_phases(ph, osm, layers, folder)
            coverage_phases(ph, study, exact=False)
            windowed_cost_matrix(ph, study, radius, "sites cost matrix, windowed")
            catchment_phases(ph, study)
            access_phases(ph, study, obstructions)
        else:
            cache_phases(ph, osm, layers, folder)
            network_build_floor(ph, osm, study)
            search_phases(ph, study)
            coverage_phases(ph, study, exact=True)
            catchment_phases(ph, study)
            cost_matrix_phases(ph, study, radius)
            access_phases(ph, study, obstructions)
    print(f"process peak RSS {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=5, help="tiles per side (19 → ≈1.1 M walking nodes)")
    parser.add_argument("--radius", type=float, default=500.0, help="shelter walking radius for the cost matrix, m")
    parser.add_argument("--quick", action="store_true",
                        help="load, cache, lean coverage and the cost matrix only (for large --tiles)")
    parser.add_argument("--obstructions", type=int, default=50, help="obstructions kept for the fire access audit")
    parser.add_argument("--only", choices=["coverage", "access", "sites-matrix"],
                        help="coverage: load, the searches and the coverage phases only (GEOS union beside); "
                             "access: load and the fire access audit beside its search floor; "
                             "sites-matrix: load, then only the cost-matrix phases")
    args = parser.parse_args()
    run(args.tiles, args.radius, quick=args.quick, only=args.only, obstructions=args.obstructions)
