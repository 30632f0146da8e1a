"""Per-community and per-compound summaries (one pass over the residents) against a mask per group."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan.life_circle.population import UNASSIGNED
from geoplan.life_circle.summary import community_summary, compound_summary


def _table(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    community = rng.choice(["东区", "西区", "北区", UNASSIGNED], n).astype(object)
    return pd.DataFrame({
        "population": np.where(rng.random(n) < 0.1, 0.0, rng.random(n) * 30),
        "complete_circle": rng.random(n) < 0.4, "complete_circle_elderly": rng.random(n) < 0.2,
        "categories_within_tier": rng.integers(0, 17, n), "community": community,
        "compound": np.where(rng.random(n) < 0.3, None, rng.choice([f"小区{i}" for i in range(40)], n)).astype(object)})


def _reference(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    rows = []
    pop = table["population"].to_numpy()
    for name in names:
        mask = np.ones(len(table), bool) if name == "ALL" else table["community"].to_numpy() == name
        total = pop[mask].sum()
        done = pop[mask & table["complete_circle"].to_numpy()].sum()
        reached = table["categories_within_tier"].to_numpy()[mask]
        rows.append({"community": name, "residents": int(mask.sum()), "population": round(total, 3),
                     "complete_share": done / total if total > 0 else np.nan,
                     "mean": np.average(reached, weights=pop[mask]) if total > 0 else np.nan})
    return pd.DataFrame(rows)


def test_community_rows_in_boundary_order_with_empty_ones_and_all_last():
    table = _table()
    boundaries = gpd.GeoDataFrame({"community": ["西区", "南区", "东区"]}, geometry=[shapely.box(0, 0, 1, 1)] * 3)
    got = community_summary(table, boundaries, profile="adult")
    # listed communities first (南区 has nobody), then the others sorted, unassigned and ALL last
    assert list(got["community"]) == ["西区", "南区", "东区", "北区", UNASSIGNED, "ALL"]
    ref = _reference(table, list(got["community"]))
    np.testing.assert_array_equal(got["residents"], ref["residents"])
    np.testing.assert_allclose(got["population"], ref["population"], atol=1e-9)
    np.testing.assert_allclose(got["complete_share"], ref["complete_share"], rtol=1e-12)
    np.testing.assert_allclose(got["mean_categories_within_tier"], ref["mean"], rtol=1e-12)
    south = got.loc[got["community"] == "南区"].iloc[0]
    assert south["residents"] == 0 and np.isnan(south["complete_share"])


def test_compounds_summarised_like_communities_without_all_or_outsiders():
    table = _table()
    got = compound_summary(table, profile="adult")
    inside = table.loc[table["compound"].notna()].assign(community=lambda t: t["compound"])
    assert list(got["compound"]) == sorted(inside["compound"].unique())
    ref = _reference(inside, list(got["compound"]))
    np.testing.assert_array_equal(got["residents"], ref["residents"])
    np.testing.assert_allclose(got["complete_share"], ref["complete_share"], rtol=1e-12)
    assert got["residents"].sum() == len(inside)


def test_provision_rows_community_by_community_against_a_mask_per_community():
    from geoplan.life_circle.provision import provision_check
    from geoplan.standards.provision import Requirement

    table = _table()
    rng = np.random.default_rng(5)
    table["dist_m_park"] = np.where(rng.random(len(table)) < 0.3, np.inf, rng.random(len(table)) * 900)
    table["dist_m_clinic"] = rng.random(len(table)) * 2000
    reqs = [Requirement(tier_min=5, item="绿地", category="park", required=True, min_population=100.0, citation="t1"),
            Requirement(tier_min=15, item="诊所", category="clinic", required=False, min_population=0.0, citation="t2")]
    got, notes = provision_check(table, None, reqs, tier_distance_m={5: 300.0, 15: 1000.0})
    names = ["东区", "北区", "西区", UNASSIGNED]  # no boundaries: sorted, unassigned last; no ALL
    assert list(got["area"]) == [n for n in names for _ in reqs] and list(got["citation"]) == ["t1", "t2"] * 4
    for row in got.itertuples():
        mask = table["community"].to_numpy() == row.area
        within = mask & (table[f"dist_m_{row.category}"].to_numpy() <= {5: 300.0, 15: 1000.0}[row.tier])
        pop = table["population"].to_numpy()
        assert row.present_within_tier == bool(within.any())
        assert row.covered_share == pytest.approx(pop[within].sum() / pop[mask].sum(), rel=1e-12)
        if row.citation == "t1":
            expected = ("present" if within.any() else "missing") if pop[mask].sum() >= 100 else "not_applicable"
        else:
            expected = "advised_present" if within.any() else "advised_absent"
        assert row.status == expected
    assert notes == []
