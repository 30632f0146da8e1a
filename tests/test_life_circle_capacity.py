"""Supply against demand (2SFCA, E2SFCA), redundancy and the provision check on hand-built
networks with answers computed by hand. Categories come from the preset (never fixed names),
so these tests hold whatever the category table is."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan.life_circle import coverage
from geoplan.life_circle.capacity import step_weights
from geoplan.standards import get_preset
from geoplan.standards.provision import E2SFCA_STEP_WEIGHTS, Requirement
from toy import CRS_M, toy_study

PRESET = get_preset("gb")
CAT = PRESET.categories[0]              # the category with capacities
OTHER = PRESET.categories[1]            # a category whose facility states no capacity
T = PRESET.tier_m(CAT)                  # its tier, m
A_X, B_X = 200.0, 200.0 + T             # facility A and B on the street (no connector)
# residents on the street (no connector): R1 reaches A only (0.2 T), R2 both (0.5 T each),
# R3 B only (0.7 T), R4 nothing within the tier
RESIDENTS = [(A_X - 0.2 * T, 0, 100.0, "C1"), (A_X + 0.5 * T, 0, 50.0, "C1"), (B_X + 0.7 * T, 0, 30.0, "C2"),
             (2000.0, 0, 10.0, "C2")]
CAP_A, CAP_B, CAP_C = 60.0, 40.0, 25.0


def _facilities(extra=()):
    rows = [(A_X, 0, CAT, "A", CAP_A), (B_X, 0, CAT, "B", CAP_B),
            (50, 3000, CAT, "C on the island: nobody lives there", CAP_C),
            (1000, 0, OTHER, "no capacity stated", np.nan), *extra]
    return gpd.GeoDataFrame({"facility_id": [f"F{i + 1}" for i in range(len(rows))],
                             "category": [r[2] for r in rows], "name": [r[3] for r in rows],
                             "name_zh": None, "name_en": None, "source": "layer",
                             "capacity": [r[4] for r in rows]},
                            geometry=[shapely.Point(r[0], r[1]) for r in rows], crs=CRS_M)


def _study(residents=RESIDENTS, facilities=None):
    communities = gpd.GeoDataFrame({"community": ["C1", "C2"], "name_zh": ["一", "二"], "name_en": ["One", "Two"]},
                                   geometry=[shapely.box(-100, -100, A_X + 0.75 * T, 100),
                                             shapely.box(A_X + 0.75 * T, -100, 2100, 100)], crs=CRS_M)
    return toy_study(residents, community=lambda r: r[3], area=shapely.box(-100, -100, 2100, 3100),
                     communities=communities, island=True, facilities=_facilities() if facilities is None else facilities)


@pytest.fixture(scope="module")
def result():
    assert B_X + 0.7 * T <= 2000  # the toy street is long enough for every tier of the preset
    return coverage(_study(), categories=[CAT, OTHER])


def _res(result):
    return result.residents_table().set_index("resident_id")


def test_two_step_floating_catchment_by_hand(result):
    t = _res(result)
    r_a = CAP_A / (100 + 50)   # step 1: A's catchment holds R1 and R2
    r_b = CAP_B / (50 + 30)    # B's holds R2 and R3
    assert t.loc["R1", f"sfca_{CAT}"] == pytest.approx(r_a)
    assert t.loc["R2", f"sfca_{CAT}"] == pytest.approx(r_a + r_b)  # step 2: R2 sums both facilities
    assert t.loc["R3", f"sfca_{CAT}"] == pytest.approx(r_b)
    assert t.loc["R4", f"sfca_{CAT}"] == 0
    fac = result.facilities_table().set_index("name")
    assert fac.loc["A", "catchment_population"] == pytest.approx(150)
    assert fac.loc["B", "catchment_population"] == pytest.approx(80)
    island = fac.loc["C on the island: nobody lives there"]
    assert island["catchment_population"] == 0 and np.isnan(island["supply_ratio"])
    assert fac.loc["A", "capacity"] == CAP_A and fac.loc["A", "supply_ratio"] == pytest.approx(r_a)


def test_enhanced_variant_weights_the_thirds_of_the_tier(result):
    w0, w1, w2 = E2SFCA_STEP_WEIGHTS
    assert list(step_weights(np.array([0.2, 0.5, 0.7, 1.0]) * T, T)) == [w0, w1, w2, w2]
    t = _res(result)
    r_a = CAP_A / (w0 * 100 + w1 * 50)
    r_b = CAP_B / (w1 * 50 + w2 * 30)
    assert t.loc["R1", f"e2sfca_{CAT}"] == pytest.approx(w0 * r_a)
    assert t.loc["R2", f"e2sfca_{CAT}"] == pytest.approx(w1 * (r_a + r_b))
    assert t.loc["R3", f"e2sfca_{CAT}"] == pytest.approx(w2 * r_b)


@pytest.mark.parametrize("column", ["sfca", "e2sfca"])
def test_weighted_accessibility_sums_to_the_capacity_with_demand(result, column):
    t = result.residents_table()
    fac = result.facilities_table()
    with_demand = fac[(fac["category"] == CAT) & (fac["catchment_population"] > 0)]
    total = float((t["population"] * t[f"{column}_{CAT}"]).sum())
    assert total == pytest.approx(with_demand["capacity"].sum())  # 100, not 125: the island's 25 reach nobody
    assert total < fac.loc[fac["category"] == CAT, "capacity"].sum()


def test_category_without_capacities_is_skipped_with_a_note(result):
    assert f"sfca_{OTHER}" not in result.residents_table()
    notes = [w for w in result.warnings if w.code == "sfca_skipped"]
    assert len(notes) == 1 and OTHER in notes[0] and "容量" in notes[0].render("zh")
    assert result.parameters["sfca_categories"] == [CAT]
    summary = result.summary.set_index(["community", "category"])
    assert np.isnan(summary.loc[("ALL", OTHER), "sfca_mean"])
    expected = (100 * CAP_A / 150 + 50 * (CAP_A / 150 + CAP_B / 80) + 30 * CAP_B / 80) / 190
    assert summary.loc[("ALL", CAT), "sfca_mean"] == pytest.approx(expected)


def test_second_nearest_and_residents_without_a_backup(result):
    t = _res(result)
    assert t.loc["R2", f"dist2_m_{CAT}"] == pytest.approx(0.5 * T)  # A and B both at 0.5 T
    assert np.isnan(t.loc["R1", f"dist2_m_{CAT}"])                # B is 1.2 T away: beyond the tier
    assert list(t[f"no_backup_{CAT}"]) == [True, False, True, False]  # R4 is not covered at all
    fac = result.facilities_table().set_index("name")
    assert fac.loc["A", "sole_cover_population"] == 100 and fac.loc["B", "sole_cover_population"] == 30
    s = result.summary.set_index(["community", "category"])
    assert s.loc[("ALL", CAT), "no_backup_population"] == 130



def test_redundancy_agrees_with_the_nearest_search_on_the_bundled_network(helsinki):
    r = coverage(helsinki, with_areas=False)
    t = r.residents_table()
    for cat in r.categories:
        d, d2 = t[f"dist_m_{cat}"].to_numpy(float), t[f"dist2_m_{cat}"].to_numpy(float)
        tier = r.parameters["tier_m"][cat]
        has2 = np.isfinite(d2)
        assert (d2[has2] >= d[has2] - 0.011).all() and (d2[has2] <= tier).all()
        covered = d <= tier
        assert (t[f"no_backup_{cat}"].to_numpy(bool) == (covered & ~has2)).all()


def test_provision_check_on_a_toy_table():
    tier = PRESET.tier_min(CAT)
    rows = (Requirement(tier, CAT, "toy item", 100, True, "toy table row 1"),
            Requirement(tier, OTHER, "toy item 2", 100, True, "toy table row 2"),
            Requirement(tier, CAT, "big-area item", 1e6, True, "toy table row 3"),
            Requirement(tier, OTHER, "advised item", 0, False, "toy table row 4"),
            Requirement(tier, "no_such_category", "unknown", 0, True, "toy table row 5"))
    r = coverage(_study(), categories=[CAT, OTHER], requirements=rows)
    p = r.provision.set_index(["area", "citation"])
    assert list(r.provision.columns[:7]) == ["area", "tier", "population", "item", "category", "required",
                                             "present_within_tier"]
    assert p.loc[("C1", "toy table row 1"), "status"] == "present"      # R1, R2 reach A or B
    assert p.loc[("C2", "toy table row 1"), "population"] == 40
    assert p.loc[("C2", "toy table row 1"), "status"] == "not_applicable"  # 40 people < 100
    # the OTHER facility at x=1000 is beyond R1/R2's tier (if the tier is short) or within it
    d = r.residents_table().set_index("resident_id")[f"dist_m_{OTHER}"]
    reach = (d[["R1", "R2"]] <= PRESET.tier_m(OTHER)).any()
    assert p.loc[("C1", "toy table row 2"), "status"] == ("present" if reach else "missing")
    assert p.loc[("C1", "toy table row 3"), "status"] == "not_applicable"
    assert p.loc[("C1", "toy table row 4"), "status"] in ("advised_present", "advised_absent")
    assert "toy table row 5" not in set(r.provision["citation"])
    assert any(w.code == "provision_row_skipped" for w in r.warnings)


def test_provision_is_written_and_drawn(tmp_path):
    tier = PRESET.tier_min(CAT)
    r = coverage(_study(), categories=[CAT], requirements=(Requirement(tier, CAT, "toy", 0, True, "toy row"),))
    r.to_file(tmp_path, lang="zh")
    prov = pd.read_csv(tmp_path / "coverage" / "provision.csv", encoding="utf-8-sig")
    assert set(prov["area"]) == {"C1", "C2"} and (prov["citation"] == "toy row").all()
    notes = pd.read_csv(tmp_path / "coverage" / "notes.csv", encoding="utf-8-sig")
    assert list(notes.columns) == ["code", "note"]
    html = r.to_map(lang="zh", date="2024-01-01").html()
    assert "配套设施配置核查" in html


def test_default_requirements_are_empty_until_verified():
    from geoplan.standards.provision import GB50180_REQUIREMENTS

    r = coverage(_study(), categories=[CAT])
    assert GB50180_REQUIREMENTS == () and r.provision.empty
    assert {"citation", "status", "profile"} <= set(r.provision.columns)


def test_facility_missing_capacity_column_entirely():
    fac = _facilities().drop(columns="capacity")
    r = coverage(_study(facilities=fac), categories=[CAT])
    assert f"sfca_{CAT}" not in r.residents_table()
    assert r.facilities_table()["capacity"].isna().all()
