"""The report's static map (matplotlib): the extract's basemap, buildings by emergency access,
shelters, stations, obstructions and community outlines, with legend, scale bar, north arrow
and the OpenStreetMap attribution. Drawn in the study's metric CRS, so a metre is a metre."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon as PolygonPatch, Rectangle

from geoplan.printout._figures import STATUS_ORDER
from geoplan.printout._tables import RunTables
from geoplan.printout._text import STATION, STATUS, code_label, text

STATUS_COLORS = {"ok": "#1a9850", "slow": "#fdae61", "far_from_road": "#8073ac", "blocked": "#d73027",
                 "unreachable": "#404040"}
STATION_STYLE = {"fire": ("^", "#b2182b"), "ambulance": ("P", "#ef8a62"), "hospital": ("H", "#762a83")}
STREET_WIDTH = {"major": 2.4, "minor": 1.4, "service": 0.8, "path": 0.4}
#: Margin around a community on its page, metres.
PAGE_MARGIN_M = 120.0
ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"
OBSTRUCTION_COLOR = "#67001f"


def draw_map(ax, run: RunTables, basemap, communities: gpd.GeoDataFrame, crs, community: str, lang: str) -> None:
    """Draw one page's map on ``ax`` (extent: the community, or every building for ``ALL``)."""
    ax.set_aspect("equal")
    ax.set_facecolor("#f2efe9")
    if basemap is not None:
        _basemap(ax, basemap)
    handles = _buildings(ax, run, crs, lang)
    handles += _points(ax, run, crs, lang)
    handles += _obstructions(ax, run, crs, lang)
    handles += _communities(ax, communities, community, lang)
    _extent(ax, run, communities, basemap, crs, community)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9, title=text("Legend", lang),
              title_fontsize=9)
    scale_bar(ax, lang)
    north_arrow(ax, lang)
    ax.text(0.995, 0.005, ATTRIBUTION, transform=ax.transAxes, ha="right", va="bottom", fontsize=7, zorder=10,
            color="#333333", bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1.5})


def _basemap(ax, bm) -> None:
    for frame, color in ((bm.green, "#cde4bd"), (bm.water, "#a9cfe0")):
        if len(frame):
            frame.plot(ax=ax, color=color, linewidth=0, zorder=1)
    for klass in ("path", "service", "minor", "major"):
        part = bm.streets.loc[bm.streets["klass"] == klass]
        if len(part):
            part.plot(ax=ax, color="#c4bcb0" if klass != "major" else "#c9a77a",
                      linewidth=STREET_WIDTH[klass] + 0.8, zorder=2)
            part.plot(ax=ax, color="#ffffff" if klass != "major" else "#fbe2b5", linewidth=STREET_WIDTH[klass],
                      zorder=2.1)
    if len(bm.buildings):
        bm.buildings.plot(ax=ax, color="#e3dad2", edgecolor="#c8bdb3", linewidth=0.3, zorder=3)


def _buildings(ax, run: RunTables, crs, lang: str) -> list:
    b = run.access_buildings
    if b is None or not len(b):
        return []
    b = b.to_crs(crs)
    handles = []
    for status in STATUS_ORDER:
        part = b.loc[b["status"] == status]
        if len(part):
            part.plot(ax=ax, color=STATUS_COLORS[status], edgecolor="#555555", linewidth=0.3, zorder=4)
            handles.append(Patch(facecolor=STATUS_COLORS[status], edgecolor="#555555",
                                 label=code_label(STATUS, status, lang)))
    return handles


def _points(ax, run: RunTables, crs, lang: str) -> list:
    handles = []
    p = run.sites_proposed
    if p is not None and len(p):
        pts = gpd.GeoSeries(gpd.points_from_xy(p["lon"], p["lat"]), crs="EPSG:4326").to_crs(crs)
        ax.scatter(pts.x, pts.y, s=160, marker="*", color="#1b7837", edgecolor="white", linewidth=0.8, zorder=6)
        for x, y, rank in zip(pts.x, pts.y, p["rank"]):
            ax.annotate(f"{int(rank)}", (x, y), xytext=(6, 4), textcoords="offset points", fontsize=8,
                        color="#1b7837", zorder=7)
        handles.append(Line2D([], [], marker="*", color="#1b7837", linestyle="", markersize=11,
                              label=text("Proposed shelter (rank)", lang)))
    s = run.access_stations
    if s is not None and len(s):
        s = s.to_crs(crs)
        for kind, (marker, color) in STATION_STYLE.items():
            part = s.loc[s["kind"] == kind]
            if len(part):
                ax.scatter(part.geometry.x, part.geometry.y, s=90, marker=marker, color=color, edgecolor="white",
                           zorder=6)
                handles.append(Line2D([], [], marker=marker, color=color, linestyle="", markersize=9,
                                      label=code_label(STATION, kind, lang)))
    return handles


