"""The emergency access audit: :func:`access`.

For one vehicle (fire truck or ambulance) it answers, for every residential building: how
long until the vehicle arrives, and if it is late or cannot come, why; which obstruction to
clear first; and which single road links and long dead ends put residents at risk.

The steps, each a pure function in its own module: :func:`~.dispatch.dispatch` (the stations),
:func:`~.passability.judge_edges` (which roads the vehicle can use), :func:`~.scenario.place`
and :func:`~.scenario.search` (obstructions; the unrestricted, baseline and current networks
searched once each from all stations), :func:`~.status.classify`, the clearing analysis
(:mod:`.clearing`), :func:`~.explain.explain` (causes and routes), :func:`~.critical.weak_points`
and the tables (:mod:`.tables`, :mod:`.figures`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.emergency_access import explain as why
from geoplan.emergency_access import tables
from geoplan.emergency_access._text import Term, message, render_all
from geoplan.emergency_access.clearing import Clearing, clearing_analysis
from geoplan.emergency_access.compounds import compound_table, empty_table as empty_compounds, find_entrances
from geoplan.emergency_access.compounds import of_buildings as compound_of, prepare as prepare_compounds
from geoplan.emergency_access.compounds import seal_obstructions, sealed_set
from geoplan.emergency_access.critical import weak_points
from geoplan.emergency_access.dispatch import dispatch
from geoplan.emergency_access.figures import run_figures, summary_table
from geoplan.emergency_access.passability import VEHICLES, judge_edges, vehicle_profile
from geoplan.emergency_access.result import AccessResult
from geoplan.emergency_access.scenario import gather_obstructions, place, read_scenario, search
from geoplan.emergency_access.status import STATUSES, classify
from geoplan.emergency_access.transport import hospital_leg, none as no_leg
from geoplan.emergency_access.vulnerable import WEIGHTS, vulnerable_residents
from geoplan.errors import InputError
from geoplan.i18n import message, nmessage
from geoplan.standards.parking import ASSUMED_ROWS

__all__ = ["STATUSES", "access", "read_scenario"]


def access(study, *, vehicle: str = "fire", scenario: gpd.GeoDataFrame | str | Path | None = None,
           obstructions: bool = True, routes: str = "affected", clearing: bool = True,
           assume_parked: str = "none", compounds: gpd.GeoDataFrame | None = None,
           seal: str | list[str] | None = None, weight: str = "residents", progress: Callable[[str], None] | None = None,
           **profile_overrides) -> AccessResult:
    """Audit emergency-vehicle access to every residential building of a study.

    Parameters
    ----------
    study
        A :class:`geoplan.study.Study`; widths, access and barrier rules come from
        ``study.preset.passability``, the vehicle from ``study.preset.vehicles[vehicle]``.
    vehicle
        ``"fire"`` (GB 50016 4 m × 4 m, GB 51080 5-minute rule) or ``"ambulance"``.
    scenario
        Extra obstructions for a what-if run (a GeoDataFrame in any CRS or a layer file).
    obstructions
        Apply the study's obstructions layer; ``False`` gives the baseline (a scenario still applies).
    routes
        ``"affected"`` (routes of every building that is not ``ok``), ``"all"`` or ``"none"``.
    clearing
        Run the what-to-clear-first analysis (one search per obstruction).
    assume_parked
        ``"none"``, ``"one-side"`` or ``"both-sides"``: parked rows on streets whose parking OSM
        does not describe (a sensitivity test of lanes kept clear).
    compounds
        Residential compounds (named polygons, any CRS); default the study's own, if any.
    seal
        Compounds to seal (names, comma-separated or a list, or ``"all"``): every vehicle entrance
        closed except gates the obstructions layer marks ``keep_open``.
    weight
        ``"residents"`` or ``"vulnerable"``: rank obstructions and gates by the residents (or the
        elderly and disabled residents) their clearing restores.
    progress
        Called with a short message before each long step.
    **profile_overrides
        Any :class:`~geoplan.emergency_access.passability.VehicleProfile` field, e.g. ``min_width_m=3.5``.

    Returns
    -------
    AccessResult
        The tables, ``summary``, ``figures``, ``warnings``, ``parameters``, ``to_file()``, ``to_map()``.

    Raises
    ------
    geoplan.errors.InputError
        When the study has no station of the vehicle's kind, or an option is unknown.
    """
    _check(vehicle, routes, assume_parked, weight)
    say = progress or (lambda text: None)  # sentences as messages: the caller shows them in its language
    profile = vehicle_profile(study.preset, vehicle, **profile_overrides)
    crew = dispatch(study, profile)
    say(message("judging road widths, heights, access and barriers for {vehicle} vehicles", code="progress",
                vehicle=Term(vehicle)))
    full = study.drive.compiled
    edges = tables.aligned_edges(study, full)
    judged = judge_edges(edges, study.drive.nodes, profile, study.preset.passability, assume_parked=assume_parked)
    impassable = ~judged["passable"].to_numpy()
    obs, warnings = gather_obstructions(study, scenario, use_layer=obstructions)
    comp, entrances, sealed, obs = _compounds(study, compounds, seal, obs)
    placement = place(study, obs, edges, judged["clear_width_m"].to_numpy(), profile)
    warnings += list(placement.warnings)
    say(nmessage("searching {vehicle} response from {n} station", "searching {vehicle} response from {n} stations",
                 len(crew.stations), code="progress", vehicle=Term(vehicle)))
    searches = search(study, impassable, placement, crew, vehicle)
    warnings += list(searches.warnings)
    st = classify(searches, profile, crew.turnout_s)
    population = study.residents["population"].to_numpy(dtype=float)
    clear = _clearing(searches, placement, impassable, st, population, enabled=clearing, say=say)
    warnings += [clear.note] if clear.note else []
    say(message("explaining delays and assembling routes", code="progress"))
    way = np.array([tables.way_id(v) for v in edges["osmid"].to_numpy()], dtype=object)
    net = why.Network(impassable, judged["clear_width_m"].to_numpy(), judged["reason_msg"].to_numpy(), way,
                      judged["width_source"].to_numpy(), edges["geometry"].to_numpy())
    lk = why.links(placement, searches.active, clear, profile)
    cause, cause_obs, route_rows = why.explain(
        st, searches, net, lk, building_ids=study.residents["resident_id"].astype(str).to_numpy(),
        station_ids=crew.ids, profile=profile, max_snap_m=study.preset.max_snap_m, routes=routes)
    say(message("finding single points of failure and long dead ends", code="progress"))
    crit, dead = weak_points(study, searches, population)
    leg = hospital_leg(study, impassable, placement, searches.active) if profile.transport_target_s > 0 \
        else no_leg(len(st.status))
    warnings += [leg.note] if leg.note else []
    out = _tables(study, st, searches, crew, placement, obs, clear, judged, edges, way, lk, crit, dead, profile,
                  cause=cause, cause_obs=cause_obs, route_rows=route_rows, compounds=(comp, entrances, sealed), leg=leg,
                  weight=weight)
    figures = run_figures(study=study, profile=profile, st=st, searches=searches, placement=placement,
                          judged=judged, crit_table=out["critical_links"], dead_table=out["dead_ends"], clear=clear)
    messages = {"buildings.cause": tuple(cause), "obstructions.cause": out.pop("_obstruction_causes"),
                "obstructions.note": tuple(placement.table["note"]) if len(placement.table) else (),
                "roads.reason": tuple(judged["reason_msg"].to_numpy()[full.seg_fwd]), "warnings": tuple(warnings)}
    parameters = dict(vehicle=vehicle, obstructions=bool(obstructions), routes=routes, clearing=bool(clearing),
                      assume_parked=assume_parked, seal=seal, weight=weight, scenario=_said(scenario),
                      profile_overrides=dict(profile_overrides))
    return AccessResult(
        study_name=study.name, crs=study.crs, preset_name=study.preset.name, sources=tuple(study.sources),
        vehicle=vehicle, profile=profile, **out, summary=summary_table(out["buildings"]), figures=figures,
        parameters=parameters, messages=messages, warnings=tuple(render_all(warnings)), lang=study.lang)


def _tables(study, st, searches, crew, placement, obs, clear, judged, edges, way, lk, crit, dead, profile, *,
            cause, cause_obs, route_rows, compounds, leg, weight) -> dict:
    """Every output table of the audit (and, under ``_obstruction_causes``, the obstructions' Messages)."""
    comp, entrances, sealed = compounds
    full = study.drive.compiled
    impassable = ~judged["passable"].to_numpy()
    obs_causes = tables.obstruction_causes(placement, clear, profile)
    out = {
        "buildings": tables.buildings_table(study, st, searches, crew, cause, cause_obs, profile,
                                            compound=compound_of(comp, study.residents), transport=leg),
        "obstructions": tables.obstruction_table(placement, obs, clear, obs_causes, study.crs, weight=weight,
                                                 vulnerable=vulnerable_residents(study.residents)["vulnerable"]
                                                 .to_numpy()),
        "critical_links": tables.critical_table(crit, searches.now.network, way, edges, study.crs),
        "dead_ends": tables.dead_end_table(dead, searches.scen.base, way, study.crs),
        "roads": tables.roads_table(full, judged, edges, way, impassable, lk.closures_of_edge, lk.ids, searches.now,
                                    float(crew.turnout_s.min()), study.crs, station_ids=crew.ids),
        "routes": tables.routes_frame(route_rows, study.crs),
    }
    out["stations"] = tables.stations_table(crew.stations, searches.base, searches.now, crew.turnout_s, study.crs,
                                            buildings=out["buildings"])
    out["compounds"] = compound_table(comp, entrances, buildings=out["buildings"], obstructions=out["obstructions"],
                                      net=full, impassable=impassable, clear_width_m=judged["clear_width_m"].to_numpy(),
                                      closures_of_edge=lk.closures_of_edge, dead_ends=out["dead_ends"], sealed=sealed,
                                      min_width_m=profile.min_width_m,
                                      min_entrances=study.preset.passability.compound_min_entrances) \
        if comp is not None else empty_compounds(study.crs)
    out["_obstruction_causes"] = tuple(obs_causes)
    return out


def _compounds(study, compounds, seal, obs):
    """The compounds, their vehicle entrances, which are sealed, and the obstructions with the seals added."""
    comp = prepare_compounds(study, compounds)
    sealed = sealed_set(comp, seal)
    if comp is None:
        return None, None, sealed, obs
    entrances = find_entrances(comp, study.drive.compiled, study.drive.nodes)
    if sealed.any():
        seals = seal_obstructions(comp, entrances, sealed, obs, keep_open_m=study.preset.passability.obstruction_snap_m)
        if len(seals):
            obs = gpd.GeoDataFrame(pd.concat([obs, seals], ignore_index=True), geometry="geometry", crs=study.crs)
    return comp, entrances, sealed, obs


def _said(scenario) -> str | None:
    """How the scenario was given, for the manifest."""
    if scenario is None:
        return None
    return str(scenario) if isinstance(scenario, (str, Path)) else "GeoDataFrame"


def _check(vehicle: str, routes: str, assume_parked: str, weight: str) -> None:
    if vehicle not in VEHICLES:
        raise InputError(message("unknown vehicle {vehicle!r}", vehicle=vehicle),
                         fix=message("use one of: {choices}", choices=", ".join(VEHICLES)))
    if routes not in ("affected", "all", "none"):
        raise ValueError("routes must be 'affected', 'all' or 'none'")
    if assume_parked not in ASSUMED_ROWS:
        raise InputError(message("unknown assume_parked {value!r}", value=assume_parked),
                         fix=message("use one of: {choices}", choices=", ".join(ASSUMED_ROWS)))
    if weight not in WEIGHTS:
        raise InputError(message("unknown weight {value!r}", value=weight),
                         fix=message("use one of: {choices}", choices=", ".join(WEIGHTS)))


def _clearing(searches, placement, impassable: np.ndarray, st, population: np.ndarray, *, enabled: bool,
              say) -> Clearing:
    """The what-to-clear-first analysis over the obstructions that close a passable road or seal buildings."""
    n_obs = len(placement.table)
    active = searches.active
    if not (enabled and n_obs and st.blocked.any()):
        return Clearing(np.zeros(n_obs), np.zeros(n_obs, dtype=np.int64), {}, [], [], [], 0)
    closes_passable = np.zeros(n_obs, dtype=bool)
    if len(placement.closures):
        c = placement.closures
        useful = ~impassable[c["edge"].to_numpy(np.int64)]
        closes_passable[np.unique(c["obstruction"].to_numpy(np.int64)[useful])] = True
    candidates = active & (closes_passable | (placement.table["buildings_inside"].to_numpy() > 0))
    say(message("working out which obstruction to clear first", code="progress"))
    return clearing_analysis(searches.scen, active, candidates, base_s=searches.base.lead_s, target_s=st.budget_s,
                             eligible=st.eligible, population=population, progress=say)
