"""City-scale maps: past a documented size a map draws aggregates, the detail a click away.

A meeting laptop opens a page of a few thousand features in a second or two; a city of a
hundred thousand buildings, each a polygon with a tooltip, is hundreds of megabytes of
GeoJSON that Chromium takes minutes to parse and draw. Past :data:`DETAIL_MAX_RESIDENCES`
residential buildings (or resident features) a map therefore draws:

* hexagon cells (:data:`HEX_CELL_M` across, wider past :data:`OVERVIEW_MAX_CELLS` cells; in the
  study's metric CRS) carrying the sums of
  what the buildings inside them carry (population, covered population, buildings without
  access…), with the shares computed from the sums;
* the community outlines with the same sums and, when the CLI wrote them, a link to each
  community's detailed map (:class:`CommunityMaps`; one HTML page per community within the
  detail limit, full detail);
* service areas simplified at :data:`OVERVIEW_SIMPLIFY_M` (coarser, in steps, until each keeps
  at most :data:`OVERVIEW_AREA_VERTICES` vertices), the :data:`OVERVIEW_MAX_GAPS` largest gap
  areas, no service points (a city's would outweigh the page), and a basemap of major streets,
  water and green only (:meth:`geoplan.maps.basemap.ExtractBasemap.overview`).

The tables (CSV, GeoPackage) are never aggregated: only what the page draws is.

These numbers are drawing choices (what a page can carry), not planning numbers, so they
live here and not in :mod:`geoplan.standards`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoplan._simplify import simplify_valid
from geoplan.i18n import N_

#: Drawing choice: a map draws every building (resident feature) up to this many, and
#: aggregates past it. Measured (``benchmarks/bench_maps.py``): the 3×3 tiled Helsinki study
#: (531 residential buildings, 3,906 buildings, 15 km²) gives 4–8 MB detailed pages; the pages
#: grow linearly with the area, so about 2,000 residences (≈ 30 MB for the heaviest page, the
#: access map with every road segment) is where detail stops fitting a meeting laptop.
DETAIL_MAX_RESIDENCES = 2_000
#: Drawing choice: width of a hexagon cell across its flat sides, metres (≈ 0.22 km² a cell:
#: a few blocks, about a 5-minute walk across; a 600 km² city is ≈ 3,000 cells).
HEX_CELL_M = 500.0
#: Past this many cells over the study's extent the cells grow (in whole 100 m steps), so a
#: city's page carries a few thousand cells, not tens of thousands (a drawing choice).
OVERVIEW_MAX_CELLS = 5_000
#: Drawing choice: simplification tolerance of service areas and outlines in an aggregate
#: map, metres (a tenth of a cell: invisible at the zoom the whole city is seen at).
OVERVIEW_SIMPLIFY_M = 10.0
#: Drawing choice: margin around a community kept in its detailed map, metres (the streets
#: and services just outside its edge that its residents use).
DETAIL_MARGIN_M = 250.0
#: Aggregate coverage map: only the largest gap areas are drawn (all of them stay in the tables),
#: and each category's service area keeps at most this many vertices (simplified further, in
#: steps, until it does): a city's page stays a few MB (a drawing choice; measured in
#: ``benchmarks/README.md``).
OVERVIEW_MAX_GAPS = 500
#: The access map's critical links, dead ends and failing compounds keep their first this many
#: (each table is ranked; measured: 103,674 dead ends were 27 MB of a 59 MB page at 1 M nodes).
OVERVIEW_MAX_LINES = 500
OVERVIEW_AREA_VERTICES = 20_000
#: The aggregate basemap's major streets keep at most this many vertices (same steps).
OVERVIEW_BASEMAP_VERTICES = 100_000
#: Tolerances tried in turn (metres) for :data:`OVERVIEW_AREA_VERTICES`.
_BUDGET_STEPS_M = (10.0, 25.0, 50.0, 100.0, 200.0)


#: PlanMap options of an aggregate map: one canvas for every vector, service areas and
#: outlines simplified at :data:`OVERVIEW_SIMPLIFY_M`.
OVERVIEW_LOOK: Mapping[str, object] = {"canvas": True, "simplify_m": OVERVIEW_SIMPLIFY_M}
#: Name of the hexagon layer of each map (``width_m``: :data:`HEX_CELL_M`), saying what colours it.
CELL_LAYER_COVERAGE = N_("Hexagon cells ({width_m:,.0f} m): categories within their tier, residents' mean")
CELL_LAYER_ACCESS = N_("Hexagon cells ({width_m:,.0f} m): share of residents without timely access")
CELL_LAYER_SITES = N_("Hexagon cells ({width_m:,.0f} m): share of residents with a shelter within reach")
CELL_LAYER_PEOPLE = N_("Hexagon cells ({width_m:,.0f} m): residents")
MEAN_CATEGORIES = N_("Categories within their tier (residents' mean)")
#: Label of the link to a community's detailed map.
DETAIL_FIELD = N_("Detailed map")
#: Field labels of the aggregate cells and communities.
WITHOUT_BUILDINGS = N_("Buildings without timely access")
WITHOUT_RESIDENTS = N_("Residents without timely access")
WITHOUT_SHARE = N_("Share of residents without timely access")
UNCOVERED_RESIDENTS = N_("Residents without a shelter within reach")
COVERED_SHARE = N_("Share of residents with a shelter within reach")
SHELTER_CAPACITY = N_("Capacity of the open shelters here")
SHELTER_DEMAND = N_("Shelter demand (residents)")
BUILDINGS_ALL = N_("Buildings")
RESIDENTIAL = N_("Residential buildings")
#: The aggregate map's line in the title block, saying why buildings are not drawn.
OVERVIEW_NOTE = N_("City-scale view: {n:,} buildings summed in cells and communities; "
                   "each community's detailed map opens from its popup")
OVERVIEW_NOTE_NO_LINKS = N_("City-scale view: {n:,} buildings summed in cells and communities")


def overview_line(n: int, lang: str, *, linked: bool) -> str:
    """The title-block line of an aggregate map, in ``lang``."""
    from geoplan.i18n import translator

    return translator(lang).render(OVERVIEW_NOTE if linked else OVERVIEW_NOTE_NO_LINKS, n=int(n))


def overview_basemap(basemap):
    """The lighter basemap of an aggregate map (a tile name is returned as it is)."""
    return basemap if isinstance(basemap, str) else basemap.overview()


def draws_detail(n_residences: int, limit: int | None = None) -> bool:
    """Whether a map with ``n_residences`` building features draws them one by one.

    Parameters
    ----------
    n_residences : int
        Residential buildings (or resident features) the map would draw.
    limit : int, optional
        The threshold; default :data:`DETAIL_MAX_RESIDENCES`. ``0`` always aggregates.
    """
    return n_residences <= (DETAIL_MAX_RESIDENCES if limit is None else int(limit))


@dataclass(frozen=True)
class CommunityMaps:
    """The per-community detailed maps an aggregate map links to.

    Attributes
    ----------
    communities : geopandas.GeoDataFrame
        ``community`` and polygon geometry (any CRS), optional ``name_zh``/``name_en``.
    hrefs : mapping of str to str
        Community id → the detailed page's path relative to the aggregate page.
    """

    communities: gpd.GeoDataFrame
    hrefs: Mapping[str, str] = field(default_factory=dict)


def community_file(index: int, community: object) -> str:
    """A safe, unique file name for a community's detailed map (``007-Kamppi_3.html``).

    Only ASCII letters, digits, ``-`` and ``_`` are kept (any name may come from a layer);
    the index keeps two communities whose names differ only in other characters apart.
    """
    stem = re.sub(r"[^0-9A-Za-z_-]+", "_", str(community)).strip("_")[:40]
    return f"{index:03d}-{stem}.html" if stem else f"{index:03d}.html"


def metric(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` in a metric CRS: its own when projected, else the UTM zone of its extent."""
    if frame.crs is not None and frame.crs.is_projected:
        return frame
    return frame.to_crs(frame.estimate_utm_crs())


