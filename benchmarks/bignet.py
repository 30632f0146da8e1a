"""Large study areas built deterministically from real street geometry, for benchmarks.

The bundled central-Helsinki extract is copied onto a grid of tiles (shifted by whole
extract widths, ids offset per tile) and the tiles are *stitched*: every street cut by the
extract edge is joined to the nearest street end cut by the facing edge of the next tile
(vehicle roads to vehicle roads, then the other ends on foot), so the result is one connected
city of real street shapes for walking and for driving. Buildings, facilities, sites
and the sample layers (stations, obstructions, communities) are copied alike, so residents
and facilities scale with the network.

``tiled_study(19, 19)`` gives about 1.1 million walking-network nodes (18 × 18: 997,110).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geoplan.sources import OsmData, open_osm

REPO = Path(__file__).resolve().parents[1]
_ID_STRIDE = 10**11  # above every real OSM id, so tile copies never collide
_EDGE_BAND_DEG = 0.0006  # ≈ 35–65 m: a street end this close to the extract edge was cut by it
_MAX_STITCH_DEG = 0.004  # do not stitch ends farther apart than ≈ 250–450 m


def _offsets(base: OsmData, nx_: int, ny: int):
    west, south, east, north = base.bounds
    w, h = east - west, north - south
    for j in range(ny):
        for i in range(nx_):
            yield j * nx_ + i, i, j, i * w, j * h


def _drive_ways(base: OsmData) -> np.ndarray:
    """Ways of the emergency-vehicle network (the classes :mod:`geoplan.network` builds it from)."""
    from geoplan.standards import DRIVE_HIGHWAYS, EXCLUDED_SERVICE_DRIVE

    service = base.ways["service"].astype(object) if "service" in base.ways else pd.Series(None, index=base.ways.index)
    return (base.ways["highway"].astype(object).isin(DRIVE_HIGHWAYS) & ~service.isin(EXCLUDED_SERVICE_DRIVE)).to_numpy()


def street_ends(ways_nodes) -> np.ndarray:
    """Node ids at either end of the given ways (lists of node refs), each once."""
    return np.unique(np.concatenate([[r[0], r[-1]] for r in ways_nodes]))


def ends_on_side(ids: np.ndarray, lonlat: np.ndarray, inner: tuple, side: str) -> np.ndarray:
    """The ``ids`` (with ``lonlat`` positions) lying beyond one side of the box ``inner``
    ``(west, south, east, north)``: the street ends an extract edge cut."""
    west, south, east, north = inner
    lon, lat = lonlat[:, 0], lonlat[:, 1]
    beyond = {"east": lon - east, "west": west - lon, "north": lat - north, "south": south - lat}[side]
    return ids[beyond > 0]


def stitch_pairs(a: np.ndarray, pa: np.ndarray, b: np.ndarray, pb: np.ndarray, shift: tuple[float, float],
                 max_deg: float = _MAX_STITCH_DEG) -> list[tuple[int, int]]:
    """Pairs (end ``a`` of a tile, end ``b`` of the next tile shifted by ``shift`` degrees), nearest
    first, each end used once, none farther apart than ``max_deg``."""
    if len(a) == 0 or len(b) == 0:
        return []
    dist, idx = cKDTree(pb + np.asarray(shift)).query(pa)
    order = np.argsort(dist, kind="stable")
    used, pairs = set(), []
    for k in order:
        if dist[k] <= max_deg and idx[k] not in used:
            used.add(int(idx[k]))
            pairs.append((int(a[k]), int(b[idx[k]])))
    return pairs


def grid_links(east_west: list, north_south: list, nx_: int, ny: int, stride: int) -> list[tuple[int, int]]:
    """The stitch pairs of every tile of an ``nx_ × ny`` grid (tile ``t``'s ids offset by ``t * stride``)."""
    links = []
    for j in range(ny):
        for i in range(nx_):
            off = (j * nx_ + i) * stride
            if i + 1 < nx_:
                links += [(a + off, b + off + stride) for a, b in east_west]
            if j + 1 < ny:
                links += [(a + off, b + off + nx_ * stride) for a, b in north_south]
    return links


def _edge_ends(base: OsmData, side: str, ways: np.ndarray | None = None) -> np.ndarray:
    """Node ids of the ends of ``ways`` (a mask; default every way) within the band along one side."""
    west, south, east, north = base.bounds
    refs = base.ways["nodes"] if ways is None else base.ways["nodes"][ways]
    if not len(refs):
        return np.zeros(0, dtype=np.int64)
    ends = street_ends(refs)
    lonlat = base.nodes.loc[ends, ["lon", "lat"]].to_numpy()
    band = _EDGE_BAND_DEG
    return ends_on_side(ends, lonlat, (west + band, south + band, east - band, north - band), side)


def _stitch_pairs(base: OsmData, a_side: str, b_side: str, shift: tuple[float, float], *,
                  ways: np.ndarray | None = None, taken: tuple[set, set] = (set(), set())) -> list[tuple[int, int]]:
    """Pairs (node on side a of a tile, node on side b of the next tile), nearest first, one each.

    ``ways``: only ends of these ways (a mask); ``taken``: ends of sides a and b already stitched.
    """
    a, b = _edge_ends(base, a_side, ways), _edge_ends(base, b_side, ways)
    a, b = a[~np.isin(a, list(taken[0]))], b[~np.isin(b, list(taken[1]))]
    pa = base.nodes.loc[a, ["lon", "lat"]].to_numpy()
    pb = base.nodes.loc[b, ["lon", "lat"]].to_numpy()
    return stitch_pairs(a, pa, b, pb, shift)


def _stitches(base: OsmData, w: float, h: float) -> dict[str, tuple[list, list]]:
    """The (east–west, north–south) stitch pairs by the class of the stitch way.

    Vehicle roads are stitched to vehicle roads first (``unclassified`` stitches): joined to the
    nearest end of *any* way, most of them met a footway end and the drive network kept them
    as dangling stubs, so the tiles' drive networks were barely joined. The ends left over
    (footways, paths, and roads with no road end facing them) are then stitched on foot
    (``footway`` stitches), so the walking network stays as joined as before.
    """
    drive = _drive_ways(base)
    ew = _stitch_pairs(base, "east", "west", (w, 0.0), ways=drive)
    ns = _stitch_pairs(base, "north", "south", (0.0, h), ways=drive)
    used = lambda pairs: ({a for a, _ in pairs}, {b for _, b in pairs})  # noqa: E731
    return {"unclassified": (ew, ns),
            "footway": (_stitch_pairs(base, "east", "west", (w, 0.0), taken=used(ew)),
                        _stitch_pairs(base, "north", "south", (0.0, h), taken=used(ns)))}


def tiled_osm(nx_: int, ny: int, base: OsmData | None = None) -> OsmData:
    """The bundled extract copied onto an ``nx_ × ny`` grid and stitched into one network."""
    base = base or open_osm(None)
    west, south, east, north = base.bounds
    w, h = east - west, north - south
    tiles = list(_offsets(base, nx_, ny))
    ways, nodes, feats = [], [], []
    for t, _, _, dx, dy in tiles:
        off = t * _ID_STRIDE
        wt = base.ways.copy()
        wt["osm_id"] = wt["osm_id"] + off
        wt["nodes"] = [[n + off for n in refs] for refs in wt["nodes"]]
        ways.append(wt)
        nt = base.nodes.copy()
        nt.index = nt.index + off
        nt["lon"] = nt["lon"] + dx
        nt["lat"] = nt["lat"] + dy
        nodes.append(nt)
        ft = base.features.copy()
        ft["osm_id"] = ft["osm_id"] + off
        ft["geometry"] = shapely.transform(ft.geometry.to_numpy(), lambda c, dx=dx, dy=dy: c + np.array([dx, dy]))
        feats.append(ft)
    links, kinds = [], []
    for highway, (east_west, north_south) in _stitches(base, w, h).items():
        links += grid_links(east_west, north_south, nx_, ny, _ID_STRIDE)
        kinds += [highway] * (len(links) - len(kinds))
    stitch = pd.DataFrame({"osm_id": -np.arange(1, len(links) + 1, dtype=np.int64),
                           "nodes": [list(p) for p in links], "highway": kinds})
    all_ways = pd.concat([*ways, stitch], ignore_index=True)
    features = gpd.GeoDataFrame(pd.concat(feats, ignore_index=True), geometry="geometry", crs="EPSG:4326")
    return OsmData(label=f"Helsinki sample tiled {nx_}×{ny} (benchmark)", path=base.path, sha256=base.sha256,
                   ways=all_ways, nodes=pd.concat(nodes), features=features,
                   bounds=(west, south, west + nx_ * w, south + ny * h), dropped=())


def tiled_layers(nx_: int, ny: int, folder: Path, base: OsmData | None = None) -> Path:
    """Copy the sample layers (stations, obstructions, communities, sites) onto every tile."""
    base = base or open_osm(None)
    for src in sorted((REPO / "layers").glob("*.geojson")):
        frame = gpd.read_file(src)
        copies = []
        for t, _, _, dx, dy in _offsets(base, nx_, ny):
            c = frame.copy()
            c["geometry"] = shapely.transform(c.geometry.to_numpy(), lambda a, dx=dx, dy=dy: a + np.array([dx, dy]))
            for col in ("name", "name_zh", "name_en"):
                if col in c:
                    c[col] = c[col].astype(str) + f" #{t}"
            copies.append(c)
        gpd.GeoDataFrame(pd.concat(copies, ignore_index=True), crs=frame.crs).to_file(folder / src.name, driver="GeoJSON")
    return folder


def tiled_study(nx_: int, ny: int, *, progress=None):
    """A full :class:`geoplan.study.Study` on the tiled extract, with the sample layers tiled too."""
    from geoplan.study import load_study

    base = open_osm(None)
    osm = tiled_osm(nx_, ny, base)
    with tempfile.TemporaryDirectory() as tmp:
        layers = tiled_layers(nx_, ny, Path(tmp), base)
        return load_study(osm, layers=[layers], progress=progress)


def write_street_pbf(osm: OsmData, path: Path) -> Path:
    """Write the streets of ``osm`` (highway ways, their nodes and tags) as a sorted ``.osm.pbf``.

    The floor for reading: a bare pyosmium pass over this file is what any reader of the same
    city must at least pay. Stitch ways (negative ids in :func:`tiled_osm`) get ids above every
    tile's, so the file is sorted as real extracts are.
    """
    import osmium
    from osmium.osm import mutable

    path = Path(path)
    path.unlink(missing_ok=True)
    node_tags = [c for c in osm.nodes.columns if c not in ("lon", "lat")]
    way_tags = [c for c in osm.ways.columns if c not in ("osm_id", "nodes")]
    top = int(osm.ways["osm_id"].max()) + 1
    ways = osm.ways.assign(osm_id=np.where(osm.ways["osm_id"] < 0, top - osm.ways["osm_id"], osm.ways["osm_id"]))
    ways = ways.sort_values("osm_id", kind="stable")
    nodes = osm.nodes.sort_index()
    writer = osmium.SimpleWriter(str(path))
    try:
        for nid, lon, lat, *tags in zip(nodes.index, nodes["lon"], nodes["lat"],
                                        *(nodes[c].astype(object) for c in node_tags)):
            kv = {k: str(v) for k, v in zip(node_tags, tags) if isinstance(v, str)}
            writer.add_node(mutable.Node(id=int(nid), location=(float(lon), float(lat)), tags=kv))
        for wid, refs, *tags in zip(ways["osm_id"], ways["nodes"], *(ways[c].astype(object) for c in way_tags)):
            kv = {k: str(v) for k, v in zip(way_tags, tags) if isinstance(v, str)}
            writer.add_way(mutable.Way(id=int(wid), nodes=[int(r) for r in refs], tags=kv))
    finally:
        writer.close()
    return path


def bare_pyosmium_pass(path: Path) -> dict:
    """Read every node location and every way's refs and tags with pyosmium and nothing else."""
    import osmium

    nodes = ways = refs = 0
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node():
            obj.location.lon, obj.location.lat
            nodes += 1
        elif obj.is_way():
            refs += len([r.ref for r in obj.nodes])
            dict(obj.tags)
            ways += 1
    return {"nodes": nodes, "ways": ways, "refs": refs}
