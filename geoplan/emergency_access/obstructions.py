"""Put obstructions on the road network: which edges each one closes, and where along them.

* A **point** (a locked gate, a parked truck) closes the road segment it sits on — the nearest
  segment within the snap tolerance.
* A **line** (an occupied stretch of lane) closes every segment it runs along for at least
  :data:`LINE_MIN_OVERLAP_M` (or half its own length, if shorter) within the tolerance; a
  street it merely crosses or touches at a junction is not closed.
* A **polygon** (a sealed compound, a flooded block) closes every segment with a part inside
  it (more than :data:`POLYGON_EDGE_M` inside, so a street drawn along its boundary stays
  open), and cuts off the residential buildings inside it.

Obstructions marked ``keep_open`` are listed but not applied. One farther than the tolerance
from every road is **not silently dropped**: it is listed with its distance and a warning.

Each closure keeps the stretch of the segment it covers (``lo``–``hi``, fractions from the
edge's start node), so a building on a closed segment can still be reached from the open end
on its own side of the blockage.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoplan.emergency_access._text import Term, message
from geoplan.network import CompiledNetwork

#: A line obstruction closes a segment it runs along for at least this many metres (or half its
#: own length if it is shorter), so a line that only touches a cross street does not close it.
LINE_MIN_OVERLAP_M = 5.0
#: Sample spacing along line obstructions, metres.
LINE_STEP_M = 1.0
#: A polygon closes a segment with more than this many metres inside it (boundary streets stay open).
POLYGON_EDGE_M = 1.0


@dataclass(frozen=True)
class Placement:
    """Where the obstructions meet the network.

    Attributes
    ----------
    table
        One row per obstruction (input order): ``obstruction_id, kind, name, keep_open, source,
        geometry_type, applied`` (bool), ``road_distance_m`` (to the nearest road), ``edges_closed``,
        ``buildings_inside``, ``note`` (a :class:`geoplan.i18n.Message`, ``""`` when applied).
    closures
        One row per (obstruction, directed edge) closed: ``obstruction`` (row position in
        ``table``), ``edge`` (index into the network's ``edge_*``), ``lo``, ``hi`` (covered stretch,
        fractions from the edge's start node).
    inside
        One row per (obstruction, resident) cut off by a polygon: ``obstruction``, ``resident``.
    warnings
        Messages (:class:`geoplan.i18n.Message`) about obstructions that could not be placed.
    """

    table: pd.DataFrame
    closures: pd.DataFrame
    inside: pd.DataFrame
    warnings: tuple[str, ...]

    @classmethod
    def empty(cls) -> "Placement":
        """No obstructions."""
        table = pd.DataFrame({c: pd.Series(dtype=object) for c in
                              ("obstruction_id", "kind", "name", "keep_open", "source", "geometry_type", "applied",
                               "road_distance_m", "edges_closed", "buildings_inside", "note")})
        return cls(table, pd.DataFrame(columns=["obstruction", "edge", "lo", "hi"]),
                   pd.DataFrame(columns=["obstruction", "resident"], dtype="int64"), ())

    def closed_edges(self, active: np.ndarray, n_edges: int) -> np.ndarray:
        """Boolean mask over directed edges closed by the ``active`` obstructions (mask over rows)."""
        mask = np.zeros(n_edges, dtype=bool)
        if len(self.closures):
            keep = np.asarray(active, dtype=bool)[self.closures["obstruction"].to_numpy()]
            mask[self.closures["edge"].to_numpy()[keep]] = True
        return mask

    def intervals(self, active: np.ndarray) -> pd.DataFrame:
        """Per closed edge, the union stretch ``lo``–``hi`` covered by the ``active`` obstructions."""
        if not len(self.closures):
            return pd.DataFrame({"edge": pd.Series(dtype="int64"), "lo": pd.Series(dtype=float),
                                 "hi": pd.Series(dtype=float)})
        c = self.closures.loc[np.asarray(active, dtype=bool)[self.closures["obstruction"].to_numpy()]]
        return c.groupby("edge", sort=True).agg(lo=("lo", "min"), hi=("hi", "max")).reset_index()

    def cut_off(self, active: np.ndarray, n_residents: int) -> np.ndarray:
        """Boolean mask of residents inside an ``active`` polygon obstruction."""
        mask = np.zeros(n_residents, dtype=bool)
        if len(self.inside):
            keep = np.asarray(active, dtype=bool)[self.inside["obstruction"].to_numpy()]
            mask[self.inside["resident"].to_numpy()[keep]] = True
        return mask


def _segment_rows(net: CompiledNetwork, obstruction: int, seg: int, lo: float, hi: float) -> list[tuple]:
    """Closure rows for both directed edges of a segment (stretch given from ``seg_u``)."""
    rows = [(obstruction, int(net.seg_fwd[seg]), lo, hi)]
    if net.seg_bwd[seg] >= 0:
        rows.append((obstruction, int(net.seg_bwd[seg]), 1.0 - hi, 1.0 - lo))
    return rows


#: Road classes from major to minor. A point obstruction equally near several roads (a gate
#: drawn on the junction where a compound road meets the street) closes the most minor one:
#: gates and parked cars block the side road, not the through street.
MINOR_ORDER: tuple[str, ...] = ("motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
                                "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified", "road",
                                "residential", "living_street", "busway", "pedestrian", "service")
#: Roads within this many metres of the nearest one count as equally near for a point.
TIE_M = 0.5


def _point_segments(net: CompiledNetwork, tree, pts, tolerance_m: float, seg_rank: np.ndarray | None):
    """Segment and position for each point: the nearest road, the most minor one on a tie."""
    out = []
    snap = net.snap(pts, max_distance=tolerance_m)
    for k in np.flatnonzero(snap.ok):
        seg, t = int(snap.segment[k]), float(snap.t[k])
        if seg_rank is not None:
            near = tree.query(pts[k], predicate="dwithin", distance=snap.distance_m[k] + TIE_M)
            if len(near) > 1:
                best = max(sorted(near.tolist()), key=lambda s: (seg_rank[s], -s))
                if best != seg:
                    seg = int(best)
                    t = float(shapely.line_locate_point(net.seg_geometry[seg], pts[k], normalized=True))
        out.append((seg, t))
    return out


def _line_closures(net: CompiledNetwork, i: int, g, tolerance_m: float) -> list[tuple]:
    """Closures of a line obstruction: the segments it runs along (not those it only crosses)."""
    closures: list[tuple] = []
    for part in shapely.get_parts(g):
        length = part.length
        steps = max(2, int(np.ceil(length / LINE_STEP_M)) + 1)
        pts = shapely.line_interpolate_point(part, np.linspace(0.0, length, steps))
        snap = net.snap(pts, max_distance=tolerance_m)
        if not snap.ok.any():
            continue
        spacing = length / (steps - 1) if steps > 1 else 0.0
        frame = pd.DataFrame({"seg": snap.segment[snap.ok], "t": snap.t[snap.ok]})
        need = min(LINE_MIN_OVERLAP_M, 0.5 * length)
        for seg, grp in frame.groupby("seg", sort=True):
            if (len(grp) - 1) * spacing >= need - 1e-9 or frame["seg"].nunique() == 1:
                closures += _segment_rows(net, i, int(seg), float(grp["t"].min()), float(grp["t"].max()))
    return closures


def _polygon_closures(net: CompiledNetwork, tree, res_tree, i: int, g) -> tuple[list[tuple], list[tuple]]:
    """Closures of a polygon obstruction (segments with a part inside) and the residents inside."""
    closures: list[tuple] = []
    inside: list[tuple] = []
    shrunk = g.buffer(-POLYGON_EDGE_M)
    area = shrunk if not shrunk.is_empty else g
    if tree is not None:
        for seg in np.sort(tree.query(area, predicate="intersects")):
            line = net.seg_geometry[seg]
            part = line.intersection(g)
            if part.length <= POLYGON_EDGE_M:
                continue
            coords = shapely.get_coordinates(part)
            t = shapely.line_locate_point(line, shapely.points(coords), normalized=True)
            closures += _segment_rows(net, i, int(seg), float(t.min()), float(t.max()))
    if res_tree is not None:
        inside = [(i, int(r)) for r in np.sort(res_tree.query(g, predicate="contains"))]
    return closures, inside


def _segment_ranks(net: CompiledNetwork, highway: np.ndarray | None) -> np.ndarray | None:
    if highway is None:
        return None
    order = {h: k for k, h in enumerate(MINOR_ORDER)}
    return np.array([order.get(str(h), len(MINOR_ORDER)) for h in np.asarray(highway, dtype=object)[net.seg_fwd]])


def _column(frame: pd.DataFrame, name: str, default, dtype=object) -> np.ndarray:
    return frame[name].astype(dtype).to_numpy() if name in frame else np.full(len(frame), default, dtype=dtype)


def _verdicts(geoms, road_dist, notes, edges_closed, n_inside, ids, kinds, tolerance_m):
    """Which obstructions apply, the note of those that do not, and warnings for misplaced ones."""
    n = len(geoms)
    applied = np.zeros(n, dtype=bool)
    warnings = []
    for i in range(n):
        if notes[i]:
            continue
        if edges_closed[i] or n_inside[i]:
            applied[i] = True
            continue
        d = road_dist[i]
        if geoms[i].geom_type in ("Polygon", "MultiPolygon"):
            notes[i] = message("no road or residential building inside: no effect", code="no_effect")
        elif np.isfinite(d):
            notes[i] = message("farther than {tolerance:g} m from any road (nearest road {distance:.0f} m away): "
                               "not applied", code="off_road", tolerance=tolerance_m, distance=d)
            warnings.append(message("obstruction {id} ({kind}) is farther than {tolerance:g} m from any road "
                                    "(nearest road {distance:.0f} m away); it was not applied — fix: move it onto "
                                    "the road it blocks", code="obstruction_off_road", id=ids[i],
                                    kind=Term(str(kinds[i])), tolerance=tolerance_m, distance=d))
        else:
            notes[i] = message("farther than {tolerance:g} m from any road (no road): not applied", code="off_road",
                               tolerance=tolerance_m)
            warnings.append(message("obstruction {id} ({kind}) is farther than {tolerance:g} m from any road "
                                    "(no road); it was not applied — fix: move it onto the road it blocks",
                                    code="obstruction_off_road", id=ids[i], kind=Term(str(kinds[i])),
                                    tolerance=tolerance_m))
    return applied, warnings


def place_obstructions(obstructions: gpd.GeoDataFrame, net: CompiledNetwork, residents: gpd.GeoDataFrame,
                       *, tolerance_m: float, highway: np.ndarray | None = None) -> Placement:
    """Find the edges each obstruction closes.

    Parameters
    ----------
    obstructions
        ``obstruction_id, kind, name, keep_open`` + geometry, in the network CRS.
    net
        The full drive network (every road, before any vehicle rule).
    residents
        Residential buildings (geometry) in the network CRS, for polygons' cut-off buildings.
    tolerance_m
        Snap tolerance for points and lines, metres (preset ``obstruction_snap_m``).
    highway
        Road class of every directed edge of ``net`` (to break ties for points, see
        :data:`MINOR_ORDER`); ``None`` takes the nearest segment as found.
    """
    n = len(obstructions)
    geoms = np.asarray(obstructions.geometry.to_numpy(), dtype=object)
    ids = obstructions["obstruction_id"].astype(str).to_numpy() if "obstruction_id" in obstructions else \
        np.array([f"O{i + 1}" for i in range(n)], dtype=object)
    keep_open = obstructions["keep_open"].fillna(False).astype(bool).to_numpy() if "keep_open" in obstructions \
        else np.zeros(n, dtype=bool)
    kinds = _column(obstructions, "kind", "other")
    closures: list[tuple] = []
    inside_rows: list[tuple] = []
    road_dist = np.full(n, np.nan)
    notes: list = [""] * n
    tree = shapely.STRtree(net.seg_geometry) if len(net.seg_geometry) else None
    res_pts = np.asarray(residents.representative_point().to_numpy(), dtype=object) if len(residents) else \
        np.zeros(0, dtype=object)
    res_tree = shapely.STRtree(res_pts) if len(res_pts) else None
    seg_rank = _segment_ranks(net, highway)
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            notes[i] = message("no geometry: not applied", code="no_geometry")
            continue
        if tree is not None:
            near = tree.query_nearest(g, return_distance=True, all_matches=False)
            road_dist[i] = float(near[1][0]) if len(near[1]) else np.nan
        if keep_open[i]:
            notes[i] = message("kept open: not applied", code="kept_open")
            continue
        gtype = g.geom_type
        if gtype in ("Point", "MultiPoint"):
            pts = np.asarray(shapely.get_parts(g), dtype=object)
            for seg, t in _point_segments(net, tree, pts, tolerance_m, seg_rank):
                closures += _segment_rows(net, i, seg, t, t)
        elif gtype in ("LineString", "MultiLineString"):
            closures += _line_closures(net, i, g, tolerance_m)
        elif gtype in ("Polygon", "MultiPolygon"):
            c, r = _polygon_closures(net, tree, res_tree, i, g)
            closures += c
            inside_rows += r
        else:
            notes[i] = message("unsupported geometry {geometry}: not applied", code="unsupported_geometry",
                               geometry=gtype)
    closure_frame = pd.DataFrame(closures, columns=["obstruction", "edge", "lo", "hi"])
    closure_frame = closure_frame.drop_duplicates(["obstruction", "edge"]).reset_index(drop=True)
    inside = pd.DataFrame(inside_rows, columns=["obstruction", "resident"]).astype("int64")
    edges_closed = np.bincount(closure_frame["obstruction"].to_numpy(np.int64), minlength=n) if n else np.zeros(0, int)
    n_inside = np.bincount(inside["obstruction"].to_numpy(np.int64), minlength=n) if n else np.zeros(0, int)
    applied, warnings = _verdicts(geoms, road_dist, notes, edges_closed, n_inside, ids, kinds, tolerance_m)
    table = pd.DataFrame({
        "obstruction_id": ids,
        "kind": kinds,
        "name": _column(obstructions, "name", None),
        "keep_open": keep_open,
        "source": _column(obstructions, "source", None),
        "geometry_type": [None if g is None else g.geom_type for g in geoms],
        "applied": applied,
        "road_distance_m": road_dist,
        "edges_closed": edges_closed,
        "buildings_inside": n_inside,
        "note": notes,
    })
    return Placement(table, closure_frame, inside, tuple(warnings))
