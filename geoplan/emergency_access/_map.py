"""The access map, drawn through :class:`geoplan.maps.PlanMap` (escaping is the map's job).

Layers: roads coloured by response-time band (passable now), impassable and obstructed roads,
obstructions with their clearing rank, residential buildings by status, stations, critical
links, long dead ends, and (hidden until switched on) the route of every affected building.

Layer names, field labels and status names are the map chrome of :mod:`geoplan.maps`; every
sentence of this package (causes, the detail line of each feature) is a whole sentence of the
``emergency_access`` catalogue, rendered in the map's language.
"""

from __future__ import annotations

import math

import numpy as np

from geoplan.emergency_access._text import N_, Term, message, render, render_all
from geoplan.maps import Field, Graduated, PlanMap, t
from geoplan.maps.overview import (CELL_LAYER_ACCESS, DETAIL_FIELD, OVERVIEW_LOOK, OVERVIEW_MAX_LINES,
                                   WITHOUT_BUILDINGS, WITHOUT_RESIDENTS, WITHOUT_SHARE, CommunityMaps, cell_width,
                                   community_sums, detail_hrefs, draws_detail, hex_cells, labelled, overview_basemap,
                                   overview_line, share)

STATUS_COLORS: dict[str, str] = {
    "ok": "#1a9850", "slow": "#fdae61", "far_from_road": "#8073ac", "blocked": "#d73027", "unreachable": "#404040",
}
STATION_COLORS: dict[str, str] = {"fire": "#b2182b", "ambulance": "#ef8a62", "hospital": "#762a83"}
BAND_COLORS = ("#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027")
GROUP = "group.access"


def _minutes(seconds) -> float:
    return float(seconds) / 60 if seconds is not None and math.isfinite(float(seconds)) else float("nan")


def _say(lang: str, msgid: str, **params) -> str:
    return render(message(msgid, **params), lang)


def access_map(result, *, lang: str = "en", basemap: str = "osm", offline: bool = True,
               date: str | None = None, detail_limit: int | None = None, window=None,
               community_maps: CommunityMaps | None = None) -> PlanMap:
    """Draw an :class:`~geoplan.emergency_access.result.AccessResult` as an interactive map in ``lang``.

    Past ``detail_limit`` residential buildings (default
    :data:`geoplan.maps.overview.DETAIL_MAX_RESIDENCES`) the map draws hexagon cells and
    communities with the buildings and residents without timely access, instead of every
    building, road and route; ``window`` draws one box in full detail (a community's map);
    ``community_maps`` links each community's detailed map.
    """
    result = result.in_language(lang)
    detail = window is not None or draws_detail(len(result.buildings), detail_limit)
    extra = [] if detail else [overview_line(len(result.buildings), lang, linked=community_maps is not None)]
    pm = PlanMap(result.study_name, lang=lang, basemap=basemap if detail else overview_basemap(basemap),
                 offline=offline, preset_name=result.preset_name, sources=list(result.sources),
                 subtitle=t(f"subtitle.{result.vehicle}", lang), date=date, extra_lines=extra, window=window,
                 **({} if detail else OVERVIEW_LOOK))
    if detail:
        _roads(pm, result, lang)
        _buildings(pm, result)
    else:
        _bad_roads(pm, result, lang)
        _cells(pm, result, lang, community_maps)
    most = None if detail else OVERVIEW_MAX_LINES
    _weak_points(pm, result, lang, most=most)
    _obstructions(pm, result, lang, labels=detail)  # a city of rank labels hides the cells
    _stations(pm, result, small=not detail)
    if detail:
        _routes(pm, result, lang)
    _compounds(pm, result, lang, most=most)
    if detail:
        _first_due(pm, result, lang)
    return pm


#: Share of residents without timely access: classes and colours of the aggregate map.
WITHOUT_BINS = (0.0, 0.01, 0.1, 0.25, 0.5, 1.0)
WITHOUT_COLORS = ("#1a9850", "#a6d96a", "#fee08b", "#fc8d59", "#d73027")


