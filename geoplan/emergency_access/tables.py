"""The audit's output tables, in the study CRS (the result exports them in WGS-84).

Sentence columns (``cause``, ``note``, ``reason``) are rendered in English here; the result keeps
their :class:`geoplan.i18n.Message` objects (``AccessResult.messages``) and renders them again in
the language a table or map is written in. ``*_code`` columns beside them never change.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import ops

from geoplan.emergency_access._text import code_of, message, render_all
from geoplan.emergency_access.clearing import Clearing
from geoplan.emergency_access.obstructions import Placement
from geoplan.emergency_access.response import Costs
from geoplan.emergency_access.vulnerable import restored_vulnerable, vulnerable_residents


def way_id(value) -> object:
    """The OSM way id of an edge's ``osmid`` (the first of a merged list)."""
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def lonlat(geoms, crs) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 longitude and latitude of points, 7 decimals (≈ 1 cm)."""
    if len(geoms) == 0:
        return np.zeros(0), np.zeros(0)
    pts = gpd.GeoSeries(list(geoms), crs=crs).to_crs("EPSG:4326")
    return np.round(pts.x.to_numpy(), 7), np.round(pts.y.to_numpy(), 7)


def aligned_edges(study, full) -> pd.DataFrame:
    """The drive network's edge table in the compiled network's edge order."""
    edges = study.drive.edges
    table = pd.DataFrame(edges.drop(columns=edges.geometry.name)).set_index(["u", "v", "key"])
    table = table.reindex(full.edge_keys).reset_index()
    table["geometry"] = edges.set_index(["u", "v", "key"]).geometry.reindex(full.edge_keys).to_numpy()
    return table


def obstruction_table(placement: Placement, obs: gpd.GeoDataFrame, clear: Clearing, causes: list, crs, *,
                      vulnerable: np.ndarray, weight: str = "residents") -> gpd.GeoDataFrame:
    """One row per obstruction: what clearing it restores, its rank and why it does or does not apply.

    ``weight="vulnerable"`` ranks by ``vulnerable_restored_if_cleared`` first (then residents).
    """
    t = placement.table.copy()
    n = len(t)
    t["residents_restored_if_cleared"] = np.round(clear.restored_alone, 1) if n else np.zeros(0)
    t["vulnerable_restored_if_cleared"] = restored_vulnerable(clear.restores, vulnerable, n)
    t["buildings_restored_if_cleared"] = clear.buildings_alone if n else np.zeros(0, dtype=np.int64)
    step = np.full(n, np.nan)
    gain = np.full(n, np.nan)
    cum = np.full(n, np.nan)
    for k, o in enumerate(clear.order):
        step[o], gain[o], cum[o] = k + 1, clear.gain[k], clear.cumulative[k]
    t["clear_order"] = step
    t["residents_restored_in_order"] = np.round(gain, 1)
    t["cumulative_residents_restored"] = np.round(cum, 1)
    # rank: most residents (or vulnerable residents) restored alone first; ties by the greedy order, then input order
    key = pd.DataFrame({"v": -t["vulnerable_restored_if_cleared"].to_numpy(dtype=float),
                        "r": -t["residents_restored_if_cleared"].to_numpy(dtype=float),
                        "s": np.where(np.isnan(step), np.inf, step), "i": np.arange(n)})
    by = ["v", "r", "s", "i"] if weight == "vulnerable" else ["r", "s", "i"]
    order = key.sort_values(by).index.to_numpy()
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    t["rank"] = rank
    first = ["obstruction_id", "kind", "residents_restored_if_cleared", "rank"]
    t = t[first + [c for c in t.columns if c not in first]]
    t["note"] = render_all(t["note"])
    t["cause"] = render_all(causes)
    t["cause_code"] = [code_of(c) for c in causes]
    geom = obs.geometry.to_numpy() if len(obs) else []
    return gpd.GeoDataFrame(t, geometry=gpd.GeoSeries(list(geom), crs=crs), crs=crs)


def critical_table(crit: pd.DataFrame, net, way, edges, crs) -> gpd.GeoDataFrame:
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
    lon, lat = lonlat(mid, crs)
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


def dead_end_table(dead: pd.DataFrame, net, way, crs) -> gpd.GeoDataFrame:
    if not len(dead):
        return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in
                                 ("dead_end_id", "osm_way_id", "length_m", "residents", "buildings", "lon", "lat")},
                                geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    ends = dead["end_node"].to_numpy(np.int64)
    pts = shapely.points(net.node_x[ends], net.node_y[ends])
    lon, lat = lonlat(pts, crs)
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


def _first_codes(reasons: np.ndarray) -> np.ndarray:
    """The code of each road's first reason (``""`` when passable), once per distinct (shared) reason list."""
    ids = np.fromiter(map(id, reasons), dtype=np.int64, count=len(reasons))
    _, first, back = np.unique(ids, return_index=True, return_inverse=True)
    codes = np.array([code_of(reasons[i].items[0]) if reasons[i] is not None else "" for i in first.tolist()],
                     dtype=object)
    return codes[back.reshape(-1)] if len(reasons) else np.zeros(0, dtype=object)


