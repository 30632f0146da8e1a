"""Polygons entered from any side: a campus between two streets, a park with a mapped gate.

Distances are hand-computed on the fixture's own geometry. The OSM fixture places nodes with a
local approximation of metres per degree, and the study measures in UTM, so lengths agree to a
few tenths of a percent: the tolerances below are 1 % — far below the differences they separate
(a nearest-side-only snap would be 80 m or more longer in each case).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from geoplan import coverage
from geoplan.network.engine import CompiledNetwork
from geoplan.study import load_study
from osm_fixture import OsmWriter


def _diamond(w: OsmWriter, x: float, y: float, **tags) -> int:
    """A 20 m building turned 45°, its west corner at (x, y): it snaps there, exactly."""
    refs = [w.node(x, y), w.node(x + 10, y + 10), w.node(x + 20, y), w.node(x + 10, y - 10)]
    return w.way(refs + [refs[0]], **tags)


def _block(w: OsmWriter):
    """A 400 × 400 m loop of streets; returns the corner nodes (sw, se, ne, nw)."""
    sw, se, ne, nw = w.node(0, 0), w.node(400, 0), w.node(400, 400), w.node(0, 400)
    w.way([sw, se], highway="residential", name="南路")
    w.way([se, ne], highway="residential", name="东路")
    w.way([ne, nw], highway="residential", name="北路")
    w.way([nw, sw], highway="residential", name="西路")
    return sw, se, ne, nw


@pytest.fixture(scope="module")
def campus(tmp_path_factory):
    """A school campus 10 m from the south and the east streets; one home north-east, one south-west."""
    w = OsmWriter()
    _block(w)
    w.box(250, 10, 390, 150, amenity="school", name="实验小学")
    _diamond(w, 405, 300, building="apartments", name="东楼")   # 5 m east of 东路, at y = 300
    # a home south of 南路 at x = 100: its north corner 5 m below the street
    refs = [w.node(100, -5), w.node(110, -15), w.node(100, -25), w.node(90, -15)]
    w.way(refs + [refs[0]], building="apartments", name="南楼")
    return load_study(w.write(tmp_path_factory.mktemp("campus") / "campus.osm"))


def _distances(study, category):
    table = coverage(study, categories=category).residents_table().set_index("name")
    return table[f"dist_m_{category}"]


def test_campus_is_entered_from_both_streets(campus):
    snap = campus.snaps["facilities.walk"]
    assert snap.n_entries[0] > 2  # entries on 南路 and on 东路
    d = _distances(campus, "primary_school")
    # 东楼: 5 m connector, north along 东路 to the end of its stretch within 20 m of the campus
    # (y = 150 + √(20² − 10²)), whose connector to the campus corner is 20 m
    reach_y = 150 + math.sqrt(20 ** 2 - 10 ** 2)
    assert d["东楼"] == pytest.approx(5 + (300 - reach_y) + 20, rel=0.01)
    # 南楼: 5 m connector, east along 南路 to x = 250 − √(20² − 10²), 20 m connector
    reach_x = 250 - math.sqrt(20 ** 2 - 10 ** 2)
    assert d["南楼"] == pytest.approx(5 + (reach_x - 100) + 20, rel=0.01)


def test_nearest_side_only_would_be_longer(campus):
    """The same study with the old single snap: at least one home walks round the campus."""
    net = campus.walk.compiled
    geoms = campus.facilities.geometry.to_numpy()
    single = net.snap(geoms, max_distance=campus.preset.max_snap_m)
    multi = campus.snaps["facilities.walk"]
    res = campus.snaps["residents.walk"]
    one = net.search(single, source_cost=single.distance_m, limit=5000).to(res)[0]
    many = net.search(multi, source_cost=multi.distance_m, limit=5000).to(res)[0]
    assert (many <= one + 1e-9).all()
    assert (one - many).max() > 80


@pytest.fixture(scope="module")
def gated_park(tmp_path_factory):
    """A park 50 m from the south street and 60 m from the east street, with a gate on its east side."""
    w = OsmWriter()
    sw, se, ne = w.node(0, 0), w.node(260, 0), w.node(260, 300)
    w.way([sw, se], highway="residential")
    w.way([se, ne], highway="residential")
    corners = [w.node(100, 50), w.node(200, 50)]
    gate = w.node(200, 100, barrier="gate")
    corners += [w.node(200, 150), w.node(100, 150)]
    w.way([corners[0], corners[1], gate, corners[2], corners[3], corners[0]], leisure="park", name="小游园")
    _diamond(w, 265, 100, building="apartments", name="东楼")
    return load_study(w.write(tmp_path_factory.mktemp("park") / "park.osm"))


def test_park_is_entered_at_its_mapped_gate(gated_park):
    d = _distances(gated_park, "park")
    # 5 m connector, the gate straight across from the home: 60 m from the gate to 东路
    assert d["东楼"] == pytest.approx(5 + 60, rel=0.01)


def test_shelter_cost_matrix_and_service_areas_use_the_same_entries(gated_park):
    from geoplan.shelters.analysis import walking_cost_matrix

    sites = gated_park.sites
    row = int(np.flatnonzero(sites["kind"].astype(str) == "park")[0])
    cost = walking_cost_matrix(gated_park, np.array([row]), radius=500.0).toarray()
    assert cost[0, 0] == pytest.approx(_distances(gated_park, "park")["东楼"], abs=0.01)
    areas = coverage(gated_park, categories="park").service_areas.set_index("category")
    assert areas.loc["park", "street_m"] > 0


def test_entries_leave_points_and_residents_alone(gated_park):
    assert gated_park.snaps["residents.walk"].extra is None
    assert (gated_park.snaps["stations.drive"].n_entries <= 1).all()


def test_entries_follow_subsets():
    """A subset keeps each feature's own entries, renumbered."""
    import networkx as nx

    g = nx.MultiDiGraph(crs="EPSG:32650")
    for i, (x, y) in enumerate([(0, 0), (100, 0), (100, 100), (0, 100)]):
        g.add_node(i, x=float(x), y=float(y))
    for u, v in [(0, 1), (1, 2), (2, 3), (3, 0)]:
        length = math.dist((g.nodes[u]["x"], g.nodes[u]["y"]), (g.nodes[v]["x"], g.nodes[v]["y"]))
        g.add_edge(u, v, 0, length=length)
        g.add_edge(v, u, 0, length=length)
    net = CompiledNetwork.from_graph(g)
    polys = [shapely.box(10, 10, 90, 95), shapely.Point(50, 50), shapely.box(20, -30, 40, -10)]
    snap = net.snap_entries(polys, entry_distance=20.0)
    assert snap.n_entries.tolist()[1] == 1 and snap.n_entries[0] > 2 and snap.n_entries[2] > 1
    sub = snap.subset(np.array([2, 0]))
    assert sub.n_entries.tolist() == [snap.n_entries[2], snap.n_entries[0]]
    assert set(sub.extra.owner.tolist()) == {0, 1}


def test_segments_inside_a_zone_enter_as_the_overlay_would(monkeypatch):
    """Segments wholly within a polygon's entry zone skip the overlay; the entries are the same."""
    study = load_study(None)
    net = study.walk.compiled
    geoms = study.sites.geometry.to_numpy()
    idx = np.flatnonzero(np.isin(shapely.get_type_id(geoms), (3, 6)))
    quick = net._stretch_entries(geoms[idx], idx, study.preset.entry_distance_m)
    # every pair through shapely.intersection, as before the shortcut
    monkeypatch.setattr(shapely, "within", lambda a, b: np.zeros(len(a), dtype=bool))
    overlay = net._stretch_entries(geoms[idx], idx, study.preset.entry_distance_m)
    assert len(quick[0]) > 1000
    for a, b in zip(quick, overlay):
        np.testing.assert_array_equal(a, b)
