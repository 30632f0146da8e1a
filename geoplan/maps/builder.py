"""PlanMap: the one way every geoplan analysis draws an interactive map.

A :class:`PlanMap` collects layers (already-computed results; a map never recomputes),
then renders a self-contained HTML page: inlined Leaflet, a title block, a legend per
visible layer, grouped layer control, scale bar, full-screen and measure controls,
escaped tooltips and popups, fitted bounds and an A3-landscape print stylesheet.

Example
-------
>>> pm = PlanMap("Kallio", lang="en", preset_name="cn-gb50180", sources=["OSM extract"])
>>> pm.add_layer(buildings, name_key="layer.buildings", kind="polygons",
...              tooltip=[Field("name", "field.name"), Field("population", "field.population", "int")])
>>> pm.to_html("outputs/maps/kallio.html")
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import folium
import numpy as np
from folium.plugins import Fullscreen, GroupedLayerControl, MeasureControl
from folium.utilities import JsCode

from geoplan.maps._assets import BASEMAPS, Raw, RawParts, ScriptAfterMap, inline_assets, map_css
from geoplan.maps._geo import SIMPLIFY_M, Field, bounds_latlon, feature_collection, format_value, gc_paused
from geoplan.maps._html import LegendSection, esc, legend_block, title_block
from geoplan.maps._i18n import CHROME, check_lang, label, msgid_of, text
from geoplan.maps.overview import in_window

KINDS = ("points", "lines", "polygons")
#: Layer-control group order: context first, then services, then the emergency questions.
GROUP_ORDER = ("group.base", "group.services", "group.coverage", "group.access", "group.emergency", "group.sites")
_GROUP_RANK = {msgid_of(g): i for i, g in enumerate(GROUP_ORDER)}
#: leaflet-measure's own locale for each geoplan language (it ships a Chinese one, "cn").
_MEASURE_LOCALE = {"zh": "cn", "en": "en"}
#: Colour of values outside a layer's categories or bins.
OTHER_COLOR = "#9e9e9e"

_DEFAULT_STYLE: Mapping[str, Mapping[str, Any]] = {
    "points": {"radius": 5, "weight": 1, "color": "#ffffff", "opacity": 0.9, "fill": True, "fillOpacity": 0.9},
    "lines": {"weight": 2, "opacity": 0.85},
    "polygons": {"weight": 1, "opacity": 0.9, "fillOpacity": 0.45},
}


class _GeoJson(folium.GeoJson, RawParts):
    """folium's GeoJSON layer; its rendered script (the whole data) is added as it is."""


class _Tooltip(folium.GeoJsonTooltip, RawParts):
    """folium's GeoJSON tooltip; its rendered script is added as it is."""


class _Popup(folium.GeoJsonPopup, RawParts):
    """folium's GeoJSON popup; its rendered script is added as it is."""


class _LayerControl(GroupedLayerControl, RawParts):
    """folium's grouped layer control; its script (the layer names) is added as it is."""


@dataclass(frozen=True)
class Graduated:
    """Classes of a numeric column: ``bins`` are ascending edges (n+1), ``colors`` n colours.

    A value ``v`` falls in class ``i`` when ``bins[i] <= v < bins[i+1]`` (the last class
    includes its upper edge); ``fmt`` formats the edges in the legend (see ``_geo.FORMATS``).
    """

    column: str
    bins: Sequence[float]
    colors: Sequence[str]
    fmt: str = "int"

    def __post_init__(self) -> None:
        if len(self.bins) != len(self.colors) + 1:
            raise ValueError("Graduated needs one more bin edge than colours")
        if list(self.bins) != sorted(self.bins):
            raise ValueError("Graduated bin edges must be ascending")

    def classify(self, values: np.ndarray) -> np.ndarray:
        """Class index per value; ``-1`` for missing or out-of-range values."""
        v = np.asarray(values, dtype=float)
        edges = np.asarray(self.bins, dtype=float)
        idx = np.searchsorted(edges, v, side="right") - 1
        idx = np.where(v == edges[-1], len(self.colors) - 1, idx)
        bad = np.isnan(v) | (idx < 0) | (idx >= len(self.colors))
        return np.where(bad, -1, idx)


