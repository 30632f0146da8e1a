"""Service areas built from the reachable street network, not from circles.

After a category's one multi-source search, every node knows its walking distance to the
nearest facility. A street segment is reachable up to where that distance reaches the tier:
wholly when the two reachable stretches from its ends meet, else the stretch from each end
(``(tier − cost at end) / segment length`` of it), plus the stretch around a facility that sits
on the segment itself. The reachable stretches follow the street geometry (curves kept),
grown by a walk-shed half-width (``buffer_m``, default 50 m: the homes along a street face it
within about that distance) and dissolved into one (multi)polygon per category. The growing and
dissolving is a raster dilation (:mod:`geoplan.network._walkshed`: a 5 m cell on a district,
coarser on a city; boundary within a fraction of a cell of the exact buffer union, area within
about 1 %), an order of magnitude faster than dissolving thousands of overlapping GEOS buffers.

Per-facility areas (optional) split the same streets by *which* facility is nearest: the
stretch reached from a segment end belongs to the facility nearest to that end, split where the
two ends' costs meet — a network catchment, still from the one search per category.
"""

from __future__ import annotations

from typing import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoplan.i18n import N_
from geoplan.network._lines import vertex_steps
from geoplan.network._progress import steps
from geoplan.network._walkshed import WALKSHED_CELL_M, Polylines, cell_size, dilate_groups, dilate_points

from geoplan.network.engine import _starts

_TINY = 1e-9
#: Walk-shed half-width drawn around reachable streets, metres (a drawing choice: homes along a
#: street face it within about this distance; not a planning standard).
SERVICE_AREA_BUFFER_M = 50.0


def _pieces(net, reach, limit: float, *, owners: bool):
    """Reachable stretches as ``(segment, lo, hi, owner)`` arrays (fractions along the segment)."""
    w = net.weights[reach.weight]
    cost = reach.node_cost
    fwd, bwd = net.seg_fwd, net.seg_bwd
    wf = np.where(fwd >= 0, w[np.maximum(fwd, 0)], np.nan)
    wb = np.where(bwd >= 0, w[np.maximum(bwd, 0)], np.nan)
    cu, cv = cost[net.seg_u], cost[net.seg_v]
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where((fwd >= 0) & (cu <= limit), np.clip((limit - cu) / wf, 0.0, 1.0), -1.0)
        b = np.where((bwd >= 0) & (cv <= limit), np.clip((limit - cv) / wb, 0.0, 1.0), -1.0)
        both = (a >= 0) & (b >= 0)
        full_cover = (a >= 1) | (b >= 1) | (both & (a + b >= 1))
        meet = np.clip((cv - cu + wb) / (wf + wb), 0.0, 1.0)
    segs, los, his, own = [], [], [], []
    src_u = reach.node_source[net.seg_u]
    src_v = reach.node_source[net.seg_v]
    if owners:
        # split where the two ends' walks meet, each end's stretch owned by its nearest facility
        split = both & (a + b >= 1)
        hi_u = np.where(split, np.minimum(a, meet), a)
        lo_v = np.where(split, np.maximum(1 - b, meet), 1 - b)
        m = a > 0
        segs.append(np.flatnonzero(m)); los.append(np.zeros(m.sum())); his.append(hi_u[m]); own.append(src_u[m])
        m = b > 0
        segs.append(np.flatnonzero(m)); los.append(lo_v[m]); his.append(np.ones(m.sum())); own.append(src_v[m])
    else:
        m = full_cover
        segs.append(np.flatnonzero(m)); los.append(np.zeros(m.sum())); his.append(np.ones(m.sum()))
        own.append(np.full(m.sum(), -1))
        m = ~full_cover & (a > 0)
        segs.append(np.flatnonzero(m)); los.append(np.zeros(m.sum())); his.append(a[m]); own.append(np.full(m.sum(), -1))
        m = ~full_cover & (b > 0)
        segs.append(np.flatnonzero(m)); los.append(1 - b[m]); his.append(np.ones(m.sum()))
        own.append(np.full(m.sum(), -1))
    # facilities sitting on a segment reach along it in both allowed directions
    # every entry of every source (a park's several sides included) reaches along its own segment
    src = reach.starts if reach.starts is not None else _starts(reach.sources, reach.source_cost)
    ok = np.flatnonzero(src.ok)
    if len(ok):
        left = limit - src.cost[ok]
        s, t = src.segment[ok], src.t[ok]
        go = left > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            f_hi = np.where(fwd[s] >= 0, np.minimum(1.0, t + left / wf[s]), t)
            b_lo = np.where(bwd[s] >= 0, np.maximum(0.0, t - left / wb[s]), t)
        segs.append(s[go]); los.append(b_lo[go]); his.append(f_hi[go])
        own.append(src.owner[ok][go] if owners else np.full(go.sum(), -1))
    seg = np.concatenate(segs).astype(np.int64)
    lo = np.concatenate(los)
    hi = np.concatenate(his)
    owner = np.concatenate(own).astype(np.int64)
    keep = hi - lo > _TINY
    seg, lo, hi, owner = seg[keep], lo[keep], hi[keep], owner[keep]
    if not owners:
        seg, lo, hi = _merge(seg, lo, hi)
        owner = np.full(len(seg), -1, dtype=np.int64)
    return seg, lo, hi, owner


