"""The basemap drawn from the extract: streets by class with names in the map's language, water,
green, buildings; inlined, escaped, light enough for a district; labels appear at street zoom."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geoplan.maps import study_area_map
from geoplan.maps.basemap import ExtractBasemap, extract_basemap, label_name, page_json, street_labels, streets_of
from geoplan.sources._bundled import haidian_sample_path
from geoplan.study import load_study

XSS = "</script><img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def haidian():
    return load_study(haidian_sample_path())


def _payload(page: str) -> dict:
    m = re.search(r"var map = \w+, d = (\{.*?\}), online = (true|false);", page, re.S)
    assert m, "basemap script missing"
    return json.loads(m.group(1))


def test_streets_one_row_per_way_with_classes(haidian):
    streets = streets_of(haidian)
    assert streets["osmid"].is_unique
    assert {"major", "minor", "service", "path"} <= set(streets["klass"])
    assert "清华东路" in set(streets["name"])
    # walk and drive copies and both directions merged: far fewer rows than edges
    assert len(streets) < 0.5 * (len(haidian.walk.edges) + len(haidian.drive.edges))


def test_streets_are_the_union_of_each_ways_edges(haidian):
    """Same lines as dissolving every walk and drive edge of a way (the definition), way by way."""
    import pandas as pd
    from geoplan.maps.basemap import STREET_CLASS

    edges = pd.concat([haidian.walk.edges, haidian.drive.edges], ignore_index=True)
    edges = edges.loc[edges["highway"].astype(object).isin(STREET_CLASS).to_numpy()]
    ref = gpd.GeoDataFrame({"osmid": edges["osmid"].astype(str).to_numpy()}, geometry=edges.geometry.to_numpy(),
                           crs=haidian.crs).dissolve(by="osmid", sort=True).reset_index()
    streets = streets_of(haidian)
    assert list(streets["osmid"]) == list(ref["osmid"])
    diff = shapely.length(shapely.symmetric_difference(streets.geometry.to_numpy(), ref.geometry.to_numpy()))
    assert diff.max() < 1e-6
    # no stretch drawn twice: the lengths are the union's, not the sum over copies and directions
    np.testing.assert_allclose(streets.length.to_numpy(), ref.length.to_numpy(), rtol=1e-9)


def test_label_language_order():
    assert label_name("清华东路", None, "Qinghua East Road", "zh") == "清华东路"
    assert label_name("清华东路", None, "Qinghua East Road", "en") == "Qinghua East Road"
    assert label_name("志新西路", None, None, "en") == "志新西路"  # a proper name, not invented
    assert label_name("x", "学清路", None, "zh") == "学清路"
    assert label_name(None, float("nan"), "", "zh") is None


def test_labels_spaced_along_long_streets_and_upright():
    line = shapely.LineString([(0, 0), (1000, 0)])
    gdf = gpd.GeoDataFrame({"name": ["长街"], "name_zh": [None], "name_en": ["Long St"], "klass": ["minor"]},
                           geometry=[line], crs="EPSG:32650")
    zh = street_labels(gdf, "zh", False)
    assert len(zh) == 2 and all(lbl[3] == "长街" for lbl in zh)
    assert street_labels(gdf, "en", False)[0][3] == "Long St"
    vertical = gdf.set_geometry([shapely.LineString([(0, 1000), (0, 0)])])  # drawn southwards
    assert abs(street_labels(vertical, "zh", False)[0][2]) == 90


def test_map_carries_basemap_in_both_languages_and_stays_light(haidian, tmp_path):
    bm = extract_basemap(haidian)
    sizes = {}
    for lang in ("zh", "en"):
        path = study_area_map(haidian, lang=lang, basemap=bm, date="2026-01-01").to_html(tmp_path / f"{lang}.html")
        page = path.read_text(encoding="utf-8")
        data = _payload(page)
        assert len(data["buildings"]) == len(haidian.buildings)
        assert data["water"] and data["green"] and data["streets"]["major"]
        texts = {lbl[3] for lbl in data["labels"]}
        assert ("清华东路" in texts) if lang == "zh" else ("Qinghua East Road" in texts and "清华东路" not in texts)
        assert "<script src=" not in page and "<link rel=\"stylesheet\" href=\"http" not in page  # inlined
        sizes[lang] = path.stat().st_size
    assert max(sizes.values()) < 5_000_000  # a 1–3 km² district map under 5 MB


def test_names_cannot_break_out_of_the_script(haidian):
    streets = streets_of(haidian).copy()
    streets.loc[streets["name"] == "清华东路", "name"] = XSS
    streets.loc[:, "name_zh"] = None
    bm = ExtractBasemap("osm", streets, *(gpd.GeoDataFrame(geometry=[], crs=haidian.crs) for _ in range(3)))
    page = study_area_map(haidian, lang="zh", basemap=bm, date="2026-01-01").html()
    assert XSS not in page and "<img src=x" not in page
    assert XSS in {lbl[3] for lbl in _payload(page)["labels"]}  # shown as text (textContent), not dropped
    assert "</" not in page_json([XSS])


def test_gaode_shifts_the_basemap(haidian):
    bm = extract_basemap(haidian, tiles="gaode")
    plain = bm.payload(lang="zh", gcj02=False)["buildings"][0][0][0]
    shifted = bm.payload(lang="zh", gcj02=True)["buildings"][0][0][0]
    # GCJ-02 in Beijing is a few hundred metres off WGS-84
    assert 0.001 < abs(shifted[1] - plain[1]) < 0.01 and abs(shifted[0] - plain[0]) > 0.0005


def test_street_names_show_only_at_street_zoom(haidian, tmp_path):
    browser = pytest.importorskip("browser")
    if browser.find_chromium() is None:
        pytest.skip("chromium not installed")
    import time

    path = study_area_map(haidian, lang="zh", basemap=extract_basemap(haidian), date="2026-01-01").to_html(
        tmp_path / "m.html")
    with browser.chromium(offline=True) as driver:
        driver.get(path.as_uri())
        counts = []
        for zoom in (14, 17):
            driver.execute_script(f"window.geoplanMap.map.setZoom({zoom}, {{animate: false}})")
            time.sleep(0.6)
            counts.append(driver.execute_script("return document.querySelectorAll('.gp-street').length"))
        text = driver.execute_script("return Array.from(document.querySelectorAll('.gp-street')).map(e => e.textContent).join(' ')")
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert counts[0] == 0 and counts[1] > 10
    assert "清华东路" in text and not severe


# ----------------------------------------------------------------------------- capture at the meeting
LAYERS = haidian_sample_path().parent / "layers"


@pytest.fixture(scope="module")
def access_result():
    from geoplan.emergency_access.audit import access

    return access(load_study(haidian_sample_path(), layers=[LAYERS]), vehicle="fire")


def test_access_map_carries_the_capture_tool_inlined_and_others_do_not(haidian, access_result):
    bm = extract_basemap(haidian)
    page = access_result.to_map(lang="zh", basemap=bm).html()
    assert 'id="gp-capture"' in page and "L.Control.Draw" in page and "leaflet-draw" in page
    assert "cdnjs.cloudflare.com/ajax/libs/leaflet.draw" not in page  # inlined, not linked
    for kind in ("通道占用", "上锁的门", "封闭小区"):
        assert kind in page
    assert 'id="gp-capture"' not in study_area_map(haidian, lang="zh", basemap=bm).html()
    assert 'id="gp-capture"' not in access_result.to_map(lang="zh", basemap=extract_basemap(haidian, tiles="gaode")).html()


def test_drawn_obstructions_export_a_scenario_that_access_reads_as_it_is(haidian, access_result, tmp_path):
    browser = pytest.importorskip("browser")
    if browser.find_chromium() is None:
        pytest.skip("chromium not installed")
    import subprocess
    import sys
    import time

    import pandas as pd

    path = access_result.to_map(lang="zh", basemap=extract_basemap(haidian)).to_html(tmp_path / "access.html")
    with browser.chromium(offline=True) as driver:
        driver.get(path.as_uri())
        time.sleep(1.0)
        # what Leaflet.draw fires when a line, a point and an outline are drawn
        driver.execute_script("""
          var map = window.geoplanMap.map;
          map.fire('draw:created', {layer: L.polyline([[39.99720, 116.34893], [39.99800, 116.34886]]), layerType: 'polyline'});
          map.fire('draw:created', {layer: L.circleMarker([40.000076, 116.352176]), layerType: 'circlemarker'});
          map.fire('draw:created', {layer: L.polygon([[40.0046, 116.3535], [40.0046, 116.3560], [40.0070, 116.3560],
                                                      [40.0070, 116.3535]]), layerType: 'polygon'});
        """)
        text = driver.execute_script("return window.geoplanCapture.geojson()")
        buttons = driver.execute_script("return document.querySelectorAll('.leaflet-draw-toolbar a').length")
        titles = driver.execute_script(
            "return Array.from(document.querySelectorAll('.leaflet-draw-toolbar a')).map(a => a.title)")
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert buttons >= 3 and not severe
    assert "画线（通道占用）" in titles and "删除标注" in titles  # Leaflet.draw speaks the map's language
    assert not [t for t in titles if t.startswith(("Draw a", "Edit layers", "Delete layers"))]
    scenario = tmp_path / "scenario.geojson"
    scenario.write_text(text, encoding="utf-8")
    kinds = [f["properties"]["kind"] for f in json.loads(text)["features"]]
    assert kinds == ["occupied_lane", "locked_gate", "sealed_compound"]
    repo = Path(__file__).resolve().parents[1]
    run = subprocess.run([sys.executable, "-m", "geoplan.cli", "access", "--osm", str(haidian_sample_path()),
                          "--layers", str(LAYERS), "--no-obstructions", "--scenario", str(scenario), "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"},
                         timeout=600)
    assert run.returncode == 0, run.stderr[-1500:]
    table = pd.read_csv(tmp_path / "out" / "access" / "obstructions.csv", encoding="utf-8-sig")
    assert list(table["obstruction_id"]) == ["X1", "X2", "X3"] and list(table["kind"]) == kinds
    assert table["applied"].astype(bool).all()  # on the streets, so each one closes something
