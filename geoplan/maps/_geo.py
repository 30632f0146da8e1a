"""Turn a GeoDataFrame into the small, safe GeoJSON a map page embeds.

Order matters and each step says why: simplify in metres (tolerance is a ground distance),
reproject to WGS-84 (Leaflet's lon/lat), shift to GCJ-02 only for a Chinese basemap, round
to ~0.1 m (6 decimals; more digits are noise and bytes), keep only the properties a tooltip,
popup or style uses, and HTML-escape every string so a name can never become markup.
"""

from __future__ import annotations

import contextlib
import gc
import html
import json
import math
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd
import shapely

from geoplan.errors import InputError
from geoplan.i18n import message
from geoplan.gcj02 import transform_geometries, wgs84_to_gcj02
from geoplan.maps._i18n import CHROME, KEYS, t, text

#: Decimal places of lon/lat kept: 1e-6 degree is 0.11 m of latitude.
COORD_DECIMALS = 6
#: Default simplification tolerance, metres: below what a district-scale map can show.
SIMPLIFY_M = 0.5
_M_PER_DEG = 111_320.0

#: A value formatter: (value, lang) -> plain text (escaped afterwards by the caller).
Formatter = Callable[[Any, str], str]


@dataclass(frozen=True)
class Field:
    """One line of a tooltip or popup: a column, its label and how to show the value.

    ``label_key`` is a msgid (``N_("Population")``), an ``NC_`` pair or a 0.1 key
    (``"field.population"``); it is translated in the map's language.

    ``fmt`` is a name from :data:`FORMATS` (``"text"``, ``"int"``, ``"m"``, ``"min"``…) or a
    callable ``(value, lang) -> str``; its output is escaped like any other text.
    """

    column: str
    label_key: str | tuple[str, str]
    fmt: str | Formatter = "text"


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA
    except (TypeError, ValueError):
        return False


def _num(value: Any, digits: int = 0) -> str:
    return f"{float(value):,.{digits}f}"


def _fmt_text(v: Any, lang: str) -> str:
    # A Message (a cause, a reason) is shown in the map's language; other text as it is.
    return text(v, lang) if hasattr(v, "msgid") else str(v)


def _fmt_int(v: Any, lang: str) -> str:
    return _num(round(float(v)))


def _fmt_m(v: Any, lang: str) -> str:
    return text(CHROME["m"], lang, value=_num(v))


def _fmt_km(v: Any, lang: str) -> str:
    return text(CHROME["km"], lang, value=f"{float(v) / 1000:,.1f}")


def _fmt_min_s(v: Any, lang: str) -> str:
    # Durations are seconds inside geoplan; minutes only at the edge (here).
    return text(CHROME["min"], lang, value=f"{float(v) / 60:,.1f}")


def _fmt_m2(v: Any, lang: str) -> str:
    return text(CHROME["m2"], lang, value=_num(v))


def _fmt_ha(v: Any, lang: str) -> str:
    return text(CHROME["ha"], lang, value=f"{float(v) / 10_000:,.2f}")


def _fmt_people(v: Any, lang: str) -> str:
    return text(CHROME["people"], lang, value=_num(round(float(v))))


def _fmt_pct(v: Any, lang: str) -> str:
    return f"{float(v) * 100:.0f}%"


def _fmt_bool(v: Any, lang: str) -> str:
    return t("value.yes" if bool(v) else "value.no", lang)


def _prefixed(prefix: str) -> Formatter:
    """A code translated through the 0.1 keys ``prefix + code``; other values shown as they are.

    Only known codes are translated: a name that happens to equal a msgid stays the name.
    """
    def fmt(v: Any, lang: str) -> str:
        for key in (prefix + str(v), str(v)):  # the bare value too, as the 0.1 ``label`` did
            if key in KEYS:
                return text(key, lang)
        return _fmt_text(v, lang)

    return fmt


FORMATS: dict[str, Formatter] = {
    "text": _fmt_text,
    "int": _fmt_int,
    "people": _fmt_people,
    "m": _fmt_m,
    "km": _fmt_km,
    "min": _fmt_min_s,
    "m2": _fmt_m2,
    "ha": _fmt_ha,
    "pct": _fmt_pct,
    "bool": _fmt_bool,
    "cat": _prefixed("cat."),
    "station": _prefixed("station."),
    "obstruction": _prefixed("obstruction."),
    "status": _prefixed("status."),
    "site": _prefixed("site."),
    "building": _prefixed("building."),
    "source": _prefixed("source."),
    "community": _prefixed("community."),
}


def format_value(value: Any, fmt: str | Formatter, lang: str, *, walk_speed_mps: float = 1.2) -> str:
    """Format one value for a tooltip and HTML-escape it.

    ``fmt="link"`` makes a link to a relative path (the value), labelled "Open the detailed map".
    ``fmt="m+min"`` shows a walking distance in metres and minutes at ``walk_speed_mps``.
    Missing values show as an en dash.
    """
    if fmt == "link":
        return _link(value, lang)
    if _missing(value):
        return "–"
    if fmt == "m+min":
        minutes = float(value) / walk_speed_mps / 60.0
        shown = text(CHROME["m+min"], lang, metres=_num(value), minutes=f"{minutes:,.1f}")
    else:
        func = fmt if callable(fmt) else FORMATS[fmt]
        shown = func(value, lang)
    return html.escape(str(shown), quote=True)


def _link(href: Any, lang: str) -> str:
    """A link to a page written beside this one (relative path), as escaped HTML; blank when none.

    The path is percent-encoded (so ``javascript:`` can never be a scheme) and escaped.
    """
    if _missing(href) or not str(href):
        return ""
    url = html.escape(urllib.parse.quote(str(href), safe="/"), quote=True)
    return f'<a href="{url}" target="_blank" rel="noopener">{html.escape(text(CHROME["detail_link"], lang))}</a>'


