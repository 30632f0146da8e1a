"""Parked cars narrow a lane, they do not delete it (issue 15.1), on hand-built networks."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from geoplan.emergency_access import access
from geoplan.emergency_access.parking import parked_rows, side_width
from geoplan.standards import parking
from geoplan.study import load_study
from osm_fixture import OsmWriter
from test_access import _by_name, _house, _point, _widen, _write


def _lane_study(tmp, *, lane_tags: dict, obstructions: list | None = None):
    """A 10 m primary street (y = 0) and a 200 m lane north from its east end, with one house at the lane's end."""
    tmp.mkdir(parents=True, exist_ok=True)
    w = OsmWriter()
    a, b, c = w.node(0, 0), w.node(200, 0), w.node(400, 0)
    w.way([a, b, c], highway="primary", width="10", name="大街")
    lane = w.way([c, w.node(400, 200)], highway="residential", name="小巷", **lane_tags)
    _house(w, 405, 175, "巷底")
    _house(w, 100, 10, "街边")
    _widen(w, 0, 0, 400, 200)
    osm = w.write(tmp / "lane.osm")
    layers = tmp / "layers"
    _write(layers, "stations.geojson", [_point(5, 5, kind="fire", name="消防站"), _point(5, 5, kind="ambulance")])
    if obstructions:
        _write(layers, "obstructions.geojson", obstructions)
    return load_study(osm, layers=[layers]), lane


def _lane_row(result, lane):
    return result.roads.loc[result.roads["osm_way_id"] == lane].iloc[0]


def test_the_figures_are_documented_in_the_standards():
    assert parking.DEFAULT_WIDTH_TAKEN_M == parking.ROW_WIDTH_M["parallel"] == 2.0
    assert "GA/T 850" in parking.__doc__
    assert side_width({"parking:lane:right": "parallel", "parking:lane:right:parallel": "half_on_kerb"}, "right") == 1.0
    assert side_width({"parking:both": "lane", "parking:both:orientation": "perpendicular"}, "left") == 5.0
    assert side_width({"parking:lane:both": "no_stopping"}, "left") == 0.0
    assert side_width({}, "left") is None


def test_five_metre_lane_one_half_on_kerb_row_stays_open_two_close_it(tmp_path):
    one, lane = _lane_study(tmp_path / "one", lane_tags={"width": "5", "parking:right": "half_on_kerb",
                                                         "parking:left": "no"})
    r = access(one, vehicle="fire")
    row = _lane_row(r, lane)
    assert row["parked_m"] == pytest.approx(1.0) and row["clear_width_m"] == pytest.approx(4.0) and row["passable"]
    assert _by_name(r, one).loc["巷底", "status"] == "ok"
    two, lane = _lane_study(tmp_path / "two", lane_tags={"width": "5", "parking:both": "half_on_kerb"})
    r = access(two, vehicle="fire")
    row = _lane_row(r, lane)
    assert row["clear_width_m"] == pytest.approx(3.0) and not row["passable"]
    assert "clear width 3.0 m with cars parked on both sides (4.0 m needed)" in row["reason"]
    b = _by_name(r, two).loc["巷底"]
    assert b["status"] == "far_from_road" and "cars parked on both sides" in b["cause"]
    # an ambulance (3.0 m) still gets through
    assert _by_name(access(two, vehicle="ambulance"), two).loc["巷底", "status"] == "ok"


def test_assume_parked_applies_rows_only_where_parking_is_unknown(tmp_path):
    study, lane = _lane_study(tmp_path, lane_tags={"width": "6"})
    none = access(study, vehicle="fire")
    assert _lane_row(none, lane)["parked_m"] == 0 and _by_name(none, study).loc["巷底", "status"] == "ok"
    one = access(study, vehicle="fire", assume_parked="one-side")
    row = _lane_row(one, lane)
    assert row["clear_width_m"] == pytest.approx(4.0) and row["parking_source"] == "assumed" and row["passable"]
    both = access(study, vehicle="fire", assume_parked="both-sides")
    row = _lane_row(both, lane)
    assert not row["passable"] and "clear width 2.0 m with cars parked on both sides (4.0 m needed)" in row["reason"]
    assert _by_name(both, study).loc["巷底", "status"] == "far_from_road"
    assert _by_name(both, study).loc["街边", "status"] == "ok"  # the 10 m primary street gets no assumed cars
    # where OSM says there is no parking, the assumption does not apply
    clear, lane2 = _lane_study(tmp_path / "tagged", lane_tags={"width": "6", "parking:both": "no"})
    assert _lane_row(access(clear, vehicle="fire", assume_parked="both-sides"), lane2)["passable"]


