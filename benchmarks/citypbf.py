"""A city-sized ``.osm.pbf`` from stitched copies of the bundled real Chinese district, for benchmarks.

    python benchmarks/citypbf.py --grid 14 14 --out /work/citydata/haidian_14x14.osm.pbf  # ≈ 100 k walking nodes
    python benchmarks/citypbf.py --grid 45 45 --out /work/citydata/haidian_45x45.osm.pbf  # ≈ 1 M walking nodes

The bundled Beijing Haidian extract (``geoplan/samples/haidian``, an openstreetmap.org export:
4,347 nodes, 684 ways, 194 relations) is copied onto an ``NX × NY`` grid, **every element**
of it: tagged and untagged nodes (POIs, entrances, barriers), buildings, land use, highways,
multipolygon and other relations, all tags, ids offset per copy (:data:`bignet._ID_STRIDE`)
and coordinates shifted by whole extract widths. The copies are stitched into one street
network as :mod:`bignet` stitches Helsinki (its :func:`bignet.stitch_pairs`): every street end
that lies beyond the export's ``<bounds>`` box on one side (a street the export cut) is joined,
nearest first, to a street end beyond the facing side of the next copy by a two-node
``highway=unclassified`` way. The file is sorted (nodes, ways, relations, each by id) and its
header carries the bounds of the whole city, as a real extract's does.

This is the held-out check's kind of file: the end-to-end benchmark (``bench_city.py``) reads
it through ``geoplan coverage``. Files go outside the repository (default ``/work/citydata``).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bignet import _ID_STRIDE, ends_on_side, grid_links, stitch_pairs, street_ends  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "geoplan" / "samples" / "haidian" / "beijing_haidian_cau_map.osm.bz2"
#: Stitch ends at most this far apart (degrees, ≈ 1 km): the export's cut streets stick out of
#: its box by up to ≈ 0.01° on each side, so facing ends of neighbouring copies can be this far.
_MAX_STITCH_DEG = 0.012


@dataclass
class District:
    """Every element of one OSM file as plain values, sorted by id within each type."""

    nodes: list  # (id, lon, lat, tags)
    ways: list  # (id, refs, tags)
    relations: list  # (id, [(type, ref, role)], tags)
    header: tuple[float, float, float, float]  # the export's <bounds> box
    extent: tuple[float, float, float, float]  # of the street nodes: the step between copies


def read_district(path: Path = BASE) -> District:
    """All nodes, ways and relations of ``path`` with their tags (the file is small)."""
    import osmium

    nodes, ways, relations = [], [], []
    for obj in osmium.FileProcessor(str(path)):
        tags = {t.k: t.v for t in obj.tags}
        if obj.is_node():
            nodes.append((obj.id, obj.location.lon, obj.location.lat, tags))
        elif obj.is_way():
            ways.append((obj.id, [n.ref for n in obj.nodes], tags))
        elif obj.is_relation():
            relations.append((obj.id, [(m.type, m.ref, m.role) for m in obj.members], tags))
    box = osmium.FileProcessor(str(path)).header.box()
    # copies are spaced by the streets' extent (as bignet's): subway lines and rivers that run
    # far out of the export overlap the next copies, as lines crossing a city do
    where = {n[0]: (n[1], n[2]) for n in nodes}
    street = np.array([where[r] for _, refs, tags in ways if "highway" in tags for r in refs if r in where])
    lon, lat = street[:, 0], street[:, 1]
    extent = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
    header = (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat) if box.valid() else extent
    return District(sorted(nodes), sorted(ways), sorted(relations), header, extent)


def district_links(d: District, nx_: int, ny: int) -> list[tuple[int, int]]:
    """Stitch pairs (node ids, offsets applied) joining the copies' cut streets into one network.

    Ends of roads of the district's main emergency-vehicle network are stitched to each other, and
    the ends of every other street to each other, so both the walking and the vehicle network
    span the whole city (the district's own vehicle network has fragments: stitching those
    would leave the city in strips).
    """
    from geoplan.standards import DRIVE_HIGHWAYS

    where = {n[0]: (n[1], n[2]) for n in d.nodes}
    main_drive = _main_drive_nodes()
    west, south, east, north = d.extent
    shifts = {"east": (east - west, 0.0), "north": (0.0, north - south)}
    pairs: dict[str, list] = {"east": [], "north": []}
    for drivable in (True, False):
        refs = [r for _, r, tags in d.ways if "highway" in tags and (tags["highway"] in DRIVE_HIGHWAYS) == drivable
                and all(n in where for n in r)]
        ends = street_ends(refs)
        if drivable:
            ends = ends[np.isin(ends, main_drive)]
        lonlat = np.array([where[e] for e in ends]).reshape(-1, 2)
        for a_side, b_side in (("east", "west"), ("north", "south")):
            a = ends_on_side(ends, lonlat, d.header, a_side)
            b = ends_on_side(ends, lonlat, d.header, b_side)
            pa = np.array([where[i] for i in a]).reshape(-1, 2)
            pb = np.array([where[i] for i in b]).reshape(-1, 2)
            pairs[a_side] += stitch_pairs(a, pa, b, pb, shifts[a_side], _MAX_STITCH_DEG)
    return grid_links(pairs["east"], pairs["north"], nx_, ny, _ID_STRIDE)


def _main_drive_nodes() -> np.ndarray:
    """Node ids of the bundled district's largest emergency-vehicle network component."""
    from geoplan.network import build_frames
    from geoplan.sources import read_osm_file
    from geoplan.standards import get_preset
    from geoplan.study import _local_crs

    osm = read_osm_file(BASE)
    nodes, _, _ = build_frames(osm, "drive", _local_crs(osm), get_preset("gb"))
    return nodes.index.to_numpy(dtype=np.int64)


