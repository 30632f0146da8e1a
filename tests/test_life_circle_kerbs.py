"""The wheelchair profile reads ``kerb=*`` on nodes: a raised kerb on the only short path is
gone round, a lowered or flush one is crossed. Built from a tiny OSM file through the real
reader, so the node tag travels the whole way (reader → network → profile)."""

from __future__ import annotations

import numpy as np
import pytest

from geoplan.life_circle import coverage
from geoplan.life_circle.profiles import closed_by_rule, walking_network
from geoplan.study import load_study
from osm_fixture import OsmWriter

CAT = "pharmacy"


def _district(tmp_path, kerb: dict, *, road_through_kerb: bool = False):
    """W(−100,0) –road– A(0,0) –footway via K(100,0)– B(200,0) –road– E(300,0); the way round
    A–C(0,300)–D(200,300)–B is a road of ≈ 800 m. A building south of W–A and a pharmacy south
    of B–E: the walk over K and the walk round the north differ by exactly the round road's
    length minus the footway's (the links meeting a raised kerb are closed whole, so nobody
    lives on them here).
    """
    w = OsmWriter()
    west, a, k, b, east = w.node(-100, 0), w.node(0, 0), w.node(100, 0, **kerb), w.node(200, 0), w.node(300, 0)
    c, d = w.node(0, 300), w.node(200, 300)
    w.way([west, a], highway="residential", name="西路")
    w.way([b, east], highway="residential", name="东路")
    w.way([a, k, b], highway="footway")
    if road_through_kerb:  # a crossing node: the road it sits on runs north to the far road
        north = w.node(100, 300)
        w.way([a, c, north, d, b], highway="residential", name="北路")
        w.way([w.node(100, -100), k, north], highway="residential", name="横路")
    else:
        w.way([a, c, d, b], highway="residential", name="北路")
    w.box(-60, -25, -40, -15, building="apartments", building__levels="6", name="一号楼")
    w.node(250, -15, amenity="pharmacy", name="药店")
    return load_study(w.write(tmp_path / "kerb.osm"))


def _dist(result) -> float:
    table = result.residents_table()
    assert len(table) == 1
    return float(table[f"dist_m_{CAT}"].iloc[0])


def _detour_m(study) -> float:
    """Round the north minus over K, from the built links' lengths (m)."""
    edges = study.walk.edges
    north = edges.loc[edges["name"].eq("北路"), "length"].sum() / 2  # both directions
    over_k = edges.loc[edges["highway"].eq("footway"), "length"].sum() / 2
    return float(north - over_k)


@pytest.mark.parametrize("kerb", [{"barrier": "kerb", "kerb": "raised"}, {"kerb": "raised"}],
                         ids=["barrier-kerb-raised", "kerb-raised-alone"])
def test_the_wheelchair_goes_round_a_raised_kerb(tmp_path, kerb):
    study = _district(tmp_path, kerb)
    adult = _dist(coverage(study, categories=[CAT]))
    wheel = coverage(study, categories=[CAT], profile="wheelchair")
    assert adult < 400  # over the kerb
    assert _dist(wheel) > 800  # round the north
    assert _dist(wheel) - adult == pytest.approx(_detour_m(study), abs=0.02)
    # the rule is named in the outputs: both footway pieces at K, both directions
    assert wheel.parameters["closed_walk_edges_by_rule"]["raised_kerb_node"] == 4
    assert wheel.parameters["closed_walk_edges"] == 4
    note = next(w for w in wheel.warnings if w.code == "wheelchair_profile")
    assert "4 links at a kerb=raised node" in str(note)


@pytest.mark.parametrize("kerb", [{"barrier": "kerb", "kerb": "lowered"}, {"barrier": "kerb", "kerb": "flush"},
                                  {"barrier": "kerb"}, {}], ids=["lowered", "flush", "untagged-kerb", "no-tags"])
def test_a_lowered_or_flush_kerb_stays_passable(tmp_path, kerb):
    study = _district(tmp_path, kerb)
    adult = _dist(coverage(study, categories=[CAT]))
    wheel = coverage(study, categories=[CAT], profile="wheelchair")
    assert adult < 400
    assert _dist(wheel) == pytest.approx(adult)
    assert wheel.parameters["closed_walk_edges"] == 0


def test_a_raised_kerb_on_a_crossing_node_closes_the_footway_not_the_road(tmp_path):
    study = _district(tmp_path, {"highway": "crossing", "kerb": "raised"}, road_through_kerb=True)
    net = study.walk.compiled
    rules = closed_by_rule(study.walk.edges, study.walk.nodes, net)
    at_k = np.isin(net.edge_u, np.flatnonzero(study.walk.nodes.reindex(net.node_ids)["kerb"].eq("raised").to_numpy()))
    highway = study.walk.edges.set_index(["u", "v", "key"]).reindex(net.edge_keys)["highway"].to_numpy()
    assert at_k.sum() == 4  # two footway pieces and two road pieces leave K
    assert rules["raised_kerb_node"][at_k & (highway == "footway")].all()
    assert not rules["raised_kerb_node"][at_k & (highway == "residential")].any()
    _, closed = walking_network(study, "wheelchair")
    assert closed == 4
    wheel = _dist(coverage(study, categories=[CAT], profile="wheelchair"))
    # round the north: W–A, A–C–(north)–D–B, B–E as over K; the road through K is no shortcut
    assert wheel - _dist(coverage(study, categories=[CAT])) == pytest.approx(_detour_m(study), abs=0.02)
