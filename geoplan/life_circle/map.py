"""The coverage map, drawn through :class:`geoplan.maps.PlanMap` (escaping is the map's job).

Layers: residents coloured by how many categories they reach within their tier (red: none,
green: all), one toggleable service area per category, facilities by category, gap areas
outlined in red, and the communities with their figures (population, complete-life-circle
share, share per category) in popups.

Fixed labels come from the map translation table (:mod:`geoplan.maps._i18n`); the coverage
map's own sentences (title lines, layer names, legend) are whole gettext messages of the
``life_circle`` catalogue, rendered in the map's language. A provision layer (communities by the
number of required items they miss) is drawn when the run checked any requirement row.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.i18n import Message, N_, message, translator
from geoplan.life_circle.provision import missing_items
from geoplan.maps import Field, Graduated, PlanMap, t
from geoplan.maps._i18n import label
from geoplan.maps.overview import (CELL_LAYER_COVERAGE, DETAIL_FIELD, MEAN_CATEGORIES, OVERVIEW_AREA_VERTICES,
                                   OVERVIEW_LOOK, OVERVIEW_MAX_GAPS, CommunityMaps, detail_hrefs, within_vertex_budget,
                                   cell_width, draws_detail, hex_cells, overview_basemap, overview_line, share)
from geoplan.maps.study_area import CATEGORY_COLORS

#: Walking profiles by name, for the sentences that name them.
PROFILE_NAMES = {"adult": N_("adult"), "elderly": N_("elderly"), "wheelchair": N_("wheelchair")}

#: Residents' colour from none (dark red) to every category (green) within its tier; saturated
#: throughout so every class reads on the grey page and over a red gap area.
_RAMP = ("#a50026", "#f46d43", "#fdae61", "#a6d96a", "#1a9850")
GAP_COLOR = "#d7191c"


def _ramp(n: int) -> list[str]:
    """``n + 1`` colours (0 … n categories) interpolated along :data:`_RAMP`."""
    if n <= 0:
        return [_RAMP[-1]]
    anchors = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in _RAMP], dtype=float)
    pos = np.linspace(0, len(_RAMP) - 1, n + 1)
    lo = np.minimum(np.floor(pos).astype(int), len(_RAMP) - 2)
    frac = (pos - lo)[:, None]
    rgb = np.round(anchors[lo] * (1 - frac) + anchors[lo + 1] * frac).astype(int)
    return ["#%02x%02x%02x" % tuple(c) for c in rgb]


def _gap_layer(gaps: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Gap areas of several categories over the same homes drawn once, listing the categories."""
    order = gaps.sort_values("rank")
    code, _ = pd.factorize(order.geometry.to_wkb().to_numpy())  # one code per shape, in rank order
    by = np.argsort(code, kind="stable")  # each shape's gaps together, still in rank order
    start = np.r_[0, np.flatnonzero(np.diff(code[by])) + 1]
    first = order.iloc[by[start]]  # each area's largest gap, in rank order (codes follow first rank)
    layer = pd.DataFrame({"gap_ids": _joined(order["gap_id"].to_numpy()[by], start, ", "),
                          "categories": _joined(order["category"].astype(str).to_numpy()[by], start, ";"),
                          "n_categories": np.diff(np.r_[start, len(by)]),
                          **{c: first[c].to_numpy() for c in ("population", "residents", "community", "rank")}})
    return gpd.GeoDataFrame(layer, geometry=first.geometry.to_numpy(), crs=gaps.crs).sort_values("rank",
                                                                                               ascending=False)


def _joined(values: np.ndarray, start: np.ndarray, sep: str) -> list[str]:
    """``sep.join`` of each run of ``values`` beginning at ``start`` (one string per run).

    A list slice per run, not a pandas group aggregation: that built a Series per group,
    ≈ 3.4 s for the ≈ 100 k shapes of a million-node city's gaps.
    """
    items = values.tolist()
    ends = [*start[1:].tolist(), len(items)]
    return [sep.join(items[a:b]) for a, b in zip(start.tolist(), ends)]


def _missing_fmt(value, lang: str) -> str:
    text = str(value) if value is not None else ""
    if not text or text == "nan":
        return "–"
    return ", ".join(label(c, lang, prefix="cat.") for c in text.split(";") if c)


