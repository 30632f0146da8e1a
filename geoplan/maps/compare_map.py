"""The comparison's swipe map: run A (before) on the left of the handle, run B (after) on the
right, buildings coloured by access status, the ones that changed outlined; the extract's streets
underneath. Self-contained like every geoplan page (Leaflet inlined, no network)."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from geoplan.maps._assets import Raw, ScriptAfterMap, inline_assets, map_css
from geoplan.maps._geo import bounds_latlon, to_map_geometries
from geoplan.maps._html import esc, title_block
from geoplan.maps.basemap import STREET_CLASS, ExtractBasemap, _latlon, page_json

STATUS_COLORS = {"ok": "#1a9850", "slow": "#fdae61", "far_from_road": "#8073ac", "blocked": "#d73027",
                 "unreachable": "#404040"}


def _roads_basemap(cmp) -> ExtractBasemap | None:
    roads = cmp.roads
    if roads is None or not len(roads):
        return None
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=roads.crs), crs=roads.crs)
    streets = gpd.GeoDataFrame({"klass": roads["highway"].map(STREET_CLASS).fillna("service").to_numpy(),
                                "name": roads["name"].to_numpy(), "name_zh": None, "name_en": None},
                               geometry=roads.geometry.to_numpy(), crs=roads.crs)
    return ExtractBasemap("none", streets, empty, empty, empty)


def _buildings(cmp) -> list:
    b = cmp.buildings_b
    if b is None or not len(b):
        return []
    changed = set(cmp.access["building_id"])
    geoms = to_map_geometries(b, gcj02=False, simplify_m=0.5)
    out = []
    for geom, bid, sa, sb in zip(geoms, b["building_id"], b["status_a"], b["status_b"]):
        for poly in getattr(geom, "geoms", [geom]):
            if poly.geom_type == "Polygon":
                out.append([[_latlon(pd.DataFrame(poly.exterior.coords).to_numpy())], str(sa), str(sb),
                            bid in changed])
    return out


_JS = """
(function() {
  var map = %(map)s, d = %(data)s;
  var panes = {};
  ['gpA', 'gpB'].forEach(function (n) { panes[n] = map.createPane(n); panes[n].style.zIndex = 420; });
  var rA = L.svg({pane: 'gpA'}), rB = L.svg({pane: 'gpB'});
  d.buildings.forEach(function (f) {
    [[rA, 'gpA', f[1]], [rB, 'gpB', f[2]]].forEach(function (s) {
      L.polygon(f[0], {renderer: s[0], pane: s[1], fillColor: d.colors[s[2]] || '#9e9e9e', fillOpacity: 0.85,
        color: f[3] ? '#000000' : '#555555', weight: f[3] ? 2.5 : 0.6, interactive: false}).addTo(map);
    });
  });
  var range = document.getElementById('gp-swipe');
  function clip() {
    var nw = map.containerPointToLayerPoint([0, 0]), se = map.containerPointToLayerPoint(map.getSize());
    var x = nw.x + map.getSize().x * parseFloat(range.value);
    panes.gpA.style.clip = 'rect(' + [nw.y, x, se.y, nw.x].join('px,') + 'px)';
    panes.gpB.style.clip = 'rect(' + [nw.y, se.x, se.y, x].join('px,') + 'px)';
    document.getElementById('gp-divider').style.left = (100 * parseFloat(range.value)) + '%%';
  }
  range.addEventListener('input', clip);
  map.on('move zoom resize', clip);
  ['mousedown', 'touchstart', 'pointerdown', 'click', 'dblclick'].forEach(function (e) {
    range.addEventListener(e, function (ev) { ev.stopPropagation(); });
  });
  if (d.bounds) map.fitBounds(d.bounds, {padding: [24, 24]});
  clip();
  window.geoplanCompare = {map: map, clip: clip};  // read by tests
})();
"""

_CSS = """
#gp-swipe { position: absolute; left: 0; right: 0; bottom: 40px; width: 100%; z-index: 1000; margin: 0; }
#gp-divider { position: absolute; top: 0; bottom: 0; width: 3px; margin-left: -1px; background: #ffffff;
  box-shadow: 0 0 3px #000; z-index: 999; pointer-events: none; }
.gp-side { position: absolute; top: 10px; z-index: 1000; font: 600 14px sans-serif; background: #fff;
  padding: 3px 8px; border-radius: 3px; box-shadow: 0 0 3px #888; }
"""


def compare_map(cmp, *, lang: str, date: str):
    """A :class:`folium.Map` page (``.save(path)`` or ``get_root().render()``) of a Comparison."""
    from geoplan.printout._text import STATUS, code_label, text

    m = folium.Map(location=[0, 0], zoom_start=2, tiles=None, control_scale=True, zoom_control="topright",
                   width="100%", height="100%")
    basemap = _roads_basemap(cmp)
    if basemap is not None:
        basemap.add_to(m, lang=lang, online=False, gcj02=False)
    buildings = _buildings(cmp)
    bounds = bounds_latlon(to_map_geometries(cmp.buildings_b, gcj02=False, simplify_m=0).tolist()) \
        if cmp.buildings_b is not None and len(cmp.buildings_b) else None
    root = m.get_root()
    root.header.add_child(Raw(f"<style>{map_css()}{_CSS}</style>"), name="geoplan_css")
    title = text("What changed between two runs", lang)
    lines = [text("Run A: {a}", lang, a=str(cmp.run_a)), text("Run B: {b}", lang, b=str(cmp.run_b))]
    root.html.add_child(Raw(title_block(lang=lang, title=title, subtitle=text(
        "Buildings whose access status changed", lang) + f": {len(cmp.access)}", date=date, preset_name=None,
        sources=[], extra_lines=lines)), name="geoplan_title")
    legend = "".join(f'<div><span style="display:inline-block;width:12px;height:12px;background:{c};'
                     f'margin-right:6px"></span>{esc(code_label(STATUS, s, lang))}</div>'
                     for s, c in STATUS_COLORS.items())
    root.html.add_child(Raw(
        f'<div class="gp-panel gp-legend" id="gp-legend" style="bottom:70px;left:10px">{legend}</div>'
        f'<input type="range" id="gp-swipe" min="0" max="1" step="0.001" value="0.5" aria-label="swipe">'
        f'<div id="gp-divider"></div>'
        f'<div class="gp-side" style="left:40%%">{esc(text("Before (A)", lang))}</div>'.replace("%%", "%")
        + f'<div class="gp-side" style="left:53%">{esc(text("After (B)", lang))}</div>'), name="geoplan_swipe")
    data = {"buildings": buildings, "colors": STATUS_COLORS, "bounds": bounds}
    ScriptAfterMap(_JS % {"map": m.get_name(), "data": page_json(data)}).add_to(m)
    inline_assets(m)
    return m
