"""Emergency access audit on hand-built networks with known answers, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import geoplan
from geoplan.emergency_access import access, parse_length, vehicle_profile
from geoplan.emergency_access.passability import road_widths
from geoplan.errors import InputError
from geoplan.study import load_study
from osm_fixture import OsmWriter, lonlat

SPEED_RESIDENTIAL = 20 / 3.6  # m/s, preset drive_speed_kph["residential"]


def _point(x, y, **props):
    lon, lat = lonlat(x, y)
    return {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def _write(folder: Path, name: str, features: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def _house(w: OsmWriter, x0, y0, name):
    return w.box(x0, y0, x0 + 20, y0 + 20, building="residential", building__levels="3", name=name)


def _widen(w: OsmWriter, x0, y0, x1, y1):
    """Two stray footway stubs beyond the corners: the extract (study area) then covers the streets with room."""
    w.way([w.node(x0 - 40, y0 - 40), w.node(x0 - 35, y0 - 40)], highway="footway")
    w.way([w.node(x1 + 40, y1 + 40), w.node(x1 + 45, y1 + 40)], highway="footway")


POP = 400 * 3 / 33  # 20 × 20 m, 3 levels, 33 m² per person


# --------------------------------------------------------------------------- a compound behind one gate
@pytest.fixture(scope="module")
def compound(tmp_path_factory):
    """A 300 m loop of streets; a compound entered only by one service road from the south street.

    Inside: three houses (A on the entry road, B and C on the cross road). Outside: two houses.
    Fire station and ambulance post on the west street. Obstructions: a locked gate on the
    entry road, a parked truck on the north street (a loop goes round it), and a point 50 m
    from every road (misplaced).
    """
    tmp = tmp_path_factory.mktemp("compound")
    w = OsmWriter()
    sw, s_mid, se = w.node(0, 0), w.node(150, 0), w.node(300, 0)
    ne, nw = w.node(300, 300), w.node(0, 300)
    w.way([sw, s_mid, se], highway="residential", name="南街")
    w.way([se, ne], highway="residential", name="东街")
    north = w.way([ne, nw], highway="residential", name="北街")
    w.way([nw, sw], highway="residential", name="西街")
    hub = w.node(150, 150)
    entry = w.way([s_mid, hub], highway="service", name="小区路")
    w.way([w.node(100, 150), hub, w.node(200, 150)], highway="service", name="小区横路")
    _house(w, 155, 90, "A栋")
    _house(w, 110, 160, "B栋")
    _house(w, 170, 160, "C栋")
    _house(w, 20, 20, "外1")
    _house(w, 250, 250, "外2")
    _widen(w, 0, 0, 300, 300)
    osm = w.write(tmp / "compound.osm")
    layers = tmp / "layers"
    _write(layers, "stations.geojson", [_point(5, 150, kind="fire", name="消防站"),
                                        _point(5, 140, kind="ambulance", name="急救站")])
    _write(layers, "obstructions.geojson", [
        _point(150, 20, kind="locked_gate", name="小区大门"),
        _point(100, 300, kind="occupied_lane", name="北街占道"),
        _point(250, 100, kind="other", name="放错的点"),
    ])
    study = load_study(osm, layers=[layers])
    return {"study": study, "osm": osm, "layers": layers, "entry": entry, "north": north}


def _by_name(result, study):
    b = result.buildings.copy()
    b["label"] = study.residents["name"].to_numpy()
    return b.set_index("label")


def test_locked_gate_blocks_exactly_the_buildings_behind_it(compound):
    study = compound["study"]
    result = access(study, vehicle="fire")
    b = _by_name(result, study)
    assert set(b.index[b["status"] == "blocked"]) == {"A栋", "B栋", "C栋"}
    assert set(b.index[b["status"] == "ok"]) == {"外1", "外2"}
    assert b.loc["A栋", "response_s"] != b.loc["A栋", "response_s"]  # NaN: no route now
    assert b.loc["A栋", "baseline_response_s"] > 60
    assert "O1" in b.loc["B栋", "cause"] and "locked_gate" in b.loc["B栋", "cause"]
    assert list(result.buildings.columns[:11]) == ["building_id", "lon", "lat", "population", "community",
                                                   "station_id", "response_s", "baseline_response_s",
                                                   "last_leg_m", "status", "cause"]


def test_clearing_the_gate_restores_exactly_them_and_ranks_it_first(compound):
    study = compound["study"]
    result = access(study, vehicle="fire")
    o = result.obstructions.set_index("obstruction_id")
    assert o.loc["O1", "rank"] == 1
    assert o.loc["O1", "buildings_restored_if_cleared"] == 3
    assert o.loc["O1", "residents_restored_if_cleared"] == pytest.approx(3 * POP, rel=0.01)
    assert o.loc["O2", "residents_restored_if_cleared"] == 0  # the loop goes round the parked truck
    assert o.loc["O1", "clear_order"] == 1
    # the clearing analysis agrees with a run where the gate is simply absent
    without = access(study, vehicle="fire", obstructions=False,
                     scenario=study.obstructions.loc[study.obstructions["obstruction_id"] != "O1"])
    assert (without.buildings["status"] == "ok").all()


def test_misplaced_obstruction_is_listed_and_warned_not_dropped(compound):
    result = access(compound["study"], vehicle="fire")
    o = result.obstructions.set_index("obstruction_id")
    assert not o.loc["O3", "applied"]
    assert "farther than" in o.loc["O3", "note"]
    assert o.loc["O3", "road_distance_m"] == pytest.approx(50, abs=1)
    assert any("O3" in w for w in result.warnings)


def test_bridge_is_found_and_loop_is_not(compound):
    result = access(compound["study"], vehicle="fire", obstructions=False)
    links = result.critical_links
    entry = links.loc[links["osm_way_id"] == compound["entry"]]
    assert len(entry) == 1
    assert entry["buildings_cut_off"].iloc[0] == 3
    assert entry["residents_cut_off"].iloc[0] == pytest.approx(3 * POP, rel=0.01)
    loop = {w for w in links["osm_way_id"]} & {compound["north"]}
    assert not loop
    assert len(links) == 3  # entry road and the two halves of the cross road
    # each half of the cross road is a 50 m dead end without a turnaround
    assert len(result.dead_ends) == 2 and (result.dead_ends["length_m"] > 40).all()


def test_baseline_flag_and_scenario_file(compound, tmp_path):
    study = compound["study"]
    base = access(study, vehicle="fire", obstructions=False)
    assert (base.buildings["status"] == "ok").all()
    assert len(base.obstructions) == 0
    scen = tmp_path / "what_if.geojson"
    _write(tmp_path, "what_if.geojson", [_point(150, 140, kind="occupied_lane", name="临时占道")])
    r = access(study, vehicle="fire", obstructions=False, scenario=scen)
    o = r.obstructions
    assert o["obstruction_id"].tolist() == ["X1"]
    b = _by_name(r, study)
    # the truck still reaches A from the south; B and C lie behind the parked car
    assert b.loc["A栋", "status"] == "ok"
    assert set(b.index[b["status"] == "blocked"]) == {"B栋", "C栋"}


def test_files_and_callable_package(compound, tmp_path):
    result = geoplan.access(compound["study"], vehicle="fire")
    written = result.to_file(tmp_path)
    names = {p.name for p in written}
    assert {"buildings.csv", "obstructions.csv", "critical_links.csv", "access.gpkg"} <= names
    b = pd.read_csv(tmp_path / "access" / "buildings.csv", encoding="utf-8-sig")
    assert list(b.columns[:11]) == ["building_id", "lon", "lat", "population", "community", "station_id",
                                    "response_s", "baseline_response_s", "last_leg_m", "status", "cause"]
    assert b["lon"].between(116.3, 116.4).all()
    o = pd.read_csv(tmp_path / "access" / "obstructions.csv", encoding="utf-8-sig")
    assert list(o.columns[:4]) == ["obstruction_id", "kind", "residents_restored_if_cleared", "rank"]
    c = pd.read_csv(tmp_path / "access" / "critical_links.csv", encoding="utf-8-sig")
    assert list(c.columns[:5]) == ["link_id", "osm_way_id", "residents_cut_off", "lon", "lat"]
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(tmp_path / "access" / "access.gpkg")}
    assert {"roads", "routes", "buildings", "obstructions"} <= layers
    roads = pyogrio.read_dataframe(tmp_path / "access" / "access.gpkg", layer="roads")
    assert {"width_m", "width_source", "passable"} <= set(roads.columns)
    html = result.to_map(lang="zh").html()
    assert "小区大门" in html or json.dumps("小区大门")[1:-1] in html


# --------------------------------------------------------------------------- widths and vehicles
@pytest.fixture(scope="module")
def lane(tmp_path_factory):
    """A street with a 3.5 m dead-end lane (width written "3,5 m") leading to one house 190 m in."""
    tmp = tmp_path_factory.mktemp("lane")
    w = OsmWriter()
    a, b, c = w.node(0, 0), w.node(200, 0), w.node(400, 0)
    w.way([a, b, c], highway="residential", name="大街")
    lane_way = w.way([c, w.node(400, 200)], highway="service", width="3,5 m", name="窄巷")
    _house(w, 405, 175, "巷底")
    _house(w, 100, 10, "街边")
    _widen(w, 0, 0, 400, 200)
    osm = w.write(tmp / "lane.osm")
    layers = tmp / "layers"
    _write(layers, "stations.geojson", [_point(5, 5, kind="fire"), _point(5, 5, kind="ambulance")])
    return {"study": load_study(osm, layers=[layers]), "lane": lane_way}


def test_narrow_lane_blocks_fire_truck_not_ambulance(lane):
    study = lane["study"]
    fire = access(study, vehicle="fire")
    amb = access(study, vehicle="ambulance")
    road = fire.roads.loc[fire.roads["osm_way_id"] == lane["lane"]].iloc[0]
    assert road["width_m"] == pytest.approx(3.5) and road["width_source"] == "width"
    assert not road["passable"] and "narrow 3.5 m < 4.0 m" in road["reason"]
    assert amb.roads.loc[amb.roads["osm_way_id"] == lane["lane"], "passable"].all()
    f, a = _by_name(fire, study), _by_name(amb, study)
    assert f.loc["巷底", "status"] == "far_from_road"  # nearest road a fire truck can use is 175 m away
    assert f.loc["巷底", "last_leg_m"] > 150 and "3.5 m" in f.loc["巷底", "cause"]
    assert a.loc["巷底", "status"] == "ok" and a.loc["巷底", "last_leg_m"] < 10
    assert f.loc["街边", "status"] == a.loc["街边", "status"] == "ok"
    # overridable: a 3.5 m truck gets through
    small = access(study, vehicle="fire", min_width_m=3.5)
    assert _by_name(small, study).loc["巷底", "status"] == "ok"


def test_unreachable_names_the_bottleneck(tmp_path):
    w = OsmWriter()
    a, b = w.node(0, 0), w.node(300, 0)
    w.way([a, b], highway="residential")
    c = w.node(400, 0)
    narrow = w.way([b, c], highway="residential", lanes="1")  # 1 lane × 3.0 m
    w.way([c, w.node(700, 0)], highway="residential")
    _house(w, 600, 10, "远端")
    _house(w, 100, 10, "近端")
    _widen(w, 0, 0, 700, 30)
    osm = w.write(tmp_path / "n.osm")
    _write(tmp_path / "layers", "stations.geojson", [_point(5, 5, kind="fire")])
    study = load_study(osm, layers=[tmp_path / "layers"])
    r = _by_name(access(study, vehicle="fire"), study)
    assert r.loc["远端", "status"] == "unreachable"
    assert f"way {narrow}" in r.loc["远端", "cause"] and "lanes" in r.loc["远端", "cause"]
    res = access(study, vehicle="fire")
    route = res.routes.set_index("building_id")
    rid = study.residents.loc[study.residents["name"] == "远端", "resident_id"].iloc[0]
    assert route.loc[rid, "narrowest_m"] == pytest.approx(3.0)
    assert route.loc[rid, "narrowest_way_id"] == narrow


def test_one_way_street_is_respected(tmp_path):
    """Square loop; the south side is one-way west → east. The station is mid-way up the east side."""
    w = OsmWriter()
    a, b, c, d = w.node(0, 0), w.node(300, 0), w.node(300, 300), w.node(0, 300)
    w.way([a, b], highway="residential", oneway="yes")
    w.way([b, c, d, a], highway="residential")
    ring = [w.node(20, -15), w.node(30, -25), w.node(20, -35), w.node(10, -25)]  # a diamond: one nearest point
    w.way(ring + ring[:1], building="residential", building__levels="3", name="南")
    _widen(w, 0, -35, 300, 300)
    osm = w.write(tmp_path / "oneway.osm")
    _write(tmp_path / "layers", "stations.geojson", [_point(295, 150, kind="fire")])
    study = load_study(osm, layers=[tmp_path / "layers"])
    r = access(study, vehicle="fire")
    # station → north-east corner 150 → north-west 300 → south-west 300 → along the one-way 20 m
    expected = (150 + 300 + 300 + 20) / SPEED_RESIDENTIAL
    assert r.buildings["baseline_response_s"].iloc[0] == pytest.approx(expected + 60, rel=1e-3)
    # the route avoids driving the wrong way
    assert r.buildings["status"].iloc[0] == "ok"


def test_no_stations_is_an_input_error(lane, tmp_path):
    study = lane["study"]
    empty = study.stations.iloc[0:0]
    from dataclasses import replace

    with pytest.raises(InputError) as err:
        access(replace(study, stations=empty), vehicle="fire")
    assert "stations layer" in err.value.fix and "README" in err.value.fix


def test_cli_without_stations_exits_2(tmp_path):
    from osm_fixture import grid_district

    osm = grid_district(tmp_path / "d.osm")
    run = subprocess.run([sys.executable, "-m", "geoplan.cli", "access", "--osm", str(osm), "--out",
                          str(tmp_path / "out")], capture_output=True, text=True, timeout=600)
    assert run.returncode == 2, run.stderr
    line = run.stderr.strip().splitlines()[-1]
    assert line.startswith("geoplan: error:") and "fire stations" in line and "stations layer" in line


# --------------------------------------------------------------------------- width parsing
@pytest.mark.parametrize("text, metres", [
    ("4", 4.0), ("3.5", 3.5), ("3,5 m", 3.5), ("3.5m", 3.5), ("3.5 米", 3.5), ("350 cm", 3.5),
    ("12'", 12 * 0.3048), ("12 ft", 12 * 0.3048), ("12'6\"", 12 * 0.3048 + 6 * 0.0254), ("3;4.5", 3.0),
    ("narrow", None), ("default", None), ("", None), (None, None), (float("nan"), None), (5, 5.0),
])
def test_parse_length(text, metres):
    got = parse_length(text)
    assert (got is None and metres is None) or got == pytest.approx(metres)


def test_width_sources_are_reported():
    edges = pd.DataFrame({
        "highway": ["residential", "service", "residential", "residential", "tertiary", "residential"],
        "width": ["narrow", None, "3,5 m", None, None, "5"],
        "maxwidth": [None, None, None, None, None, "2.2"],
        "est_width": [None, "6", None, None, None, None],
        "lanes": ["2", None, None, None, "x", None],
    })
    w = road_widths(edges)
    assert w["width_m"].tolist() == pytest.approx([6.0, 6.0, 3.5, 5.0, 6.0, 2.2])
    assert w["width_source"].tolist() == ["unparsed:width=narrow; lanes", "est_width", "width",
                                          "default:residential", "unparsed:lanes=x; default:tertiary", "maxwidth"]


def test_vehicle_profiles_follow_the_preset():
    from geoplan.standards import get_preset

    fire = vehicle_profile(get_preset("gb"), "fire")
    assert (fire.min_width_m, fire.min_height_m, fire.target_s, fire.last_leg_m) == (4.0, 4.0, 300.0, 80.0)
    amb = vehicle_profile(get_preset("gb"), "ambulance", turnout_s=90)
    assert amb.station_kinds == ("ambulance", "hospital") and amb.turnout_s == 90
    with pytest.raises(ValueError):
        vehicle_profile(get_preset("gb"), "tank")


def test_gate_drawn_on_the_junction_closes_the_side_road(compound):
    """A point exactly where the compound road meets the street closes the compound road, not the street."""
    study = compound["study"]
    gate = gpd_point(150, 0, kind="locked_gate")
    r = access(study, vehicle="fire", obstructions=False, scenario=gate)
    b = _by_name(r, study)
    assert set(b.index[b["status"] == "blocked"]) == {"A栋", "B栋", "C栋"}
    assert (b.loc[["外1", "外2"], "status"] == "ok").all()
    assert r.obstructions["rank"].iloc[0] == 1


def gpd_point(x, y, **props):
    import geopandas as gpd
    from shapely.geometry import Point

    lon, lat = lonlat(x, y)
    return gpd.GeoDataFrame({k: [v] for k, v in props.items()}, geometry=[Point(lon, lat)], crs="EPSG:4326")


def test_cli_access_on_the_bundled_sample(tmp_path, sample_layers):
    scen = tmp_path / "scenario.geojson"
    _write(tmp_path, "scenario.geojson", [{"type": "Feature", "properties": {"kind": "occupied_lane"},
                                           "geometry": {"type": "Point", "coordinates": [24.9497, 60.1768]}}])
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "geoplan.cli", "access", "--layers", str(sample_layers),
                          "--vehicle", "ambulance", "--scenario", str(scen), "--out", str(out), "--lang", "zh"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "救护车通达：" in run.stdout  # --lang zh: the summary is Chinese too (issue 9.5; was "ambulance access:")
    for name in ("access/buildings.csv", "access/obstructions.csv", "access/critical_links.csv",
                 "access/access.gpkg", "maps/access.html", "manifest.json"):
        assert (out / name).exists(), name
    obs = pd.read_csv(out / "access" / "obstructions.csv", encoding="utf-8-sig")
    assert "X1" in set(obs["obstruction_id"]) and "O1" in set(obs["obstruction_id"])
    html = (out / "maps" / "access.html").read_text(encoding="utf-8")
    assert "geoplanMap" in html and ("救援路线" in html or json.dumps("救援路线")[1:-1] in html)
    base = subprocess.run([sys.executable, "-m", "geoplan.cli", "access", "--layers", str(sample_layers),
                           "--no-obstructions", "--out", str(tmp_path / "base")],
                          capture_output=True, text=True, timeout=600)
    assert base.returncode == 0, base.stderr[-2000:]
    b = pd.read_csv(tmp_path / "base" / "access" / "buildings.csv", encoding="utf-8-sig")
    assert (b["status"] != "blocked").all()
    missing = subprocess.run([sys.executable, "-m", "geoplan.cli", "access", "--layers", str(sample_layers),
                              "--scenario", str(tmp_path / "nope.geojson"), "--out", str(tmp_path / "x")],
                             capture_output=True, text=True, timeout=600)
    assert missing.returncode == 2 and "scenario file not found" in missing.stderr
