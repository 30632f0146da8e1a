"""Reporting units without a boundary layer: 社区 nodes, administrative boundaries, compounds."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geoplan import coverage, units
from geoplan.study import load_study
from osm_fixture import OsmWriter


def _district(w: OsmWriter) -> None:
    """Two streets crossing a 600 × 300 m district, one home in the west, two in the east."""
    a, b, c = w.node(0, 150), w.node(300, 150), w.node(600, 150)
    w.way([a, b, c], highway="residential", name="中街")
    d, e = w.node(300, 0), w.node(300, 300)
    w.way([d, b, e], highway="residential", name="南北街")
    w.box(100, 160, 120, 180, building="apartments", name="西楼")
    w.box(450, 160, 470, 180, building="apartments", name="东一楼")
    w.box(500, 100, 520, 120, building="apartments", name="东二楼")
    w.node(550, 200, shop="supermarket", name="超市")


def test_community_nodes_without_boundaries_give_voronoi_cells(tmp_path):
    w = OsmWriter()
    _district(w)
    w.node(80, 250, place="neighbourhood", name="西园社区")
    w.node(520, 250, place="quarter", name="东园社区")
    w.node(300, 280, place="neighbourhood", name="老槐树")  # a place name, not a community: not a seat
    w.node(90, 240, office="government", name="西园社区居委会")  # the same community's office: one seat
    study = load_study(w.write(tmp_path / "nodes.osm"))
    assert study.units_source[0] == units.SOURCE_VORONOI
    assert sorted(study.communities["community"]) == ["东园社区", "西园社区"]
    by_name = study.residents.set_index("name")["community"]
    assert by_name["西楼"] == "西园社区"
    assert by_name["东一楼"] == "东园社区" and by_name["东二楼"] == "东园社区"
    result = coverage(study, categories="market")
    summary = result.summary.set_index(["community", "category"])
    assert ("东园社区", "market") in summary.index and ("西园社区", "market") in summary.index
    assert result.parameters["units_source"][0] == units.SOURCE_VORONOI


def test_plain_neighbourhood_nodes_are_used_when_none_is_named_a_community(tmp_path):
    w = OsmWriter()
    _district(w)
    w.node(80, 250, place="neighbourhood", name="石板房")
    w.node(520, 250, place="neighbourhood", name="娘娘庙")
    study = load_study(w.write(tmp_path / "plain.osm"))
    assert study.residents.set_index("name").loc["西楼", "community"] == "石板房"


def test_administrative_boundaries_win_over_nodes(tmp_path):
    w = OsmWriter()
    _district(w)
    w.node(80, 250, place="neighbourhood", name="西园社区")
    w.box(-10, -10, 350, 310, boundary="administrative", admin_level="10", name="双塘社区居委会")
    study = load_study(w.write(tmp_path / "admin.osm"))
    assert study.units_source[0] == units.SOURCE_ADMIN
    by_name = study.residents.set_index("name")["community"]
    assert by_name["西楼"] == "双塘社区居委会"
    assert by_name["东一楼"] == "unassigned"  # outside the only mapped community


def test_named_residential_compounds_are_the_finer_unit(tmp_path):
    w = OsmWriter()
    _district(w)
    w.box(400, 50, 590, 190, landuse="residential", name="金色家园")
    w.box(440, 155, 480, 185, landuse="residential", name="金色家园北区")  # nested: the smaller wins
    w.box(50, 200, 90, 240, landuse="residential")  # unnamed: not a compound
    study = load_study(w.write(tmp_path / "compounds.osm"))
    assert units.SOURCE_COMPOUNDS in study.units_source
    assert sorted(study.compounds["compound"]) == ["金色家园", "金色家园北区"]
    res = study.residents.set_index("name")["compound"]
    assert res["东一楼"] == "金色家园北区" and res["东二楼"] == "金色家园" and pd.isna(res["西楼"])
    assert study.buildings.set_index("name").loc["东二楼", "compound"] == "金色家园"
    result = coverage(study, categories="market")
    assert "compound" in result.residents_table().columns
    assert sorted(result.compounds["compound"]) == ["金色家园", "金色家园北区"]
    written = [p.name for p in result.to_file(tmp_path / "out")]
    assert "compounds.csv" in written
    html = result.to_map(lang="zh", date="2024-01-01").html()
    for text in ("金色家园北区", "小区"):  # the compound layer, labelled
        assert text in html or json.dumps(text)[1:-1] in html


def test_a_boundary_layer_still_wins(helsinki):
    assert helsinki.units_source[0] == units.SOURCE_LAYER
    assert len(helsinki.communities) > 0


def test_no_units_is_said(tmp_path):
    w = OsmWriter()
    _district(w)
    study = load_study(w.write(tmp_path / "none.osm"))
    assert study.units_source == (units.SOURCE_NONE, units.SOURCE_NO_COMPOUNDS)
    assert set(study.residents["community"]) == {"unassigned"}


@pytest.mark.parametrize("msgid", [units.SOURCE_ADMIN, units.SOURCE_VORONOI, units.SOURCE_COMPOUNDS])
def test_units_sources_are_translated(msgid):
    from geoplan.i18n import translator

    assert translator("zh").gettext(msgid) != msgid