def cell_sums(result) -> dict[str, np.ndarray]:
    """Per residential building: residents, and buildings and residents without timely access."""
    b = result.buildings
    pop = b["population"].to_numpy(dtype=float)
    without = (b["status"].astype(str) != "ok").to_numpy()
    return {"population": pop, "without_buildings": without.astype(float), "without_population": pop * without}


def _cells(pm: PlanMap, result, lang: str, maps: CommunityMaps | None) -> None:
    """Hexagon cells and communities: residents and buildings without timely access."""
    b = result.buildings
    if not len(b):
        return
    sums = cell_sums(result)
    grad = Graduated("without_share", WITHOUT_BINS, WITHOUT_COLORS, fmt="pct")
    fields = [Field("population", "field.population", "people"), Field("buildings", "field.residences", "int"),
              Field("without_buildings", WITHOUT_BUILDINGS, "int"),
              Field("without_population", WITHOUT_RESIDENTS, "people"),
              Field("without_share", WITHOUT_SHARE, "pct")]
    if maps is not None and len(maps.communities):
        units = community_sums(b, maps.communities, sums)
        units = units.assign(_label=labelled(units, lang), _detail=detail_hrefs(maps, units["community"]),
                             without_share=share(units["without_population"], units["population"]))
        pm.add_layer(units, name_key="layer.communities", group=GROUP, kind="polygons", graduated=grad,
                     style={"weight": 1.5, "color": "#6a51a3", "fillOpacity": 0.15}, show=False,
                     tooltip=[Field("_label", "field.community"), *fields],
                     popup=[Field("_detail", DETAIL_FIELD, "link")])
    width = cell_width(b)
    cells = hex_cells(b, sums, cell_m=width)
    cells["without_share"] = share(cells["without_population"], cells["population"])
    pm.add_layer(cells, name_key="layer.cells", name=_say(lang, CELL_LAYER_ACCESS, width_m=width), group=GROUP,
                 kind="polygons", graduated=grad, style={"weight": 0.5, "color": "#555555", "fillOpacity": 0.6},
                 tooltip=fields)


def _bad_roads(pm: PlanMap, result, lang: str) -> None:
    """The aggregate map's roads: only those closed by obstructions (impassable ones are in the tables)."""
    roads = result.roads
    shut = roads.loc[roads["passable"].to_numpy(dtype=bool) & (roads["obstructed_by"] != "").to_numpy()].copy()
    if len(shut):
        shut["_detail"] = [_say(lang, N_("closed by {obstructions}"), obstructions=o) for o in shut["obstructed_by"]]
        pm.add_layer(shut, name_key="layer.roads_obstructed", group=GROUP, kind="lines",
                     style={"color": "#67001f", "weight": 5, "opacity": 0.9},
                     tooltip=[Field("name", "field.name"), Field("_detail", "field.status")], fit=False)


#: One colour per station's first-due area (cycled beyond ten stations).
AREA_COLORS = ("#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a", "#b15928", "#a6cee3", "#b2df8a",
               "#fb9a99", "#cab2d6")


def _first_due(pm: PlanMap, result, lang: str) -> None:
    """First-due areas: the streets each station reaches first, one colour per station (hidden until switched on)."""
    roads = result.roads
    if "first_due_station" not in roads:
        return
    areas = roads.loc[roads["first_due_station"].notna().to_numpy()].copy()
    if not len(areas):
        return
    st = result.stations
    names = {i: (n if isinstance(n, str) and n else i) for i, n in zip(st["station_id"], st["name"])}
    ids = list(dict.fromkeys(st["station_id"].tolist()))
    cats = {i: (AREA_COLORS[k % len(AREA_COLORS)], _say(lang, N_("first due: {station}"), station=names.get(i, i)))
            for k, i in enumerate(ids)}
    areas["_detail"] = [_say(lang, N_("first due: {station}"), station=names.get(i, i)) for i in areas["first_due_station"]]
    pm.add_layer(areas, name_key="layer.first_due", name=_say(lang, N_("First-due areas")), group=GROUP,
                 kind="lines", color_by="first_due_station", categories=cats, show=False,
                 style={"weight": 4, "opacity": 0.8},
                 tooltip=[Field("name", "field.name"), Field("_detail", "field.status"),
                          Field("response_s", "field.response_time", "min")], fit=False)


