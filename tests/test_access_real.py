"""The access audit on the bundled real network, checked against an independent networkx computation."""

from __future__ import annotations

import numpy as np
import pytest

from geoplan.emergency_access import access
from geoplan.emergency_access.tables import aligned_edges as _aligned_edges
from geoplan.emergency_access.passability import judge_edges, vehicle_profile
from geoplan.network import CompiledNetwork
from _independent import nearest_costs


def _passable_network(study, vehicle, closed_extra=None):
    """The passable network rebuilt from a networkx copy with the closed edges removed.

    (Compiled from scratch rather than with ``without_edges``, whose edge arrays still list
    the removed edges and would leak them into ``_independent.split_graph``.)
    """
    full = study.drive.compiled
    judged = judge_edges(_aligned_edges(study, full), study.drive.nodes, vehicle_profile(study.preset, vehicle))
    closed = ~judged["passable"].to_numpy()
    if closed_extra is not None:
        closed = closed | closed_extra
    g = study.drive.graph.copy()
    g.remove_edges_from([full.edge_keys[i] for i in np.flatnonzero(closed)])
    return CompiledNetwork.from_graph(g, weights=("length", "travel_time"))


@pytest.mark.parametrize("vehicle", ["fire", "ambulance"])
def test_baseline_response_equals_networkx(helsinki, vehicle):
    result = access(helsinki, vehicle=vehicle, obstructions=False)
    net = _passable_network(helsinki, vehicle)
    kinds = ("fire",) if vehicle == "fire" else ("ambulance", "hospital")
    stations = helsinki.stations.loc[helsinki.stations["kind"].isin(kinds).to_numpy()]
    s = net.snap(stations.geometry.to_numpy(), max_distance=helsinki.preset.max_snap_m)
    t = net.snap(helsinki.residents.geometry.to_numpy(), max_distance=helsinki.preset.max_snap_m)
    expected = nearest_costs(net, s, t, "travel_time")
    got = result.buildings["baseline_drive_s"].to_numpy(dtype=float)
    got = np.where(np.isnan(got), np.inf, got)
    assert np.isfinite(expected).sum() > 10
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-6)
    turnout = result.profile.turnout_s
    finite = np.isfinite(expected)
    np.testing.assert_allclose(result.buildings["baseline_response_s"].to_numpy()[finite], expected[finite] + turnout)
    # last leg: the building's distance to the nearest passable road
    np.testing.assert_allclose(result.buildings["last_leg_m"].to_numpy(), t.distance_m)


def test_obstructed_response_equals_networkx_off_the_closed_roads(helsinki):
    """With the sample obstructions, buildings whose own road is open match networkx on the closed network."""
    result = access(helsinki, vehicle="ambulance")
    from geoplan.emergency_access.obstructions import place_obstructions
    from geoplan.emergency_access.scenario import narrow_closures, width_taken

    full = helsinki.drive.compiled
    profile = vehicle_profile(helsinki.preset, "ambulance")
    judged = judge_edges(_aligned_edges(helsinki, full), helsinki.drive.nodes, profile)
    placement = place_obstructions(helsinki.obstructions, full, helsinki.residents,
                                   tolerance_m=helsinki.preset.passability.obstruction_snap_m)
    # an occupied lane closes a road only where too little width is left for the ambulance
    placement = narrow_closures(placement, width_taken(helsinki.obstructions), judged["clear_width_m"].to_numpy(),
                                profile.min_width_m)
    active = placement.table["applied"].to_numpy(dtype=bool)
    closed = placement.closed_edges(active, len(full.edge_u))
    now = _passable_network(helsinki, "ambulance", closed)
    base = _passable_network(helsinki, "ambulance")
    stations = helsinki.stations.loc[helsinki.stations["kind"].isin(["ambulance", "hospital"]).to_numpy()]
    t_base = base.snap(helsinki.residents.geometry.to_numpy(), max_distance=helsinki.preset.max_snap_m)
    # buildings whose own segment is untouched keep the same snap on the obstructed network
    seg_keys = [base.edge_keys[e] for e in base.seg_fwd[np.maximum(t_base.segment, 0)]]
    closed_keys = {full.edge_keys[i] for i in np.flatnonzero(closed)}
    untouched = t_base.ok & ~np.array([k in closed_keys for k in seg_keys]) \
        & ~placement.cut_off(active, len(helsinki.residents))
    t_now = now.snap(np.array([__import__("shapely").Point(x, y) for x, y in zip(t_base.x, t_base.y)]),
                     max_distance=1e-6)
    s = now.snap(stations.geometry.to_numpy(), max_distance=helsinki.preset.max_snap_m)
    expected = nearest_costs(now, s, t_now, "travel_time")
    got = result.buildings["drive_s"].to_numpy(dtype=float)
    got = np.where(np.isnan(got), np.inf, got)
    assert untouched.sum() > 30
    np.testing.assert_allclose(got[untouched], expected[untouched], rtol=1e-9, atol=1e-6)
    assert (result.buildings["status"] == "blocked").sum() > 0


