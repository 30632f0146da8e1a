"""The emergency access audit: :func:`access`.

For one vehicle (fire truck or ambulance) it answers, for every residential building: how
long until the vehicle arrives, and if it is late or cannot come, why; which obstruction to
clear first; and which single road links and long dead ends put residents at risk.

Three networks are searched, each once, from all stations of the vehicle's kind together:

* ``unrestricted`` — every drivable road, ignoring width, height, access and barriers (to
  name the bottleneck when the vehicle cannot pass);
* ``baseline`` — the roads the vehicle can pass (:mod:`geoplan.emergency_access.passability`);
* ``now`` — the baseline minus the roads closed by the active obstructions.

Statuses, in order of precedence: ``unreachable`` (no passable route in the baseline),
``far_from_road`` (the nearest passable road is farther than the hose / stretcher distance),
``blocked`` (reachable in the baseline but not now, or now late only because of obstructions),
``slow`` (driving time over the target), ``ok``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import ops

from geoplan.emergency_access.clearing import Clearing, blocked, clearing_analysis
from geoplan.emergency_access.critical import critical_links, dead_ends
from geoplan.emergency_access.obstructions import Placement, place_obstructions
from geoplan.emergency_access.passability import VEHICLES, judge_edges, vehicle_profile
from geoplan.emergency_access.response import Costs, Scenarios, route_line
from geoplan.emergency_access.result import AccessResult
from geoplan.errors import InputError

STATUSES: tuple[str, ...] = ("ok", "slow", "far_from_road", "blocked", "unreachable")

_KIND_WORDS = {"fire": "fire stations", "ambulance": "ambulance posts or emergency hospitals"}


def read_scenario(path: str | Path, study, *, encoding: str | None = None) -> gpd.GeoDataFrame:
    """Read a what-if obstructions file (any layer format) into the study's CRS.

    Its features get ids ``X1``, ``X2``… so they never clash with the layer's ``O1``….
    """
    from geoplan.layers import read_layer_file

    path = Path(path)
    if not path.exists():
        raise InputError("scenario file not found", source=path,
                         fix="give --scenario a GeoJSON, GeoPackage, Shapefile or CSV of obstructions")
    frame, notes = read_layer_file(path, "obstructions", crs=study.crs, area=study.area, encoding=encoding,
                                   categories=list(study.preset.categories))
    if frame is None or not len(frame):
        return study.obstructions.iloc[0:0].copy()
    frame = frame.reset_index(drop=True)
    frame.insert(0, "obstruction_id", [f"X{i + 1}" for i in range(len(frame))])
    frame.attrs["warnings"] = list(notes)
    return frame


def _aligned_edges(study, full) -> pd.DataFrame:
    edges = study.drive.edges
    table = pd.DataFrame(edges.drop(columns=edges.geometry.name)).set_index(["u", "v", "key"])
    table = table.reindex(full.edge_keys).reset_index()
    table["geometry"] = edges.set_index(["u", "v", "key"]).geometry.reindex(full.edge_keys).to_numpy()
    return table


def _way_id(value) -> object:
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _lonlat(geoms, crs) -> tuple[np.ndarray, np.ndarray]:
    if len(geoms) == 0:
        return np.zeros(0), np.zeros(0)
    pts = gpd.GeoSeries(list(geoms), crs=crs).to_crs("EPSG:4326")
    return np.round(pts.x.to_numpy(), 7), np.round(pts.y.to_numpy(), 7)


def _fmt_min(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def access(study, *, vehicle: str = "fire", scenario: gpd.GeoDataFrame | str | Path | None = None,
           obstructions: bool = True, routes: str = "affected", clearing: bool = True,
           progress: Callable[[str], None] | None = None, **profile_overrides) -> AccessResult:
    """Audit emergency-vehicle access to every residential building of a study.

    Parameters
    ----------
    study
        A :class:`geoplan.study.Study`.
    vehicle
        ``"fire"`` (GB 50016 4 m × 4 m, GB 51080 5-minute rule) or ``"ambulance"``.
    scenario
        Extra obstructions for a what-if run: a GeoDataFrame in any CRS or a layer file.
    obstructions
        Apply the study's obstructions layer; ``False`` gives the baseline (a ``scenario`` still
        applies).
    routes
        ``"affected"`` (routes of every building that is not ``ok``), ``"all"`` or ``"none"``.
    clearing
        Run the what-to-clear-first analysis (one search per obstruction).
    progress
        Called with a short message before each long step.
    **profile_overrides
        Any :class:`~geoplan.emergency_access.passability.VehicleProfile` field, e.g. ``min_width_m=3.5``.

    Returns
    -------
    AccessResult
        Tables (``buildings``, ``obstructions``, ``critical_links``, ``dead_ends``, ``roads``,
        ``routes``, ``stations``), ``summary``, ``to_file()`` and ``to_map()``.

    Raises
    ------
    geoplan.errors.InputError
        When the study has no station of the vehicle's kind.
    """
    say = progress or (lambda message: None)
    if vehicle not in VEHICLES:
        raise InputError(f"unknown vehicle {vehicle!r}", fix=f"use one of: {', '.join(VEHICLES)}")
    if routes not in ("affected", "all", "none"):
        raise ValueError("routes must be 'affected', 'all' or 'none'")
    preset = study.preset
    profile = vehicle_profile(preset, vehicle, **profile_overrides)
    warnings: list[str] = []

    # ---------------------------------------------------------------- stations
    st_all = study.stations
    kind = st_all["kind"].astype(object) if len(st_all) else pd.Series(dtype=object)
    stations = st_all.loc[kind.isin(profile.station_kinds).to_numpy()].reset_index(drop=True)
    if not len(stations):
        raise InputError(
            f"no {_KIND_WORDS[vehicle]} in the OpenStreetMap data or the layers, so {vehicle} response "
            "cannot be computed",
            fix=f"add a stations layer (e.g. layers/stations.geojson, points with kind: "
                f"{' or '.join(profile.station_kinds)}) to your --layers folder; see layers/README.md")

    # ---------------------------------------------------------------- passability
    say(f"judging road widths, heights, access and barriers for {vehicle} vehicles")
    full = study.drive.compiled
    edges = _aligned_edges(study, full)
    judged = judge_edges(edges, study.drive.nodes, profile)
    impassable = ~judged["passable"].to_numpy()
    edge_geometry = edges["geometry"].to_numpy()

    # ---------------------------------------------------------------- obstructions
    frames = []
    if obstructions and len(study.obstructions):
        frames.append(study.obstructions)
    if scenario is not None:
        if isinstance(scenario, (str, Path)):
            extra = read_scenario(scenario, study)
            warnings += extra.attrs.get("warnings", [])
        else:
            extra = scenario.to_crs(study.crs).reset_index(drop=True)
            if "obstruction_id" not in extra:
                extra.insert(0, "obstruction_id", [f"X{i + 1}" for i in range(len(extra))])
        if len(extra):
            frames.append(extra)
    obs = (gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=study.crs)
           if frames else gpd.GeoDataFrame({"obstruction_id": pd.Series(dtype=object)},
                                           geometry=gpd.GeoSeries([], crs=study.crs), crs=study.crs))
    residents = study.residents
    placement = place_obstructions(obs, full, residents, tolerance_m=preset.passability.obstruction_snap_m,
                                   highway=edges["highway"].astype(object).to_numpy()) if len(obs) \
        else Placement.empty()
    warnings += list(placement.warnings)
    active = placement.table["applied"].to_numpy(dtype=bool) if len(obs) else np.zeros(0, dtype=bool)

    # ---------------------------------------------------------------- response
    say(f"searching {vehicle} response from {len(stations)} stations")
    geoms = residents.geometry.to_numpy()
    station_geoms = stations.geometry.to_numpy()
    scen = Scenarios(full, impassable, placement, geoms, station_geoms, max_snap_m=preset.max_snap_m)
    bsnap = scen.buildings
    base = scen.run(np.zeros_like(active))
    now = scen.run(active) if active.any() else base
    free = Scenarios(full, np.zeros(len(full.edge_u), dtype=bool), Placement.empty(), geoms, station_geoms,
                     max_snap_m=preset.max_snap_m)
    unres = free.run()
    if not base.stations.ok.any():
        raise InputError(f"every {vehicle} station is farther than {preset.max_snap_m:g} m from a road the "
                         "vehicle can use", fix="check the stations layer's coordinates and CRS")
    for i in np.flatnonzero(~base.stations.ok):
        warnings.append(f"station {stations['station_id'].iloc[i]} is farther than {preset.max_snap_m:g} m from "
                        "a passable road and was left out")

    population = residents["population"].to_numpy(dtype=float)
    last_leg = bsnap.distance_m
    target = profile.target_drive_s
    base_s, now_s = base.drive_s, now.drive_s
    # farther than the snap limit from every passable road: far from road, not "unreachable"
    unsnapped = ~bsnap.ok & np.isfinite(last_leg)
    unreachable = ~np.isfinite(base_s) & ~unsnapped
    far = ~unreachable & (last_leg > profile.last_leg_m)
    eligible = ~unreachable & ~far
    is_blocked = blocked(now_s, base_s, target, eligible)
    slow = eligible & ~is_blocked & (now_s > target)
    status = np.full(len(residents), "ok", dtype=object)
    status[slow] = "slow"
    status[is_blocked] = "blocked"
    status[far] = "far_from_road"
    status[unreachable] = "unreachable"

    # ---------------------------------------------------------------- clearing
    n_obs = len(placement.table)
    candidates = np.zeros(n_obs, dtype=bool)
    if n_obs:
        closes_passable = np.zeros(n_obs, dtype=bool)
        if len(placement.closures):
            c = placement.closures
            useful = ~impassable[c["edge"].to_numpy(np.int64)]
            closes_passable[np.unique(c["obstruction"].to_numpy(np.int64)[useful])] = True
        candidates = active & (closes_passable | (placement.table["buildings_inside"].to_numpy() > 0))
    if clearing and n_obs and is_blocked.any():
        say("working out which obstruction to clear first")
        clear = clearing_analysis(scen, active, candidates, base_s=base_s, target_s=target, eligible=eligible,
                                  population=population, progress=say)
    else:
        clear = Clearing(np.zeros(n_obs), np.zeros(n_obs, dtype=np.int64), {}, [], [], [], 0)

    # ---------------------------------------------------------------- why
    say("explaining delays and assembling routes")
    width = judged["width_m"].to_numpy()
    reason = judged["reason"].to_numpy()
    way = np.array([_way_id(v) for v in edges["osmid"].to_numpy()], dtype=object)
    obs_ids = placement.table["obstruction_id"].astype(str).to_numpy() if n_obs else np.zeros(0, dtype=object)
    obs_kind = placement.table["kind"].astype(object).to_numpy() if n_obs else np.zeros(0, dtype=object)
    closures_of_edge: dict[int, list[int]] = {}
    if len(placement.closures):
        for o, e in zip(placement.closures["obstruction"].to_numpy(np.int64), placement.closures["edge"].to_numpy(np.int64)):
            if active[o]:
                closures_of_edge.setdefault(int(e), []).append(int(o))
    inside_of: dict[int, list[int]] = {}
    if len(placement.inside):
        for o, r in zip(placement.inside["obstruction"].to_numpy(np.int64), placement.inside["resident"].to_numpy(np.int64)):
            if active[o]:
                inside_of.setdefault(int(r), []).append(int(o))
    restorers: dict[int, list[int]] = {}
    for o, idx in clear.restores.items():
        for b in idx.tolist():
            restorers.setdefault(b, []).append(o)

    def describe_obs(os_: list[int]) -> str:
        return ", ".join(f"{obs_ids[o]} ({obs_kind[o]})" for o in sorted(set(os_)))

    def bottleneck(route_e: np.ndarray) -> str:
        bad = [e for e in route_e.tolist() if impassable[e]]
        seen, parts = set(), []
        for e in sorted(bad, key=lambda e: (width[e], e)):
            key = (way[e], reason[e])
            if key in seen:
                continue
            seen.add(key)
            parts.append(f"{reason[e]} on way {way[e]}")
        return "; ".join(parts[:3]) + (f"; +{len(parts) - 3} more" if len(parts) > 3 else "")

    st_ids = stations["station_id"].astype(str).to_numpy()
    cause = np.full(len(residents), "", dtype=object)
    cause_obs = np.full(len(residents), "", dtype=object)
    route_rows = []
    for i in range(len(residents)):
        s = status[i]
        if s == "ok" and routes != "all":
            continue
        # choose the route that explains the status
        if s == "blocked":
            costs, net_name = base, "baseline"
        elif s == "unreachable":
            costs, net_name = unres, "unrestricted"
        else:
            costs, net_name = now, "now"
        line, route_e = (None, np.zeros(0, dtype=np.int64))
        if costs.end[i]:
            snaps = free.buildings if costs is unres else bsnap
            bnet = free.base if costs is unres else scen.base
            line, route_e = route_line(costs, bnet, snaps, i, edge_geometry)
        if s == "blocked":
            inside = inside_of.get(i, [])
            alone = restorers.get(i, [])
            on_route = sorted({o for e in route_e.tolist() for o in closures_of_edge.get(e, [])})
            if inside:
                text = f"inside {describe_obs(inside)}"
                ids = inside
            elif alone:
                text = f"obstruction {describe_obs(alone)}: clearing it alone restores access"
                ids = alone
            elif on_route:
                text = f"obstructions {describe_obs(on_route)} together (on the baseline route)"
                ids = on_route
            else:
                ids = [o for o in range(n_obs) if active[o]]
                text = "several obstructions together"
            if not np.isfinite(now_s[i]):
                text += " — no route now"
            else:
                text += f" — now {_fmt_min(now_s[i])} driving, baseline {_fmt_min(base_s[i])}"
            cause[i] = text
            cause_obs[i] = ";".join(obs_ids[o] for o in sorted(set(ids)))
        elif s == "unreachable":
            if np.isfinite(unres.drive_s[i]):
                cause[i] = f"no route {vehicle} vehicles can pass: {bottleneck(route_e)}"
            else:
                cause[i] = "no road connects it to a station" if free.buildings.ok[i] else \
                    f"no road within {preset.max_snap_m:g} m"
        elif s == "far_from_road":
            text = f"nearest passable road {last_leg[i]:.0f} m away > {profile.last_leg_m:g} m " + \
                ("hose" if vehicle == "fire" else "stretcher") + " distance"
            fs = free.buildings
            if fs.ok[i] and fs.distance_m[i] + 1.0 < last_leg[i]:
                seg = fs.segment[i]
                e = int(free.base.seg_fwd[seg])
                if impassable[e]:
                    text += f"; the nearest road ({fs.distance_m[i]:.0f} m, way {way[e]}) is impassable: {reason[e]}"
            cause[i] = text
        elif s == "slow":
            extra = ""
            if unres.drive_s[i] <= target:
                uroute = route_line(unres, free.base, free.buildings, i, edge_geometry)[1]
                extra = f"; a {_fmt_min(unres.drive_s[i])} route exists but is blocked by {bottleneck(uroute)}"
            cause[i] = f"{_fmt_min(now_s[i])} driving > {_fmt_min(target)} target{extra}"
        if routes != "none" and line is not None:
            widths = width[route_e] if len(route_e) else np.zeros(0)
            k = int(np.argmin(widths)) if len(widths) else -1
            route_rows.append({
                "building_id": str(residents["resident_id"].iloc[i]),
                "status": s,
                "network": net_name,
                "station_id": st_ids[costs.station[i]] if costs.station[i] >= 0 else None,
                "drive_s": float(costs.drive_s[i]),
                "length_m": float(line.length),
                "narrowest_m": float(widths[k]) if k >= 0 else np.nan,
                "narrowest_way_id": way[route_e[k]] if k >= 0 else None,
                "narrowest_source": judged["width_source"].to_numpy()[route_e[k]] if k >= 0 else None,
                "obstructions_on_route": ";".join(obs_ids[o] for o in sorted(
                    {o for e in route_e.tolist() for o in closures_of_edge.get(e, [])})),
                "geometry": line,
            })

    # ---------------------------------------------------------------- buildings table
    rep = residents.representative_point()
    lon, lat = _lonlat(rep.to_numpy(), study.crs)
    turnout = profile.turnout_s
    station_now = np.where(now.station >= 0, st_ids[np.maximum(now.station, 0)], None)
    buildings = gpd.GeoDataFrame({
        "building_id": residents["resident_id"].astype(str).to_numpy(),
        "lon": lon, "lat": lat,
        "population": population,
        "community": residents["community"].astype(object).to_numpy(),
        "station_id": station_now,
        "response_s": np.where(np.isfinite(now_s), now_s + turnout, np.nan),
        "baseline_response_s": np.where(np.isfinite(base_s), base_s + turnout, np.nan),
        "last_leg_m": np.where(np.isfinite(last_leg), last_leg, np.nan),
        "status": status,
        "cause": cause,
        "name": residents["name"].astype(object).to_numpy(),
        "vehicle": vehicle,
        "drive_s": np.where(np.isfinite(now_s), now_s, np.nan),
        "baseline_drive_s": np.where(np.isfinite(base_s), base_s, np.nan),
        "target_s": profile.target_s,
        "cause_obstructions": cause_obs,
        "population_source": residents["population_source"].astype(object).to_numpy(),
    }, geometry=residents.geometry.to_numpy(), crs=study.crs)

    # ---------------------------------------------------------------- obstructions table
    obs_table = _obstruction_table(placement, obs, clear, study.crs)

    # ---------------------------------------------------------------- critical links, dead ends
    say("finding single points of failure and long dead ends")
    now_net = now.network
    seg_now = np.full(len(full.edge_u), -1, dtype=np.int64)
    seg_now[now_net.seg_fwd] = np.arange(len(now_net.seg_fwd))
    hb = now_net.seg_bwd >= 0
    seg_now[now_net.seg_bwd[hb]] = np.flatnonzero(hb)
    bseg = np.where(bsnap.ok, bsnap.segment, 0)
    b_node = np.where(now.end == "v", scen.base.seg_v[bseg], scen.base.seg_u[bseg])
    b_node = np.where(np.isfinite(now_s), b_node, -1)
    b_seg_now = np.where(bsnap.ok, seg_now[scen.base.seg_fwd[bseg]], -1)
    crit = critical_links(now_net, station_segments=now.stations.segment[now.stations.ok],
                          building_node=b_node, building_segment=b_seg_now, population=population)
    crit_table = _critical_table(crit, now_net, way, edges, study.crs)
    node_hw = study.drive.nodes["highway"].reindex(scen.base.node_ids).astype(object).to_numpy() \
        if "highway" in study.drive.nodes else np.full(scen.base.n_nodes, None, dtype=object)
    dead = dead_ends(scen.base, node_highway=node_hw, area=study.area, max_length_m=preset.passability.dead_end_max_m,
                     building_segment=np.where(bsnap.ok, bsnap.segment, -1), population=population)
    dead_table = _dead_end_table(dead, scen.base, way, study.crs)

    # ---------------------------------------------------------------- roads
    roads = _roads_table(full, judged, edges, way, impassable, closures_of_edge, obs_ids, now, turnout, study.crs)
    stations_table = _stations_table(stations, base, now, study.crs)
    routes_gdf = gpd.GeoDataFrame(route_rows, geometry="geometry", crs=study.crs) if route_rows else \
        gpd.GeoDataFrame({"building_id": pd.Series(dtype=object)}, geometry=gpd.GeoSeries([], crs=study.crs),
                         crs=study.crs)

    counts = {s: int((status == s).sum()) for s in STATUSES}
    people = {s: float(round(population[status == s].sum(), 1)) for s in STATUSES}
    summary = {
        "vehicle": vehicle,
        "preset": preset.name,
        "min_width_m": profile.min_width_m,
        "min_height_m": profile.min_height_m,
        "turnout_s": profile.turnout_s,
        "target_drive_s": profile.target_drive_s,
        "last_leg_m": profile.last_leg_m,
        "stations": int(base.stations.ok.sum()),
        "buildings": int(len(residents)),
        "population": float(round(population.sum(), 1)),
        "buildings_by_status": counts,
        "residents_by_status": people,
        "obstructions": int(n_obs),
        "obstructions_applied": int(active.sum()),
        "roads_impassable": int((~judged["passable"]).sum()),
        "critical_links": int(len(crit_table)),
        "dead_ends": int(len(dead_table)),
        "clearing_searches": int(clear.searches),
        "clearing_note": clear.note,
        "drive_nodes": int(full.n_nodes),
        "drive_edges": int(len(full.edge_u)),
    }
    return AccessResult(
        study_name=study.name, crs=study.crs, preset_name=preset.name, sources=tuple(study.sources),
        vehicle=vehicle, profile=profile, buildings=buildings, obstructions=obs_table,
        critical_links=crit_table, dead_ends=dead_table, roads=roads, routes=routes_gdf, stations=stations_table,
        summary=summary, warnings=tuple(warnings), lang=study.lang)


def _obstruction_table(placement: Placement, obs: gpd.GeoDataFrame, clear: Clearing, crs) -> gpd.GeoDataFrame:
    t = placement.table.copy()
    n = len(t)
    t["residents_restored_if_cleared"] = np.round(clear.restored_alone, 1) if n else np.zeros(0)
    t["buildings_restored_if_cleared"] = clear.buildings_alone if n else np.zeros(0, dtype=np.int64)
    step = np.full(n, np.nan)
    gain = np.full(n, np.nan)
    cum = np.full(n, np.nan)
    for k, o in enumerate(clear.order):
        step[o], gain[o], cum[o] = k + 1, clear.gain[k], clear.cumulative[k]
    t["clear_order"] = step
    t["residents_restored_in_order"] = np.round(gain, 1)
    t["cumulative_residents_restored"] = np.round(cum, 1)
    # rank: most residents restored alone first; ties by the greedy order, then input order
    key = pd.DataFrame({"r": -t["residents_restored_if_cleared"].to_numpy(dtype=float),
                        "s": np.where(np.isnan(step), np.inf, step), "i": np.arange(n)})
    order = key.sort_values(["r", "s", "i"]).index.to_numpy()
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    t["rank"] = rank
    first = ["obstruction_id", "kind", "residents_restored_if_cleared", "rank"]
    t = t[first + [c for c in t.columns if c not in first]]
    geom = obs.geometry.to_numpy() if len(obs) else []
    return gpd.GeoDataFrame(t, geometry=gpd.GeoSeries(list(geom), crs=crs), crs=crs)


def _critical_table(crit: pd.DataFrame, net, way, edges, crs) -> gpd.GeoDataFrame:
    if not len(crit):
        return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in
                                 ("link_id", "osm_way_id", "residents_cut_off", "lon", "lat", "buildings_cut_off",
                                  "length_m", "highway", "name")}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    geoms, ways, main = [], [], []
    for segs in crit["segments"]:
        segs = np.asarray(segs, dtype=np.int64)
        lens = shapely.length(net.seg_geometry[segs])
        merged = ops.linemerge(list(net.seg_geometry[segs])) if len(segs) > 1 else net.seg_geometry[segs[0]]
        geoms.append(merged)
        main.append(int(net.seg_fwd[segs[int(np.argmax(lens))]]))
        ways.append(";".join(dict.fromkeys(str(way[net.seg_fwd[s]]) for s in segs)))
    main = np.asarray(main, dtype=np.int64)
    mid = np.array([g.interpolate(0.5, normalized=True) for g in geoms], dtype=object)
    lon, lat = _lonlat(mid, crs)
    return gpd.GeoDataFrame({
        "link_id": [f"L{i + 1}" for i in range(len(crit))],
        "osm_way_id": way[main],
        "residents_cut_off": np.round(crit["residents_cut_off"].to_numpy(float), 1),
        "lon": lon, "lat": lat,
        "buildings_cut_off": crit["buildings_cut_off"].to_numpy(np.int64),
        "length_m": np.round([g.length for g in geoms], 1),
        "highway": edges["highway"].astype(object).to_numpy()[main],
        "name": edges["name"].astype(object).to_numpy()[main] if "name" in edges else None,
        "osm_way_ids": ways,
    }, geometry=geoms, crs=crs)


def _dead_end_table(dead: pd.DataFrame, net, way, crs) -> gpd.GeoDataFrame:
    if not len(dead):
        return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in
                                 ("dead_end_id", "osm_way_id", "length_m", "residents", "buildings", "lon", "lat")},
                                geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    ends = dead["end_node"].to_numpy(np.int64)
    pts = shapely.points(net.node_x[ends], net.node_y[ends])
    lon, lat = _lonlat(pts, crs)
    first_seg = np.array([s[0] for s in dead["segments"]], dtype=np.int64)
    return gpd.GeoDataFrame({
        "dead_end_id": [f"D{i + 1}" for i in range(len(dead))],
        "osm_way_id": way[net.seg_fwd[first_seg]],
        "length_m": np.round(dead["length_m"].to_numpy(float), 1),
        "residents": np.round(dead["residents"].to_numpy(float), 1),
        "buildings": dead["buildings"].to_numpy(np.int64),
        "lon": lon, "lat": lat,
        "turnaround": False,
    }, geometry=list(dead["geometry"]), crs=crs)


def _roads_table(full, judged, edges, way, impassable, closures_of_edge, obs_ids, now: Costs, turnout, crs):
    e = full.seg_fwd
    r = full.seg_bwd
    obstructed = []
    for f, b in zip(e.tolist(), r.tolist()):
        os_ = set(closures_of_edge.get(f, [])) | (set(closures_of_edge.get(b, [])) if b >= 0 else set())
        obstructed.append(";".join(obs_ids[o] for o in sorted(os_)))
    obstructed = np.array(obstructed, dtype=object)
    passable = ~impassable[e]
    open_now = passable & (obstructed == "")
    cost = np.minimum(now.reach.node_cost[full.seg_u], now.reach.node_cost[full.seg_v])
    response = np.where(open_now & np.isfinite(cost), cost + turnout, np.nan)
    return gpd.GeoDataFrame({
        "osm_way_id": way[e],
        "highway": edges["highway"].astype(object).to_numpy()[e],
        "name": edges["name"].astype(object).to_numpy()[e] if "name" in edges else None,
        "oneway": r < 0,
        "length_m": np.round(shapely.length(full.seg_geometry), 1),
        "width_m": np.round(judged["width_m"].to_numpy()[e], 2),
        "width_source": judged["width_source"].to_numpy()[e],
        "height_m": judged["height_m"].to_numpy()[e],
        "passable": passable,
        "reason": judged["reason"].to_numpy()[e],
        "obstructed_by": obstructed,
        "passable_now": open_now,
        "response_s": np.round(response, 1),
    }, geometry=list(full.seg_geometry), crs=crs)


def _stations_table(stations, base: Costs, now: Costs, crs) -> gpd.GeoDataFrame:
    served = np.bincount(now.station[now.station >= 0], minlength=len(stations)) if len(stations) else []
    return gpd.GeoDataFrame({
        "station_id": stations["station_id"].astype(str).to_numpy(),
        "kind": stations["kind"].astype(object).to_numpy(),
        "name": stations["name"].astype(object).to_numpy() if "name" in stations else None,
        "source": stations["source"].astype(object).to_numpy() if "source" in stations else None,
        "road_distance_m": np.round(np.where(np.isfinite(base.stations.distance_m), base.stations.distance_m, np.nan), 1),
        "used": base.stations.ok,
        "buildings_served": served,
    }, geometry=stations.geometry.to_numpy(), crs=crs)
