"""Fast tests of geoplan.maps (no browser): escaping, GCJ-02, size, translations, layout."""

from __future__ import annotations

import json
import re
import types

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from geoplan.errors import InputError
from geoplan.gcj02 import wgs84_to_gcj02
from geoplan.i18n import message
from geoplan.maps import TEXT, Field, Graduated, PlanMap, guess_lang, study_area_map, svg_line_chart, t
from geoplan.maps._geo import to_map_geometries
from geoplan.maps._i18n import LANGS
from geoplan.standards import CIRCLE_OF_CATEGORY

XSS = "<img src=x onerror=alert(1)>"
XSS_FLAG = '<img src=x onerror="window.__xss=1">'


# ----------------------------------------------------------------------------- fixtures
def synthetic_study(*, zh: bool = True, xss_name: str = XSS, name: str | None = None) -> types.SimpleNamespace:
    """A small study in Beijing (UTM 50N) with every layer the study-area map draws.

    The first building, the first facility and the first community are named ``xss_name``.
    """
    crs = "EPSG:32650"
    x0, y0 = 447000.0, 4417000.0
    area = box(x0, y0, x0 + 1200, y0 + 900)
    lines, u, v = [], [], []
    for i in range(7):
        lines.append(LineString([(x0, y0 + i * 150), (x0 + 1200, y0 + i * 150)]))
        u.append(i)
        v.append(100 + i)
    for j in range(9):
        lines.append(LineString([(x0 + j * 150, y0), (x0 + j * 150, y0 + 900)]))
        u.append(200 + j)
        v.append(300 + j)
    street = "长安街" if zh else "Main St"
    walk = gpd.GeoDataFrame({"u": u, "v": v, "key": 0, "highway": "residential",
                             "name": [f"{street} {k}" for k in range(len(lines))],
                             "length": [ln.length for ln in lines]}, geometry=lines, crs=crs)
    walk = gpd.GeoDataFrame(pd.concat([walk, walk.assign(u=walk.v, v=walk.u)], ignore_index=True), crs=crs)
    polys, recs = [], []
    k = 0
    for i in range(6):
        for j in range(8):
            for a in range(2):
                bx, by = x0 + j * 150 + 20 + a * 60, y0 + i * 150 + 20
                p = box(bx, by, bx + 45, by + 100)
                res = k % 5 != 0
                polys.append(p)
                recs.append(dict(building_id=k, name=xss_name if k == 0 else f"{'楼' if zh else 'Block'} {k}",
                                 building="apartments" if res else "retail", levels=6, footprint_m2=p.area,
                                 residential=res, population=p.area * 6 / 30 if res else 0.0,
                                 community="c1" if j < 4 else "c2"))
                k += 1
    buildings = gpd.GeoDataFrame(recs, geometry=polys, crs=crs)
    cats = list(CIRCLE_OF_CATEGORY)
    facilities = gpd.GeoDataFrame(
        {"facility_id": range(20), "category": [cats[i % len(cats)] for i in range(20)],
         "name": [xss_name if i == 0 else f"{'设施' if zh else 'Facility'} {i}" for i in range(20)],
         "source": "osm"},
        geometry=[Point(x0 + 75 + (i % 8) * 150, y0 + 75 + (i // 8) * 150) for i in range(20)], crs=crs)
    stations = gpd.GeoDataFrame(
        {"station_id": [1, 2, 3], "kind": ["fire", "ambulance", "hospital"],
         "name": ["消防站", "急救站", "医院"] if zh else ["Fire 1", "EMS 1", "Hospital"], "source": "layer"},
        geometry=[Point(x0 - 100, y0 + 400), Point(x0 + 1300, y0 + 100), Point(x0 + 600, y0 + 1000)], crs=crs)
    obstructions = gpd.GeoDataFrame(
        {"obstruction_id": [1, 2], "kind": ["occupied_lane", "locked_gate"],
         "name": ["占道停车", "锁闭大门"] if zh else ["Parked cars", "Locked gate"],
         "keep_open": [True, False], "source": "layer"},
        geometry=[LineString([(x0 + 300, y0 + 300), (x0 + 450, y0 + 300)]), Point(x0 + 600, y0 + 450)], crs=crs)
    sites = gpd.GeoDataFrame(
        {"site_id": [1, 2], "kind": ["park", "school"], "name": ["公园", "学校"] if zh else ["Park", "School"],
         "existing": [True, False], "source": "osm"},
        geometry=[box(x0 + 310, y0 + 460, x0 + 440, y0 + 590), box(x0 + 760, y0 + 160, x0 + 890, y0 + 290)], crs=crs)
    communities = gpd.GeoDataFrame(
        {"community": ["c1", "c2"], "name_zh": [xss_name, "西社区"], "name_en": [xss_name, "West"]},
        geometry=[box(x0, y0, x0 + 600, y0 + 900), box(x0 + 600, y0, x0 + 1200, y0 + 900)], crs=crs)
    return types.SimpleNamespace(
        name=name or ("示例社区" if zh else "Sample community"), preset=types.SimpleNamespace(name="cn-gb50180"),
        # the sentences geoplan.study writes, so a zh map shows them translated
        sources=[message("Street network, buildings and places: {label} — data © OpenStreetMap contributors, "
                         "ODbL 1.0", label="示例.osm" if zh else "sample.osm"),
                 message("Community layer: {file}", file="communities.geojson")],
        lang="zh" if zh else "en", crs=crs, area=area,
        walk=types.SimpleNamespace(edges=walk), drive=types.SimpleNamespace(edges=walk.iloc[:7].copy()),
        buildings=buildings, facilities=facilities, stations=stations, obstructions=obstructions,
        sites=sites, communities=communities)


def embedded_feature_collections(page: str) -> list[dict]:
    """The GeoJSON objects a folium page feeds to Leaflet (``geo_json_…_add({...});``)."""
    return [json.loads(m) for m in re.findall(r"_add\((\{\"features\".*?\})\);\n", page)]


def all_coords(geometry: dict) -> np.ndarray:
    flat: list[float] = []

    def walk(c):
        if isinstance(c[0], (int, float)):
            flat.extend(c[:2])
        else:
            for x in c:
                walk(x)

    walk(geometry["coordinates"])
    return np.asarray(flat, dtype=float).reshape(-1, 2)


# ----------------------------------------------------------------------------- translations
def test_translation_table_has_every_key_in_both_languages():
    assert set(LANGS) == set(TEXT)
    keys = {lang: set(TEXT[lang]) for lang in LANGS}
    assert keys["zh"] == keys["en"], keys["zh"] ^ keys["en"]
    for lang in LANGS:
        assert all(isinstance(v, str) and v.strip() for v in TEXT[lang].values())
    for cat in CIRCLE_OF_CATEGORY:
        assert f"cat.{cat}" in keys["en"]
    for status in ("ok", "slow", "unreachable", "blocked", "far_from_road"):
        assert f"status.{status}" in keys["en"]
    for kind in ("fire", "ambulance", "hospital"):
        assert f"station.{kind}" in keys["en"]
    assert "unassigned" in keys["en"]
    assert "OpenStreetMap" in t("title.osm", "zh") and "ODbL" in t("title.osm", "en")


def test_t_fails_loudly():
    with pytest.raises(KeyError):
        t("layer.no_such_layer", "en")
    with pytest.raises(ValueError):
        t("layer.buildings", "fr")


def test_guess_lang_from_names():
    assert guess_lang(["朝阳门社区", "3号楼", None, float("nan")]) == "zh"
    assert guess_lang(["Kalevankatu", "Stockmann", "Block 3"]) == "en"
    assert guess_lang([]) == "en"
    assert guess_lang(["Fire station", "Hospital", "消防站"]) == "en"  # mostly Latin


# ----------------------------------------------------------------------------- escaping
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_names_are_escaped_before_they_reach_html(lang):
    study = synthetic_study(zh=lang == "zh", xss_name=XSS, name="<script>alert(2)</script> Study")
    page = study_area_map(study, lang=lang, date="2024-05-01").html()
    assert "<img src=x" not in page
    assert "<script>alert(2)" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt; Study" in page  # title block shows it as text
    # In the embedded GeoJSON the name is HTML-escaped once (folium's tojson adds a JSON
    # escape of '&' on top, which JavaScript undoes before innerHTML sees the text).
    names = [f["properties"].get("f0") for fc in embedded_feature_collections(page) for f in fc["features"]]
    assert "&lt;img src=x onerror=alert(1)&gt;" in names
    assert XSS not in names


def test_aliases_layer_names_and_sources_are_escaped():
    gdf = gpd.GeoDataFrame({"n": ["a&b"]}, geometry=[Point(24.94, 60.17)], crs="EPSG:4326")
    pm = PlanMap("T", lang="en", sources=["<b>bold</b> source"])
    pm.add_layer(gdf, name_key="layer.facilities", name="<i>layer</i>", kind="points", tooltip=[("n", "field.name")])
    page = pm.html()
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt; source" in page
    assert "<i>layer</i>" not in page
    assert "a&amp;b" in json.dumps(embedded_feature_collections(page))


# ----------------------------------------------------------------------------- GCJ-02
# Published WGS-84 → GCJ-02 pairs: googollee/eviltransform python/test.py (Shanghai,
# Shenzhen, Beijing; lat, lon) and wandergis/coordtransform test/app.js (116.404, 39.915).
KNOWN_PAIRS = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
]


@pytest.mark.parametrize("wgs,gcj", KNOWN_PAIRS)
def test_known_gcj02_pairs(wgs, gcj):
    lon, lat = wgs84_to_gcj02(*wgs)
    assert lon == pytest.approx(gcj[0], abs=1e-9) and lat == pytest.approx(gcj[1], abs=1e-9)


def test_gaode_converts_every_overlay_coordinate():
    study = synthetic_study()
    wgs_page = study_area_map(study, basemap="osm", date="2024-05-01").html()
    gcj_page = study_area_map(study, basemap="gaode", date="2024-05-01").html()
    wgs_fcs, gcj_fcs = embedded_feature_collections(wgs_page), embedded_feature_collections(gcj_page)
    assert len(wgs_fcs) == len(gcj_fcs) >= 8
    n = 0
    for wfc, gfc in zip(wgs_fcs, gcj_fcs):
        assert len(wfc["features"]) == len(gfc["features"])
        for wf, gf in zip(wfc["features"], gfc["features"]):
            w, g = all_coords(wf["geometry"]), all_coords(gf["geometry"])
            assert w.shape == g.shape
            lon, lat = wgs84_to_gcj02(w[:, 0], w[:, 1])
            # Both sides are rounded to 1e-6 degree; the shift itself is ~1e-3 degree here.
            np.testing.assert_allclose(g[:, 0], lon, atol=1.5e-6)
            np.testing.assert_allclose(g[:, 1], lat, atol=1.5e-6)
            assert np.all(np.abs(g - w) > 1e-4)
            n += len(w)
    assert n > 500
    assert "autonavi.com" in study_area_map(study, basemap="gaode", offline=False).html()


def test_gaode_leaves_places_outside_china_alone():
    gdf = gpd.GeoDataFrame(geometry=[Point(24.9384, 60.1699)], crs="EPSG:4326")
    geoms = to_map_geometries(gdf, gcj02=True)
    assert (geoms[0].x, geoms[0].y) == (24.9384, 60.1699)


# ----------------------------------------------------------------------------- size
def test_coordinates_rounded_and_properties_pruned():
    study = synthetic_study()
    pm = study_area_map(study, date="2024-05-01")
    for layer in pm.layers:
        for f in layer.data["features"]:
            assert set(f["properties"]) <= {f"f{i}" for i in range(8)} | {"_s", "_r"}
            for x in all_coords(f["geometry"]).ravel():
                assert round(x, 6) == x
    page = pm.html()
    assert "facility_id" not in page and "footprint_m2" not in page


def test_simplification_drops_invisible_vertices():
    xs = np.linspace(0, 1000, 2001)
    wiggle = LineString(np.column_stack([xs, 0.01 * np.sin(xs)]) + [447000, 4417000])
    gdf = gpd.GeoDataFrame(geometry=[wiggle], crs="EPSG:32650")
    assert len(to_map_geometries(gdf, gcj02=False)[0].coords) == 2
    assert len(to_map_geometries(gdf, gcj02=False, simplify_m=0)[0].coords) > 1000


def test_synthetic_study_map_is_light(capsys):
    page = study_area_map(synthetic_study(), date="2024-05-01").html()
    size = len(page.encode("utf-8"))
    with capsys.disabled():
        print(f"\nsynthetic study-area map: {size / 1024:.0f} KiB")
    assert size < 600_000


# ----------------------------------------------------------------------------- offline / online
def test_offline_page_needs_no_network():
    page = study_area_map(synthetic_study(), offline=True, date="2024-05-01").html()
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert "tile.openstreetmap.org" not in page and "L.tileLayer" not in page
    assert "L.control.fullscreen" in page and "L.Control.Measure" in page
    assert "bootstrap" not in page.lower()[:5000]


@pytest.mark.parametrize("basemap,host", [("osm", "tile.openstreetmap.org"), ("light", "basemaps.cartocdn.com")])
def test_online_page_adds_tiles_only(basemap, host):
    page = study_area_map(synthetic_study(), basemap=basemap, offline=False, date="2024-05-01").html()
    assert host in page and "L.tileLayer" in page
    assert not re.search(r"<script[^>]+src=", page)


def test_basemap_none_online_has_no_tiles():
    page = study_area_map(synthetic_study(), basemap="none", offline=False).html()
    assert "L.tileLayer" not in page


# ----------------------------------------------------------------------------- content
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_title_legend_and_layer_names_in_language(lang):
    page = study_area_map(synthetic_study(zh=lang == "zh"), lang=lang, date="2024-05-01").html()
    for key in ("title.study_area", "title.sources", "legend.title", "layer.buildings", "layer.facilities",
                "cat.health", "station.fire", "group.emergency", "building.residential"):
        text = t(key, lang)
        assert text in page or json.dumps(text)[1:-1] in page, key
    assert "cn-gb50180" in page and "2024-05-01" in page
    other = "en" if lang == "zh" else "zh"
    assert f"<h3>{t('legend.title', other)}</h3>" not in page


def test_graduated_and_categorical_legends():
    pts = [Point(24.94 + i * 1e-3, 60.17) for i in range(4)]
    gdf = gpd.GeoDataFrame({"d": [100.0, 450.0, 900.0, np.nan], "c": ["health", "park", "zzz", "park"]},
                           geometry=pts, crs="EPSG:4326")
    pm = PlanMap("T", lang="en")
    pm.add_layer(gdf, name_key="layer.coverage", kind="points",
                 graduated=Graduated("d", [0, 300, 500, 1000], ["#1a9850", "#fee08b", "#d73027"], fmt="m"),
                 tooltip=[Field("d", "field.walk_distance", "m+min")])
    pm.add_layer(gdf, name_key="layer.facilities", kind="points", color_by="c",
                 categories={"health": ("#d62728", "cat.health"), "park": ("#31a354", "cat.park"),
                             "market": ("#e6550d", "cat.market")})
    grad, cat = pm.layers
    assert [r[1] for r in grad.legend_rows] == ["0 m – 300 m", "300 m – 500 m", "500 m – 1,000 m", "No data"]
    assert [f["properties"]["_s"] for f in grad.data["features"]] == [0, 1, 2, 3]
    assert grad.data["features"][1]["properties"]["f0"] == "450 m · 6.2 min"
    assert [r[1] for r in cat.legend_rows] == ["Health care", "Park", "Other"]  # market absent: no row
    page = pm.html()
    assert page.count('class="gp-leg') == 2


def test_inputs_in_any_crs_and_bounds():
    gdf = gpd.GeoDataFrame(geometry=[Point(447000, 4417000)], crs="EPSG:32650")
    pm = PlanMap("T", lang="en").add_layer(gdf, name_key="layer.facilities", kind="points")
    (s, w), (n, e) = pm.bounds()
    assert 39.8 < s <= n < 39.95 and 116.3 < w <= e < 116.5
    with pytest.raises(InputError):
        PlanMap("T").add_layer(gpd.GeoDataFrame(geometry=[Point(0, 0)]), name_key="layer.facilities", kind="points")
    with pytest.raises(ValueError):
        PlanMap("T").add_layer(gdf, name_key="layer.facilities", kind="points", tooltip=[("nope", "field.name")])


def test_html_panel_and_chart():
    chart = svg_line_chart([1, 2, 3], [100, 250, 300], title="<b>covered</b>", x_label="sites", y_label="people")
    assert chart.startswith("<svg") and "&lt;b&gt;covered&lt;/b&gt;" in chart
    pm = PlanMap("T", lang="en").add_html_panel(chart)
    assert "<polyline" in pm.html()
    # a city's population as the axis top: its tick fits between the axis label and the axis
    big = svg_line_chart([0, 10], [0, 27_698], y_label="people", y_max=16_821_380)
    axis_x = float(re.search(r'<line x1="[\d.]+" y1="[\d.]+" x2="[\d.]+" y2="[\d.]+" stroke="#888"/><line '
                             r'x1="([\d.]+)"', big).group(1))
    assert ">16,821,380</text>" in big and axis_x - 4 - 6 * len("16,821,380") >= 14  # right of the label at x=10


def test_to_html_is_atomic(tmp_path):
    pm = study_area_map(synthetic_study(), date="2024-05-01")
    out = pm.to_html(tmp_path / "maps" / "study_area.html")
    assert out.exists() and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in out.parent.iterdir()] == ["study_area.html"]


def test_print_stylesheet_is_a3_landscape():
    page = PlanMap("T").html()
    assert "size: A3 landscape" in page and "@media print" in page


def test_layers_take_msgids_and_messages_as_well_as_01_keys():
    """New code passes msgids (N_/NC_) or Messages; the 0.1 keys keep working beside them."""
    from geoplan.i18n import N_, NC_

    gdf = gpd.GeoDataFrame({"kind": ["a", "b"], "n": [1, 2]},
                           geometry=[Point(116.35, 40.0), Point(116.36, 40.0)], crs="EPSG:4326")
    pm = PlanMap("T", lang="zh", subtitle=message("Community layer: {file}", file="<x>.shp"),
                 extra_lines=[N_("Legend")], date="2024-05-01")
    pm.add_layer(gdf, name_key=N_("Buildings"), kind="points", group="group.sites", color_by="kind",
                 categories={"a": ("#000000", NC_("shelter site kind", "Park")),
                             "b": ("#ffffff", message("Community layer: {file}", file="b"))},
                 tooltip=[Field("n", N_("Population"), "people")])
    pm.add_layer(gdf, name_key="layer.facilities", name=message("Community layer: {file}", file="c"),
                 kind="points", group=N_("Shelter sites"))
    first, second = pm.layers
    assert first.name == "建筑" and first.group == "避难场所" and first.tooltip == ["人口"]
    assert [r[1] for r in first.legend_rows] == ["公园", "社区图层：b"]
    assert first.data["features"][0]["properties"]["f0"] == "1 人"
    assert second.name == "社区图层：c" and second.group_rank == first.group_rank  # same group either way
    page = pm.html()
    assert "<h2>社区图层：&lt;x&gt;.shp</h2>" in page and "<div>图例</div>" in page
