"""Stations as they are (issue 15.4): each station's own turnout, and first-due areas."""

from __future__ import annotations

import json

import pytest

from geoplan.emergency_access import access
from geoplan.study import load_study
from osm_fixture import OsmWriter
from test_access import SPEED_RESIDENTIAL, _by_name, _house, _point, _widen, _write


def _street(tmp, stations):
    """A 2 km residential street (y = 0) with a house at x = 1200 m and the given stations."""
    tmp.mkdir(parents=True, exist_ok=True)
    w = OsmWriter()
    nodes = [w.node(100.0 * i, 0) for i in range(21)]
    for a, b in zip(nodes[:-1], nodes[1:]):  # one way per 100 m, so the street has a segment per 100 m
        w.way([a, b], highway="residential", name="长街")
    ring = [w.node(1195, -15), w.node(1200, -20), w.node(1205, -15), w.node(1200, -10)]
    w.way(ring + ring[:1], building="residential", building__levels="3", name="楼")
    _widen(w, 0, -20, 2000, 30)
    osm = w.write(tmp / "street.osm")
    _write(tmp / "layers", "stations.geojson", stations)
    return load_study(osm, layers=[tmp / "layers"])


def test_each_station_keeps_its_own_turnout(tmp_path):
    same = _street(tmp_path / "same", [_point(0, 5, kind="fire", name="西站"), _point(2000, 5, kind="fire", name="东站")])
    r = access(same, vehicle="fire")
    b = r.buildings.iloc[0]
    east, west = r.stations.set_index("name").loc["东站"], r.stations.set_index("name").loc["西站"]
    assert b["station_id"] == east["station_id"]  # 800 m beats 1200 m when turnouts are equal
    slow_east = _street(tmp_path / "slow", [_point(0, 5, kind="fire", name="西站"),
                                            _point(2000, 5, kind="fire", name="东站", turnout_s=300)])
    r = access(slow_east, vehicle="fire")
    st = r.stations.set_index("name")
    assert st.loc["东站", "turnout_s"] == 300 and st.loc["西站", "turnout_s"] == 60
    b = r.buildings.iloc[0]
    assert b["station_id"] == st.loc["西站", "station_id"]  # 60 s + 1200 m beats 300 s + 800 m
    drive = 1200 / SPEED_RESIDENTIAL
    assert b["drive_s"] == pytest.approx(drive, rel=5e-3) and b["response_s"] - b["drive_s"] == pytest.approx(60)
    assert st.loc["西站", "buildings_served"] == 1 and st.loc["东站", "buildings_served"] == 0
    assert st.loc["西站", "residents_served"] == pytest.approx(b["population"])
    assert st.loc["西站", "share_within_target"] == (1.0 if b["response_s"] <= b["target_s"] else 0.0)


def test_first_due_areas_split_the_street_where_arrivals_tie(tmp_path):
    study = _street(tmp_path, [_point(0, 5, kind="fire", name="西站"),
                               _point(2000, 5, kind="fire", name="东站", turnout_s=240)])
    r = access(study, vehicle="fire")
    roads = r.roads.copy()
    roads = roads.loc[roads["name"] == "长街"]
    roads["x"] = roads.geometry.centroid.x - roads.geometry.centroid.x.min()
    ids = r.stations.set_index("name")["station_id"]
    # the east station's 180 s extra turnout is 1000 m of driving at 20 km/h: the split is at x ≈ 1500 m
    west = roads.loc[roads["first_due_station"] == ids["西站"], "x"]
    east = roads.loc[roads["first_due_station"] == ids["东站"], "x"]
    assert len(west) and len(east) and west.max() < east.min()
    assert 1300 < west.max() + 50 <= 1600
    html = r.to_map(lang="zh").html()
    assert "首到责任区" in html or json.dumps("首到责任区")[1:-1] in html


def test_ambulance_response_plus_hospital_leg(tmp_path):
    """Post at 1000 m, hospital at 2000 m, the house at 1200 m: 200 m to the scene, 800 m to the hospital."""
    study = _street(tmp_path, [_point(1000, 5, kind="ambulance", name="急救站"),
                               _point(2000, 5, kind="hospital", name="医院")])
    r = access(study, vehicle="ambulance")
    b = r.buildings.iloc[0]
    ids = r.stations.set_index("name")["station_id"]
    assert b["station_id"] == ids["急救站"] and b["hospital_id"] == ids["医院"]
    assert b["transport_s"] == pytest.approx(800 / SPEED_RESIDENTIAL, rel=1e-2)
    assert b["total_s"] == pytest.approx(b["response_s"] + b["transport_s"], abs=0.2)
    assert b["total_target_s"] == r.profile.target_s + r.profile.transport_target_s and b["total_on_time"]
    fire = access(_street(tmp_path / "f", [_point(0, 5, kind="fire")]), vehicle="fire").buildings.iloc[0]
    assert fire["transport_s"] != fire["transport_s"]  # NaN: a fire truck has no hospital leg


def test_no_hospital_is_said_not_guessed(tmp_path):
    study = _street(tmp_path, [_point(1000, 5, kind="ambulance")])
    r = access(study, vehicle="ambulance")
    assert r.buildings["transport_s"].isna().all() and not r.buildings["total_on_time"].any()
    assert any("no hospital with emergency care" in w for w in r.warnings)
    assert "没有具备急诊能力的医院" in r.summary_text("zh")


def test_weight_vulnerable_ranks_by_the_elderly_restored(tmp_path):
    """Two blocked lanes: the one with fewer residents but more elderly ranks first with --weight vulnerable."""
    import geopandas as gpd
    import shapely

    from osm_fixture import lonlat

    tmp_path.mkdir(parents=True, exist_ok=True)
    w = OsmWriter()
    nodes = [w.node(100.0 * i, 0) for i in range(11)]
    for a, b in zip(nodes[:-1], nodes[1:]):
        w.way([a, b], highway="residential")
    w.way([nodes[3], w.node(300, 150)], highway="service")
    w.way([nodes[7], w.node(700, 150)], highway="service")
    _widen(w, 0, 0, 1000, 150)
    osm = w.write(tmp_path / "two_lanes.osm")
    layers = tmp_path / "layers"
    _write(layers, "stations.geojson", [_point(0, 5, kind="fire")])
    _write(layers, "residents.geojson", [_point(305, 140, population=100, elderly_share=0.1, name="多人"),
                                         _point(705, 140, population=40, elderly_share=0.9, name="老人多")])
    _write(layers, "obstructions.geojson", [_point(300, 50, kind="locked_gate", name="甲门"),
                                            _point(700, 50, kind="locked_gate", name="乙门")])
    study = load_study(osm, layers=[layers])
    by_people = access(study, vehicle="fire").obstructions.set_index("name")
    assert by_people.loc["甲门", "rank"] == 1
    assert by_people.loc["乙门", "vulnerable_restored_if_cleared"] == pytest.approx(36.0)
    assert by_people.loc["甲门", "vulnerable_restored_if_cleared"] == pytest.approx(10.0)
    by_need = access(study, vehicle="fire", weight="vulnerable")
    assert by_need.obstructions.set_index("name").loc["乙门", "rank"] == 1
    b = _by_name(by_need, study)
    assert b.loc["老人多", "elderly"] == pytest.approx(36.0) and b.loc["老人多", "vulnerable_source"] == "layer"