def _merge(seg, lo, hi):
    """Merge overlapping stretches of the same segment (so lengths are not counted twice)."""
    if len(seg) == 0:
        return seg, lo, hi
    order = np.lexsort((lo, seg))
    seg, lo, hi = seg[order], lo[order], hi[order]
    reach = pd.Series(hi).groupby(seg).cummax().to_numpy()
    new = np.ones(len(seg), dtype=bool)
    new[1:] = (seg[1:] != seg[:-1]) | (lo[1:] > reach[:-1] + _TINY)
    group = np.cumsum(new) - 1
    out_hi = pd.Series(hi).groupby(group).max().to_numpy()
    first = np.flatnonzero(new)
    return seg[first], lo[first], out_hi


def _cut(net, seg, lo, hi) -> np.ndarray:
    """Street geometry of each stretch (whole segments without copying, partial ones cut)."""
    geoms = net.seg_lines.take(seg).copy()
    partial = np.flatnonzero((lo > _TINY) | (hi < 1 - _TINY))
    if len(partial):
        geoms[partial] = _substrings(geoms[partial], lo[partial], hi[partial])
    return geoms


def _substrings(lines: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``shapely.ops.substring(line, lo, hi, normalized=True)`` for many lines at once (``lo < hi``).

    Each stretch is its interpolated start, the vertices strictly between, and its interpolated
    end — the same points ``substring`` keeps — assembled into lines in one call.
    """
    coords, line_of = shapely.get_coordinates(lines, return_index=True)
    along = np.cumsum(vertex_steps(coords, line_of))
    along -= along[np.searchsorted(line_of, line_of)]  # distance from each line's first vertex
    total = shapely.length(lines)
    start, end = lo * total, hi * total
    # a vertex within rounding of a cut is the cut's own point (summed lengths drift by ~1e-13)
    tol = 1e-9 * np.maximum(total, 1.0)[line_of]
    inner = (along > start[line_of] + tol) & (along < end[line_of] - tol)
    first = shapely.get_coordinates(shapely.line_interpolate_point(lines, start))
    last = shapely.get_coordinates(shapely.line_interpolate_point(lines, end))
    n = len(lines)
    which = np.concatenate([np.arange(n), line_of[inner], np.arange(n)])
    rank = np.concatenate([np.full(n, -np.inf), along[inner], np.full(n, np.inf)])
    order = np.lexsort((rank, which))
    pts = np.concatenate([first, coords[inner], last])[order]
    return shapely.linestrings(pts, indices=which[order])


def _cell(streets: Polylines, seg: np.ndarray, buffer_m: float) -> float:
    """The category's raster cell (m): fine on a district, coarser on a city (bounded memory)."""
    return cell_size(streets.bounds(seg), buffer_m) if len(seg) else WALKSHED_CELL_M


def _area(net, streets: Polylines, seg, lo, hi, buffer_m: float, cell_m: float):
    """The walk-shed of a category's stretches: everything within ``buffer_m`` of them, or ``None``.

    ``net`` is not read here; it is in the signature so that an exact reference drawing (tests,
    ``benchmarks/bench_scale.py``) can cut the stretches as lines instead.

    A raster dilation of points sampled along the stretches, not ``union_all(buffer(stretches))``:
    the GEOS overlay of thousands of overlapping buffers was ≈ 10 s per category at 77 k nodes,
    and cutting each stretch as a geometry cost more than the drawing (see ``_walkshed``).
    """
    some = (hi - lo) * streets.length[seg] > 0  # a zero-length stretch is no line: nothing to draw
    if not some.any():
        return None
    points, _ = streets.samples(seg[some], lo[some], hi[some], cell_m / 2.0)
    return dilate_points(points, buffer_m, cell_m)


def _areas_by_owner(net, streets: Polylines, seg, lo, hi, owner, buffer_m: float,
                    cell_m: float) -> tuple[np.ndarray, list]:
    """One walk-shed per owner (facility index), each on a raster window of its own extent."""
    some = (owner >= 0) & ((hi - lo) * streets.length[seg] > 0)
    points, which = streets.samples(seg[some], lo[some], hi[some], cell_m / 2.0)
    return dilate_groups(points, owner[some][which], buffer_m, cell_m=cell_m)


def service_areas(net, reaches: Mapping[str, tuple], limits: Mapping[str, float], *, fac_ids: np.ndarray,
                  buffer_m: float, per_facility: bool, crs,
                  geometry: bool = True) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """Category service areas (one row per category) and, optionally, per-facility areas.

    Parameters
    ----------
    net : CompiledNetwork
        The walking network searched.
    reaches : mapping
        ``category -> (Reach, facility_rows)``: the category's search and, for each of its
        sources, the row of ``study.facilities`` it came from.
    limits : mapping
        ``category -> threshold`` in metres.
    fac_ids : numpy.ndarray
        ``facility_id`` of every row of ``study.facilities``.
    buffer_m : float
        Walk-shed half-width around reachable streets, metres.
    geometry : bool
        ``False``: only the reachable street length, no polygons (fast on huge networks).
    """
    rows, geoms = [], []
    frows, fgeoms = [], []
    # from the segments' coordinates: a cached study never makes their shapely lines here
    seg_length = net.seg_lines.lengths() if len(reaches) else np.zeros(0)
    streets = Polylines.from_coordinates(*net.seg_lines.coordinates(), len(net.seg_lines)) \
        if geometry and len(reaches) else None  # once for every category
    for cat, (reach, fac_rows) in steps(reaches.items(), desc=N_("service areas"), total=len(reaches),
                                            unit=N_("category")):
        limit = float(limits[cat])
        seg, lo, hi, _ = _pieces(net, reach, limit, owners=False)
        length = float((seg_length[seg] * (hi - lo)).sum()) if len(seg) else 0.0
        cell = _cell(streets, seg, buffer_m) if geometry else WALKSHED_CELL_M
        area = _area(net, streets, seg, lo, hi, buffer_m, cell) if geometry else None
        rows.append({"category": cat, "tier_m": round(limit, 3), "facilities": int(len(fac_rows)),
                     "street_m": round(length, 1), "area_ha": round(area.area / 1e4, 3) if area is not None else 0.0})
        geoms.append(area)
        if per_facility and geometry and len(fac_rows):
            seg, lo, hi, owner = _pieces(net, reach, limit, owners=True)
            for k, a in zip(*_areas_by_owner(net, streets, seg, lo, hi, owner, buffer_m, cell)):
                frows.append({"facility_id": str(fac_ids[fac_rows[k]]), "category": cat, "tier_m": round(limit, 3),
                              "area_ha": round(a.area / 1e4, 3)})
                fgeoms.append(a)
    areas = gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs) if rows else \
        gpd.GeoDataFrame({"category": [], "tier_m": []}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    per = None
    if per_facility:
        per = gpd.GeoDataFrame(frows, geometry=gpd.GeoSeries(fgeoms, crs=crs), crs=crs) if frows else \
            gpd.GeoDataFrame({"facility_id": [], "category": []}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    return areas, per