COMPOUND_COLORS = {"ok": "#4daf4a", "too_few_entrances": "#ff7f00", "sealed": "#984ea3"}
_COMPOUND_LABELS = {"ok": N_("enough vehicle entrances"), "too_few_entrances": N_("too few vehicle entrances"),
                    "sealed": N_("sealed")}


def _first_of(table, most: int | None, lang: str, msgid: str):
    """``table``'s first ``most`` rows (it is ranked) and the layer's name saying so, or all of it."""
    if most is None or len(table) <= most:
        return table, None
    return table.head(most), _say(lang, msgid, n=most, total=len(table))


def _compounds(pm: PlanMap, result, lang: str, *, most: int | None = None) -> None:
    """Compounds coloured by the entrance check, with their entrances and (sealed) the gate to keep open.

    With ``most`` (a city's aggregate map), only compounds that fail the check, the ``most`` with
    most residents: every compound is in the tables.
    """
    comp = result.compounds
    if comp is None or not len(comp):
        return
    name = _say(lang, N_("Residential compounds"))
    if most is not None:
        failing = comp.loc[(comp["check"] != "ok").to_numpy()].sort_values("residents", ascending=False, kind="stable")
        comp, capped = _first_of(failing, most, lang, N_("Residential compounds failing the entrance check: the "
                                                         "{n:,} with most residents, of {total:,} (every compound "
                                                         "is in the tables)"))
        name = capped or name
        if not len(comp):
            return
    comp = comp.copy()
    comp["_detail"] = [
        _say(lang, N_("{entrances} vehicle entrances, {usable} usable (at least {needed} needed); gated: {gated}; "
                      "locked: {locked}"), entrances=n, usable=u, needed=m, gated=g or "–", locked=lo or "–")
        for n, u, m, g, lo in zip(comp["vehicle_entrances"], comp["usable_entrances"], comp["min_entrances"],
                                  comp["gated_entrances"], comp["locked_entrances"])]
    comp["_advice"] = [
        _say(lang, N_("keep entrance {entrance} open: it restores {residents:,.0f} residents"), entrance=k,
             residents=r) if k else "" for k, r in zip(comp["keep_open_entrance"], comp["keep_open_restores_residents"])]
    pm.add_layer(comp, name_key="layer.compounds", name=name, group=GROUP,
                 kind="polygons", color_by="check",
                 categories={k: (c, _say(lang, _COMPOUND_LABELS[k])) for k, c in COMPOUND_COLORS.items()},
                 style={"weight": 2, "fillOpacity": 0.15},
                 tooltip=[Field("compound", "field.name"), Field("_detail", "field.status")],
                 popup=[Field("_advice", "field.status")], fit=False)