def _obstructions(ax, run: RunTables, crs, lang: str) -> list:
    """Obstructions as they were applied: lines and outlines in dark red, points as crosses."""
    o = run.access_obstruction_shapes
    if o is None or not len(o):
        return []
    o = o.to_crs(crs)
    points = o.geom_type.isin(["Point", "MultiPoint"]).to_numpy()
    if (~points).any():
        o.loc[~points].boundary.where(o.loc[~points].geom_type.str.contains("Polygon"), o.loc[~points].geometry) \
            .plot(ax=ax, color=OBSTRUCTION_COLOR, linewidth=2.2, zorder=6)
    if points.any():
        pts = o.loc[points].geometry.representative_point()
        ax.scatter(pts.x, pts.y, s=70, marker="X", color=OBSTRUCTION_COLOR, edgecolor="white", zorder=6)
    return [Line2D([], [], marker="X", color=OBSTRUCTION_COLOR, linewidth=2.2, markersize=8,
                   label=text("Obstruction (occupied lane, locked gate, sealed compound)", lang))]


def _communities(ax, communities: gpd.GeoDataFrame, community: str, lang: str) -> list:
    if communities is None or not len(communities):
        return []
    for name, geom in zip(communities["community"].astype(str), communities.geometry):
        mine = community in ("ALL", name)
        gpd.GeoSeries([geom], crs=communities.crs).boundary.plot(
            ax=ax, color="#54278f" if mine else "#9e9ac8", linewidth=1.6 if mine else 0.8, linestyle="--", zorder=5)
        if mine:
            c = geom.representative_point()
            ax.annotate(name, (c.x, c.y), ha="center", fontsize=12 if community == "ALL" else 14, color="#54278f",
                        zorder=8, annotation_clip=True,
                        bbox={"facecolor": "white", "alpha": 0.6, "edgecolor": "none", "pad": 1})
    return [Line2D([], [], color="#54278f", linestyle="--", linewidth=1.6, label=text("Community boundary", lang))]


def _extent(ax, run, communities, basemap, crs, community: str) -> None:
    if community != "ALL" and communities is not None and community in set(communities["community"].astype(str)):
        box = communities.loc[communities["community"].astype(str) == community].total_bounds
    elif run.access_buildings is not None and len(run.access_buildings):
        box = run.access_buildings.to_crs(crs).total_bounds
    elif basemap is not None and len(basemap.buildings):
        box = basemap.buildings.total_bounds
    else:
        return
    x0, y0, x1, y1 = box
    ax.set_xlim(x0 - PAGE_MARGIN_M, x1 + PAGE_MARGIN_M)
    ax.set_ylim(y0 - PAGE_MARGIN_M, y1 + PAGE_MARGIN_M)


def nice_length(span_m: float) -> float:
    """A round scale-bar length of about a fifth of the map's width (1, 2 or 5 × 10ⁿ metres)."""
    target = max(span_m / 5.0, 1.0)
    exp = 10 ** np.floor(np.log10(target))
    return float(max(m for m in (1, 2, 5) if m * exp <= target) * exp)


def scale_bar(ax, lang: str) -> None:
    """A two-segment black and white scale bar in metres, bottom right above the attribution."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length(x1 - x0)
    h = (y1 - y0) * 0.008
    left, base = x1 - (x1 - x0) * 0.04 - length, y0 + (y1 - y0) * 0.04
    for i, color in enumerate(("#000000", "#ffffff")):
        ax.add_patch(Rectangle((left + i * length / 2, base), length / 2, h, facecolor=color, edgecolor="#000000",
                               linewidth=0.8, zorder=9))
    label = text("{metres} m", lang, metres=f"{length:,.0f}") if length < 1000 else \
        text("{km} km", lang, km=f"{length / 1000:g}")
    for x, s in ((left, "0"), (left + length, label)):
        ax.text(x, base + 2.2 * h, s, ha="center", va="bottom", fontsize=8, zorder=9)


def north_arrow(ax, lang: str) -> None:
    """A north arrow at the top right (grid north of the local UTM zone; within 2° of true north)."""
    ax.add_patch(PolygonPatch([[0.955, 0.90], [0.97, 0.95], [0.985, 0.90], [0.97, 0.915]], closed=True,
                              transform=ax.transAxes, facecolor="#000000", edgecolor="#000000", zorder=9))
    ax.text(0.97, 0.955, text("N", lang), transform=ax.transAxes, ha="center", va="bottom", fontsize=13,
            zorder=9)
