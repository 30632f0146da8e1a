"""Residents, facilities and communities as a planner expects them from OSM plus layers."""

from __future__ import annotations

import numpy as np
import pytest

from geoplan.errors import InputError
from geoplan.study import load_study
from osm_fixture import OsmWriter, grid_district, lonlat


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_estimated_population_and_categories(tmp_path):
    study = load_study(grid_district(tmp_path / "d.osm"))
    res = study.residents.set_index("name")
    assert res.loc["一号楼", "population"] == pytest.approx(400 * 6 / 33, rel=0.01)
    assert res.loc["二号楼", "population"] == pytest.approx(400 * 3 / 33, rel=0.01)  # default 3 levels
    assert "办公楼" not in res.index
    assert set(res["population_source"]) == {"estimated"}
    # the clinic is named 社区卫生服务站: a 5-minute health station (GB 50180-2018), not a health centre
    assert set(study.facilities["category"]) == {"health_station", "market", "park", "primary_school"}
    assert study.lang == "zh"
    assert any("estimated" in w for w in study.warnings)


def test_building_yes_in_residential_landuse_is_home(tmp_path):
    w = OsmWriter()
    a, b = w.node(0, 0), w.node(300, 0)
    w.way([a, b], highway="residential")
    w.box(0, 10, 200, 200, landuse="residential")
    w.box(50, 50, 80, 80, building="yes")
    w.box(250, 50, 280, 80, building="yes")  # outside the residential area: not a home
    study = load_study(w.write(tmp_path / "l.osm"))
    assert len(study.residents) == 1
    assert study.residents["population"].iloc[0] == pytest.approx(900 * 3 / 33, rel=0.01)


def test_residents_layer_overrides_estimates_and_communities_assign(tmp_path):
    osm = grid_district(tmp_path / "d.osm")
    lon1, lat1 = lonlat(30, 30)
    lon2, lat2 = lonlat(250, 150)
    _write(tmp_path / "layers" / "residents.csv",
           f"name,lon,lat,population\n甲,{lon1},{lat1},120\n乙,{lon2},{lat2},80\n")
    corners = [lonlat(*p) for p in [(-10, -10), (150, -10), (150, 310), (-10, 310), (-10, -10)]]
    ring = ",".join(f"[{x},{y}]" for x, y in corners)
    _write(tmp_path / "layers" / "boundary.geojson",
           '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"西区","name_zh":"西区",'
           f'"name_en":"West"}},"geometry":{{"type":"Polygon","coordinates":[[{ring}]]}}}}]}}')
    study = load_study(osm, layers=[tmp_path / "layers"])
    res = study.residents.set_index("name")
    assert res.loc["甲", "population"] == 120 and res.loc["甲", "community"] == "西区"
    assert res.loc["乙", "community"] == "unassigned"  # outside every community
    assert set(res["population_source"]) == {"layer"}
    b = study.buildings.set_index("name")
    assert b.loc["一号楼", "population"] == 120  # the layer point inside it


def test_snaps_keep_connector_lengths(tmp_path):
    study = load_study(grid_district(tmp_path / "d.osm"))
    snap = study.snaps["residents.walk"]
    assert snap.ok.all()
    # both 20×20 m buildings sit 20 m from the nearest street (their nearest side)
    np.testing.assert_allclose(snap.distance_m, 20.0, atol=0.5)


def test_all_residents_off_the_network_is_one_clear_error(tmp_path):
    from geoplan.standards import Preset

    strict = Preset().with_overrides({"max_snap_m": 5.0})  # both homes stand 20 m from their street
    with pytest.raises(InputError) as err:
        load_study(grid_district(tmp_path / "d.osm"), preset=strict)
    assert "all 2 residents are farther than 5 m from the walking network" in err.value.line()
    assert "fix:" in err.value.line()
