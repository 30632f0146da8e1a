"""Facilities by what they are: tags first, then names; GB 50180-2018 items; labels; BD-09."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan import features as feat
from geoplan.gcj02 import bd09_to_gcj02, bd09_to_wgs84, gcj02_to_bd09, wgs84_to_bd09
from geoplan.standards import get_preset
from geoplan.standards.facilities import GB_ITEMS
from osm_fixture import OsmWriter


def _features(rows: list[dict]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows)
    for key in ("name", "name:zh", "name:en"):
        if key not in frame:
            frame[key] = None
    frame["osm_type"] = "node"
    frame["osm_id"] = np.arange(1, len(frame) + 1)
    return gpd.GeoDataFrame(frame, geometry=[shapely.Point(i * 10.0, 0) for i in range(len(frame))], crs=32650)


def _classify(rows: list[dict], preset="gb") -> pd.DataFrame:
    return feat.classify_facilities(_features(rows), get_preset(preset) if isinstance(preset, str) else preset)


CASES = [
    # (tags, expected categories) — the Nanjing names the issue measured, and the other rules
    ({"amenity": "school", "name": "金陵中学"}, ["secondary_school"]),
    ({"amenity": "school", "name": "南京市第五中学"}, ["secondary_school"]),
    ({"amenity": "school", "name": "南京市第九初级中学"}, ["secondary_school"]),
    ({"amenity": "school", "name": "南京五中"}, ["secondary_school"]),
    ({"amenity": "school", "name": "南京三中（文昌校区）"}, ["secondary_school"]),
    ({"amenity": "school", "name": "金陵中学初三年级校区"}, ["secondary_school"]),
    ({"amenity": "school", "name": "北京石油学院附属中学"}, ["secondary_school"]),
    ({"amenity": "school", "name": "中国农业大学附属实验小学"}, ["primary_school"]),
    ({"amenity": "school", "name": "游府西街小学"}, ["primary_school"]),
    ({"amenity": "school", "name": "某区九年一贯制学校"}, ["primary_school", "secondary_school"]),
    ({"amenity": "school", "name": "秦淮区委党校"}, []),
    ({"amenity": "school", "name": "秦淮区教师进修学校"}, []),
    ({"amenity": "school", "name": "南京幼儿师范高等专科学校"}, []),
    ({"amenity": "school", "name": "东方驾校"}, []),
    ({"amenity": "school", "name": "新东方培训学校"}, []),
    ({"amenity": "school", "name": "南京职业技术学院"}, []),
    ({"amenity": "kindergarten", "name": "中国农业大学东校区幼儿园"}, ["kindergarten"]),
    ({"amenity": "school", "name": "阳光托儿所"}, ["childcare"]),
    ({"amenity": "school", "isced:level": "1-2"}, ["primary_school", "secondary_school"]),
    ({"amenity": "school", "school": "primary", "name": "某某学院"}, ["primary_school"]),  # a tag settles first
    ({"amenity": "university", "name": "南京大学"}, []),
    ({"amenity": "school", "name": "小学", "access": "private"}, []),
    ({"amenity": "clinic", "name": "双塘社区卫生服务站"}, ["health_station"]),
    ({"amenity": "clinic", "name": "秦淮区社区卫生服务中心"}, ["health"]),
    ({"amenity": "doctors", "name": "张氏诊所"}, ["health_station"]),
    ({"amenity": "clinic", "name": "爱宠宠物医院"}, []),
    ({"amenity": "hospital", "name": "南京市第一医院"}, ["health"]),
    ({"shop": "bakery", "name": "85度C"}, []),
    ({"shop": "convenience", "name": "苏果便利店"}, ["convenience"]),
    ({"shop": "convenience", "name": "华润苏果超市"}, ["market"]),
    ({"shop": "supermarket", "name": "石科院小卖部"}, ["convenience"]),
    ({"shop": "supermarket", "name": "永辉超市"}, ["market"]),
    ({"amenity": "marketplace", "name": "朝天宫农贸市场"}, ["market"]),
    ({"shop": "greengrocer"}, ["market"]),
    ({"social_facility": "nursing_home", "name": "夫子庙街道日间照料中心"}, ["elderly_day_care"]),
    ({"amenity": "nursing_home", "name": "秦淮区敬老院"}, ["elderly_care"]),
    ({"amenity": "social_facility", "social_facility:for": "senior", "name": "老年公寓"}, ["elderly_care"]),
    ({"amenity": "community_centre", "name": "双塘社区党群服务中心"}, ["community_service"]),
    ({"office": "government", "name": "五老村社区居委会"}, ["community_service"]),
    ({"office": "government", "name": "秦淮区税务局"}, []),
    ({"amenity": "community_centre", "name": "秦淮区文化活动中心"}, ["culture_centre"]),
    ({"amenity": "library", "name": "金陵图书馆"}, ["culture_centre"]),
    ({"leisure": "park", "name": "白鹭洲公园"}, ["park"]),
]


@pytest.mark.parametrize("tags, expected", CASES, ids=[c[0].get("name", str(c[0])) for c in CASES])
def test_each_rule_classifies_by_tags_then_names(tags, expected):
    out = _classify([tags])
    assert sorted(out["category"]) == expected
    assert out["rule"].notna().all()  # every row says which rule made it


def test_rule_column_names_the_tag_and_the_name():
    out = _classify([{"amenity": "school", "name": "南京五中"}, {"amenity": "hospital", "name": "医院"}])
    rules = dict(zip(out["category"], out["rule"]))
    assert rules["secondary_school"] == "tag:amenity=school name:五中"
    assert rules["health"] == "tag:amenity=hospital"


def test_a_nine_year_school_is_one_facility_in_two_categories():
    out = _classify([{"amenity": "school", "name": "南京市第一中学九年一贯制分校"}])
    assert sorted(out["category"]) == ["primary_school", "secondary_school"]
    assert out["facility_id"].nunique() == 1


def test_schools_no_rule_settles_are_listed_unclassified_with_a_note():
    out = _classify([{"amenity": "school", "name": "南京外国语学校"}, {"amenity": "school"}])
    assert out["category"].tolist() == ["unclassified", "unclassified"]
    assert out["note"].str.contains("isced:level").all()
    assert feat.UNCLASSIFIED not in get_preset().categories  # never analysed


def test_excluded_institutions_are_counted():
    frame = _features([{"amenity": "school", "name": "秦淮区委党校"}, {"amenity": "university", "name": "东南大学"},
                       {"amenity": "school", "name": "小学"}])
    assert feat.excluded_count(frame, get_preset()) == 2


def test_the_rule_table_is_overridable_from_a_project():
    preset = get_preset().with_overrides({"facility_names": [["primary_school", "?school", "实验学校"],
                                                             *get_preset().facility_names]})
    assert _classify([{"amenity": "school", "name": "南京实验学校"}], preset)["category"].tolist() == ["primary_school"]
    assert _classify([{"amenity": "school", "name": "南京实验学校"}])["category"].tolist() == ["unclassified"]


def test_nfpa_keeps_a_plain_category_set():
    nfpa = get_preset("nfpa")
    assert set(nfpa.categories) == {"market", "park", "elderly_care", "pharmacy", "kindergarten", "primary_school",
                                    "health", "secondary_school", "community_centre", "sports"}
    out = _classify([{"amenity": "clinic", "name": "社区卫生服务站"}, {"amenity": "kindergarten", "name": "幼儿园"},
                     {"amenity": "community_centre", "name": "居委会"}, {"shop": "convenience", "name": "便利店"}], nfpa)
    assert sorted(out["category"]) == ["community_centre", "health", "kindergarten"]
    assert nfpa.tier_m("kindergarten") == 500.0


def test_gb_categories_follow_the_standard_items():
    gb = get_preset()
    # the tiers the issue quotes from GB 50180-2018
    assert gb.tier_m("kindergarten") == 300.0 and gb.tier_m("health_station") == 300.0
    assert gb.tier_m("primary_school") == 500.0 and gb.tier_m("market") == 500.0
    assert gb.tier_m("secondary_school") == 1000.0 and gb.tier_m("health") == 1000.0
    for cat in gb.categories:
        item, table, tier, verified, note = GB_ITEMS[cat]
        assert "GB 50180-2018" in table and tier == gb.tier_min(cat)
        assert verified or note  # an unverified figure says so
        assert item in gb.life_circle.item_of_category[cat]


# ----------------------------------------------------------------------------- labels
def test_unnamed_features_are_labelled_by_what_they_are(tmp_path):
    from geoplan.study import load_study

    w = OsmWriter()
    a, b, c = w.node(0, 0), w.node(300, 0), w.node(600, 0)
    w.way([a, b, c], highway="residential")
    w.box(100, 10, 200, 60, leisure="park")
    w.box(400, 10, 500, 60, leisure="park", name="街心公园", name__en="Pocket Park")
    w.box(20, -40, 40, -20, building="apartments")
    w.node(550, 20, amenity="fire_station")
    study = load_study(w.write(tmp_path / "labels.osm"))
    assert study.stations["label_zh"].tolist() == ["未命名消防站"]
    assert set(study.sites["label_en"]) == {"unnamed park", "Pocket Park"}
    parks = study.facilities.set_index("label_en")
    assert set(parks.index) == {"unnamed park", "Pocket Park"}
    assert parks.loc["unnamed park", "label_zh"] == "未命名公园"
    assert parks.loc["Pocket Park", "label_zh"] == "街心公园"
    assert parks.loc["unnamed park", "facility_id"].startswith("way/")  # the id keeps its own column
    from geoplan import coverage

    table = coverage(study, categories="park").facilities_table().set_index("facility_id")
    unnamed = parks.loc["unnamed park", "facility_id"]
    assert table.loc[unnamed, "label_zh"] == "未命名公园" and table.loc[unnamed, "rule"] == "tag:leisure=park"
    html = coverage(study, categories="park").to_map(lang="zh", date="2024-01-01").html()
    assert "未命名公园" in html or json.dumps("未命名公园")[1:-1] in html  # data is JSON-escaped in the page
    assert unnamed not in html  # the map shows what it is, not its id


# ----------------------------------------------------------------------------- Baidu coordinates
# Published pairs: wandergis/coordtransform (test/app.js) and the Beijing railway station example of
# the R package that documents bd2gcj (GCJ-02 116.42703, 39.90245 = BD-09 116.43351, 39.90851).
def test_bd09_matches_published_pairs():
    assert np.allclose(bd09_to_gcj02(116.404, 39.915), (116.39762729119315, 39.90865673957631), atol=1e-10)
    assert np.allclose(gcj02_to_bd09(116.404, 39.915), (116.41036949371029, 39.92133699351021), atol=1e-10)
    assert np.allclose(bd09_to_gcj02(116.43351, 39.90851), (116.42703, 39.90245), atol=1e-5)
    lon, lat = wgs84_to_bd09(*bd09_to_wgs84(116.43351, 39.90851))
    assert np.allclose((lon, lat), (116.43351, 39.90851), atol=1e-6)


def test_csv_layer_in_bd09_is_converted(tmp_path):
    from geoplan.layers import read_layers

    (tmp_path / "poi.csv").write_text("名称,类别,lng,lat\n北京站药店,pharmacy,116.43351,39.90851\n", encoding="utf-8")
    (tmp_path / "layers.yml").write_text("facilities:\n  file: poi.csv\n  crs: bd09\n", encoding="utf-8")
    layers = read_layers(tmp_path, crs="EPSG:32650")
    pt = layers.facilities.to_crs(4326).geometry.iloc[0]
    want = bd09_to_wgs84(116.43351, 39.90851)
    assert (pt.x, pt.y) == pytest.approx((float(want[0]), float(want[1])), abs=1e-7)
    # ≈ 1 km from where the numbers would land read as WGS-84
    assert abs(pt.x - 116.43351) > 0.005


def test_a_broken_name_pattern_is_one_clear_error():
    from geoplan.errors import InputError

    preset = get_preset().with_overrides({"facility_names": [["primary_school", "?school", "小学("]]})
    with pytest.raises(InputError) as err:
        _classify([{"amenity": "school", "name": "小学"}], preset)
    assert "facility_names rule 1" in str(err.value) and "\n" not in str(err.value)
