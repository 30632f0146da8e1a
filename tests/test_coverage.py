"""Life-circle coverage: hand-built networks with known answers, the bundled network against
networkx, shares against the residents table, outputs, bad input and the CLI."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geoplan
from geoplan.life_circle import coverage, parse_categories
from geoplan.errors import InputError
from geoplan.standards import get_preset
from geoplan.study import Study
from _independent import nearest_costs
from toy import CRS_M, toy_study as street_study


# --------------------------------------------------------------------------- a hand-built study
def toy_study(residents: list[tuple], facilities: list[tuple], *, communities=None) -> Study:
    """A Study on the toy street of :mod:`toy` plus a 100 m island street at y=3000.

    ``residents``: ``(x, y, population, community)``; ``facilities``: ``(x, y, category, name)``.
    """
    fac = gpd.GeoDataFrame({
        "facility_id": [f"F{i + 1}" for i in range(len(facilities))],
        "category": [f[2] for f in facilities],
        "name": [f[3] for f in facilities],
        "name_zh": None, "name_en": None, "source": "layer",
    }, geometry=[shapely.Point(f[0], f[1]) for f in facilities], crs=CRS_M)
    if communities is None:
        communities = gpd.GeoDataFrame({"community": ["C1", "C2"], "name_zh": ["一社区", "二社区"],
                                        "name_en": ["One", "Two"]},
                                       geometry=[shapely.box(-100, -100, 1925, 100), shapely.box(1925, -100, 2100, 100)],
                                       crs=CRS_M)
    return street_study(residents, community=lambda r: r[3], area=shapely.box(-100, -100, 2100, 3100),
                          communities=communities, island=True, facilities=fac)


RESIDENTS = [
    (0, 10, 100.0, "C1"),          # R1: the reference home, 10 m connector at x=0
    (1900, 10, 50.0, "C1"),        # R2
    (1950, 10, 30.0, "C2"),        # R3: 50 m from R2 → same gap area
    (50, 3010, 20.0, "unassigned"),  # R4: on the island
    (1000, 10, 0.0, "C1"),         # R5: nobody lives here
    (1000, -10, np.nan, "C1"),     # R6: population unknown
]
FACILITIES = [
    (279.5, 10, "market", "菜场 <script>alert(1)</script>"),  # R1: 10 + 279.5 + 10 = 299.5 m ≤ 300
    (481, 10, "pharmacy", "药店"),                # R1: 10 + 481 + 10 = 501 m > 500
    (979, 10, "health", "卫生站"),                 # R1: 999 m ≤ 1000
    (60, 3010, "park", "岛上公园"),                # on the island: R4 only (30 m)
    (500, 900, "primary_school", "远处小学"),       # 900 m from any street: off the network
    (1500, 40, "sports", "体育场"),                # 40 m connector counts
]


@pytest.fixture(scope="module")
def toy():
    return toy_study(RESIDENTS, FACILITIES)


@pytest.fixture(scope="module")
def toy_result(toy):
    return coverage(toy, per_facility=True)


def _dist(result, rid, cat):
    t = result.residents_table().set_index("resident_id")
    return t.loc[rid, f"dist_m_{cat}"]


def test_known_distances_include_both_connectors(toy_result):
    r = toy_result
    assert _dist(r, "R1", "market") == pytest.approx(299.5)
    assert _dist(r, "R1", "pharmacy") == pytest.approx(501.0)
    assert _dist(r, "R1", "health") == pytest.approx(999.0)
    assert _dist(r, "R2", "market") == pytest.approx(10 + 1900 - 279.5 + 10)
    assert _dist(r, "R1", "sports") == pytest.approx(10 + 1500 + 40)
    assert _dist(r, "R4", "park") == pytest.approx(30.0)
    t = r.residents_table().set_index("resident_id")
    assert t.loc["R1", "walk_min_market"] == pytest.approx(299.5 / 1.2 / 60, abs=0.01)


def test_tiers_just_inside_and_just_outside(toy_result):
    t = toy_result.residents_table().set_index("resident_id")
    assert t.loc["R1", "dist_m_market"] <= 300 and t.loc["R1", "dist_m_pharmacy"] > 500
    summary = toy_result.summary.set_index(["community", "category"])
    # R1 (100 people, C1) reaches market (299.5 ≤ 300) and health (999 ≤ 1000) but not pharmacy (501 > 500)
    assert summary.loc[("C1", "market"), "covered_population"] == pytest.approx(100.0)
    assert summary.loc[("C1", "pharmacy"), "covered_population"] == pytest.approx(0.0)
    assert summary.loc[("C1", "health"), "covered_population"] == pytest.approx(150.0)  # R1 and R2 (941 m)
    assert summary.loc[("C2", "health"), "covered_population"] == pytest.approx(30.0)   # R3: 991 m
    assert summary.loc[("ALL", "health"), "covered_share"] == pytest.approx(180 / 200)
    assert t.loc["R1", "categories_within_tier"] == 2  # market, health
    assert not t.loc["R1", "complete_circle"]


def test_disconnected_residents_and_facilities(toy_result):
    t = toy_result.residents_table().set_index("resident_id")
    assert np.isnan(t.loc["R1", "dist_m_park"])  # the only park is on the island
    assert np.isnan(t.loc["R4", "dist_m_market"])  # the island home reaches nothing else
    assert t.loc["R4", "categories_within_tier"] == 1
    assert t.loc["R4", "community"] == "unassigned"
    assert "unassigned" in set(toy_result.summary["community"])


def test_facility_off_the_network_is_left_out_with_a_warning(toy_result):
    assert "F5" not in set(toy_result.facilities["facility_id"])
    assert toy_result.residents_table()["dist_m_primary_school"].isna().all()
    assert toy_result.share("primary_school") == 0.0
    assert any("primary_school facilities are farther" in w for w in toy_result.warnings)


def test_category_without_facilities_is_zero_with_a_warning(toy_result):
    assert toy_result.share("kindergarten") == 0.0
    assert any("no kindergarten facilities" in w for w in toy_result.warnings)


def test_zero_and_missing_population(toy_result):
    t = toy_result.residents_table().set_index("resident_id")
    assert t.loc["R5", "population"] == 0 and t.loc["R6", "population"] == 0
    assert t.loc["R5", "dist_m_health"] == pytest.approx(41.0)  # listed with its distances
    assert any("missing or negative population" in w for w in toy_result.warnings)
    all_health = toy_result.summary.set_index(["community", "category"]).loc[("ALL", "health")]
    assert all_health["population"] == pytest.approx(200.0)
    assert all_health["residents"] == 6


def test_elderly_profile_and_time_mode(toy):
    adult = coverage(toy, categories="market,pharmacy,health")
    # distance mode, elderly: tiers scaled by 0.9 / 1.2 → 225 / 375 / 750 m
    assert adult.parameters["elderly_tier_m"] == {"market": 225.0, "pharmacy": 375.0, "health": 750.0}
    assert adult.share("market", "C1", elderly=True) == 0.0  # 299.5 > 225
    elderly = coverage(toy, categories="market,pharmacy,health", profile="elderly")
    assert elderly.parameters["tier_m"]["market"] == 225.0
    # time mode: minutes at 1.2 m/s → 360 / 720 / 1080 m; elderly 0.9 m/s → 270 / 540 / 810 m
    timed = coverage(toy, categories="market,pharmacy,health", mode="time")
    assert timed.parameters["tier_m"] == {"market": 360.0, "pharmacy": 720.0, "health": 1080.0}
    assert timed.share("pharmacy", "C1") == pytest.approx(100 / 150)  # 501 m ≤ 720 m
    t_eld = coverage(toy, categories="market,pharmacy,health", mode="time", profile="elderly")
    assert t_eld.parameters["tier_m"]["market"] == pytest.approx(270.0)
    assert t_eld.share("market", "C1") == 0.0
    slow = coverage(toy, categories="market", mode="time", speed=0.5)  # 5 min at 0.5 m/s = 150 m
    assert slow.share("market", "C1") == 0.0
    tab = slow.residents_table().set_index("resident_id")
    assert tab.loc["R1", "walk_min_market"] == pytest.approx(299.5 / 0.5 / 60, abs=0.01)
    for res in (adult, elderly, timed, t_eld):
        s = res.summary
        assert (s["elderly_covered_share"].fillna(0) <= s["covered_share"].fillna(0) + 1e-12).all()


def test_complete_circle_uses_essential_categories(toy):
    r = coverage(toy, categories="market,health,sports")  # sports is not essential
    t = r.residents_table().set_index("resident_id")
    assert r.parameters["essential"] == ["market", "health"]
    assert t.loc["R1", "complete_circle"]  # market 299.5, health 999; sports 1550 does not matter
    assert not t.loc["R2", "complete_circle"]
    assert r.complete_share("C1") == pytest.approx(100 / 150)
    assert r.complete_share("ALL") == pytest.approx(100 / 200)


def test_service_area_follows_the_network_not_a_circle(toy_result):
    areas = toy_result.service_areas.set_index("category")
    market = areas.loc["market", "geometry"]
    # the market (connector 10 m) reaches 290 m each way along the street: x ∈ [0, 569.5], plus 50 m walk-shed
    assert market.contains(shapely.Point(560, 40))
    assert not market.contains(shapely.Point(650, 0))
    assert not market.contains(shapely.Point(279.5, 150))  # 140 m off the street: inside a circle, not here
    assert areas.loc["market", "street_m"] == pytest.approx(569.5, abs=0.01)
    park = areas.loc["park", "geometry"]
    assert park.contains(shapely.Point(50, 3000)) and not park.contains(shapely.Point(50, 0))
    assert areas.loc["kindergarten", "area_ha"] == 0 and areas.loc["kindergarten", "geometry"] is None
    per = toy_result.facility_areas
    assert set(per["facility_id"]) >= {"F1", "F3", "F4", "F6"}


def test_per_facility_areas_split_between_facilities(toy):
    two = toy_study(RESIDENTS, [(200, 0, "market", "A"), (800, 0, "market", "B")])
    r = coverage(two, categories="market", per_facility=True)
    per = r.facility_areas.set_index("facility_id")
    # both reach 300 m; their stretches meet at x = 500
    assert per.loc["F1", "geometry"].contains(shapely.Point(450, 0))
    assert not per.loc["F1", "geometry"].contains(shapely.Point(560, 0))
    assert per.loc["F2", "geometry"].contains(shapely.Point(560, 0))


def test_gaps_group_neighbours_and_rank_by_population(toy_result):
    gaps = toy_result.gaps
    market = gaps[gaps["category"] == "market"]
    # R2 and R3 (50 m apart) form one gap of 80 people; R4 (island) another of 20; R5/R6 have nobody
    assert sorted(market["population"].tolist()) == [20.0, 80.0]
    big = market.sort_values("population").iloc[-1]
    assert big["residents"] == 2 and big["community"] == "C1"
    assert big["nearest_m"] == pytest.approx(10 + 1900 - 279.5 + 10)
    assert gaps["rank"].tolist() == list(range(1, len(gaps) + 1))
    assert (np.diff(gaps["population"].to_numpy()) <= 0).all()
    assert big.geometry.contains(shapely.Point(1925, 10))


def test_outputs_follow_the_contract(toy_result, tmp_path):
    paths = toy_result.to_file(tmp_path)
    folder = tmp_path / "coverage"
    assert {p.name for p in paths} >= {"residents.csv", "summary.csv", "facilities.csv", "coverage.gpkg"}
    res = pd.read_csv(folder / "residents.csv", encoding="utf-8-sig")
    cats = toy_result.categories
    head = ["resident_id", "lon", "lat", "population", "community"] + [f"dist_m_{c}" for c in cats] + \
        [f"walk_min_{c}" for c in cats] + ["categories_within_tier", "complete_circle"]
    assert list(res.columns[:len(head)]) == head
    assert res.loc[res["resident_id"] == "R1", "dist_m_park"].isna().all()  # empty when unreachable
    summ = pd.read_csv(folder / "summary.csv", encoding="utf-8-sig")
    assert list(summ.columns[:6]) == ["community", "category", "tier_m", "population", "covered_population",
                                      "covered_share"]
    assert set(summ.loc[summ["community"] == "ALL", "category"]) == set(cats)
    fac = pd.read_csv(folder / "facilities.csv", encoding="utf-8-sig")
    assert list(fac.columns[:6]) == ["facility_id", "category", "name", "lon", "lat", "source"]
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(folder / "coverage.gpkg")}
    assert layers >= {"residents", "facilities", "service_areas", "gaps"}
    gaps = gpd.read_file(folder / "coverage.gpkg", layer="gaps")
    assert gaps.crs.to_epsg() == 4326 and len(gaps) == len(toy_result.gaps)


def test_map_has_layers_and_escapes_names(toy_result, tmp_path):
    pm = toy_result.to_map(lang="en", date="2024-01-01")
    html = pm.to_html(tmp_path / "coverage.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "<b>toy</b>" not in html
    for cat in ("Market / grocery", "Health care"):
        assert f"Service area: {cat}" in html
    assert "Coverage gaps" in html
    zh = toy_result.to_map(lang="zh", date="2024-01-01").html()
    assert "覆盖缺口" in zh


def test_unknown_category_lists_known_ones(toy):
    with pytest.raises(InputError) as err:
        coverage(toy, categories="health,hospitals")
    assert "hospitals" in str(err.value) and "market" in str(err.value)
    assert parse_categories(" health, market ,", get_preset().categories) == ("market", "health")
    with pytest.raises(InputError):
        coverage(toy, mode="walking")
    with pytest.raises(InputError):
        coverage(toy, speed=-1)


def test_empty_inputs_do_not_crash(tmp_path):
    import dataclasses

    no_fac = dataclasses.replace(toy_study(RESIDENTS, []), facilities=gpd.GeoDataFrame(
        geometry=gpd.GeoSeries([], crs=CRS_M), crs=CRS_M))  # what load_study gives without any facility
    r = coverage(no_fac)
    assert (r.summary["covered_share"].fillna(0) == 0).all() and len(r.facilities) == 0
    assert len(r.warnings) >= len(r.categories)
    r.to_file(tmp_path / "a")
    r.to_map().html()
    nobody = coverage(toy_study([], FACILITIES))
    assert len(nobody.residents) == 0 and len(nobody.gaps) == 0
    nobody.to_file(tmp_path / "b")
    no_boundary = coverage(toy_study(RESIDENTS, FACILITIES, communities=gpd.GeoDataFrame(
        {"community": []}, geometry=gpd.GeoSeries([], crs=CRS_M), crs=CRS_M)), categories="health")
    assert set(no_boundary.summary["community"]) == {"C1", "C2", "unassigned", "ALL"}
    no_boundary.to_map().html()


# --------------------------------------------------------------------------- the bundled real network
@pytest.fixture(scope="module")
def helsinki_coverage(helsinki):
    return coverage(helsinki)


def test_distances_equal_networkx_on_bundled_network(helsinki, helsinki_coverage):
    net = helsinki.walk.compiled
    res_snap = helsinki.snaps["residents.walk"]
    fac_snap = helsinki.snaps["facilities.walk"]
    table = helsinki_coverage.residents_table()
    cats = helsinki.facilities["category"].astype(str).to_numpy()
    checked = 0
    for cat in helsinki_coverage.categories:
        rows = np.flatnonzero((cats == cat) & fac_snap.ok)
        ours = table[f"dist_m_{cat}"].to_numpy(dtype=float)
        if len(rows) == 0:
            assert np.isnan(ours).all()
            continue
        src = fac_snap.subset(rows)
        theirs = nearest_costs(net, src, res_snap, "length", source_cost=src.distance_m) + res_snap.distance_m
        theirs = np.where(np.isfinite(theirs), theirs, np.nan)
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=0.006)  # cm rounding
        checked += np.isfinite(ours).sum()
    assert checked > 300


def test_summary_shares_equal_the_residents_table(helsinki_coverage, tmp_path):
    helsinki_coverage.to_file(tmp_path)
    res = pd.read_csv(tmp_path / "coverage" / "residents.csv", encoding="utf-8-sig")
    summ = pd.read_csv(tmp_path / "coverage" / "summary.csv", encoding="utf-8-sig", keep_default_na=False,
                       na_values=[""])
    for row in summ.itertuples(index=False):
        part = res if row.community == "ALL" else res[res["community"] == row.community]
        covered = part.loc[part[f"dist_m_{row.category}"] <= row.tier_m, "population"].sum()
        assert row.covered_population == pytest.approx(covered, abs=1e-3)
        assert row.population == pytest.approx(part["population"].sum(), abs=1e-3)
        if row.population > 0:
            assert row.covered_share == pytest.approx(covered / part["population"].sum(), abs=1e-9)
        e_cov = part.loc[part[f"dist_m_{row.category}"] <= row.elderly_tier_m, "population"].sum()
        assert row.elderly_covered_population == pytest.approx(e_cov, abs=1e-3)
    # the within-tier counts and the complete circle are consistent with the distances too
    tiers = helsinki_coverage.parameters["tier_m"]
    within = np.column_stack([res[f"dist_m_{c}"] <= t for c, t in tiers.items()])
    assert (within.sum(axis=1) == res["categories_within_tier"]).all()
    ess = helsinki_coverage.parameters["essential"]
    complete = np.column_stack([res[f"dist_m_{c}"] <= tiers[c] for c in ess]).all(axis=1)
    assert (complete == res["complete_circle"]).all()


def test_elderly_coverage_not_above_adult_on_bundled_network(helsinki, helsinki_coverage):
    s = helsinki_coverage.summary
    assert (s["elderly_covered_share"] <= s["covered_share"] + 1e-12).all()
    assert (s["elderly_covered_share"] < s["covered_share"]).any()  # and the difference is real
    adult = coverage(helsinki, mode="time")
    elderly = coverage(helsinki, mode="time", profile="elderly")
    a, e = adult.summary.set_index(["community", "category"]), elderly.summary.set_index(["community", "category"])
    assert (e["covered_share"] <= a["covered_share"] + 1e-12).all()
    assert elderly.complete_share() <= adult.complete_share()


def test_one_search_per_category_whatever_the_number_of_facilities(helsinki, monkeypatch):
    calls = []
    original = type(helsinki.walk.compiled).search

    def counting(self, sources, **kw):
        calls.append(len(sources))
        return original(self, sources, **kw)

    monkeypatch.setattr(type(helsinki.walk.compiled), "search", counting)
    coverage(helsinki, categories="park,market,health")
    assert len(calls) == 3


def test_boundary_missing_some_residents_gives_unassigned(tmp_path, sample_layers, helsinki):
    b = gpd.read_file(sample_layers / "boundary.geojson")
    layers = tmp_path / "layers"
    layers.mkdir()
    b.iloc[:1].to_file(layers / "boundary.geojson", driver="GeoJSON")
    study = geoplan.load_study(None, layers=[layers])
    r = coverage(study, categories="health")
    comms = set(r.summary["community"])
    assert "unassigned" in comms and str(b.iloc[0]["name"]) in comms
    t = r.residents_table()
    assert (t["community"] == "unassigned").sum() > 0
    all_row = r.summary[(r.summary["community"] == "ALL")].iloc[0]
    parts = r.summary[(r.summary["community"] != "ALL")]
    assert parts["population"].sum() == pytest.approx(all_row["population"])


# --------------------------------------------------------------------------- the command line
def test_cli_unknown_category_exits_2(tmp_path, capsys):
    from geoplan.cli import main

    code = main(["coverage", "--categories", "health,clinics", "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert "clinics" in err and "primary_school" in err and "Traceback" not in err


def test_cli_writes_the_outputs(tmp_path, sample_layers, capsys):
    from geoplan.cli import main

    out = tmp_path / "out"
    code = main(["coverage", "--layers", str(sample_layers), "--out", str(out), "--mode", "time", "--profile",
                 "elderly", "--categories", "health,market,park", "--lang", "zh"])
    assert code == 0
    text = capsys.readouterr().out
    assert "完整生活圈" in text and "complete life circle" not in text  # --lang zh: the summary is Chinese
    for name in ("coverage/residents.csv", "coverage/summary.csv", "coverage/facilities.csv",
                 "coverage/coverage.gpkg", "maps/coverage.html", "manifest.json"):
        assert (out / name).exists(), name
    summ = pd.read_csv(out / "coverage" / "summary.csv", encoding="utf-8-sig")
    assert set(summ["category"]) == {"health", "market", "park"}
    # 菜市场或生鲜超市 is a 10-minute item of GB 50180-2018: 10 min at 0.9 m/s
    assert summ.loc[summ["category"] == "market", "tier_m"].iloc[0] == pytest.approx(540.0)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "coverage"


def test_config_section_sets_defaults(tmp_path, capsys):
    from geoplan.cli import main

    cfg = tmp_path / "project.yml"
    cfg.write_text("coverage: {categories: [health], mode: time}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["coverage", "--config", str(cfg), "--out", str(out), "--lang", "en"]) == 0
    assert "complete life circle" in capsys.readouterr().out
    summ = pd.read_csv(out / "coverage" / "summary.csv", encoding="utf-8-sig")
    assert set(summ["category"]) == {"health"} and summ["tier_m"].iloc[0] == pytest.approx(1080.0)
    cfg.write_text("coverage: {categories: [healthcare]}\n", encoding="utf-8")
    assert main(["coverage", "--config", str(cfg), "--out", str(out)]) == 2
    capsys.readouterr()