@dataclass
class _Layer:
    var_hint: str
    name: str
    group: str
    group_rank: int
    kind: str
    data: dict
    styles: list[dict]
    legend_rows: list[tuple[str, str]]
    tooltip: list[str]
    popup: list[str]
    show: bool
    legend: bool
    permanent: bool
    outline: str | None
    hollow: bool
    dashed: bool
    bounds: list[list[float]] | None
    obj: Any = field(default=None, repr=False)


class PlanMap:
    """An interactive planning map built from layers, rendered to one self-contained page.

    Parameters
    ----------
    title : str
        Main title, usually the study name (escaped).
    lang : {"zh", "en"}
        Language of every fixed text.
    basemap : {"osm", "light", "gaode", "none"}
        Tile source. ``"gaode"`` converts every overlay from WGS-84 to GCJ-02, the datum of
        AutoNavi tiles, whether or not the tiles are shown.
    offline : bool, default True
        No tiles and no network request at all; Leaflet and plugins are inlined in every
        case, so the only difference is the basemap. Default for meeting maps: a projector
        laptop often has no reliable network and foreign tile servers may not load in
        mainland China; the page then looks the same everywhere and prints the same.
    preset_name : str, optional
        Standards preset cited in the title block.
    sources : sequence of str
        Data-source lines; the OpenStreetMap attribution is added if missing.
    subtitle : str, optional
        The map's theme ("Study area", "15-minute coverage"…).
    date : str, optional
        Shown in the title block; defaults to today (ISO).
    walk_speed_mps : float
        For ``"m+min"`` fields (distance shown with walking minutes).
    simplify_m : float
        Geometry simplification tolerance in metres.
    window : geopandas.GeoSeries, optional
        One box: only features touching it are drawn, lines and areas cut to it, the basemap
        too (a community's detailed map, see :mod:`geoplan.maps.overview`).
    canvas : bool
        Draw vectors on one canvas instead of one SVG element each (aggregate city maps:
        thousands of features stay fluid).
    """

    def __init__(self, title: str, *, lang: str = "en", basemap: str = "osm", offline: bool = True,
                 preset_name: str | None = None, sources: Sequence[str] = (), subtitle: str | None = None,
                 date: str | None = None, walk_speed_mps: float = 1.2, simplify_m: float = SIMPLIFY_M,
                 extra_lines: Sequence[str] = (), window=None, canvas: bool = False) -> None:
        self.lang = check_lang(lang)
        # an ExtractBasemap (geoplan.maps.basemap) draws the study's own streets under the overlays
        self.extract = None if isinstance(basemap, str) else basemap
        basemap = basemap if isinstance(basemap, str) else basemap.tiles
        if basemap not in BASEMAPS:
            raise ValueError(f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}")
        self.title = title
        self.subtitle = subtitle
        self.basemap = BASEMAPS[basemap]
        self.offline = bool(offline)
        self.preset_name = preset_name
        self.sources = list(sources)
        self.date = date or _dt.date.today().isoformat()
        self.walk_speed_mps = walk_speed_mps
        self.simplify_m = simplify_m
        self.extra_lines = list(extra_lines)
        self.window = window
        self.canvas = bool(canvas)
        if window is not None and self.extract is not None:
            self.extract = self.extract.clipped(window)
        self.layers: list[_Layer] = []
        self.panels: list[tuple[str, str]] = []

    @property
    def gcj02(self) -> bool:
        """Whether overlays are drawn in GCJ-02 (AutoNavi/Gaode basemap)."""
        return self.basemap.gcj02

    # ------------------------------------------------------------------ layers
    def add_layer(self, gdf, *, name_key: str, kind: str, name: str | None = None, group: str | None = None,
                  color_by: str | None = None, categories: Mapping[Any, tuple[str, str]] | None = None,
                  graduated: Graduated | None = None, tooltip: Sequence[Field | tuple] = (),
                  popup: Sequence[Field | tuple] = (), style: Mapping[str, Any] | None = None,
                  show: bool = True, radius_by: str | None = None, radius_range: tuple[float, float] = (4, 12),
                  legend: bool = True, legend_label: str | None = None, fit: bool = True,
                  permanent_labels: bool = False) -> "PlanMap":
        """Add one overlay layer.

        Parameters
        ----------
        gdf : geopandas.GeoDataFrame
            Features in any CRS.
        name_key : str
            The layer name: a msgid (``N_("Services")``) or a 0.1 key (``"layer.facilities"``);
            ``name`` overrides it with a :class:`~geoplan.i18n.Message` (rendered in the map's
            language) or a literal text (escaped), e.g. "Fire station 3 – 5 min".
        kind : {"points", "lines", "polygons"}
            Drawing style; points are circle markers.
        group : str, optional
            The layer-control group, a msgid or 0.1 key (``"group.services"``); default base data.
        color_by, categories : str, mapping
            Categorical colours: ``categories[value] = (colour, label)``, the label a msgid, a
            0.1 key, a :class:`~geoplan.i18n.Message` or plain text. Values not in the mapping
            are grey "other".
        graduated : Graduated, optional
            Graduated colours of a numeric column (instead of ``categories``).
        tooltip, popup : sequence of Field or (column, label[, fmt])
            Planner-facing fields; values are formatted and escaped in Python.
        style : mapping, optional
            Leaflet path options overriding the defaults (``color``, ``weight``,
            ``fillOpacity``, ``radius``…). ``color`` is the single colour without categories.
        show : bool
            Visible when the page opens (its legend section too).
        radius_by : str, optional
            Numeric column scaled (square root, i.e. by area) into ``radius_range`` pixels.
        legend : bool
            Draw a legend section for this layer.
        legend_label : str, optional
            Row label of a single-colour layer; defaults to the layer name.
        fit : bool
            Include the layer in the fitted initial view.
        permanent_labels : bool
            Show the tooltip's values (without field names) as permanent labels at each
            feature, e.g. community names on their areas.

        Returns
        -------
        PlanMap
            ``self``, so calls chain.
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        if categories is not None and graduated is not None:
            raise ValueError("a layer is coloured either by categories or graduated, not both")
        fields_t = [_as_field(f) for f in tooltip]
        fields_p = [_as_field(f) for f in popup]
        for f in (*fields_t, *fields_p):
            if f.column not in gdf.columns:
                raise ValueError(f"layer {name_key}: no column {f.column!r} for its tooltip or popup")
        layer_name = text(name if name is not None else name_key, self.lang)
        gdf = in_window(gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty], self.window)
        gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]

        base = dict(_DEFAULT_STYLE[kind])
        base.update(style or {})
        single = base.pop("color", None) if kind != "points" else base.get("fillColor")
        single = single or "#3182bd"
        codes, colors, rows = self._classes(gdf, color_by, categories, graduated, single,
                                            legend_label or layer_name, kind)
        styles = [self._style(kind, base, c) for c in colors]
        all_fields = fields_t + fields_p
        radii = None
        if radius_by is not None and len(gdf):
            radii = _scale_radius(gdf[radius_by].to_numpy(dtype=float), radius_range)
        data = feature_collection(gdf, lang=self.lang, fields=all_fields, style_codes=codes, radii=radii,
                                  gcj02=self.gcj02, simplify_m=self.simplify_m,
                                  walk_speed_mps=self.walk_speed_mps)
        bounds = _fc_bounds(data) if fit else None
        data.pop("bbox", None)  # only for the fitted view, not carried by the page
        n_t = len(fields_t)
        labels = [esc(text(f.label_key, self.lang)) for f in all_fields]
        group_id = msgid_of(group or "group.base")
        self.layers.append(_Layer(
            var_hint=str(name_key), name=layer_name, group=text(group_id, self.lang),
            group_rank=_GROUP_RANK.get(group_id, len(GROUP_ORDER)),
            kind=kind,
            data=data, styles=styles, legend_rows=rows,
            tooltip=labels[:n_t], popup=labels[n_t:], show=show, legend=legend, permanent=permanent_labels,
            outline=base.get("color") if kind == "polygons" and "color" in (style or {}) else None,
            hollow=base.get("fill") is False or float(base.get("fillOpacity", 1)) < 0.1,
            dashed=bool(base.get("dashArray")),
            bounds=bounds))
        return self

    def _classes(self, gdf, color_by, categories, graduated, single, single_label, kind):
        """Style code per feature, colour per code and legend rows."""
        n = len(gdf)
        if graduated is not None:
            cls = graduated.classify(gdf[graduated.column].to_numpy(dtype=float))
            colors = list(graduated.colors) + [OTHER_COLOR]
            codes = np.where(cls < 0, len(colors) - 1, cls)
            rows = []
            for i, c in enumerate(graduated.colors):
                lo = format_value(graduated.bins[i], graduated.fmt, self.lang)
                hi = format_value(graduated.bins[i + 1], graduated.fmt, self.lang)
                rows.append((c, _unescape(f"{lo} – {hi}")))
            if (cls < 0).any():
                rows.append((OTHER_COLOR, text("legend.no_data", self.lang)))
            return codes, colors, rows
        if categories is not None and color_by is not None:
            keys = list(categories)
            values = gdf[color_by].to_numpy()
            lookup = {k: i for i, k in enumerate(keys)}
            codes = np.array([lookup.get(v, len(keys)) for v in values], dtype=int)
            colors = [categories[k][0] for k in keys] + [OTHER_COLOR]
            present = set(codes.tolist())
            rows = [(categories[k][0], _label(categories[k][1], self.lang))
                    for i, k in enumerate(keys) if i in present]
            if len(keys) in present:
                rows.append((OTHER_COLOR, text("legend.other", self.lang)))
            return codes, colors, rows
        return np.zeros(n, dtype=int), [single], [(single, single_label)]

    @staticmethod
    def _style(kind: str, base: Mapping[str, Any], color: str) -> dict:
        s = dict(base)
        if kind == "points":
            s["fillColor"] = color
            s.setdefault("color", "#ffffff")
        elif kind == "lines":
            s["color"] = color
        else:
            s["fillColor"] = color
            s.setdefault("color", color)
        return s

    def add_html_panel(self, html: str, *, position: str = "bottomright") -> "PlanMap":
        """Add a floating panel with trusted HTML (e.g. :func:`svg_line_chart` output).

        ``html`` must come from a geoplan template, never from data: it is not escaped.
        ``position`` is ``"bottomright"`` (default) or ``"topright"``.
        """
        if position not in ("bottomright", "topright"):
            raise ValueError("panel position must be 'bottomright' or 'topright'")
        self.panels.append((position, html))
        return self

    # ------------------------------------------------------------------ render
    def bounds(self) -> list[list[float]] | None:
        """``[[south, west], [north, east]]`` of the layers drawn with ``fit=True``."""
        boxes = [lyr.bounds for lyr in self.layers if lyr.bounds]
        if not boxes:
            return None
        return [[min(b[0][0] for b in boxes), min(b[0][1] for b in boxes)],
                [max(b[1][0] for b in boxes), max(b[1][1] for b in boxes)]]

    def build(self) -> folium.Map:
        """A fresh folium map of everything added so far (assets inlined)."""
        lang = self.lang
        m = folium.Map(location=[0, 0], zoom_start=2, tiles=None, control_scale=False,
                       zoom_control="topright", width="100%", height="100%", prefer_canvas=self.canvas)
        if not self.offline and self.basemap.url:
            folium.TileLayer(self.basemap.url, attr=self.basemap.attribution_html(lang),
                             name=text(f"basemap.{self.basemap.key}", lang), subdomains=self.basemap.subdomains,
                             max_zoom=self.basemap.max_zoom, control=False).add_to(m)
        if self.extract is not None:
            from geoplan.maps.basemap import shows_access

            self.extract.add_to(m, lang=lang, online=not self.offline and bool(self.basemap.url), gcj02=self.gcj02,
                                capture=shows_access(self.layers))
        root = m.get_root()
        root.header.add_child(Raw(f"<style>{map_css()}</style>"), name="geoplan_css")
        root.header.add_child(Raw('<meta name="generator" content="geoplan">'), name="geoplan_meta")
        root.title = esc(self.title)
        root.html.add_child(Raw(self._title_html()), name="geoplan_title")

        groups: dict[str, list] = {}
        objs = []
        for lyr in self.layers:
            if not lyr.data["features"]:
                continue
            obj = self._geojson(lyr)
            obj.add_to(m)
            objs.append((lyr, obj))
            groups.setdefault(esc(lyr.group), []).append(obj)

        Fullscreen(position="topright", title=text("control.fullscreen", lang),
                   title_cancel=text("control.exit_fullscreen", lang)).add_to(m)
        MeasureControl(position="topright", primary_length_unit="meters", secondary_length_unit="kilometers",
                       primary_area_unit="sqmeters", secondary_area_unit="hectares",
                       localization=_MEASURE_LOCALE[lang]).add_to(m)
        if groups:
            rank = {esc(lyr.group): lyr.group_rank for lyr, _ in objs}
            groups = dict(sorted(groups.items(), key=lambda kv: rank[kv[0]]))  # stable: ties keep order
            _LayerControl(groups, exclusive_groups=False, collapsed=False, position="topright").add_to(m)

        sections = [LegendSection(obj.get_name(), lyr.name, lyr.kind, lyr.legend_rows, lyr.show, lyr.outline,
                                  lyr.hollow, lyr.dashed)
                    for lyr, obj in objs if lyr.legend and lyr.legend_rows]
        if sections:
            root.html.add_child(Raw(legend_block(sections, lang=lang)), name="geoplan_legend")
        for i, (position, html) in enumerate(self.panels):
            css = "bottom:28px;right:10px" if position == "bottomright" else "top:10px;right:60px"
            root.html.add_child(Raw(f'<div class="gp-panel gp-chart" style="{css}">{html}</div>'),
                                name=f"geoplan_panel_{i}")

        b = self.bounds()
        if b:
            m.fit_bounds(b, padding=(24, 24))
        ScriptAfterMap(self._page_script(m, objs)).add_to(m)
        inline_assets(m)
        return m

    def _title_html(self) -> str:
        lang = self.lang
        extra = list(self.extra_lines)
        if self.offline or not self.basemap.url:
            pass  # no basemap line: nothing to credit, and "offline" is no news to a reader
        else:
            bm = text(f"basemap.{self.basemap.key}", lang)
            extra.append(text(CHROME["basemap_gcj02" if self.gcj02 else "basemap"], lang, basemap=bm))
        return title_block(lang=lang, title=self.title, subtitle=self.subtitle, date=self.date,
                           preset_name=self.preset_name, sources=self.sources, extra_lines=extra)

    def _geojson(self, lyr: _Layer) -> _GeoJson:
        styles = lyr.styles

        def style_function(feature: dict) -> dict:
            props = feature["properties"]
            s = dict(styles[props.get("_s", 0)])
            if props.get("_r") is not None:
                s["radius"] = props["_r"]
            return s

        n_fields = len(lyr.tooltip) + len(lyr.popup)
        keys = [f"f{j}" for j in range(n_fields)]
        on_each = None
        if lyr.tooltip and lyr.permanent:
            # One label per feature: a tooltip bound to the whole GeoJSON group opens once.
            # f0 is already HTML-escaped, so Leaflet's innerHTML shows it as text.
            on_each = JsCode("function (feature, layer) { layer.bindTooltip(String(feature.properties.f0), "
                             "{permanent: true, direction: 'center', className: 'gp-label'}); }")
            tooltip = None
        elif lyr.tooltip:
            tooltip = _Tooltip(keys[: len(lyr.tooltip)], aliases=lyr.tooltip, sticky=True,
                                            class_name="gp-tip")
        else:
            tooltip = None
        popup = (_Popup(keys[len(lyr.tooltip):], aliases=lyr.popup, class_name="gp-pop")
                 if lyr.popup else None)
        # Any point, even in a line layer, is a circle marker: Leaflet's default pin is an
        # image file the page does not carry.
        has_points = any(f["geometry"]["type"] in ("Point", "MultiPoint") for f in lyr.data["features"])
        marker = folium.CircleMarker(radius=styles[0].get("radius", 5), fill=True) if has_points else None
        return _GeoJson(lyr.data, name=esc(lyr.name), style_function=style_function,
                              tooltip=tooltip, popup=popup, marker=marker, show=lyr.show,
                              smooth_factor=0.5 if lyr.kind != "points" else None, on_each_feature=on_each)

    def _page_script(self, m: folium.Map, objs) -> str:
        layers = ",".join(f"{json.dumps(obj.get_name())}:{obj.get_name()}" for _, obj in objs)
        titles = json.dumps({sel: text(CHROME[key], self.lang) for sel, key in (
            (".leaflet-control-zoom-in", "zoom_in"), (".leaflet-control-zoom-out", "zoom_out"),
            (".leaflet-control-layers-toggle", "layers"))}, ensure_ascii=False)
        return f"""