def _roads(pm: PlanMap, result, lang: str) -> None:
    """Roads passable now by response band; impassable roads with why; roads closed by obstructions."""
    target = result.profile.target_s
    roads = result.roads
    ok = roads.loc[roads["passable_now"].to_numpy(dtype=bool)].copy()
    ok["_detail"] = [_say(lang, N_("passable · width {width:.1f} m ({source})"), width=w, source=s)
                     for w, s in zip(ok["width_m"], ok["width_source"])]
    top = float(np.nanmax(ok["response_s"])) if len(ok) and np.isfinite(ok["response_s"]).any() else 2 * target
    bins = [0.0, target * 0.5, target * 0.8, target, 1.5 * target, max(top + 1.0, 1.5 * target + 60.0)]
    pm.add_layer(ok, name_key="layer.roads_passable", group=GROUP, kind="lines",
                 graduated=Graduated("response_s", bins, BAND_COLORS, fmt="min"),
                 style={"weight": 3, "opacity": 0.85},
                 tooltip=[Field("name", "field.name"), Field("highway", "field.highway"),
                          Field("response_s", "field.response_time", "min"), Field("_detail", "field.status")], fit=False)
    passable = roads["passable"].to_numpy(dtype=bool)
    bad = roads.loc[~passable].copy()
    if len(bad):
        bad["_detail"] = [_say(lang, N_("impassable: {reason}"), reason=r) for r in bad["reason"]]
        pm.add_layer(bad, name_key="layer.roads_impassable", group=GROUP, kind="lines",
                     style={"color": "#b2182b", "weight": 2, "opacity": 0.75, "dashArray": "2 4"},
                     tooltip=[Field("name", "field.name"), Field("highway", "field.highway"),
                              Field("_detail", "field.status")], fit=False)
    shut = roads.loc[passable & (roads["obstructed_by"] != "").to_numpy()].copy()
    if len(shut):
        shut["_detail"] = [_say(lang, N_("closed by {obstructions}"), obstructions=o) for o in shut["obstructed_by"]]
        pm.add_layer(shut, name_key="layer.roads_obstructed", group=GROUP, kind="lines",
                     style={"color": "#67001f", "weight": 5, "opacity": 0.9},
                     tooltip=[Field("name", "field.name"), Field("_detail", "field.status")], fit=False)


def _buildings(pm: PlanMap, result) -> None:
    b = result.buildings.copy()
    b["_detail"] = [c if c else "" for c in b["cause"]]
    pm.add_layer(b, name_key="layer.access_buildings", group=GROUP, kind="polygons", color_by="status",
                 categories={s: (c, f"status.{s}") for s, c in STATUS_COLORS.items()},
                 style={"weight": 0.8, "fillOpacity": 0.8, "color": "#555555"},
                 tooltip=[Field("name", "field.name"), Field("status", "field.status", "status"),
                          Field("response_s", "field.response_time", "min"),
                          Field("population", "field.population", "people"), Field("community", "field.community")],
                 popup=[Field("building_id", "field.id"), Field("_detail", "field.status"),
                        Field("last_leg_m", "field.distance", "m")])


def _weak_points(pm: PlanMap, result, lang: str, *, most: int | None = None) -> None:
    """Critical links and dead ends without a turnaround (with ``most``, the first ``most`` of each
    ranked table: a city has tens of thousands)."""
    crit, crit_name = _first_of(result.critical_links, most, lang, N_(
        "Critical links: the {n:,} that cut off most residents, of {total:,} (every link is in the tables)"))
    dead, dead_name = _first_of(result.dead_ends, most, lang, N_(
        "Dead ends without turnaround: the {n:,} longest, of {total:,} (every dead end is in the tables)"))
    if len(crit):
        crit = crit.copy()
        crit["_detail"] = [_say(lang, N_("its loss cuts off {residents:,.0f} residents ({buildings} buildings)"),
                                residents=r, buildings=n)
                           for r, n in zip(crit["residents_cut_off"], crit["buildings_cut_off"])]
        pm.add_layer(crit, name_key="layer.critical_links", name=crit_name, group=GROUP, kind="lines",
                     style={"color": "#6a3d9a", "weight": 7, "opacity": 0.75},
                     tooltip=[Field("link_id", "field.id"), Field("name", "field.name"),
                              Field("_detail", "field.status")], fit=False)
    if len(dead):
        dead = dead.copy()
        limit = result.figures.get("dead_end_max_m", 40.0)
        dead["_detail"] = [_say(lang, N_("dead end {length:.0f} m > {limit:g} m without a turnaround"),
                                length=m, limit=limit) for m in dead["length_m"]]
        pm.add_layer(dead, name_key="layer.dead_ends", name=dead_name, group=GROUP, kind="lines", show=False,
                     style={"color": "#ff7f00", "weight": 4, "opacity": 0.9, "dashArray": "8 4"},
                     tooltip=[Field("dead_end_id", "field.id"), Field("_detail", "field.status"),
                              Field("residents", "field.population", "people")], fit=False)