def _community_layer(result, lang: str) -> gpd.GeoDataFrame | None:
    b = result.boundaries
    if b is None or len(b) == 0:
        return None
    first, second = ("name_zh", "name_en") if lang == "zh" else ("name_en", "name_zh")
    out = b[["community", "geometry"]].copy()
    name = out["community"].astype(object)
    for col in (second, first):
        if col in b.columns:
            alt = b[col].astype(object)
            name = alt.where(alt.notna() & (alt.astype(str).str.strip() != ""), name)
    out["_label"] = name.to_numpy()
    figures = result.communities.set_index("community")
    keys = out["community"].astype(str)
    for col in ("population", "complete_share", "elderly_complete_share"):
        out[col] = keys.map(figures[col]).to_numpy()
    s = result.summary
    for cat in result.categories:
        per = s[s["category"] == cat].set_index("community")["covered_share"]
        out[f"share_{cat}"] = keys.map(per).to_numpy()
    return out


def render_note(note, lang: str) -> str:
    """A note (:class:`~geoplan.i18n.Message`) in ``lang``, its category named as the map names it."""
    if not isinstance(note, Message):
        return str(note)
    msg = note
    params = dict(msg.params)
    if "category" in params:
        params["category"] = label(str(params["category"]), lang, prefix="cat.")
    return translator(lang).render(msg.msgid, **params)


def _title_lines(p, cats, lang: str) -> tuple[str, str]:
    """The map's two method lines: how thresholds are set, and each category's tier."""
    tr = translator(lang)
    profile = tr.gettext(PROFILE_NAMES.get(p["profile"], p["profile"]))
    if p["mode"] == "time":
        mode_line = tr.render(message("Thresholds by walking time at {speed:g} m/s, {profile} profile",
                                      speed=float(p["speed_mps"]), profile=profile))
    else:
        mode_line = tr.render(message("Thresholds by walking network distance, {profile} profile", profile=profile))
    tiers = " · ".join(tr.render(message("{category} {tier_m:.0f} m", category=label(c, lang, prefix="cat."),
                                         tier_m=p["tier_m"][c])) for c in cats)
    return mode_line, tiers


def _provision_layer(pm: PlanMap, communities, result, lang: str) -> None:
    """Communities coloured by how many required items they miss (only when rows were checked)."""
    prov = getattr(result, "provision", None)
    if communities is None or prov is None or prov.empty:
        return
    tr = translator(lang)
    missing = communities["community"].astype(str).map(missing_items(prov)).fillna(0).astype(int)
    layer = communities.assign(_missing=missing.to_numpy(),
                               _missing_text=[tr.render(message("{n} required items missing", n=int(k)))
                                              for k in missing])
    colours = {k: (_RAMP[max(0, len(_RAMP) - 1 - k)], tr.render(message("{n} required items missing", n=k)))
               for k in sorted(set(missing.tolist()))}
    pm.add_layer(layer, name_key="layer.communities", name=tr.render(message("Provision check (GB 50180-2018)")),
                 group="group.coverage", kind="polygons", color_by="_missing", categories=colours, show=False,
                 fit=False, style={"weight": 1.5, "fillOpacity": 0.35},
                 tooltip=[Field("_label", "field.community"), Field("_missing_text", "field.missing")])


def _communities(pm: PlanMap, communities, cats, maps: CommunityMaps | None = None) -> None:
    if communities is None:
        return
    links = [Field("_detail", DETAIL_FIELD, "link")] if maps is not None else []
    if maps is not None:
        communities = communities.assign(_detail=detail_hrefs(maps, communities["community"]))
    pm.add_layer(communities, name_key="layer.communities", kind="polygons",
                 style={"color": "#6a51a3", "weight": 1.5, "dashArray": "4 3", "fillOpacity": 0.03,
                        "fillColor": "#6a51a3"},
                 tooltip=[Field("_label", "field.community")],
                 popup=[Field("population", "field.population", "people"),
                        Field("complete_share", "field.complete_share", "pct"),
                        Field("elderly_complete_share", "field.elderly_complete_share", "pct"),
                        *[Field(f"share_{c}", f"cat.{c}", "pct") for c in cats], *links])


def _service_areas(pm: PlanMap, result, lang: str, *, budget: int | None = None) -> None:
    """One toggleable layer per category: the streets reachable within its tier (at most
    ``budget`` vertices each when given: the aggregate map)."""
    tr, p, areas = translator(lang), result.parameters, result.service_areas
    for cat in result.categories:
        row = areas[(areas["category"] == cat) & areas.geometry.notna()]
        if row.empty:
            continue
        if budget is not None:
            row = within_vertex_budget(row, budget)
        color = CATEGORY_COLORS.get(cat, "#3182bd")
        name = tr.render(message("Service area: {category} ≤ {tier_m:.0f} m",
                                 category=label(cat, lang, prefix="cat."), tier_m=p["tier_m"][cat]))
        pm.add_layer(row, name_key="layer.service_area", name=name, group="group.coverage", kind="polygons",
                     show=False, fit=False, style={"color": color, "fillColor": color, "weight": 1, "fillOpacity": 0.25},
                     tooltip=[Field("category", "field.category", "cat"), Field("tier_m", "field.tier", "m"),
                              Field("area_ha", "field.area", lambda v, lg: f"{float(v):,.1f} {t('unit.ha', lg)}")])


