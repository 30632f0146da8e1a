"""Compounds and their gates, and sealed compounds (issue 15.2–15.3), on hand-built networks."""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geoplan.emergency_access import access
from geoplan.study import load_study
from osm_fixture import OsmWriter, lonlat
from test_access import POP, _by_name, _house, _point, _widen, _write, compound  # noqa: F401  (fixture)


def _polygon(x0, y0, x1, y1, name):
    ring = [lonlat(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))]
    return {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _compounds_frame(features):
    return gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")


BOX = (90, 30, 230, 200)  # the compound's outline (m)


@pytest.fixture(scope="module")
def two_gates(tmp_path_factory):
    """A 300 m loop of streets; a compound entered from the south street and from the east street."""
    tmp = tmp_path_factory.mktemp("two_gates")
    w = OsmWriter()
    sw, s_mid, se = w.node(0, 0), w.node(150, 0), w.node(300, 0)
    e_mid, ne, nw = w.node(300, 150), w.node(300, 300), w.node(0, 300)
    w.way([sw, s_mid, se], highway="residential", name="南街")
    w.way([se, e_mid, ne], highway="residential", name="东街")
    w.way([ne, nw, sw], highway="residential", name="北西街")
    hub = w.node(150, 150)
    w.way([s_mid, hub], highway="service", name="南门路")
    w.way([hub, e_mid], highway="service", name="东门路")
    w.way([w.node(100, 150), hub], highway="service", name="小区路")
    _house(w, 155, 90, "A栋")
    _house(w, 110, 160, "B栋")
    _house(w, 170, 160, "C栋")
    _house(w, 20, 20, "外1")
    _widen(w, 0, 0, 300, 300)
    osm = w.write(tmp / "two.osm")
    layers = tmp / "layers"
    _write(layers, "stations.geojson", [_point(5, 150, kind="fire")])
    comp = [_polygon(*BOX, "小区甲")]
    _write(tmp, "compounds.geojson", comp)
    return {"study": load_study(osm, layers=[layers]), "compounds": _compounds_frame(comp), "tmp": tmp, "osm": osm,
            "layers": layers}


def test_compounds_table_lists_entrances_and_the_check(two_gates):
    r = access(two_gates["study"], vehicle="fire", compounds=two_gates["compounds"])
    row = r.compounds.set_index("compound").loc["小区甲"]
    assert row["buildings"] == 3 and row["residents"] == pytest.approx(3 * POP, rel=0.01)
    assert row["vehicle_entrances"] == 2 and row["usable_entrances"] == 2 and not row["too_few_entrances"]
    assert row["check"] == "ok" and row["long_dead_ends"] == 1  # the 50 m stub west of the hub
    b = _by_name(r, two_gates["study"])
    assert set(b.index[b["compound"] == "小区甲"]) == {"A栋", "B栋", "C栋"} and b.loc["外1", "compound"] == ""


def test_one_gate_compound_is_flagged_and_its_locked_gate_named(compound):
    study = compound["study"]
    box = _compounds_frame([_polygon(90, 30, 210, 200, "小区乙")])
    r = access(study, vehicle="fire", compounds=box)
    row = r.compounds.iloc[0]
    assert row["vehicle_entrances"] == 1 and row["usable_entrances"] == 0
    assert row["locked_entrances"] == "E1.1" and row["too_few_entrances"] and row["check"] == "too_few_entrances"
    base = access(study, vehicle="fire", compounds=box, obstructions=False).compounds.iloc[0]
    assert base["usable_entrances"] == 1 and base["too_few_entrances"]  # one gate is one too few (GB 50180 6.0.5)


def test_sealing_blocks_exactly_the_compound_and_one_gate_kept_open_restores_everyone(two_gates):
    study = two_gates["study"]
    r = access(study, vehicle="fire", compounds=two_gates["compounds"], seal="小区甲")
    b = _by_name(r, study)
    assert set(b.index[b["status"] == "blocked"]) == {"A栋", "B栋", "C栋"} and b.loc["外1", "status"] == "ok"
    o = r.obstructions.set_index("obstruction_id")
    assert {"E1.1", "E1.2"} <= set(o.index) and (o.loc[["E1.1", "E1.2"], "kind"] == "sealed_compound").all()
    assert o.loc["E1.1", "residents_restored_if_cleared"] == pytest.approx(3 * POP, rel=0.01)
    row = r.compounds.iloc[0]
    assert row["sealed"] and row["check"] == "sealed" and row["buildings_losing_access"] == 3
    assert row["keep_open_entrance"] == "E1.1"  # either restores everyone: the first is named
    assert row["keep_open_restores_residents"] == pytest.approx(3 * POP, rel=0.01)
    html = r.to_map(lang="zh").html()
    assert "居住小区" in html or json.dumps("居住小区")[1:-1] in html


def test_a_gate_marked_keep_open_is_not_sealed(two_gates):
    study = two_gates["study"]
    kept = gpd.GeoDataFrame({"kind": ["locked_gate"], "keep_open": [True], "name": ["东门"]},
                            geometry=[shapely.Point(*lonlat(BOX[2], 150))], crs="EPSG:4326")
    r = access(study, vehicle="fire", compounds=two_gates["compounds"], seal="all", scenario=kept)
    assert (r.buildings["status"] == "ok").all()
    assert "E1.2" not in set(r.obstructions["obstruction_id"]) and "E1.1" in set(r.obstructions["obstruction_id"])


def test_cli_compounds_and_seal(two_gates):
    tmp = two_gates["tmp"]
    cmd = [sys.executable, "-m", "geoplan.cli", "access", "--osm", str(two_gates["osm"]), "--layers",
           str(two_gates["layers"]), "--compounds", str(tmp / "compounds.geojson")]
    run = subprocess.run(cmd + ["--seal", "小区甲", "--out", str(tmp / "out")], capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    c = pd.read_csv(tmp / "out" / "access" / "compounds.csv", encoding="utf-8-sig")
    assert c["compound"].tolist() == ["小区甲"] and c["keep_open_entrance"].tolist() == ["E1.1"]
    b = pd.read_csv(tmp / "out" / "access" / "buildings.csv", encoding="utf-8-sig")
    assert (b.loc[b["compound"] == "小区甲", "status"] == "blocked").all()
    bad = subprocess.run(cmd + ["--seal", "没有这个小区", "--out", str(tmp / "bad")], capture_output=True, text=True,
                         timeout=600)
    assert bad.returncode == 2 and "no compound named" in bad.stderr


def _entrances_one_compound_at_a_time(compounds, net, nodes):
    """The definition, as it was computed: every node tested against each compound in turn."""
    import numpy as np

    rows = []
    barrier = nodes["barrier"] if "barrier" in nodes else pd.Series(dtype=object)
    for c, poly in enumerate(compounds.geometry):
        inside = shapely.contains_xy(poly, net.node_x, net.node_y)
        for k, seg in enumerate(np.flatnonzero(inside[net.seg_u] != inside[net.seg_v]).tolist()):
            hit = shapely.intersection(net.seg_geometry[seg], poly.boundary)
            pts = shapely.get_parts(hit)
            point = pts[0] if len(pts) and pts[0].geom_type == "Point" else shapely.centroid(hit)
            gate = ""
            for node in (net.node_ids[net.seg_u[seg]], net.node_ids[net.seg_v[seg]]):
                kind = barrier.get(node) if node in barrier.index else None
                if isinstance(kind, str) and kind:
                    gate = kind
            rows.append((f"E{c + 1}.{k + 1}", c, int(seg), gate, point))
    return pd.DataFrame(rows, columns=["entrance_id", "compound", "segment", "gate", "geometry"])


def test_entrances_of_many_compounds_at_once_are_those_found_one_by_one():
    import numpy as np

    from geoplan.emergency_access.compounds import find_entrances

    study = load_study(None)
    net, nodes = study.drive.compiled, study.drive.nodes.copy()
    rng = np.random.default_rng(11)
    # compounds of every size around random places, overlapping, some holed; gates on some nodes
    centres = rng.choice(len(net.node_x), 150)
    polys = [shapely.Point(net.node_x[i] + rng.uniform(-40, 40), net.node_y[i] + rng.uniform(-40, 40))
             .buffer(rng.uniform(20, 250), quad_segs=3) for i in centres]
    polys[::7] = [p.difference(p.centroid.buffer(10)) for p in polys[::7]]
    compounds = gpd.GeoDataFrame({"compound": [f"小区{i}" for i in range(len(polys))]}, geometry=polys,
                                 crs=study.crs)
    nodes["barrier"] = nodes.get("barrier", pd.Series(None, index=nodes.index, dtype=object)).astype(object)
    gated = rng.choice(len(nodes), 300, replace=False)
    nodes.iloc[gated, nodes.columns.get_loc("barrier")] = rng.choice(["gate", "lift_gate", "bollard"], 300)
    got = find_entrances(compounds, net, nodes).table
    want = _entrances_one_compound_at_a_time(compounds, net, nodes)
    assert len(want) > 300 and (want["gate"] != "").sum() > 10
    pd.testing.assert_frame_equal(pd.DataFrame(got.drop(columns="geometry")).reset_index(drop=True),
                                  want.drop(columns="geometry"), check_dtype=False)
    assert shapely.equals_exact(got.geometry.to_numpy(), want["geometry"].to_numpy(), 1e-9).all()


def test_each_building_takes_the_last_listed_compound_it_stands_in():
    import numpy as np

    from geoplan.emergency_access.compounds import of_buildings

    study = load_study(None)
    pts = study.residents.representative_point().to_numpy()
    rng = np.random.default_rng(1)
    polys = [shapely.buffer(pts[i], rng.uniform(20, 200)) for i in rng.choice(len(pts), 60)]  # overlapping
    compounds = gpd.GeoDataFrame({"compound": [f"小区{i}" for i in range(60)]}, geometry=polys, crs=study.crs)
    want = np.full(len(pts), "", dtype=object)
    for name, poly in zip(compounds["compound"], polys):  # the definition: later compounds win
        want[shapely.contains(poly, pts)] = name
    got = of_buildings(compounds, study.residents)
    assert (want != "").sum() > 20 and len(set(want)) > 5
    assert list(got) == list(want)
