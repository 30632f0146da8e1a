"""Passability follows the preset: a project-file override of the passability section changes the audit."""

from __future__ import annotations

from dataclasses import replace

import pytest

from geoplan.config import preset_from_config
from geoplan.emergency_access import access
from geoplan.study import load_study
from osm_fixture import OsmWriter
from test_access import _by_name, _house, _point, _widen, _write


@pytest.fixture(scope="module")
def one_lane(tmp_path_factory):
    """A street whose middle 100 m is one lane (``lanes=1``: 3.0 m at the gb lane width), a house beyond it."""
    tmp = tmp_path_factory.mktemp("one_lane")
    w = OsmWriter()
    a, b, c = w.node(0, 0), w.node(300, 0), w.node(400, 0)
    w.way([a, b], highway="residential")
    w.way([b, c], highway="residential", lanes="1")
    w.way([c, w.node(700, 0)], highway="residential")
    _house(w, 600, 10, "远端")
    _widen(w, 0, 0, 700, 30)
    osm = w.write(tmp / "n.osm")
    _write(tmp / "layers", "stations.geojson", [_point(5, 5, kind="fire")])
    return load_study(osm, layers=[tmp / "layers"])


def test_project_file_lane_width_override_changes_the_result(one_lane):
    before = _by_name(access(one_lane, vehicle="fire"), one_lane)
    assert before.loc["远端", "status"] == "unreachable"
    config = {"overrides": {"passability": {"lane_width_m": 4.0}}}
    study = replace(one_lane, preset=preset_from_config(config))
    after = access(study, vehicle="fire")
    assert _by_name(after, study).loc["远端", "status"] == "ok"
    narrow = after.roads.loc[after.roads["width_source"] == "lanes"]
    assert len(narrow) == 1 and narrow["width_m"].iloc[0] == pytest.approx(4.0) and narrow["passable"].all()
    # 3.5 m lanes are still too narrow for a 4 m fire lane
    study = replace(one_lane, preset=preset_from_config({"overrides": {"passability": {"lane_width_m": 3.5}}}))
    r = access(study, vehicle="fire")
    assert _by_name(r, study).loc["远端", "status"] == "unreachable"
    assert "narrow 3.5 m < 4.0 m (lanes)" in _by_name(r, study).loc["远端", "cause"]


def test_access_and_barrier_rules_come_from_the_preset(tmp_path):
    """``access=no`` blocks by default; a preset that treats it as passable lets the truck through; same for bollards."""
    w = OsmWriter()
    a, b = w.node(0, 0), w.node(300, 0)
    w.way([a, b], highway="residential")
    bollard = w.node(400, 0, barrier="bollard")
    w.way([b, bollard, w.node(500, 0)], highway="residential", access="no")
    _house(w, 480, 10, "里面")
    _widen(w, 0, 0, 500, 30)
    osm = w.write(tmp_path / "b.osm")
    _write(tmp_path / "layers", "stations.geojson", [_point(5, 5, kind="fire")])
    study = load_study(osm, layers=[tmp_path / "layers"])
    r = _by_name(access(study, vehicle="fire"), study)
    assert r.loc["里面", "status"] != "ok"
    lenient = preset_from_config({"overrides": {"passability": {"access_rules": {"no": True},
                                                                "barrier_rules": {"bollard": True}}}})
    open_study = replace(study, preset=lenient)
    assert _by_name(access(open_study, vehicle="fire"), open_study).loc["里面", "status"] == "ok"
