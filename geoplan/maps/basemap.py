"""A basemap drawn from the study's own OpenStreetMap extract, so every map is a map offline.

Streets by class (with their names as labels at street zoom, in the map's language), water,
green space and building footprints are drawn in quiet colours on a canvas pane below every
overlay. Nothing is fetched: the geometry is already in the study. Online tiles (OSM, Gaode)
stay an option underneath (``tiles``), the extract then drawn lighter over them.

The page carries the basemap as compact coordinate arrays (``[lat, lon]`` rounded to about a
metre) read by a small inlined script, not as GeoJSON features with per-feature styles: a
1–3 km² district stays well under 5 MB (see ``benchmarks/`` and the tests for measured sizes).

Example
-------
>>> bm = extract_basemap(study)                    # doctest: +SKIP
>>> coverage.to_map(basemap=bm).to_html("coverage.html")  # doctest: +SKIP
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement

from geoplan.maps._assets import Raw
from geoplan.maps._geo import to_map_geometries

#: Street class of each OSM ``highway`` value (drawing order: paths first, major roads last).
STREET_CLASS: dict[str, str] = {
    **dict.fromkeys(("motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
                     "secondary", "secondary_link"), "major"),
    **dict.fromkeys(("tertiary", "tertiary_link", "unclassified", "residential", "living_street", "road"),
                    "minor"),
    "service": "service",
    **dict.fromkeys(("pedestrian", "footway", "path", "steps", "track", "cycleway", "corridor", "bridleway"),
                    "path"),
}
STREET_ORDER = ("path", "service", "minor", "major")
#: Drawing choice: street classes an aggregate (city-scale) map's basemap keeps.
OVERVIEW_STREET_CLASSES = ("major",)
#: Drawing choice: green areas smaller than this (m², half a hectare) are left out of an aggregate
#: map's basemap: a few pixels at the zoom a city is seen at, and most of its bytes.
OVERVIEW_MIN_GREEN_M2 = 5_000.0
#: Site kinds drawn as green space.
GREEN_KINDS = frozenset({"park", "green_space", "sports_ground"})
#: Simplification tolerance of basemap geometry, metres (half a street's width is invisible).
BASEMAP_SIMPLIFY_M = 1.0
#: Coordinate decimals in the page: 5 decimals of a degree ≈ 1.1 m.
BASEMAP_DECIMALS = 5
#: One street-name label per this many metres of a named street (at least one).
LABEL_SPACING_M = 350.0
#: Zoom from which street names show (Leaflet zoom 16 ≈ 2.4 m per pixel at 40°N).
LABEL_MIN_ZOOM = 16


@dataclass(frozen=True)
class ExtractBasemap:
    """What the basemap draws, in the study's metric CRS; give it to ``to_map(basemap=...)``.

    Attributes
    ----------
    tiles : str
        Tile source used when the map is online (a key of ``geoplan.maps._assets.BASEMAPS``).
    streets : geopandas.GeoDataFrame
        ``klass`` (see :data:`STREET_CLASS`), ``name``, ``name_zh``, ``name_en`` + line, one row per OSM way.
    water, green, buildings : geopandas.GeoDataFrame
        Polygons.
    """

    tiles: str
    streets: gpd.GeoDataFrame
    water: gpd.GeoDataFrame
    green: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame

    def payload(self, *, lang: str, gcj02: bool) -> dict[str, Any]:
        """The arrays the page script draws (``[lat, lon]`` rings and lines, labels)."""
        streets = {k: _lines(self.streets[self.streets["klass"] == k], gcj02) for k in STREET_ORDER}
        return {"streets": streets, "water": _rings(self.water, gcj02), "green": _rings(self.green, gcj02),
                "buildings": _rings(self.buildings, gcj02), "labels": street_labels(self.streets, lang, gcj02)}

    def overview(self) -> "ExtractBasemap":
        """The basemap of an aggregate (city-scale) map: major streets, water and green only.

        Building footprints and minor streets are what makes a city's basemap heavy, and
        they are not legible at the zoom a whole city is seen at; outlines are simplified at
        :data:`geoplan.maps.overview.OVERVIEW_SIMPLIFY_M`, the streets further until they keep
        :data:`geoplan.maps.overview.OVERVIEW_BASEMAP_VERTICES` vertices.
        """
        from geoplan.maps.overview import OVERVIEW_BASEMAP_VERTICES, simplified, within_vertex_budget

        major = self.streets.loc[self.streets["klass"].isin(OVERVIEW_STREET_CLASSES).to_numpy()]
        green = self.green.loc[(self.green.geometry.area >= OVERVIEW_MIN_GREEN_M2).to_numpy()] if len(self.green) \
            else self.green
        empty = self.buildings.iloc[:0]
        return replace(self, streets=within_vertex_budget(major, OVERVIEW_BASEMAP_VERTICES),
                       water=simplified(self.water), green=simplified(green),
                       buildings=empty)

    def clipped(self, window) -> "ExtractBasemap":
        """The basemap inside ``window`` (a one-box GeoSeries): a community's detailed map."""
        from geoplan.maps.overview import in_window

        return replace(self, streets=in_window(self.streets, window), water=in_window(self.water, window),
                       green=in_window(self.green, window), buildings=in_window(self.buildings, window))

    def add_to(self, m, *, lang: str, online: bool, gcj02: bool, capture: bool = False) -> None:
        """Draw onto a folium map below every overlay (called by :class:`PlanMap` when it builds).

        ``capture`` adds the meeting capture tool (see :mod:`geoplan.maps.capture`): on the access
        map, residents' knowledge of blocked lanes and gates becomes a scenario file. It is left
        out of GCJ-02 (Gaode) maps, whose drawn coordinates would not be WGS-84.
        """
        _BasemapScript(self.payload(lang=lang, gcj02=gcj02), online=online).add_to(m)
        if capture and not gcj02:
            from geoplan.maps.capture import add_capture_tool

            add_capture_tool(m, lang=lang)