def roads_table(full, judged, edges, way, impassable, closures_of_edge, obs_ids, now: Costs, turnout,
                crs, *, station_ids: np.ndarray) -> gpd.GeoDataFrame:
    """Every road segment: width (and what parked cars leave), passability, closures, response band.

    ``turnout``: seconds added to the search's lead time (the quickest station's turnout);
    ``first_due_station``: the station that arrives first there (its first-due area).
    """
    e = full.seg_fwd
    r = full.seg_bwd
    obstructed = np.full(len(e), "", dtype=object)
    closed = np.fromiter(closures_of_edge, dtype=np.int64, count=len(closures_of_edge))
    for k in np.flatnonzero(np.isin(e, closed) | ((r >= 0) & np.isin(r, closed))).tolist():  # obstructed ones only
        f, b = int(e[k]), int(r[k])
        os_ = set(closures_of_edge.get(f, [])) | (set(closures_of_edge.get(b, [])) if b >= 0 else set())
        obstructed[k] = ";".join(obs_ids[o] for o in sorted(os_))
    passable = ~impassable[e]
    open_now = passable & (obstructed == "")
    cu, cv = now.reach.node_cost[full.seg_u], now.reach.node_cost[full.seg_v]
    cost = np.minimum(cu, cv)
    response = np.where(open_now & np.isfinite(cost), cost + turnout, np.nan)
    source = np.where(cu <= cv, now.reach.node_source[full.seg_u], now.reach.node_source[full.seg_v])
    first_due = np.where(open_now & np.isfinite(cost) & (source >= 0), station_ids[np.maximum(source, 0)], None)
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
        "reason_code": _first_codes(judged["reason_msg"].to_numpy()[e]),
        "obstructed_by": obstructed,
        "passable_now": open_now,
        "response_s": np.round(response, 1),
        "parked_m": np.round(judged["parked_m"].to_numpy()[e], 2),
        "parking_source": judged["parking_source"].to_numpy()[e],
        "clear_width_m": np.round(judged["clear_width_m"].to_numpy()[e], 2),
        "first_due_station": first_due,
    }, geometry=list(full.seg_geometry), crs=crs)