def test_occupied_lane_with_width_taken_narrows_not_closes(tmp_path):
    """One row (default 2.0 m) on a 6 m lane leaves 4.0 m: open. 3.5 m taken leaves 2.5 m: the house is blocked."""
    wide, lane = _lane_study(tmp_path / "wide", lane_tags={"width": "6"},
                             obstructions=[_point(400, 100, kind="occupied_lane", name="停车")])
    r = access(wide, vehicle="fire")
    o = r.obstructions.set_index("obstruction_id").loc["O1"]
    assert o["width_taken_m"] == pytest.approx(2.0) and o["clear_width_m"] == pytest.approx(4.0)
    assert o["edges_closed"] == 0 and o["cause_code"] == "narrowed_passable"
    assert _by_name(r, wide).loc["巷底", "status"] == "ok"
    tight, lane = _lane_study(tmp_path / "tight", lane_tags={"width": "6"},
                              obstructions=[_point(400, 100, kind="occupied_lane", name="停车", width_taken_m=3.5)])
    r = access(tight, vehicle="fire")
    o = r.obstructions.set_index("obstruction_id").loc["O1"]
    assert o["width_taken_m"] == pytest.approx(3.5) and o["clear_width_m"] == pytest.approx(2.5)
    b = _by_name(r, tight).loc["巷底"]
    assert b["status"] == "blocked" and "O1 (occupied_lane: clear width 2.5 m, 4.0 m needed)" in b["cause"]
    assert o["rank"] == 1 and o["buildings_restored_if_cleared"] == 1
    # 2.5 m left stops an ambulance (3.0 m) too; with 3.0 m taken, 3.0 m is left: enough for it, not for fire
    assert _by_name(access(tight, vehicle="ambulance"), tight).loc["巷底", "status"] == "blocked"
    three, _ = _lane_study(tmp_path / "three", lane_tags={"width": "6"},
                           obstructions=[_point(400, 100, kind="occupied_lane", width_taken_m=3.0)])
    assert _by_name(access(three, vehicle="ambulance"), three).loc["巷底", "status"] == "ok"
    assert _by_name(access(three, vehicle="fire"), three).loc["巷底", "status"] == "blocked"
    zh = r.in_language("zh").buildings.set_index(tight.residents["name"].to_numpy()).loc["巷底", "cause"]
    assert "净宽 2.5 米" in zh


def test_parked_rows_table_is_vectorised_over_tag_combinations():
    edges = pd.DataFrame({"highway": ["residential"] * 3 + ["primary"],
                          "parking:lane:both": ["parallel", "diagonal", None, None]})
    out = parked_rows(edges, assume_parked="one-side")
    assert out["parked_m"].tolist() == pytest.approx([4.0, 9.0, 2.0, 0.0])
    assert out["parking_source"].tolist() == ["osm", "osm", "assumed", ""]
    with pytest.raises(ValueError):
        parked_rows(edges, assume_parked="everywhere")


def test_cli_assume_parked(tmp_path):
    study, _ = _lane_study(tmp_path, lane_tags={"width": "6"})
    run = subprocess.run([sys.executable, "-m", "geoplan.cli", "access", "--osm", str(tmp_path / "lane.osm"),
                          "--layers", str(tmp_path / "layers"), "--assume-parked", "both-sides",
                          "--out", str(tmp_path / "out"), "--lang", "zh"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "消防车通达" in run.stdout
    b = pd.read_csv(tmp_path / "out" / "access" / "buildings.csv", encoding="utf-8-sig")
    far = b.loc[b["status"] == "far_from_road"]
    assert len(far) == 1 and far["cause_code"].iloc[0] == "far_from_road_impassable"
    assert "两侧停车后净宽 2.0 米" in far["cause"].iloc[0]