def shows_access(layers) -> bool:
    """Whether a :class:`PlanMap`'s layers are an emergency-access map (it gets the capture tool)."""
    return any(getattr(layer, "var_hint", "") in ACCESS_LAYER_KEYS for layer in layers)


#: Layer keys that only the access map draws.
ACCESS_LAYER_KEYS = frozenset({"layer.access_buildings", "layer.roads_passable"})


def extract_basemap(study, *, tiles: str = "osm") -> ExtractBasemap:
    """Collect the basemap of a study from its networks, buildings, areas and sites.

    Parameters
    ----------
    study : geoplan.study.Study
        A loaded study; nothing is recomputed, only its tables are read.
    tiles : str
        Tile source when a map is drawn online.
    """
    crs = study.crs
    green = _polygons(study.sites.loc[study.sites["kind"].isin(GREEN_KINDS).to_numpy()]
                      if len(study.sites) and "kind" in study.sites else None, crs)
    # the study keeps its streets once worked out, and its cache entry stores them
    return ExtractBasemap(tiles=tiles, streets=study.streets, water=_polygons(study.areas, crs), green=green,
                          buildings=_polygons(study.buildings, crs))


def streets_of(study) -> gpd.GeoDataFrame:
    """One line per OSM way of the walking and driving networks, with its class and names."""
    edges = _one_copy_of_each_way(study)
    u, v = edges["u"].to_numpy(), edges["v"].to_numpy()
    # both directions of a street are one stretch: keep one (a GEOS union per way did the same,
    # ≈ 50 s at a million walking nodes)
    twice = pd.DataFrame({"osmid": edges["osmid"].to_numpy(), "a": np.minimum(u, v), "b": np.maximum(u, v),
                          "m": np.round(edges["length"].to_numpy(dtype=float), 2)}).duplicated().to_numpy()
    edges = edges.loc[~twice]
    code, ways = pd.factorize(edges["osmid"].to_numpy(), sort=True)
    cols = {c: (edges[c].astype(object) if c in edges else pd.Series(None, index=edges.index, dtype=object))
            for c in ("name", "name:zh", "name:en")}
    table = pd.DataFrame({"klass": edges["highway"].astype(object).map(STREET_CLASS).to_numpy(),
                          "name": cols["name"].to_numpy(), "name_zh": cols["name:zh"].to_numpy(),
                          "name_en": cols["name:en"].to_numpy()})
    first = table.groupby(code, sort=True).first()  # the first value given, as a dissolve keeps
    order = np.argsort(code, kind="stable")
    lines = shapely.multilinestrings(edges.geometry.to_numpy()[order], indices=code[order])
    return gpd.GeoDataFrame({"osmid": np.asarray(ways, dtype=object), **{c: first[c].to_numpy() for c in first}},
                            geometry=shapely.line_merge(lines), crs=study.crs)


def _one_copy_of_each_way(study) -> pd.DataFrame:
    """The street edges of each OSM way from one network: the walking one, else the driving one.

    The networks split a way at different nodes (the walking one at every footpath crossing),
    so their pieces of one way overlap without being equal.
    """
    wanted = ["u", "v", "osmid", "highway", "name", "name:zh", "name:en", "length"]
    frames = [net.edges for net in (study.walk, study.drive) if net is not None and len(net.edges)]
    # only the columns drawn: an edge table carries some forty tags on millions of rows
    frames = [f.loc[f["highway"].astype(object).isin(STREET_CLASS).to_numpy(),
                    [c for c in wanted if c in f] + [f.geometry.name]] for f in frames]
    # plain Python strings: with pyarrow installed pandas stores ``str`` in Arrow, whose ``isin``
    # against another Arrow column took 27 s at a million walking nodes (object: ≈ 1 s)
    frames = [f.assign(osmid=f["osmid"].astype(str).astype(object)) for f in frames]
    if len(frames) == 2:
        frames[1] = frames[1].loc[~frames[1]["osmid"].isin(frames[0]["osmid"]).to_numpy()]
    return pd.concat(frames, ignore_index=True)