def stations_table(stations, base: Costs, now: Costs, turnout_s: np.ndarray, crs, *,
                   buildings: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """The stations of the vehicle's kinds: distance to a usable road, turnout, their first-due area.

    Per station: ``buildings_served`` (first-due buildings), ``residents_served`` and
    ``share_within_target`` (share of those residents reached within the response target).
    """
    served = np.bincount(now.station[now.station >= 0], minlength=len(stations)) if len(stations) else []
    return gpd.GeoDataFrame({
        "station_id": stations["station_id"].astype(str).to_numpy(),
        "kind": stations["kind"].astype(object).to_numpy(),
        "name": stations["name"].astype(object).to_numpy() if "name" in stations else None,
        "source": stations["source"].astype(object).to_numpy() if "source" in stations else None,
        "road_distance_m": np.round(np.where(np.isfinite(base.stations.distance_m), base.stations.distance_m, np.nan), 1),
        "used": base.stations.ok,
        "buildings_served": served,
        "turnout_s": np.asarray(turnout_s, dtype=float),
        **_first_due(stations, buildings),
    }, geometry=stations.geometry.to_numpy(), crs=crs)


def buildings_table(study, st, searches, crew, cause: np.ndarray, cause_obs: np.ndarray,
                    profile, *, compound: np.ndarray, transport) -> gpd.GeoDataFrame:
    """One row per residential building: :data:`~geoplan.emergency_access.result.BUILDING_COLUMNS`
    first, then ``cause_code``, ``name``, ``vehicle``, driving times, target and the rest."""
    residents = study.residents
    now, base = searches.now, searches.base
    lon, lat = lonlat(residents.representative_point().to_numpy(), study.crs)
    turnout = crew.turnout_s
    station_now = np.where(now.station >= 0, crew.ids[np.maximum(now.station, 0)], None)
    now_t = np.where(now.station >= 0, turnout[np.maximum(now.station, 0)], np.nan)
    base_t = np.where(base.station >= 0, turnout[np.maximum(base.station, 0)], np.nan)
    finite = np.isfinite
    return gpd.GeoDataFrame({
        "building_id": residents["resident_id"].astype(str).to_numpy(),
        "lon": lon, "lat": lat,
        "population": residents["population"].to_numpy(dtype=float),
        "community": residents["community"].astype(object).to_numpy(),
        "station_id": station_now,
        "response_s": np.where(finite(now.drive_s), now.drive_s + now_t, np.nan),
        "baseline_response_s": np.where(finite(base.drive_s), base.drive_s + base_t, np.nan),
        "last_leg_m": np.where(finite(st.last_leg_m), st.last_leg_m, np.nan),
        "status": st.status,
        "cause": render_all(cause),
        "cause_code": [code_of(c) for c in cause],
        "name": residents["name"].astype(object).to_numpy(),
        "vehicle": profile.vehicle,
        "drive_s": np.where(finite(now.drive_s), now.drive_s, np.nan),
        "baseline_drive_s": np.where(finite(base.drive_s), base.drive_s, np.nan),
        "target_s": profile.target_s,
        "cause_obstructions": cause_obs,
        "population_source": residents["population_source"].astype(object).to_numpy(),
        "compound": compound,
        **_hospital_leg(now, now_t, transport, profile),
        **{k: v.to_numpy() for k, v in vulnerable_residents(residents).items()},
    }, geometry=residents.geometry.to_numpy(), crs=study.crs)


def _hospital_leg(now, turnout: np.ndarray, transport, profile) -> dict:
    """The ambulance's hospital leg and the total (turnout + response + transport), seconds."""
    leg = np.where(np.isfinite(transport.transport_s), transport.transport_s, np.nan)
    total = now.drive_s + turnout + leg
    target = profile.target_s + profile.transport_target_s if profile.transport_target_s > 0 else np.nan
    return {"hospital_id": transport.hospital_id, "transport_s": np.round(leg, 1),
            "total_s": np.where(np.isfinite(total), np.round(total, 1), np.nan), "total_target_s": target,
            "total_on_time": np.isfinite(total) & (total <= target)}


def obstruction_causes(placement: Placement, clear: Clearing, profile) -> list:
    """What each obstruction does, as a Message: why it does not apply, or what clearing it restores."""
    t = placement.table
    out = []
    for i in range(len(t)):
        note = t["note"].iloc[i]
        clear_w = float(t["clear_width_m"].iloc[i]) if "clear_width_m" in t else np.nan
        if not bool(t["applied"].iloc[i]):
            out.append(note)
        elif int(t["edges_closed"].iloc[i]) == 0 and int(t["buildings_inside"].iloc[i]) == 0:
            out.append(message("leaves {clear:.1f} m clear: passable ({need:.1f} m needed)", code="narrowed_passable",
                               clear=clear_w, need=profile.min_width_m))
        elif clear.buildings_alone[i] > 0:
            out.append(message("clearing it alone restores access to {buildings} buildings ({residents:.0f} "
                               "residents)", code="restores", buildings=int(clear.buildings_alone[i]),
                               residents=float(clear.restored_alone[i])))
        else:
            out.append(message("clearing it alone restores no building", code="restores_none"))
    return out


def routes_frame(rows: list[dict], crs) -> gpd.GeoDataFrame:
    """The routes layer (an empty layer with ``building_id`` when there are none)."""
    if rows:
        return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    return gpd.GeoDataFrame({"building_id": pd.Series(dtype=object)}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _first_due(stations, buildings: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """Residents each station reaches first, and the share of them within the target."""
    ids = stations["station_id"].astype(str).to_numpy()
    if buildings is None or not len(buildings):
        return {"residents_served": np.zeros(len(ids)), "share_within_target": np.full(len(ids), np.nan)}
    b = pd.DataFrame({"station": buildings["station_id"].astype(object).to_numpy(),
                      "pop": buildings["population"].to_numpy(float),
                      "on_time": (buildings["response_s"] <= buildings["target_s"]).to_numpy()})
    b["on_time_pop"] = b["pop"] * b["on_time"]
    per = b.groupby("station")[["pop", "on_time_pop"]].sum()
    pop = per["pop"].reindex(ids).fillna(0.0).to_numpy()
    share = np.where(pop > 0, per["on_time_pop"].reindex(ids).fillna(0.0).to_numpy() / np.where(pop > 0, pop, 1), np.nan)
    return {"residents_served": np.round(pop, 1), "share_within_target": np.round(share, 4)}
