"""Residential compounds (小区) and their vehicle entrances, and sealing them.

A compound is a polygon with a name (a ``compounds`` GeoDataFrame, or the study's compounds
when it has them). Its **vehicle entrances** are the drive-network segments that cross its
outline (one end inside, one outside), each with the gate on it (a ``barrier=*`` node at either
end) and whether an obstruction locks it now. ``--seal NAME[,NAME…]|all`` closes every entrance
of those compounds except those where the obstructions layer marks a gate ``keep_open``; each
closed entrance is a ``sealed_compound`` obstruction (id ``E<compound>.<k>``), so the clearing
analysis tells which single entrance kept open restores the most residents.

The check: GB 50180-2018 6.0.5 — the main internal road of a residential block needs at least
two vehicle entrances onto city roads, paved ≥ 4.0 m (``preset.passability.compound_min_entrances``;
verify the clause against the standard's text before relying on it).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoplan.errors import InputError
from geoplan.i18n import message

#: ``barrier=*`` values that make an entrance *gated*.
GATE_KINDS = frozenset({"gate", "lift_gate", "swing_gate", "sliding_gate", "entrance", "sally_port",
                        "wicket_gate", "sliding_beam"})


@dataclass(frozen=True)
class Entrances:
    """Vehicle entrances of every compound (one row per crossing segment).

    Columns: ``entrance_id``, ``compound`` (position in the compounds frame), ``segment`` (of the
    full drive network), ``gate`` (barrier kind or ``""``), ``geometry`` (the crossing point).
    """

    table: gpd.GeoDataFrame


def prepare(study, compounds: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """The compounds in the study CRS with ``compound`` (name) and ``compound_id``; ``None`` without any."""
    frame = compounds if compounds is not None else getattr(study, "compounds", None)
    if frame is None or not len(frame):
        return None
    frame = frame.to_crs(study.crs) if frame.crs is not None else frame.set_crs(study.crs)
    frame = frame.loc[frame.geometry.notna() & frame.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()]
    name_col = next((c for c in ("compound", "name", "name_zh") if c in frame), None)
    names = frame[name_col].astype(str).to_numpy() if name_col else np.array([f"K{i + 1}" for i in range(len(frame))])
    return gpd.GeoDataFrame({"compound_id": [f"K{i + 1}" for i in range(len(frame))], "compound": names},
                            geometry=frame.geometry.to_numpy(), crs=study.crs)


def find_entrances(compounds: gpd.GeoDataFrame, net, nodes: pd.DataFrame) -> Entrances:
    """Segments of ``net`` crossing each compound's outline (one end inside, the other not), with
    the gate on them, compound by compound and segment by segment.

    All compounds at once: the segments near each outline come from the network's spatial index
    (a test of every node against every compound took minutes for a city's 18,630 compounds).
    """
    polys = compounds.geometry.to_numpy()
    c, seg = net.segment_tree.query(polys, predicate="intersects") if len(polys) else \
        (np.zeros(0, np.int64), np.zeros(0, np.int64))
    u, v = net.seg_u[seg], net.seg_v[seg]
    crossing = shapely.contains_xy(polys[c], net.node_x[u], net.node_y[u]) != \
        shapely.contains_xy(polys[c], net.node_x[v], net.node_y[v])
    c, seg, u, v = c[crossing], seg[crossing], u[crossing], v[crossing]
    order = np.lexsort((seg, c))
    c, seg, u, v = c[order], seg[order], u[order], v[order]
    hit = shapely.intersection(net.seg_geometry[seg], shapely.boundary(polys[c]))
    first = shapely.get_geometry(hit, 0)
    point = np.where(shapely.get_type_id(first) == 0, first, shapely.centroid(hit))
    k = np.arange(len(c)) - np.searchsorted(c, c)  # the entrance's number within its compound
    frame = pd.DataFrame({"entrance_id": [f"E{a + 1}.{b + 1}" for a, b in zip(c.tolist(), k.tolist())],
                          "compound": c.astype(np.int64), "segment": seg.astype(np.int64),
                          "gate": _gate(nodes, net.node_ids[u], net.node_ids[v]), "geometry": point})
    return Entrances(gpd.GeoDataFrame(frame, geometry="geometry", crs=compounds.crs))


def _gate(nodes: pd.DataFrame, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The barrier on a segment's end nodes (``v``'s where both have one), ``""`` where none."""
    if "barrier" not in nodes or not len(u):
        return np.full(len(u), "", dtype=object)
    barrier = nodes["barrier"]

    def kind(ids: np.ndarray) -> np.ndarray:
        found = barrier.reindex(ids).to_numpy(dtype=object)
        return np.array([x if isinstance(x, str) and x else "" for x in found], dtype=object)

    at_u, at_v = kind(u), kind(v)
    return np.where(at_v != "", at_v, at_u)


def of_buildings(compounds: gpd.GeoDataFrame | None, residents: gpd.GeoDataFrame) -> np.ndarray:
    """The compound each building stands in (``""`` outside every compound)."""
    out = np.full(len(residents), "", dtype=object)
    if compounds is None or not len(residents):
        return out
    pts = residents.representative_point().to_numpy()
    c, b = shapely.STRtree(pts).query(compounds.geometry.to_numpy(), predicate="contains")
    # a building in several compounds takes the last one listed
    last = pd.Series(c).groupby(b).max()
    out[last.index.to_numpy()] = compounds["compound"].to_numpy()[last.to_numpy()]
    return out


def sealed_set(compounds: gpd.GeoDataFrame | None, seal: str | list | tuple | None) -> np.ndarray:
    """Mask of the compounds to seal (``"all"`` or names, comma-separated or a list)."""
    if seal is None or seal == "" or seal == []:
        return np.zeros(0 if compounds is None else len(compounds), dtype=bool)
    if compounds is None:
        raise InputError(message("--seal needs residential compounds, and the study has none"),
                         fix=message("give a compounds file (--compounds FILE, named polygons)"))
    names = [s.strip() for s in (seal.split(",") if isinstance(seal, str) else seal) if str(s).strip()]
    if names == ["all"]:
        return np.ones(len(compounds), dtype=bool)
    known = set(compounds["compound"])
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(message("no compound named {name!r} to seal", name=unknown[0]),
                         fix=message("use one of: {choices} (or all)", choices=", ".join(sorted(known)[:10])))
    return compounds["compound"].isin(names).to_numpy()


def seal_obstructions(compounds, entrances: Entrances, sealed: np.ndarray, obstructions: gpd.GeoDataFrame,
                      *, keep_open_m: float) -> gpd.GeoDataFrame:
    """``sealed_compound`` point obstructions on every entrance of the sealed compounds, except kept-open gates."""
    e = entrances.table
    pick = e.loc[sealed[e["compound"].to_numpy()]] if len(e) else e
    if len(pick) and len(obstructions) and "keep_open" in obstructions:
        kept = obstructions.loc[obstructions["keep_open"].fillna(False).astype(bool).to_numpy()]
        if len(kept):
            near = shapely.STRtree(kept.geometry.to_numpy()).query(pick.geometry.to_numpy(), predicate="dwithin",
                                                                    distance=keep_open_m)
            pick = pick.drop(pick.index[np.unique(near[0])])
    return gpd.GeoDataFrame({
        "obstruction_id": pick["entrance_id"].to_numpy(), "kind": "sealed_compound",
        "name": compounds["compound"].to_numpy()[pick["compound"].to_numpy()] if len(pick) else [],
        "keep_open": False, "source": "--seal"}, geometry=pick.geometry.to_numpy(), crs=compounds.crs)


def _entrance_state(entrances: Entrances, net, impassable: np.ndarray, closures_of_edge: dict) -> pd.DataFrame:
    """Per entrance: passable for the vehicle, locked by an obstruction now, usable (both)."""
    e = entrances.table
    seg = e["segment"].to_numpy(np.int64)
    fwd, bwd = net.seg_fwd[seg], net.seg_bwd[seg]
    locked = np.array([bool(closures_of_edge.get(int(f))) or (b >= 0 and bool(closures_of_edge.get(int(b))))
                       for f, b in zip(fwd.tolist(), bwd.tolist())], dtype=bool)
    passable = ~impassable[fwd]
    return pd.DataFrame({"passable": passable, "locked": locked, "usable": passable & ~locked}, index=e.index)


def _points_inside(compounds: gpd.GeoDataFrame, points: np.ndarray) -> np.ndarray:
    """How many of ``points`` each compound contains (one spatial-index query for all compounds)."""
    if not len(points):
        return np.zeros(len(compounds), dtype=np.int64)
    poly, _ = shapely.STRtree(points).query(compounds.geometry.to_numpy(), predicate="contains")
    return np.bincount(poly, minlength=len(compounds))


def _keep_open_gates(obstructions: pd.DataFrame) -> dict[str, tuple[str, float]]:
    """Per compound prefix (``E3.``), the seal whose opening restores most residents, if any does."""
    ids = obstructions["obstruction_id"].astype(str).to_numpy()
    restored = obstructions["residents_restored_if_cleared"].to_numpy(dtype=float)
    best: dict[str, tuple[str, float]] = {}
    for k in np.flatnonzero([i.startswith("E") and "." in i for i in ids]).tolist():
        prefix = ids[k][:ids[k].index(".") + 1]
        if prefix not in best or (-restored[k], ids[k]) < (-best[prefix][1], best[prefix][0]):
            best[prefix] = (ids[k], float(restored[k]))
    return {p: b for p, b in best.items() if b[1] > 0}


def compound_table(compounds, entrances: Entrances, *, buildings: pd.DataFrame, obstructions: pd.DataFrame, net,
                   impassable: np.ndarray, clear_width_m: np.ndarray, closures_of_edge: dict,
                   dead_ends: gpd.GeoDataFrame, sealed: np.ndarray, min_width_m: float,
                   min_entrances: int) -> gpd.GeoDataFrame:
    """``access/compounds.csv``: buildings, residents, vehicle entrances and the checks of each compound."""
    e = entrances.table
    state = _entrance_state(entrances, net, impassable, closures_of_edge)
    narrow_seg = clear_width_m[net.seg_fwd] < min_width_m - 1e-9
    narrow = _points_inside(compounds, shapely.line_interpolate_point(net.seg_geometry[narrow_seg], 0.5,
                                                                      normalized=True))
    dead_pts = dead_ends.geometry.representative_point().to_numpy() if len(dead_ends) else np.zeros(0, dtype=object)
    dead_inside = _points_inside(compounds, dead_pts)
    of_name = pd.Series(np.arange(len(buildings))).groupby(buildings["compound"].to_numpy()).indices
    population = buildings["population"].to_numpy(dtype=float)
    blocked = buildings["status"].to_numpy() == "blocked"
    named = buildings["cause_obstructions"].astype(str).to_numpy()
    e_comp, e_ids = e["compound"].to_numpy(), e["entrance_id"].to_numpy()
    e_gated = (e["gate"] != "").to_numpy()
    e_usable, e_locked = state["usable"].to_numpy(), state["locked"].to_numpy()
    entrances_of = pd.Series(np.arange(len(e))).groupby(e_comp).indices if len(e) else {}
    keep_open = _keep_open_gates(obstructions)
    none = np.zeros(0, dtype=np.int64)
    rows = []
    for c in range(len(compounds)):  # per compound: a few small array slices
        name = compounds["compound"].iloc[c]
        mine_b, mine = of_name.get(name, none), entrances_of.get(c, none)
        prefix = f"E{c + 1}."
        lost = mine_b[blocked[mine_b] & np.array([prefix in v for v in named[mine_b]], dtype=bool)]
        best = keep_open.get(prefix)
        usable = int(e_usable[mine].sum())
        rows.append({
            "compound_id": compounds["compound_id"].iloc[c], "compound": name,
            "buildings": int(len(mine_b)), "residents": float(round(population[mine_b].sum(), 1)),
            "vehicle_entrances": int(len(mine)), "usable_entrances": usable,
            "gated_entrances": ";".join(e_ids[mine][e_gated[mine]]),
            "locked_entrances": ";".join(e_ids[mine][e_locked[mine]]),
            "narrow_lanes": int(narrow[c]),
            "long_dead_ends": int(dead_inside[c]),
            "min_entrances": int(min_entrances), "too_few_entrances": usable < min_entrances,
            "sealed": bool(sealed[c]) if len(sealed) else False,
            "buildings_losing_access": int(len(lost)),
            "residents_losing_access": float(round(population[lost].sum(), 1)),
            "keep_open_entrance": best[0] if best else "",
            "keep_open_restores_residents": best[1] if best else 0.0,
        })
    table = pd.DataFrame(rows)
    table["check"] = np.where(table["sealed"], "sealed", np.where(table["too_few_entrances"], "too_few_entrances", "ok"))
    return gpd.GeoDataFrame(table, geometry=compounds.geometry.to_numpy(), crs=compounds.crs)


def empty_table(crs) -> gpd.GeoDataFrame:
    """``compounds.csv`` of a study without compounds (the columns, no rows)."""
    cols = ("compound_id", "compound", "buildings", "residents", "vehicle_entrances", "usable_entrances",
            "gated_entrances", "locked_entrances", "narrow_lanes", "long_dead_ends", "min_entrances",
            "too_few_entrances", "sealed", "buildings_losing_access", "residents_losing_access",
            "keep_open_entrance", "keep_open_restores_residents", "check")
    return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in cols}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