def _obstructions(pm: PlanMap, result, lang: str, labels: bool = True) -> None:
    """Obstructions (applied or not) with what clearing each restores, and their clearing rank."""
    obs = result.obstructions
    if not len(obs):
        return
    obs = obs.copy()
    obs["_detail"] = [
        _say(lang, N_("clearing rank {rank} · {cause}"), rank=rk, cause=c) if ap
        else _say(lang, N_("not applied: {note}"), note=note)
        for rk, c, ap, note in zip(obs["rank"], obs["cause"], obs["applied"], obs["note"])]
    obs["_applied"] = obs["applied"].astype(bool)
    obs["_kind"] = render_all([Term(str(k)) for k in obs["kind"]], lang)
    pm.add_layer(obs, name_key="layer.obstructions", group=GROUP, kind="lines", color_by="_applied",
                 categories={True: ("#a50026", _say(lang, N_("applied"))),
                             False: ("#969696", _say(lang, N_("not applied (kept open or off the road)")))},
                 style={"weight": 5, "opacity": 0.95, "fillOpacity": 0.3, "radius": 8}, radius_by=None,
                 tooltip=[Field("obstruction_id", "field.id"), Field("name", "field.name"),
                          Field("_kind", "field.kind"), Field("_detail", "field.status")])
    ranked = obs.loc[obs["_applied"].to_numpy()].copy()
    if len(ranked) and labels:
        ranked["_rank_label"] = [f"#{r}" for r in ranked["rank"]]
        ranked = ranked.set_geometry(ranked.geometry.representative_point())
        pm.add_layer(ranked, name_key="layer.clearing_rank", group=GROUP, kind="points",
                     style={"radius": 3, "color": "#a50026", "fillColor": "#a50026"},
                     tooltip=[Field("_rank_label", "field.id")], permanent_labels=True, legend=False, fit=False)


def _stations(pm: PlanMap, result, *, small: bool = False) -> None:
    """Stations by kind; ``small`` on a city's aggregate map, where thousands would hide the cells."""
    st = result.stations
    if len(st):
        pm.add_layer(st, name_key="layer.stations", group=GROUP, kind="points", color_by="kind",
                     categories={k: (c, f"station.{k}") for k, c in STATION_COLORS.items()},
                     style={"radius": 3, "weight": 1, "color": "#ffffff"} if small else
                     {"radius": 9, "weight": 2, "color": "#ffffff"},
                     tooltip=[Field("name", "field.name"), Field("kind", "field.kind", "station"),
                              Field("station_id", "field.id")])


def _routes(pm: PlanMap, result, lang: str) -> None:
    """The route of every affected building (hidden until switched on)."""
    routes = result.routes
    if not len(routes):
        return
    routes = routes.copy()
    routes["_detail"] = [
        _say(lang, N_("from station {station} · {minutes:.1f} min · narrowest {width:.1f} m (way {way})"),
             station=s, minutes=_minutes(d), width=w, way=wy) if wy is not None and np.isfinite(w)
        else _say(lang, N_("from station {station} · {minutes:.1f} min"), station=s, minutes=_minutes(d))
        for s, d, w, wy in zip(routes["station_id"], routes["drive_s"], routes["narrowest_m"],
                               routes["narrowest_way_id"])]
    pm.add_layer(routes, name_key="layer.routes", group=GROUP, kind="lines", show=False, color_by="status",
                 categories={s: (c, f"status.{s}") for s, c in STATUS_COLORS.items()},
                 style={"weight": 3, "opacity": 0.9, "dashArray": "6 3"},
                 tooltip=[Field("building_id", "field.id"), Field("status", "field.status", "status")],
                 popup=[Field("_detail", "field.drive_time")], fit=False)
