"""Why a building is late or cannot be reached, and the route that shows it.

Every cause is a :class:`geoplan.i18n.Message` with a ``code`` (``blocked_alone``,
``unreachable_bottleneck``, ``far_from_road``, ``slow``…) and its figures as parameters, so the
tables keep ``cause_code`` and the map and CSV show the sentence in the reader's language.
The route explaining a status is taken from the network that explains it: the baseline for a
blocked building (the way it used to come), the unrestricted network for an unreachable one
(to name the bottleneck), the network now otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geoplan.emergency_access._text import COMMA, Items, Message, N_, Term, message
from geoplan.emergency_access.clearing import Clearing
from geoplan.emergency_access.obstructions import Placement
from geoplan.emergency_access.passability import VehicleProfile
from geoplan.emergency_access.response import route_line, route_lines
from geoplan.emergency_access.scenario import Searches
from geoplan.emergency_access.status import Statuses

#: How many bottlenecks a cause names before "+N more".
MAX_BOTTLENECKS = 3

_LATE = {
    "no_route": {
        "blocked_inside": N_("inside {obstructions} — no route now"),
        "blocked_alone": N_("obstruction {obstructions}: clearing it alone restores access — no route now"),
        "blocked_together": N_("obstructions {obstructions} together (on the baseline route) — no route now"),
        "blocked_several": N_("several obstructions together — no route now"),
    },
    "late": {
        "blocked_inside": N_("inside {obstructions} — now {now_min:.1f} min driving, baseline {base_min:.1f} min"),
        "blocked_alone": N_("obstruction {obstructions}: clearing it alone restores access — now {now_min:.1f} min "
                         "driving, baseline {base_min:.1f} min"),
        "blocked_together": N_("obstructions {obstructions} together (on the baseline route) — now {now_min:.1f} min "
                            "driving, baseline {base_min:.1f} min"),
        "blocked_several": N_("several obstructions together — now {now_min:.1f} min driving, baseline {base_min:.1f} min"),
    },
}
_NO_PASSABLE_ROUTE = {"fire": N_("no route fire vehicles can pass: {bottlenecks}"),
                      "ambulance": N_("no route ambulance vehicles can pass: {bottlenecks}")}
_FAR = {"fire": N_("nearest passable road {distance:.0f} m away > {limit:g} m hose distance"),
        "ambulance": N_("nearest passable road {distance:.0f} m away > {limit:g} m stretcher distance")}
_FAR_IMPASSABLE = {
    "fire": N_("nearest passable road {distance:.0f} m away > {limit:g} m hose distance; the nearest road "
            "({near:.0f} m, way {way}) is impassable: {reason}"),
    "ambulance": N_("nearest passable road {distance:.0f} m away > {limit:g} m stretcher distance; the nearest road "
                 "({near:.0f} m, way {way}) is impassable: {reason}"),
}


@dataclass(frozen=True)
class Network:
    """What the explanations read about the roads (aligned with the drive network's edges)."""

    impassable: np.ndarray
    width_m: np.ndarray
    reason: np.ndarray  # Items of Messages, None where passable
    way: np.ndarray
    width_source: np.ndarray
    geometry: np.ndarray


@dataclass(frozen=True)
class Links:
    """How obstructions, buildings and edges are linked (positions in the placement table)."""

    ids: np.ndarray
    describe: list  # a Message per obstruction
    closures_of_edge: dict
    inside_of: dict
    restorers: dict
    active: np.ndarray


def obstruction_labels(placement: Placement, profile: VehicleProfile) -> list[Message]:
    """How a cause names each obstruction: ``O1 (locked_gate)``, or the clear width an occupied lane leaves."""
    t = placement.table
    out = []
    for i in range(len(t)):
        oid, kind = str(t["obstruction_id"].iloc[i]), str(t["kind"].iloc[i])
        clear = float(t["clear_width_m"].iloc[i]) if "clear_width_m" in t else np.nan
        if np.isfinite(clear):
            out.append(message("{id} ({kind}: clear width {clear:.1f} m, {need:.1f} m needed)", code="obstruction",
                               id=oid, kind=Term(kind), clear=clear, need=profile.min_width_m))
        else:
            out.append(message("{id} ({kind})", code="obstruction", id=oid, kind=Term(kind)))
    return out


def links(placement: Placement, active: np.ndarray, clear: Clearing, profile: VehicleProfile) -> Links:
    """Index the placement: closures per edge, obstructions around each building, who restores whom."""
    def grouped(frame: pd.DataFrame, key: str) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        if len(frame):
            for o, k in zip(frame["obstruction"].to_numpy(np.int64), frame[key].to_numpy(np.int64)):
                if active[o]:
                    out.setdefault(int(k), []).append(int(o))
        return out

    restorers: dict[int, list[int]] = {}
    for o, idx in clear.restores.items():
        for b in idx.tolist():
            restorers.setdefault(b, []).append(o)
    ids = placement.table["obstruction_id"].astype(str).to_numpy() if len(placement.table) \
        else np.zeros(0, dtype=object)
    return Links(ids, obstruction_labels(placement, profile), grouped(placement.closures, "edge"),
                 grouped(placement.inside, "resident"), restorers, active)


def _names(lk: Links, os_: list[int]) -> Items:
    return Items(tuple(lk.describe[o] for o in sorted(set(os_))), sep=COMMA)


def bottleneck(net: Network, route_e: np.ndarray) -> Items:
    """The impassable roads on a route, narrowest first, one per (way, reason)."""
    bad = [e for e in route_e.tolist() if net.impassable[e]]
    seen, parts = set(), []
    for e in sorted(bad, key=lambda e: (net.width_m[e], e)):
        key = (net.way[e], str(net.reason[e]))
        if key in seen:
            continue
        seen.add(key)
        parts.append(message("{reason} on way {way}", code="bottleneck", reason=net.reason[e], way=net.way[e]))
    return Items(tuple(parts[:MAX_BOTTLENECKS]), more=max(0, len(parts) - MAX_BOTTLENECKS))


def blocked_cause(i: int, route_e: np.ndarray, s: Searches, lk: Links) -> tuple[Message, list[int]]:
    """Cause of a blocked building and the obstructions it names."""
    inside, alone = lk.inside_of.get(i, []), lk.restorers.get(i, [])
    on_route = sorted({o for e in route_e.tolist() for o in lk.closures_of_edge.get(e, [])})
    if inside:
        code, ids = "blocked_inside", inside
    elif alone:
        code, ids = "blocked_alone", alone
    elif on_route:
        code, ids = "blocked_together", on_route
    else:
        code, ids = "blocked_several", [o for o in range(len(lk.active)) if lk.active[o]]
    now_s, base_s = s.now.lead_s[i], s.base.lead_s[i]
    tail = "no_route" if not np.isfinite(now_s) else "late"
    return message(_LATE[tail][code], code=code, obstructions=_names(lk, ids), now_min=now_s / 60,
                   base_min=base_s / 60), ids


def unreachable_cause(i: int, route_e: np.ndarray, s: Searches, net: Network, vehicle: str,
                      max_snap_m: float) -> Message:
    """Cause of a building no passable route reaches."""
    if np.isfinite(s.unres.drive_s[i]):
        return message(_NO_PASSABLE_ROUTE[vehicle], code="unreachable_bottleneck", bottlenecks=bottleneck(net, route_e))
    if s.free.buildings.ok[i]:
        return message("no road connects it to a station", code="unreachable_disconnected")
    return message("no road within {limit:g} m", code="unreachable_no_road", limit=max_snap_m)


def far_cause(i: int, last_leg: float, s: Searches, net: Network, profile: VehicleProfile) -> Message:
    """Cause of a building too far from every road the vehicle can use."""
    fs = s.free.buildings
    if fs.ok[i] and fs.distance_m[i] + 1.0 < last_leg:
        e = int(s.free.base.seg_fwd[fs.segment[i]])
        if net.impassable[e]:
            return message(_FAR_IMPASSABLE[profile.vehicle], code="far_from_road_impassable", distance=last_leg,
                           limit=profile.last_leg_m, near=fs.distance_m[i], way=net.way[e], reason=net.reason[e])
    return message(_FAR[profile.vehicle], code="far_from_road", distance=last_leg, limit=profile.last_leg_m)


def slow_cause(i: int, s: Searches, net: Network, budget_s: float) -> Message:
    """Cause of a building reached, but late."""
    now_min, target_min = s.now.lead_s[i] / 60, budget_s / 60
    if s.unres.lead_s[i] <= budget_s:
        uroute = route_line(s.unres, s.free.base, s.free.buildings, i, net.geometry)[1]
        return message("{now_min:.1f} min driving > {target_min:.1f} min target; a {free_min:.1f} min route exists "
                       "but is blocked by {bottlenecks}", code="slow_bypass_blocked", now_min=now_min,
                       target_min=target_min, free_min=s.unres.lead_s[i] / 60, bottlenecks=bottleneck(net, uroute))
    return message("{now_min:.1f} min driving > {target_min:.1f} min target", code="slow", now_min=now_min,
                   target_min=target_min)


def _search_of(status: str, s: Searches):
    """(costs, network name) of the search that explains ``status``."""
    if status == "blocked":
        return s.base, "baseline"
    if status == "unreachable":
        return s.unres, "unrestricted"
    return s.now, "now"


def _routes(status: np.ndarray, need: np.ndarray, s: Searches, net: Network) -> dict:
    """Route line and edges of every building in ``need``, from the search explaining its status.

    One :func:`~.response.route_lines` call per search (never one route walk per building).
    """
    out = {}
    for which in ("blocked", "unreachable", "now"):
        group = status[need] == which if which != "now" else ~np.isin(status[need], ("blocked", "unreachable"))
        if not group.any():
            continue
        costs, _ = _search_of(which, s)
        free = costs is s.unres
        out.update(route_lines(costs, s.free.base if free else s.scen.base,
                               s.free.buildings if free else s.scen.buildings, need[group], net.geometry))
    return out


def explain(st: Statuses, s: Searches, net: Network, lk: Links, *, building_ids: np.ndarray,
            station_ids: np.ndarray, profile: VehicleProfile, max_snap_m: float, routes: str):
    """Causes (a Message or ``None`` per building), the obstructions each names, and route rows.

    ``routes``: ``"affected"`` (every building that is not ``ok``), ``"all"`` or ``"none"``.
    """
    n = len(st.status)
    cause = np.full(n, None, dtype=object)
    cause_obs = np.full(n, "", dtype=object)
    rows = []
    need = np.arange(n) if routes == "all" else np.flatnonzero(st.status != "ok")
    route_of = _routes(np.asarray(st.status), need, s, net)
    for i in need.tolist():
        status = st.status[i]
        costs, name = _search_of(status, s)
        line, route_e = route_of[i]
        if status == "blocked":
            cause[i], ids = blocked_cause(i, route_e, s, lk)
            cause_obs[i] = ";".join(lk.ids[o] for o in sorted(set(ids)))
        elif status == "unreachable":
            cause[i] = unreachable_cause(i, route_e, s, net, profile.vehicle, max_snap_m)
        elif status == "far_from_road":
            cause[i] = far_cause(i, st.last_leg_m[i], s, net, profile)
        elif status == "slow":
            cause[i] = slow_cause(i, s, net, st.budget_s)
        if routes != "none" and line is not None:
            rows.append(route_row(i, building_ids[i], status, name, costs, line, route_e, net, lk, station_ids))
    return cause, cause_obs, rows


def route_row(i: int, building_id: str, status: str, name: str, costs, line, route_e, net: Network, lk: Links,
              station_ids: np.ndarray) -> dict:
    """One row of the routes layer: the route, its station and its narrowest road."""
    widths = net.width_m[route_e] if len(route_e) else np.zeros(0)
    k = int(np.argmin(widths)) if len(widths) else -1
    station = costs.station[i]
    return {
        "building_id": building_id,
        "status": status,
        "network": name,
        "station_id": station_ids[station] if station >= 0 else None,
        "drive_s": float(costs.drive_s[i]),
        "length_m": float(line.length),
        "narrowest_m": float(widths[k]) if k >= 0 else np.nan,
        "narrowest_way_id": net.way[route_e[k]] if k >= 0 else None,
        "narrowest_source": net.width_source[route_e[k]] if k >= 0 else None,
        "obstructions_on_route": ";".join(lk.ids[o] for o in sorted(
            {o for e in route_e.tolist() for o in lk.closures_of_edge.get(e, [])})),
        "geometry": line,
    }