(function() {{
  var map = {m.get_name()};
  var layers = {{{layers}}};
  // A legend section follows its layer: hidden when the layer is switched off.
  function syncLegend() {{
    document.querySelectorAll('#gp-legend section[data-layer]').forEach(function (s) {{
      var l = layers[s.getAttribute('data-layer')];
      if (l) s.classList.toggle('gp-hidden', !map.hasLayer(l));
    }});
  }}
  map.on('overlayadd overlayremove', syncLegend);
  L.control.scale({{imperial: false, position: 'bottomleft'}}).addTo(map);  // metres only
  // Leaflet's own control titles are English: give them the map's language.
  var titles = {titles};
  Object.keys(titles).forEach(function (sel) {{
    document.querySelectorAll(sel).forEach(function (e) {{
      e.title = titles[sel]; e.setAttribute('aria-label', titles[sel]);
    }});
  }});
  if (map.attributionControl) map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  syncLegend();
  // Print and full screen change the map's size: redraw vectors for the new box.
  function resize() {{ map.invalidateSize(false); }}
  window.addEventListener('beforeprint', resize);
  if (window.matchMedia) {{
    var mq = window.matchMedia('print');
    if (mq.addEventListener) mq.addEventListener('change', resize);
  }}
  window.geoplanMap = {{map: map, layers: layers}};  // read by tests and by curious planners
}})();
"""

    def html(self) -> str:
        """The complete page as a string (built with the garbage collector paused, see ``gc_paused``)."""
        with gc_paused():
            return self.build().get_root().render()

    def to_html(self, path: str | os.PathLike) -> Path:
        """Write the page atomically (temporary file in the same folder, then rename).

        Returns
        -------
        pathlib.Path
            The written file.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = self.html()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a map is meant to be shared
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path


def _label(value: Any, lang: str) -> str:
    """A legend label: a Message or ``NC_`` pair rendered, a key, msgid or free text via :func:`label`."""
    if isinstance(value, tuple) or hasattr(value, "msgid"):
        return text(value, lang)
    return label(value, lang)


def _as_field(f: Field | tuple) -> Field:
    return f if isinstance(f, Field) else Field(*f)


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _scale_radius(values: np.ndarray, radius_range: tuple[float, float]) -> np.ndarray:
    lo, hi = radius_range
    v = np.sqrt(np.clip(np.nan_to_num(values, nan=0.0), 0, None))
    top = v.max() if v.size else 0.0
    if top <= 0:
        return np.full(v.shape, float(lo))
    return np.round(lo + (hi - lo) * v / top, 1)


def _fc_bounds(data: dict) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of a feature collection (its ``bbox``, see ``feature_collection``)."""
    if data.get("bbox"):
        minx, miny, maxx, maxy = data["bbox"]
        return [[miny, minx], [maxy, maxx]]
    import shapely.geometry

    geoms = [shapely.geometry.shape(f["geometry"]) for f in data["features"]]
    return bounds_latlon(np.asarray(geoms, dtype=object))