def _hex_index(x: np.ndarray, y: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """Axial (q, r) of the pointy-top hexagon of circumradius ``size`` holding each point."""
    q = (math.sqrt(3) / 3 * x - y / 3) / size
    r = (2 / 3 * y) / size
    # cube rounding: round all three, fix the one that moved most
    cx, cz = q, r
    cy = -cx - cz
    rx, ry, rz = np.round(cx), np.round(cy), np.round(cz)
    dx, dy, dz = np.abs(rx - cx), np.abs(ry - cy), np.abs(rz - cz)
    fix_x = (dx > dy) & (dx > dz)
    fix_z = ~fix_x & ~(dy > dz)
    rx = np.where(fix_x, -ry - rz, rx)
    rz = np.where(fix_z, -rx - ry, rz)
    return rx.astype(np.int64), rz.astype(np.int64)


def _hex_polygons(q: np.ndarray, r: np.ndarray, size: float) -> np.ndarray:
    """The hexagons of axial coordinates (q, r), vectorised (one ``shapely.polygons`` call)."""
    cx = size * math.sqrt(3) * (q + r / 2.0)
    cy = size * 1.5 * r
    angles = np.radians(30 + 60 * np.arange(7))  # the 7th closes the ring
    ring = np.stack([cx[:, None] + size * np.cos(angles), cy[:, None] + size * np.sin(angles)], axis=-1)
    return shapely.polygons(ring)


def cell_width(frame: gpd.GeoDataFrame, max_cells: int = OVERVIEW_MAX_CELLS) -> float:
    """The hexagon width (metres across the flat sides) for a map of ``frame``: :data:`HEX_CELL_M`,
    or wider, in whole 100 m steps, when the extent would hold more than ``max_cells`` cells."""
    if not len(frame):
        return HEX_CELL_M
    x0, y0, x1, y1 = metric(frame).total_bounds
    hexagon = math.sqrt(3) / 2  # a hexagon of width w covers hexagon × w² m²
    needed = math.sqrt(max((x1 - x0) * (y1 - y0), 0.0) / (max_cells * hexagon))
    return max(HEX_CELL_M, 100.0 * math.ceil(needed / 100.0))


def hex_cells(frame: gpd.GeoDataFrame, sums: Mapping[str, np.ndarray | pd.Series], *,
              cell_m: float = HEX_CELL_M) -> gpd.GeoDataFrame:
    """Sum per-building values into the hexagon cells their representative points fall in.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        One row per building (or resident feature); any CRS (cells are laid out in a metric one).
    sums : mapping of str to array
        Output column → one value per row of ``frame`` (NaN counts as 0).
    cell_m : float
        Cell width across its flat sides, metres.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per occupied cell: ``cell`` (``"q,r"``), ``buildings`` (rows inside) and each
        column of ``sums``; in ``frame``'s metric CRS, in a stable order (by ``q`` then ``r``).
    """
    frame = metric(frame)
    pts = shapely.get_coordinates(frame.geometry.representative_point().to_numpy())
    size = float(cell_m) / math.sqrt(3)
    q, r = _hex_index(pts[:, 0], pts[:, 1], size)
    keys, inverse = np.unique(np.stack([q, r], axis=1), axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    n = len(keys)
    out = {"cell": [f"{a},{b}" for a, b in keys], "buildings": np.bincount(inverse, minlength=n)}
    for name, values in sums.items():
        v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
        out[name] = np.bincount(inverse, weights=v, minlength=n)
    return gpd.GeoDataFrame(out, geometry=_hex_polygons(keys[:, 0], keys[:, 1], size), crs=frame.crs)


def community_sums(frame: pd.DataFrame, communities: gpd.GeoDataFrame,
                   sums: Mapping[str, np.ndarray | pd.Series]) -> gpd.GeoDataFrame:
    """The same sums per community (by the ``community`` column the buildings carry).

    Communities with no building get zeros; the output keeps ``communities``' rows and order.
    """
    key = frame["community"].astype(str).to_numpy() if "community" in frame else np.full(len(frame), "")
    table = pd.DataFrame({name: np.nan_to_num(np.asarray(v, dtype=float), nan=0.0) for name, v in sums.items()})
    table["buildings"] = 1.0
    totals = table.groupby(key, sort=True).sum()
    ids = communities["community"].astype(str)
    out = communities.copy()
    for col in totals.columns:
        out[col] = ids.map(totals[col]).fillna(0.0).to_numpy()
    return out


def sum_within(points: gpd.GeoDataFrame, column: str, units: gpd.GeoDataFrame) -> np.ndarray:
    """The sum of ``column`` over the features whose representative point lies in each unit."""
    if not len(points) or not len(units):
        return np.zeros(len(units))
    pts = gpd.GeoDataFrame({"_v": points[column].to_numpy(dtype=float)},
                           geometry=points.geometry.representative_point().to_numpy(), crs=points.crs)
    zones = gpd.GeoDataFrame({"_u": np.arange(len(units))}, geometry=units.geometry.to_numpy(), crs=units.crs)
    hit = gpd.sjoin(pts.to_crs(units.crs), zones, predicate="within", how="inner")
    hit = hit.loc[~hit.index.duplicated()]  # a point on a shared edge counts once
    return np.bincount(hit["_u"].to_numpy(), weights=np.nan_to_num(hit["_v"].to_numpy()), minlength=len(units))


def features_per_community(features: gpd.GeoDataFrame, communities: gpd.GeoDataFrame) -> np.ndarray:
    """How many of ``features`` each community holds (by their ``community`` column, else by position)."""
    if "community" in features:
        counts = features["community"].astype(str).value_counts()
        return communities["community"].astype(str).map(counts).fillna(0).to_numpy(dtype=int)
    ones = features.assign(_one=1.0)
    return sum_within(ones, "_one", communities).astype(int)


def share(part: np.ndarray | pd.Series, whole: np.ndarray | pd.Series) -> np.ndarray:
    """``part / whole`` where ``whole > 0``, NaN elsewhere (a cell without people has no share)."""
    p, w = np.asarray(part, dtype=float), np.asarray(whole, dtype=float)
    out = np.full(p.shape, np.nan)
    np.divide(p, w, out=out, where=w > 0)
    return out


def simplified(gdf: gpd.GeoDataFrame, tolerance_m: float = OVERVIEW_SIMPLIFY_M) -> gpd.GeoDataFrame:
    """Polygons simplified at ``tolerance_m`` metres, kept valid (the simplifier of
    :func:`within_vertex_budget`, one step)."""
    if not len(gdf):
        return gdf
    work = metric(gdf)
    geoms = simplify_valid(work.geometry.to_numpy(), tolerance_m)
    return work.set_geometry(gpd.GeoSeries(geoms, index=work.index, crs=work.crs))


def within_vertex_budget(gdf: gpd.GeoDataFrame, budget: int = OVERVIEW_AREA_VERTICES) -> gpd.GeoDataFrame:
    """Lines or polygons simplified at the smallest of :data:`_BUDGET_STEPS_M` that keeps them
    within ``budget`` vertices in all (the coarsest step if none does).

    Each step simplifies the previous one's result, ring by ring, keeping polygons valid
    (:func:`geoplan._simplify.simplify_valid`: GEOS's own simplifiers, with or without topology
    checks, spent minutes per map at a city's size), so the page only ever carries valid shapes.
    """
    if not len(gdf):
        return gdf
    work = metric(gdf)
    geoms = work.geometry.to_numpy()
    for tolerance in _BUDGET_STEPS_M:
        geoms = simplify_valid(geoms, tolerance)
        if int(shapely.get_num_coordinates(geoms).sum()) <= budget:
            break
    return work.set_geometry(gpd.GeoSeries(geoms, index=work.index, crs=work.crs))


def window_of(communities: gpd.GeoDataFrame, community: str, *, margin_m: float = DETAIL_MARGIN_M):
    """The box a community's detailed map shows: its bounds plus ``margin_m`` (a shapely box, its CRS)."""
    rows = metric(communities)
    rows = rows.loc[rows["community"].astype(str).to_numpy() == str(community)]
    x0, y0, x1, y1 = rows.total_bounds
    return gpd.GeoSeries([shapely.box(x0 - margin_m, y0 - margin_m, x1 + margin_m, y1 + margin_m)], crs=rows.crs)


def in_window(gdf: gpd.GeoDataFrame, window: gpd.GeoSeries | None) -> gpd.GeoDataFrame:
    """Rows of ``gdf`` that touch ``window``, lines and areas cut to it (``gdf`` unchanged if none)."""
    if window is None or not len(gdf) or gdf.crs is None:
        return gdf
    box = window.to_crs(gdf.crs).iloc[0]
    geoms = gdf.geometry.to_numpy()
    keep = shapely.intersects(geoms, box)
    out = gdf.loc[keep]
    kinds = shapely.get_type_id(out.geometry.to_numpy())
    cut = kinds > 0  # 0 is Point: a point inside stays as it is
    if cut.any():
        x0, y0, x1, y1 = box.bounds
        geoms = out.geometry.to_numpy().copy()
        geoms[cut] = shapely.clip_by_rect(geoms[cut], x0, y0, x1, y1)
        out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=gdf.crs))
    return out


