"""Geometry checks of a layer: missing, wrong type, invalid (repaired), outside the study area.

Functions return new frames plus what they dropped or repaired; the caller turns those into
``warnings`` and ``dropped`` records. Nothing is silently changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from geoplan.errors import InputError
from geoplan.i18n import message, nmessage
from geoplan.layers._schema import ROLE_SPECS

_FAMILY = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
           "LinearRing": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}


@dataclass(frozen=True)
class Removed:
    """Rows taken out of a layer, and why.

    Attributes
    ----------
    rows
        ``layer_row`` numbers of the rows removed.
    reason
        Why, in planner's words.
    """

    rows: tuple[int, ...]
    reason: str


def drop_missing(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, Removed]:
    """Remove rows with no geometry (null or empty)."""
    geoms = frame.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    rows = tuple(int(r) for r in frame["layer_row"].to_numpy()[missing])
    return frame.loc[~missing].copy(), Removed(rows, "no geometry (empty coordinates)")


def check_types(frame: gpd.GeoDataFrame, role: str, source: str) -> None:
    """Raise :class:`InputError` naming the first row whose geometry type the role does not accept.

    Sites may be points only where an ``area_m2`` is given (the site's usable area in m²).
    """
    spec = ROLE_SPECS[role]
    types = frame.geom_type.to_numpy(dtype=object)
    bad = ~np.isin(types, list(spec.geometry_types))
    if bad.any():
        row = int(frame["layer_row"].to_numpy()[bad][0])
        raise InputError(nmessage("row {row} is a {kind}, but {role} must be {hint} ({n} such row)",
                                  "row {row} is a {kind}, but {role} must be {hint} ({n} such rows)", int(bad.sum()),
                                  row=row, kind=types[bad][0], role=role, hint=spec.geometry_hint),
                         source=source,
                         fix=message("give {role} as {hint}, or move the feature to the right layer", role=role,
                                     hint=spec.geometry_hint))
    if role == "sites":
        point_without_area = (types == "Point") & ~(frame["area_m2"].to_numpy(dtype=float) > 0)
        if point_without_area.any():
            row = int(frame["layer_row"].to_numpy()[point_without_area][0])
            raise InputError(message("row {row} is a point site without an area", row=row), source=source,
                             fix=message("draw the site as a polygon, or add an area_m2 column (usable area in m²)"))


def _flatten(geom: shapely.Geometry) -> list[shapely.Geometry]:
    """Return the single-part members of any geometry, collections included."""
    parts = list(shapely.get_parts(geom))
    out: list[shapely.Geometry] = []
    for part in parts:
        if part.geom_type in ("GeometryCollection", "MultiPolygon", "MultiLineString", "MultiPoint"):
            out.extend(_flatten(part))
        elif not part.is_empty:
            out.append(part)
    return out


def _same_family(repaired: shapely.Geometry, family: str) -> shapely.Geometry | None:
    """Keep the parts of ``repaired`` of the original geometry's family (a repaired polygon stays
    polygonal; slivers that collapsed to lines or points are let go)."""
    parts = [p for p in _flatten(repaired) if _FAMILY.get(p.geom_type) == family]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    if family == "polygon":
        return shapely.union_all(parts)
    if family == "line":
        return shapely.multilinestrings(parts)
    return shapely.multipoints(parts)


def repair(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, tuple[int, ...], Removed]:
    """Repair invalid geometries with :func:`shapely.make_valid`, keeping their original kind.

    Returns
    -------
    tuple
        The frame, the ``layer_row`` of each repaired row, and the rows dropped because nothing
        of the original kind was left after repair (e.g. a polygon with zero area).
    """
    geoms = frame.geometry.to_numpy().copy()
    invalid = ~shapely.is_valid(geoms)
    rows = frame["layer_row"].to_numpy()
    if not invalid.any():
        return frame, (), Removed((), "")
    keep = np.ones(len(frame), dtype=bool)
    for i in np.flatnonzero(invalid):
        fixed = _same_family(shapely.make_valid(geoms[i]), _FAMILY.get(geoms[i].geom_type, "polygon"))
        if fixed is None or fixed.is_empty:
            keep[i] = False
        else:
            geoms[i] = fixed
    out = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
    repaired = tuple(int(r) for r in rows[invalid & keep])
    dropped = Removed(tuple(int(r) for r in rows[~keep]), "invalid geometry with nothing left after repair")
    return out.loc[keep].copy(), repaired, dropped


def keep_in_area(frame: gpd.GeoDataFrame, area: shapely.Geometry | None) -> tuple[gpd.GeoDataFrame, Removed]:
    """Remove features that do not touch the study area (both in the same CRS).

    Features partly inside are kept whole: a community or a blocked street that crosses the
    edge still matters to the people inside.
    """
    if area is None or len(frame) == 0:
        return frame, Removed((), "")
    area = shapely.transform(area, lambda xy: xy)  # a private copy: preparing must not touch the caller's
    shapely.prepare(area)
    inside = shapely.intersects(area, frame.geometry.to_numpy())
    rows = tuple(int(r) for r in frame["layer_row"].to_numpy()[~inside])
    return frame.loc[inside].copy(), Removed(rows, "outside the study area")