def _gaps(pm: PlanMap, gaps, lang: str, *, most: int | None = None) -> None:
    """Gap areas, largest on top; with ``most``, only that many of the largest (named so)."""
    if not len(gaps):
        return
    # largest gaps drawn last (on top); areas shared by several categories drawn once
    layer, name = _gap_layer(gaps), None
    if most is not None and len(layer) > most:
        name = translator(lang).render(message("Coverage gaps: the {n:,} largest of {total:,} (every gap is in the "
                                               "tables)", n=most, total=len(layer)))
        layer = layer.nsmallest(most, "rank").sort_values("rank", ascending=False)
    pm.add_layer(layer, name_key="layer.gaps", name=name, group="group.coverage", kind="polygons",
                 style={"color": GAP_COLOR, "fillColor": GAP_COLOR, "weight": 2.5, "dashArray": "6 4",
                        "fillOpacity": 0.10},
                 tooltip=[Field("gap_ids", "field.id"), Field("categories", "field.category", _missing_fmt),
                          Field("population", "field.population", "people"),
                          Field("residents", "field.residences", "int"),
                          Field("community", "field.community"),
                          Field("rank", "field.rank", "int")])


def _residents(pm: PlanMap, res, cats, lang: str) -> None:
    """Residents coloured by how many categories they reach within their tier."""
    tr, n = translator(lang), len(cats)
    colors = _ramp(n)
    kind = "points" if len(res) and res.geom_type.isin(["Point", "MultiPoint"]).all() else "polygons"
    res = res.assign(_reach=res["categories_within_tier"].astype(int))
    pm.add_layer(res, name_key="layer.residents_reach", kind=kind, color_by="_reach",
                 categories={k: (colors[k], tr.render(message("{reached} of {total}", reached=k, total=n)))
                             for k in range(n, -1, -1)},
                 style={"weight": 0.8, "fillOpacity": 0.95, "color": "#333333"} if kind == "polygons" else
                 {"radius": 5, "weight": 1},
                 tooltip=[Field("name", "field.name"), Field("population", "field.population", "people"),
                          Field("community", "field.community"),
                          Field("_reach", "field.categories_within_tier", "int"),
                          Field("complete_circle", "field.complete_circle", "bool"),
                          Field("missing_essential", "field.missing", _missing_fmt)],
                 popup=[Field(f"dist_m_{c}", f"cat.{c}", "m+min") for c in cats])


def _facilities(pm: PlanMap, fac, cats, lang: str) -> None:
    if not len(fac):
        return
    label_column = f"label_{lang}" if f"label_{lang}" in fac else "name"  # "未命名公园" for unnamed ones
    pm.add_layer(fac, name_key="layer.facilities", group="group.services", kind="points", color_by="category",
                 categories={c: (CATEGORY_COLORS.get(c, "#3182bd"), f"cat.{c}") for c in cats},
                 style={"radius": 6, "weight": 1.5, "color": "#ffffff"},
                 tooltip=[Field(label_column, "field.name"), Field("category", "field.category", "cat"),
                          Field("nearest_population", "field.nearest_population", "people"),
                          Field("capacity", "field.capacity", "int"), Field("source", "field.source")])


def _compound_layer(result, lang: str) -> gpd.GeoDataFrame | None:
    """Residential compounds with their label in ``lang`` and complete-circle figures."""
    areas = getattr(result, "compound_areas", None)
    if areas is None or len(areas) == 0:
        return None
    own = "name_zh" if lang == "zh" else "name_en"
    out = areas[["compound", "geometry"]].copy()
    alt = areas[own].astype(object) if own in areas else out["compound"]
    out["_label"] = alt.where(alt.notna() & (alt.astype(str).str.strip() != ""), out["compound"]).to_numpy()
    figures = (result.compounds.set_index("compound") if result.compounds is not None and len(result.compounds)
               and "population" in result.compounds else None)
    for col in ("population", "complete_share"):
        out[col] = out["compound"].astype(str).map(figures[col]).to_numpy() if figures is not None else np.nan
    return out


def _compounds(pm: PlanMap, result, lang: str) -> None:
    """Residential compounds (小区), the finer reporting unit, labelled beside the communities."""
    compounds = _compound_layer(result, lang)
    if compounds is None:
        return
    pm.add_layer(compounds, name_key="layer.compounds", kind="polygons", fit=False,
                 style={"color": "#807dba", "weight": 1, "fillOpacity": 0.02, "fillColor": "#807dba"},
                 tooltip=[Field("_label", "field.compound")],
                 popup=[Field("population", "field.population", "people"),
                        Field("complete_share", "field.complete_share", "pct")])