def labelled(communities: gpd.GeoDataFrame, lang: str) -> np.ndarray:
    """Each community's name in ``lang`` (``name_zh``/``name_en``, else its id)."""
    first, second = ("name_zh", "name_en") if lang == "zh" else ("name_en", "name_zh")
    name = communities["community"].astype(object)
    for col in (second, first):
        if col in communities:
            alt = communities[col].astype(object)
            name = alt.where(alt.notna() & (alt.astype(str).str.strip() != ""), name)
    return name.to_numpy()


def write_maps(draw, folder, name: str, *, features: gpd.GeoDataFrame, communities: gpd.GeoDataFrame | None,
               options: Mapping[str, object]) -> list:
    """Write ``folder/<name>.html``; past the detail limit also one detailed page per community
    that is itself within the limit (a community as large as a city would give a page as heavy as
    the city's: it keeps its figures on the aggregate page, without a link).

    Parameters
    ----------
    draw : callable
        A result's ``to_map`` (keyword options, returns a :class:`~geoplan.maps.PlanMap`).
    folder : path
        The ``maps`` folder.
    name : str
        The map's file stem (``"coverage"``); detailed pages go to ``folder/<name>/``.
    features : geopandas.GeoDataFrame
        The building features the map draws (their number decides detail against
        ``options["detail_limit"]``; their ``community`` column, else their position, which
        communities are small enough for a detailed page).
    communities : geopandas.GeoDataFrame, optional
        The study's reporting units (``community`` + polygon); none: no detailed pages.
    options : mapping
        ``lang``, ``basemap``, ``offline``, ``detail_limit``… as :func:`geoplan.config.map_options`.

    Returns
    -------
    list of pathlib.Path
        The aggregate (or only) page first, then the detailed pages in community order.
    """
    from pathlib import Path

    folder = Path(folder)
    limit = options.get("detail_limit")
    if draws_detail(len(features), limit) or communities is None or not len(communities):
        return [draw(**options).to_html(folder / f"{name}.html")]
    ids = [str(c) for c in communities["community"]]
    small = [draws_detail(int(n), limit) for n in features_per_community(features, communities)]
    hrefs = {c: f"{name}/{community_file(i, c)}" for i, (c, ok) in enumerate(zip(ids, small)) if ok}
    detailed = [draw(**options, window=window_of(communities, c)).to_html(folder / hrefs[c]) for c in hrefs]
    main = draw(**options, community_maps=CommunityMaps(communities, hrefs)).to_html(folder / f"{name}.html")
    return [main, *detailed]


def detail_hrefs(maps: CommunityMaps | None, ids: Sequence[object]) -> list[str | None]:
    """The detailed map's href of each community id (``None`` where none was written)."""
    hrefs = maps.hrefs if maps is not None else {}
    return [hrefs.get(str(c)) for c in ids]
