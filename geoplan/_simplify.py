"""Douglas–Peucker simplification of large polygons that stays valid without GEOS's repair.

``shapely.simplify(..., preserve_topology=False)`` repairs every simplified polygon with a
``buffer(0)``, and the topology-preserving simplifier checks every ring against every other;
on a city's walk-shed (thousands of parts, hundreds of thousands of vertices) either took
15–45 s for one shape, and the map's vertex budget spent minutes in them. Here each ring is
simplified as a line (no repair), the polygons are rebuilt from the rings, and only where that
left a part invalid, or two parts of one shape overlapping, do those parts keep their input
rings. The result is valid whenever the input is.
"""

from __future__ import annotations

import numpy as np
import shapely

_POLYGONAL = (3, 6)  # shapely type ids: Polygon, MultiPolygon


def simplify_valid(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Every geometry simplified at ``tolerance`` (its CRS's units), polygons kept valid.

    Lines and points are simplified as ``shapely.simplify`` without topology checks does. In a
    polygon, a hole that collapses is dropped, and so is a part that collapses, unless every
    part of the shape does (its largest part is then kept as it was: a shape never vanishes).
    """
    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    kind = shapely.get_type_id(geoms)
    lines = ~np.isin(kind, _POLYGONAL) & ~shapely.is_missing(geoms)
    out[lines] = shapely.simplify(geoms[lines], tolerance, preserve_topology=False)
    which = np.flatnonzero(np.isin(kind, _POLYGONAL) & ~shapely.is_empty(geoms))
    if not len(which):
        return out
    parts, owner = shapely.get_parts(geoms[which], return_index=True)
    simple = _simplified_parts(parts, tolerance)
    simple = _apart(parts, simple, owner)
    out[which] = _regrouped(simple, owner, parts, geoms[which])
    return out


def _simplified_parts(parts: np.ndarray, tolerance: float) -> np.ndarray:
    """Each polygon's rings simplified as lines; ``None`` for a part whose outer ring collapsed,
    the part itself where the rebuilt polygon is not valid."""
    holes = shapely.get_num_interior_rings(parts)
    of_hole = np.repeat(np.arange(len(parts)), holes)
    nth = np.arange(len(of_hole)) - np.repeat(np.cumsum(holes) - holes, holes)
    rings = np.concatenate([shapely.get_exterior_ring(parts), shapely.get_interior_ring(parts[of_hole], nth)])
    part_of = np.concatenate([np.arange(len(parts)), of_hole])
    outer = np.concatenate([np.ones(len(parts), bool), np.zeros(len(of_hole), bool)])
    rings = shapely.simplify(rings, tolerance, preserve_topology=False)
    ring = shapely.get_type_id(rings) == 2  # a ring that collapsed comes back as a line
    kept = ~outer & ring
    gone = np.zeros(len(parts), bool)
    gone[part_of[outer & ~ring]] = True
    # shells first, then each part's holes in their order: polygons() takes the first ring as shell
    use = np.flatnonzero((outer & ~gone[part_of]) | (kept & ~gone[part_of]))
    use = use[np.lexsort((~outer[use], part_of[use]))]
    built = np.full(len(parts), None, dtype=object)
    if len(use):
        first = np.unique(part_of[use])
        built[first] = shapely.polygons(rings[use], indices=np.searchsorted(first, part_of[use]))
    bad = ~gone & ~shapely.is_valid(built)
    built[bad] = parts[bad]
    return built


def _apart(parts: np.ndarray, simple: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """``simple`` with the input part restored wherever two simplified parts of one shape overlap.

    The input parts' interiors are disjoint (valid multipolygons), so restoring both of every
    overlapping pair ends, at worst, with the input.
    """
    simple = simple.copy()
    restored = np.zeros(len(simple), bool)
    while True:
        a, b = shapely.STRtree(simple).query(simple, predicate="intersects")
        pair = (a < b) & (owner[a] == owner[b])
        a, b = a[pair], b[pair]
        inside = shapely.relate_pattern(simple[a], simple[b], "T********")  # interiors meet
        changed = np.unique(np.concatenate([a[inside], b[inside]]))
        changed = changed[~restored[changed]]
        if not len(changed):
            return simple
        simple[changed] = parts[changed]
        restored[changed] = True


def _regrouped(simple: np.ndarray, owner: np.ndarray, parts: np.ndarray, shapes: np.ndarray) -> np.ndarray:
    """The parts put back into one polygon or multipolygon per shape; where every part of a
    shape collapsed, its largest input part."""
    simple = simple.copy()
    dead = np.setdiff1d(np.arange(len(shapes)), owner[~shapely.is_missing(simple)])
    if len(dead):
        hit = np.isin(owner, dead)
        rows = np.flatnonzero(hit)
        order = np.lexsort((-shapely.area(parts[rows]), owner[rows]))
        first = rows[order][np.r_[True, np.diff(owner[rows][order]) != 0]]
        simple[first] = parts[first]
    keep = ~shapely.is_missing(simple)
    multi = shapely.multipolygons(simple[keep], indices=owner[keep])
    single = (shapely.get_num_geometries(multi) == 1) & (shapely.get_type_id(shapes) == 3)
    multi[single] = shapely.get_geometry(multi[single], 0)
    return multi