def coverage_map(result, *, lang: str = "en", basemap: str = "osm", offline: bool = True,
                 date: str | None = None, detail_limit: int | None = None, window=None,
                 community_maps: CommunityMaps | None = None) -> PlanMap:
    """Draw a :class:`~geoplan.life_circle.CoverageResult` (never recomputes it).

    Parameters
    ----------
    result : CoverageResult
    lang : {"zh", "en"}
    basemap : {"osm", "light", "gaode", "none"} or ExtractBasemap
    offline : bool
        No tiles, no network (see :class:`geoplan.maps.PlanMap`).
    date : str, optional
        Date in the title block (default today).
    detail_limit : int, optional
        Past this many resident features the map draws hexagon cells and community figures
        instead of every building (default :data:`geoplan.maps.overview.DETAIL_MAX_RESIDENCES`).
    window : geopandas.GeoSeries, optional
        Draw only this box, in full detail (a community's detailed map).
    community_maps : CommunityMaps, optional
        Detailed maps per community, linked from the community popups.
    """
    p = result.parameters
    cats = result.categories
    mode_line, tiers = _title_lines(p, cats, lang)
    detail = window is not None or draws_detail(len(result.residents), detail_limit)
    pm = PlanMap(result.study_name, lang=lang, basemap=basemap if detail else overview_basemap(basemap),
                 offline=offline, preset_name=result.preset_name, sources=list(result.sources),
                 subtitle=t("title.coverage", lang), date=date, walk_speed_mps=float(p["speed_mps"]),
                 extra_lines=[mode_line, tiers] + ([] if detail else [
                     overview_line(len(result.residents), lang, linked=community_maps is not None)]),
                 window=window, **({} if detail else OVERVIEW_LOOK))

    communities = _community_layer(result, lang)
    _provision_layer(pm, communities, result, lang)
    _communities(pm, communities, cats, community_maps)
    if detail:
        _compounds(pm, result, lang)
    _service_areas(pm, result, lang, budget=None if detail else OVERVIEW_AREA_VERTICES)
    _gaps(pm, result.gaps, lang, most=None if detail else OVERVIEW_MAX_GAPS)
    if detail:
        _residents(pm, result.residents, cats, lang)
        _facilities(pm, result.facilities, cats, lang)
    else:  # a city's services would outweigh the page: they stay in the tables and detailed maps
        _cells(pm, result, lang)
    return pm


def cell_sums(result) -> dict[str, np.ndarray]:
    """Per resident feature: population, population with the complete circle, covered per category."""
    res, tier = result.residents, result.parameters["tier_m"]
    pop = res["population"].to_numpy(dtype=float)
    sums = {"population": pop, "complete": pop * res["complete_circle"].to_numpy(dtype=bool)}
    for cat in result.categories:
        sums[f"covered_{cat}"] = pop * (res[f"dist_m_{cat}"].to_numpy(dtype=float) <= float(tier[cat]))
    return sums


def _cells(pm: PlanMap, result, lang: str) -> None:
    """Hexagon cells (aggregate map): residents' mean number of categories within their tier (the
    detailed map's colour), population, complete-circle share and share covered per category."""
    res = result.residents
    if not len(res):
        return
    sums = cell_sums(result)
    sums["reach"] = res["population"].to_numpy(dtype=float) * res["categories_within_tier"].to_numpy(dtype=float)
    width = cell_width(res)
    cells = hex_cells(res, sums, cell_m=width)
    cells["mean_reach"] = share(cells["reach"], cells["population"])
    cells["complete_share"] = share(cells["complete"], cells["population"])
    for cat in result.categories:
        cells[f"share_{cat}"] = share(cells[f"covered_{cat}"], cells["population"])
    n = len(result.categories)
    bins = sorted(set(np.round(np.linspace(0, n, 6)).astype(int).tolist())) if n else [0, 1]
    tr = translator(lang)
    pm.add_layer(cells, name_key="layer.cells", name=tr.render(message(CELL_LAYER_COVERAGE, width_m=width)),
                 group="group.coverage", kind="polygons",
                 graduated=Graduated("mean_reach", bins, _ramp(len(bins) - 2), fmt="int"),
                 style={"weight": 0.5, "color": "#555555", "fillOpacity": 0.6},
                 tooltip=[Field("population", "field.population", "people"),
                          Field("buildings", "field.residences", "int"),
                          Field("mean_reach", MEAN_CATEGORIES, lambda v, lg: f"{float(v):.1f}"),
                          Field("complete_share", "field.complete_share", "pct")],
                 popup=[Field(f"share_{c}", f"cat.{c}", "pct") for c in result.categories])