def write_city(d: District, nx_: int, ny: int, path: Path) -> dict:
    """Write the ``nx_ × ny`` stitched city to ``path`` (sorted PBF); return what was written."""
    import osmium
    from osmium.osm import mutable

    west, south, east, north = d.extent
    w, h = east - west, north - south
    copies = [(j * nx_ + i, i * w, j * h) for j in range(ny) for i in range(nx_)]
    links = district_links(d, nx_, ny)
    top_way = (len(copies) + 1) * _ID_STRIDE  # stitch ways above every copy's ways: the file stays sorted
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    header = osmium.io.Header()
    header.add_box(osmium.osm.Box(osmium.osm.Location(west, south), osmium.osm.Location(west + nx_ * w, south + ny * h)))
    writer = osmium.SimpleWriter(str(path), 0, header)
    try:
        for t, dx, dy in copies:
            off = t * _ID_STRIDE
            for ident, lon, lat, tags in d.nodes:
                writer.add_node(mutable.Node(id=ident + off, location=(lon + dx, lat + dy), tags=tags, version=1))
        for t, _, _ in copies:
            off = t * _ID_STRIDE
            for ident, refs, tags in d.ways:
                writer.add_way(mutable.Way(id=ident + off, nodes=[r + off for r in refs], tags=tags, version=1))
        for k, (a, b) in enumerate(links):
            writer.add_way(mutable.Way(id=top_way + k, nodes=[a, b], tags={"highway": "unclassified"}, version=1))
        for t, _, _ in copies:
            off = t * _ID_STRIDE
            for ident, members, tags in d.relations:
                moved = [(kind, ref + off, role) for kind, ref, role in members]
                writer.add_relation(mutable.Relation(id=ident + off, members=moved, tags=tags, version=1))
    finally:
        writer.close()
    n = len(copies)
    return {"copies": n, "osm_nodes": n * len(d.nodes), "ways": n * len(d.ways) + len(links),
            "stitch_ways": len(links), "relations": n * len(d.relations), "bytes": path.stat().st_size}


def count_walk_nodes(path: Path) -> tuple[int, int]:
    """Walking and emergency-vehicle network nodes geoplan builds from ``path`` (reads it fully)."""
    from geoplan.network import build_frames
    from geoplan.sources import read_osm_file
    from geoplan.standards import get_preset
    from geoplan.study import _local_crs

    osm = read_osm_file(path)
    crs, preset = _local_crs(osm), get_preset("gb")
    walk = build_frames(osm, "walk", crs, preset)[2]["nodes"]
    drive = build_frames(osm, "drive", crs, preset)[2]["nodes"]
    return walk, drive


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", nargs=2, type=int, metavar=("NX", "NY"), default=(14, 14),
                    help="copies east-west and north-south (default 14 14, ≈ 100 k walking nodes)")
    ap.add_argument("--out", type=Path, default=None,
                    help="file to write (default /work/citydata/haidian_NXxNY.osm.pbf)")
    ap.add_argument("--count", action="store_true", help="also read the file back and count network nodes")
    args = ap.parse_args(argv)
    nx_, ny = args.grid
    out = args.out or Path("/work/citydata") / f"haidian_{nx_}x{ny}.osm.pbf"
    t = time.perf_counter()
    district = read_district()
    info = write_city(district, nx_, ny, out)
    print(f"{out}: {nx_}×{ny} copies of the Haidian sample, {info['osm_nodes']:,} OSM nodes, {info['ways']:,} ways "
          f"({info['stitch_ways']:,} stitches), {info['relations']:,} relations, {info['bytes'] / 2**20:.1f} MiB, "
          f"written in {time.perf_counter() - t:.1f} s", flush=True)
    if args.count:
        walk, drive = count_walk_nodes(out)
        print(f"  geoplan networks: {walk:,} walking nodes, {drive:,} emergency-vehicle nodes")


if __name__ == "__main__":
    main()
