"""The access map, drawn through :class:`geoplan.maps.PlanMap` (escaping is the map's job).

Layers: roads coloured by response-time band (passable now), impassable and obstructed roads,
obstructions with their clearing rank, residential buildings by status, stations, critical
links, long dead ends, and (hidden until switched on) the route of every affected building.

Labels come from the map translation table, :mod:`geoplan.maps._i18n`; widths, causes, ranks
and the like are shown in one ``field.status`` line per feature.
"""

from __future__ import annotations

import math

import numpy as np

from geoplan.maps import Field, Graduated, PlanMap, t

STATUS_COLORS: dict[str, str] = {
    "ok": "#1a9850", "slow": "#fdae61", "far_from_road": "#8073ac", "blocked": "#d73027", "unreachable": "#404040",
}
STATION_COLORS: dict[str, str] = {"fire": "#b2182b", "ambulance": "#ef8a62", "hospital": "#762a83"}
BAND_COLORS = ("#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027")

def _minutes(seconds) -> str:
    return "–" if seconds is None or not math.isfinite(float(seconds)) else f"{float(seconds) / 60:.1f}"


def access_map(result, *, lang: str = "en", basemap: str = "osm", offline: bool = True,
               date: str | None = None) -> PlanMap:
    """Draw an :class:`~geoplan.emergency_access.result.AccessResult` as an interactive map."""
    vehicle = result.vehicle
    target = result.profile.target_s
    pm = PlanMap(result.study_name, lang=lang, basemap=basemap, offline=offline, preset_name=result.preset_name,
                 sources=list(result.sources), subtitle=t(f"subtitle.{vehicle}", lang), date=date)
    mins = t("unit.min", lang)
    group = "group.access"

    # roads: passable now by response band; impassable; obstructed
    roads = result.roads
    ok = roads.loc[roads["passable_now"].to_numpy(dtype=bool)].copy()
    ok["_detail"] = [f"{t('access.passable', lang)} · {t('access.width', lang)} {w:.1f} m ({s})"
                     for w, s in zip(ok["width_m"], ok["width_source"])]
    top = float(np.nanmax(ok["response_s"])) if len(ok) and np.isfinite(ok["response_s"]).any() else 2 * target
    bins = [0.0, target * 0.5, target * 0.8, target, 1.5 * target, max(top + 1.0, 1.5 * target + 60.0)]
    pm.add_layer(ok, name_key="layer.roads_passable", group=group, kind="lines",
                 graduated=Graduated("response_s", bins, BAND_COLORS, fmt="min"),
                 style={"weight": 3, "opacity": 0.85},
                 tooltip=[Field("name", "field.name"), Field("highway", "field.highway"),
                          Field("response_s", "field.response_time", "min"), Field("_detail", "field.status")], fit=False)
    bad = roads.loc[~roads["passable"].to_numpy(dtype=bool)].copy()
    if len(bad):
        bad["_detail"] = [f"{t('access.impassable', lang)}: {r}" for r in bad["reason"]]
        pm.add_layer(bad, name_key="layer.roads_impassable", group=group, kind="lines",
                     style={"color": "#b2182b", "weight": 2, "opacity": 0.75, "dashArray": "2 4"},
                     tooltip=[Field("name", "field.name"), Field("highway", "field.highway"),
                              Field("_detail", "field.status")], fit=False)
    shut = roads.loc[roads["passable"].to_numpy(dtype=bool) & (roads["obstructed_by"] != "").to_numpy()].copy()
    if len(shut):
        shut["_detail"] = [f"{t('access.obstructed', lang)} {o}" for o in shut["obstructed_by"]]
        pm.add_layer(shut, name_key="layer.roads_obstructed", group=group, kind="lines",
                     style={"color": "#67001f", "weight": 5, "opacity": 0.9},
                     tooltip=[Field("name", "field.name"), Field("_detail", "field.status")], fit=False)

    # buildings by status
    b = result.buildings.copy()
    b["_detail"] = [c if c else "" for c in b["cause"]]
    pm.add_layer(b, name_key="layer.access_buildings", group=group, kind="polygons", color_by="status",
                 categories={s: (c, f"status.{s}") for s, c in STATUS_COLORS.items()},
                 style={"weight": 0.8, "fillOpacity": 0.8, "color": "#555555"},
                 tooltip=[Field("name", "field.name"), Field("status", "field.status", "status"),
                          Field("response_s", "field.response_time", "min"), Field("population", "field.population", "people"),
                          Field("community", "field.community")],
                 popup=[Field("building_id", "field.id"), Field("_detail", "field.status"),
                        Field("last_leg_m", "field.distance", "m")])

    # critical links and dead ends
    crit = result.critical_links
    if len(crit):
        crit = crit.copy()
        crit["_detail"] = [f"{t('access.cuts_off', lang)} {r:,.0f} {t('access.people', lang)} ({n} {t('access.buildings', lang)})"
                           for r, n in zip(crit["residents_cut_off"], crit["buildings_cut_off"])]
        pm.add_layer(crit, name_key="layer.critical_links", group=group, kind="lines",
                     style={"color": "#6a3d9a", "weight": 7, "opacity": 0.75},
                     tooltip=[Field("link_id", "field.id"), Field("name", "field.name"),
                              Field("_detail", "field.status")], fit=False)
    dead = result.dead_ends
    if len(dead):
        dead = dead.copy()
        dead["_detail"] = [f"{t('access.dead_end', lang)} {m:.0f} m > {result.summary.get('dead_end_max_m', 40):g} m"
                           for m in dead["length_m"]]
        pm.add_layer(dead, name_key="layer.dead_ends", group=group, kind="lines", show=False,
                     style={"color": "#ff7f00", "weight": 4, "opacity": 0.9, "dashArray": "8 4"},
                     tooltip=[Field("dead_end_id", "field.id"), Field("_detail", "field.status"),
                              Field("residents", "field.population", "people")], fit=False)

    # obstructions with their rank
    obs = result.obstructions
    if len(obs):
        obs = obs.copy()
        obs["_detail"] = [
            (f"{t('access.rank', lang)} {rk} · {t('access.restores', lang)} {r:,.0f} {t('access.people', lang)}" if ap
             else f"{t('access.not_applied', lang)}: {note}")
            for rk, r, ap, note in zip(obs["rank"], obs["residents_restored_if_cleared"], obs["applied"], obs["note"])]
        obs["_applied"] = obs["applied"].astype(bool)
        pm.add_layer(obs, name_key="layer.obstructions", group=group, kind="lines", color_by="_applied",
                     categories={True: ("#a50026", t("access.applied", lang)), False: ("#969696", t("access.not_applied", lang))},
                     style={"weight": 5, "opacity": 0.95, "fillOpacity": 0.3, "radius": 8},
                     radius_by=None,
                     tooltip=[Field("obstruction_id", "field.id"), Field("name", "field.name"),
                              Field("kind", "field.kind", "obstruction"), Field("_detail", "field.status")])
        ranked = obs.loc[obs["_applied"].to_numpy()].copy()
        if len(ranked):
            ranked["_rank_label"] = [f"#{r}" for r in ranked["rank"]]
            ranked = ranked.set_geometry(ranked.geometry.representative_point())
            pm.add_layer(ranked, name_key="layer.clearing_rank", group=group, kind="points",
                         style={"radius": 3, "color": "#a50026", "fillColor": "#a50026"},
                         tooltip=[Field("_rank_label", "field.id")], permanent_labels=True, legend=False, fit=False)

    # stations
    st = result.stations
    if len(st):
        pm.add_layer(st, name_key="layer.stations", group=group, kind="points", color_by="kind",
                     categories={k: (c, f"station.{k}") for k, c in STATION_COLORS.items()},
                     style={"radius": 9, "weight": 2, "color": "#ffffff"},
                     tooltip=[Field("name", "field.name"), Field("kind", "field.kind", "station"),
                              Field("station_id", "field.id")])

    # routes of affected buildings (switch on to see)
    routes = result.routes
    if len(routes):
        routes = routes.copy()
        routes["_detail"] = [
            f"{t('access.route_from', lang)} {s} · {_minutes(d)} {mins} · {t('access.narrowest', lang)} "
            + ("–" if not np.isfinite(w) else f"{w:.1f} m") + (f" (way {wy})" if wy is not None else "")
            for s, d, w, wy in zip(routes["station_id"], routes["drive_s"], routes["narrowest_m"],
                                   routes["narrowest_way_id"])]
        pm.add_layer(routes, name_key="layer.routes", group=group, kind="lines", show=False, color_by="status",
                     categories={s: (c, f"status.{s}") for s, c in STATUS_COLORS.items()},
                     style={"weight": 3, "opacity": 0.9, "dashArray": "6 3"},
                     tooltip=[Field("building_id", "field.id"), Field("status", "field.status", "status")],
                     popup=[Field("_detail", "field.drive_time")], fit=False)
    return pm
