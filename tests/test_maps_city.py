"""City-scale maps: past the detail limit a map draws hexagon cells and communities (issue 12.6).

The bundled Helsinki sample is made "large" by forcing the limit low; the sums drawn must be
the study's own, the detailed per-community pages written and linked, the page escaped and offline.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

import geoplan
from geoplan.maps.basemap import extract_basemap
from geoplan.maps.overview import (HEX_CELL_M, CommunityMaps, community_file, draws_detail, features_per_community,
                                   hex_cells, in_window, window_of)
from test_maps import embedded_feature_collections

REPO = Path(__file__).resolve().parents[1]
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def study():
    return geoplan.load_study(None, layers=[REPO / "layers"])


@pytest.fixture(scope="module")
def coverage(study):
    return geoplan.coverage(study)


def _layer(pm, key):
    found = [lyr for lyr in pm.layers if lyr.var_hint == key]
    assert found, f"no {key} layer among {[lyr.var_hint for lyr in pm.layers]}"
    return found[0]


def _people(text: str) -> float:
    return float(re.sub(r"[^0-9.]", "", text) or "nan")


def test_hexagon_cells_hold_their_points_and_keep_every_sum():
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 3000, size=(500, 2)) + [447000, 4417000]
    pop = rng.uniform(1, 90, size=500)
    frame = gpd.GeoDataFrame({"population": pop}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:32650")
    cells = hex_cells(frame, {"population": pop})
    assert cells["buildings"].sum() == 500
    assert cells["population"].sum() == pytest.approx(pop.sum())
    # a regular hexagon of width w across its flat sides has area (√3 / 2) w²
    assert np.allclose(cells.geometry.area, math.sqrt(3) / 2 * HEX_CELL_M ** 2)
    assert cells.geometry.is_valid.all() and len(set(cells["cell"])) == len(cells)
    # each point lies in the cell it was counted in (cells do not overlap)
    hit = gpd.sjoin(frame, cells, predicate="within")
    assert len(hit) == 500 and hit.index.is_unique
    assert hit.groupby("index_right").size().reindex(cells.index, fill_value=0).tolist() == cells["buildings"].tolist()


def test_cells_grow_in_whole_steps_past_the_cell_budget():
    from geoplan.maps.overview import OVERVIEW_MAX_CELLS, cell_width

    district = gpd.GeoDataFrame(geometry=[Point(0, 0), Point(2_000, 1_500)], crs="EPSG:32650")
    assert cell_width(district) == HEX_CELL_M
    city = gpd.GeoDataFrame(geometry=[Point(0, 0), Point(60_000, 55_000)], crs="EPSG:32650")
    width = cell_width(city)
    assert width > HEX_CELL_M and width % 100 == 0
    hexagon = math.sqrt(3) / 2 * width ** 2
    assert 60_000 * 55_000 / hexagon <= OVERVIEW_MAX_CELLS < 60_000 * 55_000 / (math.sqrt(3) / 2 * (width - 100) ** 2)


def test_threshold_is_a_documented_drawing_default():
    assert draws_detail(10) and not draws_detail(10, 5) and not draws_detail(1, 0)


def test_aggregate_coverage_map_draws_cells_whose_population_is_the_studys(study, coverage):
    pm = coverage.to_map(lang="en", detail_limit=0, basemap=extract_basemap(study), date="2026-01-01")
    hints = [lyr.var_hint for lyr in pm.layers]
    assert "layer.residents_reach" not in hints  # no building drawn one by one
    cells = _layer(pm, "layer.cells")
    shown = sum(_people(f["properties"]["f0"]) for f in cells.data["features"])
    total = coverage.residents["population"].sum()
    assert abs(shown - total) <= 0.5 * len(cells.data["features"]) + 1e-6  # each cell rounded to a whole person
    page = pm.html()
    assert "City-scale view" in page
    # the basemap of an aggregate map carries no building footprint and only major streets
    base = json.loads(re.search(r"var map = \w+, d = (\{.*?\}), online", page).group(1))
    assert base["buildings"] == [] and all(not base["streets"][k] for k in ("path", "service", "minor"))
    detailed = coverage.to_map(lang="en", basemap=extract_basemap(study), date="2026-01-01")
    assert "layer.residents_reach" in [lyr.var_hint for lyr in detailed.layers]
    assert len(page) < len(detailed.html())


def test_aggregate_coverage_map_keeps_the_largest_gaps_and_areas_within_their_vertex_budget(coverage, monkeypatch):
    import geoplan.life_circle.map as coverage_map

    before = coverage.to_map(lang="en", detail_limit=0)
    assert len(_layer(before, "layer.gaps").data["features"]) >= 3
    monkeypatch.setattr(coverage_map, "OVERVIEW_MAX_GAPS", 2)
    monkeypatch.setattr(coverage_map, "OVERVIEW_AREA_VERTICES", 100)
    pm = coverage.to_map(lang="zh", detail_limit=0)
    kept = _layer(pm, "layer.gaps")
    assert len(kept.data["features"]) == 2 and "最大的 2 处" in kept.name
    ranks = sorted(int(_people(f["properties"]["f5"])) for f in kept.data["features"])
    drawn_once = coverage_map._gap_layer(coverage.gaps)  # gaps over the same homes are one area
    assert ranks == sorted(drawn_once["rank"].nsmallest(2).astype(int))  # the two largest, by rank
    assert "layer.facilities" not in [lyr.var_hint for lyr in pm.layers]  # services stay in the tables
    unbudgeted, budgeted = _area_vertices(before), _area_vertices(pm)
    assert len(budgeted) == len(unbudgeted) and max(unbudgeted) > 100
    assert max(budgeted) <= 105  # (the page's own simplification and rounding may differ a little)


def _area_vertices(pm) -> list[int]:
    return [sum(len(ring) for f in lyr.data["features"] for ring in _rings(f["geometry"]))
            for lyr in pm.layers if lyr.var_hint == "layer.service_area"]


def _rings(geometry):
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for poly in geometry["coordinates"] for ring in poly]


def test_vertex_budget_simplifies_in_steps_and_keeps_the_shape():
    from geoplan.maps.overview import within_vertex_budget

    wiggly = shapely.Point(0, 0).buffer(1000.0, quad_segs=256)  # 1,025 vertices, radius 1 km
    frame = gpd.GeoDataFrame({"category": ["park"]}, geometry=[wiggly], crs="EPSG:32650")
    small = within_vertex_budget(frame, 100)
    n = int(shapely.get_num_coordinates(small.geometry.to_numpy()).sum())
    assert n <= 100 < 1025
    assert abs(small.geometry.iloc[0].area - wiggly.area) / wiggly.area < 0.02
    assert within_vertex_budget(frame, 10_000).geometry.iloc[0].equals(
        shapely.simplify(wiggly, 10.0, preserve_topology=False))  # within budget at the first step
    assert small.geometry.is_valid.all()


def test_cell_sums_equal_the_tables(study, coverage):
    from geoplan.emergency_access._map import cell_sums as access_sums
    from geoplan.shelters._map import cell_sums as sites_sums

    acc = geoplan.access(study)
    cells = hex_cells(acc.buildings, access_sums(acc))
    late = acc.buildings["status"].astype(str) != "ok"
    assert cells["without_buildings"].sum() == late.sum()
    assert cells["without_population"].sum() == pytest.approx(acc.buildings.loc[late, "population"].sum())
    assert cells["buildings"].sum() == len(acc.buildings)
    pm = acc.to_map(lang="zh", detail_limit=0)
    assert "layer.access_buildings" not in [lyr.var_hint for lyr in pm.layers]
    assert _layer(pm, "layer.cells").data["features"]
    sit = geoplan.sites(study)
    cells = hex_cells(sit.residents, sites_sums(sit))
    assert cells["population"].sum() == pytest.approx(sit.residents["population"].sum())
    pm = sit.to_map(lang="zh", detail_limit=0)
    assert "layer.uncovered" not in [lyr.var_hint for lyr in pm.layers] and _layer(pm, "layer.cells").data["features"]


def test_community_links_are_escaped_and_relative(study, coverage):
    import dataclasses

    b = coverage.boundaries.copy()
    b["name_zh"] = XSS  # a name from a layer reaches the popup and the tooltip
    result = dataclasses.replace(coverage, boundaries=b)
    ids = [str(c) for c in b["community"]]
    hrefs = {c: f"coverage/{community_file(i, c)}" for i, c in enumerate(ids)}
    assert all(re.fullmatch(r"coverage/\d{3}(-[0-9A-Za-z_-]+)?\.html", h) for h in hrefs.values())
    hrefs[ids[0]] = 'javascript:alert(1)"><script>'
    pm = result.to_map(lang="zh", detail_limit=0, community_maps=CommunityMaps(study.communities, hrefs))
    page = pm.html()
    assert XSS not in page and "lt;img src=x onerror=alert(1)" in page  # escaped
    assert not re.search(r'href=\\?"javascript:', page) and "javascript%3Aalert" in page
    assert re.search(r'href=\\?"' + re.escape(hrefs[ids[1]]), page)  # inside the page's JSON: href=\"…
    drawn = json.dumps([lyr.data for lyr in pm.layers], ensure_ascii=False)
    assert "打开详细地图" in drawn  # the link reads in the map's language


def test_window_keeps_only_what_touches_it():
    frame = gpd.GeoDataFrame({"k": [1, 2, 3]}, geometry=[Point(5, 5), Point(50, 50), box(8, 8, 20, 20)],
                             crs="EPSG:32650")
    window = gpd.GeoSeries([box(0, 0, 10, 10)], crs="EPSG:32650")
    kept = in_window(frame, window)
    assert kept["k"].tolist() == [1, 3]
    assert shapely.equals(kept.geometry.iloc[1], box(8, 8, 10, 10))


def _cli_coverage(tmp_path, limit: int) -> Path:
    out = tmp_path / f"out{limit}"
    run = subprocess.run([sys.executable, "-m", "geoplan.cli", "coverage", "--layers", str(REPO / "layers"),
                          "--out", str(out), "--map-detail-limit", str(limit), "--no-cache", "--lang", "en"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    return out


def test_cli_writes_a_detailed_map_per_community_linked_from_the_aggregate(tmp_path, study, coverage):
    per = features_per_community(coverage.residents, study.communities)
    assert len(per) >= 2 and per.max() < len(coverage.residents)
    out = _cli_coverage(tmp_path, int(per.max()))  # the study aggregates, every community fits a page
    main = (out / "maps" / "coverage.html").read_text(encoding="utf-8")
    detailed = sorted((out / "maps" / "coverage").glob("*.html"))
    assert len(detailed) == len(study.communities) >= 2
    for page in detailed:
        assert re.search(r'href=\\?"coverage/' + re.escape(page.name), main)
        text = page.read_text(encoding="utf-8")
        assert "City-scale view" not in text  # a detailed page draws every building of its window
        assert not re.search(r"<script[^>]+src=", text) and "L.tileLayer" not in text  # offline
    assert not re.search(r"<script[^>]+src=", main) and "L.tileLayer" not in main
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {f"maps/coverage/{p.name}" for p in detailed} <= set(manifest["outputs"])
    # the tables stay complete: one row per resident feature whatever the map draws
    import pandas as pd

    assert len(pd.read_csv(out / "coverage" / "residents.csv")) == len(study.residents)


def test_a_community_too_large_for_detail_gets_no_page_of_its_own(tmp_path, study, coverage):
    per = features_per_community(coverage.residents, study.communities)
    limit = int(np.sort(per)[-2])  # the largest community is over the limit, the others are not
    assert per.max() > limit
    out = _cli_coverage(tmp_path, limit)
    detailed = sorted(p.name for p in (out / "maps" / "coverage").glob("*.html"))
    expected = sorted(community_file(i, c) for i, (c, n) in enumerate(zip(study.communities["community"], per))
                      if n <= limit)
    assert detailed == expected and len(detailed) == len(per) - int((per > limit).sum())
    main = (out / "maps" / "coverage.html").read_text(encoding="utf-8")
    big = study.communities["community"].iloc[int(np.argmax(per))]
    assert community_file(int(np.argmax(per)), big) not in main


def test_cli_refuses_a_negative_detail_limit(tmp_path):
    run = subprocess.run([sys.executable, "-m", "geoplan.cli", "coverage", "--out", str(tmp_path / "o"),
                          "--map-detail-limit", "-3"], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert run.returncode == 2 and "map detail limit" in run.stderr
    assert not (tmp_path / "o" / "coverage").exists()


def test_names_are_never_evaluated_as_page_templates():
    from geoplan.maps import PlanMap

    pm = PlanMap("Study {{ 7*7 }}", lang="en")
    names = ["{% for x in range(3) %}x{% endfor %}", "Block {#3", "Hall {{ 6*7 }}"]
    pts = gpd.GeoDataFrame({"n": names}, geometry=[Point(24.9, 60.1 + i * 1e-3) for i in range(3)], crs=4326)
    pm.add_layer(pts, name_key="layer.facilities", name="Layer {# {{ 5*5 }}", kind="points",
                 tooltip=[("n", "field.name")], popup=[("n", "field.name")])
    page = pm.html()  # "{#" in a name stopped the page (Jinja: "Missing end of comment tag")
    assert "Study {{ 7*7 }}" in page and "Study 49" not in page
    shown = [f["properties"]["f0"] for fc in embedded_feature_collections(page) for f in fc["features"]]
    assert shown == names  # in the layer's data exactly, not evaluated ("xxx", "Hall 42")
    assert "Layer {# {{ 5*5 }}" in page and "Layer 25" not in page  # the layer control's name


def test_a_community_map_draws_every_building_of_its_window_and_nothing_far(study, coverage):
    first = str(study.communities["community"].iloc[0])
    window = window_of(study.communities, first)
    pm = coverage.to_map(lang="en", detail_limit=0, window=window)  # a window always draws detail
    residents = _layer(pm, "layer.residents_reach").data["features"]
    box = window.to_crs(4326).iloc[0].buffer(1e-4)
    assert residents and all(box.intersects(shapely.geometry.shape(f["geometry"])) for f in residents)
    inside = shapely.intersects(coverage.residents.geometry.to_numpy(), window.to_crs(coverage.residents.crs).iloc[0])
    assert len(residents) == int(inside.sum()) < len(coverage.residents)


def test_gap_areas_over_the_same_homes_are_drawn_once_listing_their_gaps(coverage):
    from geoplan.life_circle.map import _gap_layer

    gaps = coverage.gaps
    layer = _gap_layer(gaps)
    key = gaps.geometry.to_wkb()
    assert len(layer) == key.nunique() < len(gaps)  # the sample has gaps of several categories on the same homes
    assert list(layer["rank"]) == sorted(layer["rank"], reverse=True)  # largest drawn last, on top
    for _, row in layer.iterrows():
        same = gaps.loc[key == row.geometry.wkb].sort_values("rank")
        assert row["gap_ids"] == ", ".join(same["gap_id"]) and row["categories"] == ";".join(same["category"])
        assert row["n_categories"] == len(same) and row["rank"] == same["rank"].iloc[0]
        assert row["population"] == same["population"].iloc[0]


def test_aggregate_access_map_keeps_the_first_of_each_ranked_table(study, monkeypatch):
    import geoplan.emergency_access._map as access_map

    acc = geoplan.access(study)
    assert len(acc.critical_links) > 2 and len(acc.dead_ends) > 2
    failing = acc.compounds.loc[acc.compounds["check"] != "ok"] if acc.compounds is not None else []
    monkeypatch.setattr(access_map, "OVERVIEW_MAX_LINES", 2)
    pm = acc.to_map(lang="zh", detail_limit=0)
    crit, dead = _layer(pm, "layer.critical_links"), _layer(pm, "layer.dead_ends")
    assert len(crit.data["features"]) == 2 and f"{len(acc.critical_links):,} 条中切断居民最多的 2 条" in crit.name
    assert [f["properties"]["f0"] for f in crit.data["features"]] == list(acc.critical_links["link_id"][:2])
    assert len(dead.data["features"]) == 2 and "最长的 2 条" in dead.name
    assert [f["properties"]["f0"] for f in dead.data["features"]] == list(acc.dead_ends["dead_end_id"][:2])
    drawn = [lyr for lyr in pm.layers if lyr.var_hint == "layer.compounds"]
    assert len(drawn) == (1 if len(failing) else 0)
    if len(failing):
        assert len(drawn[0].data["features"]) == min(2, len(failing))
    radius = {s["radius"] for s in _layer(pm, "layer.stations").styles}  # small on the city's page
    assert max(radius) < min(s["radius"] for s in _layer(acc.to_map(lang="zh"), "layer.stations").styles)
    detailed = acc.to_map(lang="zh")  # the sample is within the detail limit: everything drawn
    assert len(_layer(detailed, "layer.critical_links").data["features"]) == len(acc.critical_links)