def _round_coords(coords: np.ndarray) -> np.ndarray:
    return np.round(coords, COORD_DECIMALS)


def to_map_geometries(gdf, *, gcj02: bool, simplify_m: float = SIMPLIFY_M) -> np.ndarray:
    """Return the geometries of ``gdf`` ready to draw: simplified, lon/lat, rounded.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Any CRS; a missing CRS is an input error (the map cannot place it).
    gcj02 : bool
        Shift WGS-84 to GCJ-02, for AutoNavi/Gaode tiles.
    simplify_m : float
        Douglas-Peucker tolerance in metres; 0 keeps every vertex.

    Returns
    -------
    numpy.ndarray of shapely geometries (lon/lat degrees).
    """
    if gdf.crs is None:
        raise InputError(message("a map layer has no coordinate reference system; set one with "
                                 "GeoDataFrame.set_crs(...) before drawing it"))
    geoms = gdf.geometry
    if simplify_m > 0:
        if gdf.crs.is_projected:
            unit = gdf.crs.axis_info[0].unit_conversion_factor or 1.0
            geoms = geoms.simplify(simplify_m / unit, preserve_topology=True)
        else:
            geoms = geoms.simplify(simplify_m / _M_PER_DEG, preserve_topology=True)
    geoms = geoms.to_crs("EPSG:4326")
    arr = np.asarray(geoms.values, dtype=object)
    if gcj02:
        arr = transform_geometries(arr, wgs84_to_gcj02)
    return shapely.transform(arr, _round_coords)


@contextlib.contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector while a page's features are built, then restore it.

    A layer is tens of thousands of small dicts and lists with no reference cycles; each
    allocation burst triggers collections that walk the whole heap, study included (measured on
    the 3×3 tiled study's 9,996 roads: 2.3–2.7 s with the collector, 1.0 s without).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _json_number(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    f = float(value)
    return None if math.isnan(f) else f


def feature_collection(
    gdf,
    *,
    lang: str,
    fields: Sequence[Field] = (),
    style_codes: Sequence[int] | None = None,
    radii: Sequence[float] | None = None,
    gcj02: bool = False,
    simplify_m: float = SIMPLIFY_M,
    walk_speed_mps: float = 1.2,
) -> dict:
    """Build the GeoJSON FeatureCollection embedded in the page.

    Each feature gets an integer ``id`` (folium keys its per-feature styles by it), one
    pre-formatted, escaped string per field (``f0``, ``f1``… so long column names cost no
    bytes), ``_s`` the index of its style class and ``_r`` its marker radius. Nothing else
    of the source row is kept.
    """
    with gc_paused():
        return _feature_collection(gdf, lang, fields, style_codes, radii, gcj02, simplify_m, walk_speed_mps)


def _feature_collection(gdf, lang, fields, style_codes, radii, gcj02, simplify_m, walk_speed_mps) -> dict:
    geoms = to_map_geometries(gdf, gcj02=gcj02, simplify_m=simplify_m)
    drawn = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    texts = [formatted_column(gdf[f.column].to_numpy()[drawn], f.fmt, lang, walk_speed_mps=walk_speed_mps)
             for f in fields]
    # Geometry as GeoJSON text in one vectorised GEOS call, parsed back in one C-speed json
    # pass: per-feature shapely.geometry.mapping() dominated large layers.
    shapes = json.loads("[" + ",".join(shapely.to_geojson(geoms[drawn])) + "]") if len(drawn) else []
    codes = None if style_codes is None else np.asarray(style_codes)[drawn].tolist()
    rads = None if radii is None else [_json_number(r) for r in np.asarray(radii)[drawn]]
    features = []
    for k, i in enumerate(drawn.tolist()):
        props: dict[str, Any] = {f"f{j}": col[k] for j, col in enumerate(texts)}
        if codes is not None:
            props["_s"] = int(codes[k])
        if rads is not None:
            props["_r"] = rads[k]
        features.append({"type": "Feature", "id": i, "properties": props, "geometry": shapes[k]})
    out = {"type": "FeatureCollection", "features": features}
    if len(drawn):
        minx, miny, maxx, maxy = shapely.total_bounds(geoms[drawn])
        out["bbox"] = [float(minx), float(miny), float(maxx), float(maxy)]
    return out


def formatted_column(values: np.ndarray, fmt: str | Formatter, lang: str, *, walk_speed_mps: float = 1.2) -> list[str]:
    """:func:`format_value` of every value, each distinct value formatted once (escaped text).

    Sentences (:class:`~geoplan.i18n.Message`, equal as English text whatever their msgid) are
    formatted one by one.
    """
    if values.dtype == object and any(hasattr(v, "msgid") for v in values):
        return [format_value(v, fmt, lang, walk_speed_mps=walk_speed_mps) for v in values]
    try:
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    except TypeError:  # unhashable values (lists): format each
        return [format_value(v, fmt, lang, walk_speed_mps=walk_speed_mps) for v in values]
    shown = [format_value(v, fmt, lang, walk_speed_mps=walk_speed_mps) for v in uniques]
    missing = format_value(None, fmt, lang, walk_speed_mps=walk_speed_mps)
    shown.append(missing)  # code -1 (missing) picks the last entry
    return [shown[c] for c in codes.tolist()]


def bounds_latlon(geoms: np.ndarray) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of lon/lat geometries, or ``None`` if empty."""
    geoms = np.asarray([g for g in geoms if g is not None and not g.is_empty], dtype=object)
    if geoms.size == 0:
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]