def test_sample_ranks_and_statuses(helsinki):
    fire = access(helsinki, vehicle="fire")
    o = fire.obstructions.set_index("obstruction_id")
    assert o.loc["O2", "rank"] == 1 and o.loc["O2", "residents_restored_if_cleared"] > 0  # the locked gate
    assert not o.loc["O3", "applied"]  # kept open
    assert set(fire.buildings["status"]) <= {"ok", "slow", "far_from_road", "blocked", "unreachable"}
    amb = access(helsinki, vehicle="ambulance")
    # ambulances fit the 3 m lanes that stop fire trucks
    assert (amb.buildings["status"] == "unreachable").sum() < (fire.buildings["status"] == "unreachable").sum()
    assert amb.obstructions["residents_restored_if_cleared"].max() > 0
    assert len(fire.critical_links) > 0 and (fire.critical_links["residents_cut_off"] > 0).all()


def test_quick_clearing_scenarios_equal_rebuilt_ones(helsinki):
    """The clearing analysis' search-only scenarios give the same costs as fully rebuilt networks."""
    from geoplan.emergency_access.obstructions import place_obstructions
    from geoplan.emergency_access.response import Scenarios

    full = helsinki.drive.compiled
    judged = judge_edges(_aligned_edges(helsinki, full), helsinki.drive.nodes,
                         vehicle_profile(helsinki.preset, "ambulance"))
    placement = place_obstructions(helsinki.obstructions, full, helsinki.residents,
                                   tolerance_m=helsinki.preset.passability.obstruction_snap_m)
    st = helsinki.stations.loc[helsinki.stations["kind"].isin(["ambulance", "hospital"]).to_numpy()]
    scen = Scenarios(full, ~judged["passable"].to_numpy(), placement, helsinki.residents.geometry.to_numpy(),
                     st.geometry.to_numpy(), max_snap_m=helsinki.preset.max_snap_m)
    active = placement.table["applied"].to_numpy(dtype=bool)
    for o in [None, *np.flatnonzero(active).tolist()]:
        act = active.copy()
        if o is not None:
            act[o] = False
        exact, quick = scen.run(act, exact=True), scen.run(act, exact=False)
        np.testing.assert_allclose(quick.drive_s, exact.drive_s)
        assert (quick.station == exact.station).all()


def test_sample_parked_cars_sensitivity_and_zh_outputs(helsinki, tmp_path):
    """On the bundled sample: assumed parked cars only ever take access away, and the zh tables stay coded."""
    clear = access(helsinki, vehicle="fire", clearing=False)
    parked = access(helsinki, vehicle="fire", clearing=False, assume_parked="both-sides")
    ok_clear = set(clear.buildings.loc[clear.buildings["status"] == "ok", "building_id"])
    ok_parked = set(parked.buildings.loc[parked.buildings["status"] == "ok", "building_id"])
    assert len(ok_parked) < len(ok_clear)
    assert (parked.roads["parking_source"] == "assumed").any() and (clear.roads["parked_m"] == 0).all()
    narrowed = parked.roads.loc[parked.roads["reason_code"] == "narrow_parked_both"]
    assert len(narrowed) and (narrowed["clear_width_m"] < 4.0).all() and (narrowed["width_m"] >= 4.0).all()
    parked.to_file(tmp_path, lang="zh")
    import pandas as pd

    b = pd.read_csv(tmp_path / "access" / "buildings.csv", encoding="utf-8-sig")
    coded = b["cause_code"].fillna("") != ""
    assert coded.sum() == (b["status"] != "ok").sum()
    assert not b.loc[coded, "cause"].str.contains("no route fire vehicles").any()