def label_name(row_name, row_zh, row_en, lang: str) -> str | None:
    """A street's label: ``name:zh`` or ``name`` in Chinese maps, ``name:en`` or ``name`` in English."""
    order = (row_zh, row_name, row_en) if lang == "zh" else (row_en, row_name, row_zh)
    for value in order:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def street_labels(streets: gpd.GeoDataFrame, lang: str, gcj02: bool) -> list[list]:
    """``[lat, lon, angle_deg, text]`` every :data:`LABEL_SPACING_M` along each named street.

    Ways of one name are merged first so a street split into many ways is labelled by length,
    not once per way; the angle follows the street so the text reads along it (never upside down).
    """
    if not len(streets):
        return []
    names = [label_name(a, b, c, lang) for a, b, c in
             zip(streets["name"], streets["name_zh"], streets["name_en"])]
    named = streets.assign(_label=names)
    named = named.loc[named["_label"].notna() & (named["klass"] != "path")]
    if not len(named):
        return []
    by_name = named.dissolve(by="_label", sort=True).reset_index()
    points, angles, texts = [], [], []
    for text, geom in zip(by_name["_label"], shapely.line_merge(by_name.geometry.to_numpy())):
        for part in getattr(geom, "geoms", [geom]):
            n = max(1, int(part.length // LABEL_SPACING_M))
            if part.length < 60:  # a stub: no room for a readable label
                continue
            for k in range(n):
                d = part.length * (k + 0.5) / n
                a, b = part.interpolate(max(d - 10, 0)), part.interpolate(min(d + 10, part.length))
                points.append(part.interpolate(d))
                angles.append(_reading_angle(b.x - a.x, b.y - a.y))
                texts.append(text)
    if not points:
        return []
    pts = to_map_geometries(gpd.GeoDataFrame(geometry=points, crs=streets.crs), gcj02=gcj02, simplify_m=0)
    return [[round(p.y, BASEMAP_DECIMALS), round(p.x, BASEMAP_DECIMALS), ang, txt]
            for p, ang, txt in zip(pts, angles, texts)]


def _reading_angle(dx: float, dy: float) -> int:
    """Screen rotation (degrees clockwise) of text along a direction in metres, kept upright."""
    ang = -np.degrees(np.arctan2(dy, dx))  # screen y grows downwards
    if ang > 90:
        ang -= 180
    elif ang < -90:
        ang += 180
    return int(round(ang))


def _polygons(gdf, crs) -> gpd.GeoDataFrame:
    if gdf is None or not len(gdf):
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    keep = gdf.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    return gpd.GeoDataFrame(geometry=gdf.geometry.to_numpy()[keep], crs=gdf.crs)


def _latlon(coords: np.ndarray) -> list:
    return np.round(coords[:, ::-1], BASEMAP_DECIMALS).tolist()


def _geoms(gdf, gcj02: bool) -> list:
    if not len(gdf):
        return []
    arr = to_map_geometries(gdf[[gdf.geometry.name]], gcj02=gcj02, simplify_m=BASEMAP_SIMPLIFY_M)
    parts = shapely.get_parts(np.asarray([g for g in arr if g is not None and not g.is_empty], dtype=object))
    return list(parts)


def _split(coords: np.ndarray, owner: np.ndarray, n: int) -> list:
    """``coords`` (lon/lat) grouped by ``owner`` (0…n-1, ascending) as ``[lat, lon]`` lists, in one pass."""
    flat = _latlon(coords) if len(coords) else []
    ends = np.searchsorted(owner, np.arange(1, n + 1)).tolist()
    starts = [0, *ends[:-1]]
    return [flat[a:b] for a, b in zip(starts, ends)]


def _lines(gdf, gcj02: bool) -> list:
    """Every line's ``[lat, lon]`` vertices (vectorised: one coordinate array, split by line)."""
    parts = np.asarray([g for g in _geoms(gdf, gcj02) if isinstance(g, shapely.LineString)], dtype=object)
    if not len(parts):
        return []
    coords, owner = shapely.get_coordinates(parts, return_index=True)
    return _split(coords, owner, len(parts))


def _rings(gdf, gcj02: bool) -> list:
    """Every polygon as ``[exterior, *holes]`` of ``[lat, lon]`` rings (vectorised as :func:`_lines`)."""
    polys = np.asarray([g for g in _geoms(gdf, gcj02) if isinstance(g, shapely.Polygon)], dtype=object)
    if not len(polys):
        return []
    rings, poly_of = shapely.get_rings(polys, return_index=True)  # exterior first, then the holes
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    per_ring = _split(coords, ring_of, len(rings))
    ends = np.searchsorted(poly_of, np.arange(1, len(polys) + 1)).tolist()
    return [per_ring[a:b] for a, b in zip([0, *ends[:-1]], ends)]


def page_json(data: Any) -> str:
    """JSON safe inside an inline ``<script>`` (no ``</script>`` or ``<!--`` can close it)."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


#: Quiet colours: paper background, pale buildings, soft water and green, white streets with grey casing.
_JS = """
(function() {
  var map = %(map)s, d = %(data)s, online = %(online)s;
  var pane = map.createPane('gpBase'); pane.style.zIndex = 250; pane.style.pointerEvents = 'none';
  var r = L.canvas({pane: 'gpBase', padding: 0.3});
  var a = online ? 0.55 : 1.0;
  function polys(list, style) { list.forEach(function (rings) {
    L.polygon(rings, Object.assign({renderer: r, interactive: false, pane: 'gpBase'}, style)).addTo(map); }); }
  function lines(list, style) { list.forEach(function (line) {
    L.polyline(line, Object.assign({renderer: r, interactive: false, pane: 'gpBase'}, style)).addTo(map); }); }
  polys(d.green, {stroke: false, fillColor: '#cde4bd', fillOpacity: 0.9 * a});
  polys(d.water, {stroke: false, fillColor: '#a9cfe0', fillOpacity: 0.95 * a});
  lines(d.streets.path, {color: '#b9b2a8', weight: 1, opacity: a, dashArray: '3 3'});
  lines(d.streets.service, {color: '#d6d0c6', weight: 2.5, opacity: a});
  lines(d.streets.minor, {color: '#c4bcb0', weight: 5, opacity: a});
  lines(d.streets.major, {color: '#c9a77a', weight: 7.5, opacity: a});
  lines(d.streets.service, {color: '#ffffff', weight: 1.5, opacity: a});
  lines(d.streets.minor, {color: '#ffffff', weight: 3.5, opacity: a});
  lines(d.streets.major, {color: '#fbe2b5', weight: 5.5, opacity: a});
  polys(d.buildings, {color: '#c8bdb3', weight: 0.6, fillColor: '#e3dad2', fillOpacity: 0.9 * a, opacity: a});
  // Street names: text nodes (never HTML), shown from street zoom on, rotated along the street.
  var names = L.layerGroup();
  d.labels.forEach(function (l) {
    var span = document.createElement('span');
    span.textContent = l[3];
    span.style.transform = 'rotate(' + l[2] + 'deg)';
    span.style.display = 'inline-block';
    names.addLayer(L.tooltip({permanent: true, direction: 'center', className: 'gp-street', interactive: false})
      .setLatLng([l[0], l[1]]).setContent(span));
  });
  function zoomed() {
    if (map.getZoom() >= %(zoom)d) { if (!map.hasLayer(names)) names.addTo(map); }
    else if (map.hasLayer(names)) map.removeLayer(names);
  }
  map.on('zoomend', zoomed);
  map.whenReady(zoomed);
  window.geoplanBasemap = {names: names, data: d};  // read by tests
})();
"""

_CSS = """
.leaflet-tooltip.gp-street { background: transparent; border: none; box-shadow: none; padding: 0;
  color: #5f5a55; font-size: 11px; white-space: nowrap; pointer-events: none;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
.leaflet-tooltip.gp-street::before { display: none; }
@media screen { .folium-map.leaflet-container.gp-paper { background: #f2efe9; } }
"""


class _BasemapScript(MacroElement):
    """The basemap's data and drawing script, after the map is defined (trusted template)."""

    def __init__(self, payload: dict, *, online: bool) -> None:
        super().__init__()
        self._name = "ExtractBasemap"
        self.payload = payload
        self.online = online

    def render(self, **kwargs) -> None:
        m = self._parent
        code = _JS % {"map": m.get_name(), "data": page_json(self.payload), "online": "true" if self.online else "false",
                      "zoom": LABEL_MIN_ZOOM}
        if not self.online:
            code += f"\n{m.get_name()}.getContainer().classList.add('gp-paper');\n"
        root = self.get_root()
        root.header.add_child(Raw(f"<style>{_CSS}</style>"), name="geoplan_basemap_css")
        root.script.add_child(Raw(code), name=self.get_name())
        super().render(**kwargs)
