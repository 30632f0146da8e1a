"""Shelter sites from OSM: a hand-built district with known answers, the bundled district
re-checked from the written tables (capacities, radii recomputed with networkx, existing sites,
the coverage curve), objectives against PySAL spopt, bad input, the map and the CLI."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geoplan.errors import InputError
from geoplan.network import CompiledNetwork
from geoplan.shelters.analysis import SitesResult, sites
from geoplan.study import Study
from _independent import nearest_costs
from toy import CRS_M, toy_study as street_study

PROPOSED_COLS = ["site_id", "name", "kind", "lon", "lat", "effective_area_m2", "capacity", "assigned_population",
                 "covered_population", "mean_walk_m", "max_walk_m", "rank"]
CURVE_COLS = ["k", "covered_population", "covered_share", "marginal_population"]


# --------------------------------------------------------------------------- a hand-built district
def triangle(x: float) -> shapely.Polygon:
    """A 1,200 m² site whose only point nearest the street is (x, 10): a 10 m connector."""
    return shapely.Polygon([(x, 10), (x + 30, 50), (x - 30, 50)])


def pentagon(x: float) -> shapely.Polygon:
    """A 4,400 m² site pointing at the street at (x, 10)."""
    return shapely.Polygon([(x, 10), (x + 40, 40), (x + 40, 80), (x - 40, 80), (x - 40, 40)])


# (x, y, population): walk to a site at x_s = 10 + |x - x_s| + 10 for y = 10
RESIDENTS = [
    (0, 10, 400.0),     # R1 → S1 220 m
    (420, 10, 300.0),   # R2 → S1 240 m (S2 600 m: too far)
    (1200, 10, 250.0),  # R3 → S2 220 m (S3 520 m: too far)
    (1900, 10, 100.0),  # R4 → S3 220 m
    (600, 300, 50.0),   # R5: 300 m connector, 710 m to S1 and S2: too far from every site
    (1000, 20, 0.0),    # R6: nobody lives here
]
SITES = [  # site_id, kind, existing, geometry
    ("S1", "square", False, triangle(200)),        # 1200 × 0.8 / 1.5 = 640 persons
    ("S2", "green_space", False, triangle(1000)),  # 1200 × 0.7 / 1.5 = 560 persons
    ("S3", "park", True, pentagon(1700)),          # (4400 − 400 building) × 0.6 / 1.5 = 1600 persons
    ("P1", "park", False, shapely.box(995, 40, 1005, 48)),   # inside S2: counted as part of it
    ("T1", "square", False, shapely.Polygon([(1400, 10), (1410, 30), (1390, 30)])),  # 200 m²: too small
    ("L1", "square", False, shapely.box(1450, 20, 1850, 24)),  # 1,600 m² but 4 m wide: a sliver
    ("Z1", "park", False, shapely.Polygon([(300, 20), (310, 20), (320, 20), (300, 20)])),  # no area: invalid
    ("B1", "square", False, shapely.Polygon([(1940, 100), (2000, 160), (2000, 100), (1940, 160)])),  # bow-tie: repaired
]
BUILDINGS = [shapely.box(1690, 50, 1710, 70)]  # 400 m² inside S3


def toy_study(residents=RESIDENTS, site_rows=SITES, *, buildings=BUILDINGS) -> Study:
    """A Study on the toy street of :mod:`toy`: residents ``(x, y, population)``, all in C1."""
    st = gpd.GeoDataFrame({
        "site_id": [s[0] for s in site_rows],
        "kind": [s[1] for s in site_rows],
        "open_ground": True,
        "name": [f"场地 <i>{s[0]}</i>" for s in site_rows],
        "name_zh": None, "name_en": None,
        "existing": [s[2] for s in site_rows],
        "source": "osm",
    }, geometry=gpd.GeoSeries([s[3] for s in site_rows], crs=CRS_M), crs=CRS_M)
    bld = gpd.GeoDataFrame({"building_id": [f"b{i}" for i in range(len(buildings))]},
                           geometry=gpd.GeoSeries(list(buildings), crs=CRS_M), crs=CRS_M)
    communities = gpd.GeoDataFrame({"community": ["C1"], "name_zh": ["一社区"], "name_en": ["One"]},
                                   geometry=[shapely.box(-100, -100, 2100, 400)], crs=CRS_M)
    return street_study(residents, community="C1", area=shapely.box(-100, -100, 2100, 400),
                          communities=communities, sites=st, buildings=bld)


@pytest.fixture(scope="module")
def toy():
    return toy_study()


def _by_id(frame, col="site_id"):
    return frame.set_index(col)


def test_candidates_capacity_dedupe_and_rejections(toy):
    r = sites(toy, model="mclp", k=1, capacitated=False, curve_k=0)
    c = _by_id(r.candidates_table())
    assert c.loc["S1", "capacity"] == 640 and c.loc["S1", "effective_area_m2"] == pytest.approx(960.0)
    assert c.loc["S2", "capacity"] == 560
    assert c.loc["S3", "net_area_m2"] == pytest.approx(4000.0)  # the building inside is not shelter ground
    assert c.loc["S3", "capacity"] == 1600 and c.loc["S3", "status"] == "existing"
    assert (c.loc["P1", "status"], c.loc["P1", "reason"], c.loc["P1", "part_of"]) == ("rejected", "inside_other", "S2")
    assert c.loc["T1", "reason"] == "too_small" and c.loc["L1", "reason"] == "sliver"
    assert c.loc["Z1", "reason"] == "invalid_geometry"
    assert c.loc["B1", "status"] in ("proposed", "not_chosen") and "repaired" in c.loc["B1", "note"]
    rejected = c[c["status"] == "rejected"]
    assert rejected["reason"].notna().all() and rejected["reason_text"].notna().all()


def test_known_walks_and_mclp_optimum(toy):
    r = sites(toy, model="mclp", k=1, capacitated=False, curve_k=3)
    res = _by_id(r.residents_table(), "resident_id")
    # S3 is existing (R4); the best single new site is S1 (R1 + R2 = 700)
    assert set(r.proposed_table()["site_id"]) == {"S1", "S3"}
    assert r.figures["covered_population"] == pytest.approx(800.0)
    assert res.loc["R1", "walk_m"] == pytest.approx(220.0) and res.loc["R1", "site_id"] == "S1"
    assert res.loc["R4", "walk_m"] == pytest.approx(220.0) and res.loc["R4", "site_id"] == "S3"
    assert res.loc["R3", "reason"] == "site_not_chosen"
    assert res.loc["R5", "reason"] == "too_far" and not res.loc["R5", "covered"]
    assert res.loc["R6", "reason"] == "no_population"
    assert r.figures["uncovered_too_far"] == pytest.approx(50.0)
    curve = r.coverage_curve
    assert curve["covered_population"].tolist() == pytest.approx([800.0, 1050.0, 1050.0])
    assert curve["marginal_population"].tolist() == pytest.approx([700.0, 250.0, 0.0])


def test_capacity_binds_and_is_reported(toy):
    r = sites(toy, model="mclp", k=2, capacitated=True, curve_k=2)
    res = _by_id(r.residents_table(), "resident_id")
    # S1 holds 640: R1 (400) and R2 (300) cannot both go there; R2 reaches nothing else
    assert r.figures["covered_population"] == pytest.approx(400 + 250 + 100)
    assert res.loc["R2", "reason"] == "capacity_exhausted"
    p = _by_id(r.proposed_table())
    assert p.loc["S1", "assigned_population"] == pytest.approx(400.0)
    assert (p["assigned_population"] <= p["capacity"]).all()
    assert r.coverage_curve["covered_population"].tolist() == pytest.approx([500.0, 750.0])


def test_lscp_and_pmedian_on_the_toy(toy):
    lscp = sites(toy, model="lscp", capacitated=False, curve_k=0)
    assert set(lscp.proposed_table()["site_id"]) == {"S1", "S2", "S3"}
    assert lscp.figures["objective"] == 3
    pm = sites(toy, model="pmedian", k=2, capacitated=False, curve_k=0)
    assert pm.figures["objective"] == pytest.approx(220.0 * (400 + 250 + 100) + 240.0 * 300)
    assert set(pm.proposed_table()["site_id"]) == {"S1", "S2", "S3"}


def test_buildings_with_equal_walks_are_still_assigned_one_by_one():
    twins = [(0, 10, 400.0), (400, 10, 300.0)]  # both exactly 220 m from S1 (640 persons)
    r = sites(toy_study(residents=twins), model="mclp", k=1, capacitated=True, curve_k=0)
    assert r.figures["covered_population"] == pytest.approx(400.0)


def test_rank_and_elderly(toy):
    r = sites(toy, model="mclp", k=2, capacitated=False, curve_k=0)
    p = _by_id(r.proposed_table())
    assert p.loc["S3", "rank"] == 0 and p.loc["S3", "status"] == "existing"
    assert p.loc["S1", "rank"] == 1 and p.loc["S2", "rank"] == 2  # S1 adds 700, S2 250
    assert r.parameters["elderly_radius_m"] == pytest.approx(375.0)
    assert r.figures["elderly_covered_population"] == pytest.approx(1050.0)  # all walks are ≤ 240 m
    assert p.loc["S1", "mean_walk_m"] == pytest.approx((220.0 * 400 + 240.0 * 300) / 700, abs=0.006)
    assert p.loc["S1", "max_walk_m"] == pytest.approx(240.0)


def test_assembly_point_inside_a_polygon_marks_it_existing():
    rows = SITES[:2] + [("A1", "assembly_point", True, shapely.Point(1000, 30))]
    r = sites(toy_study(site_rows=rows, buildings=[]), model="mclp", k=0, capacitated=False, curve_k=0)
    c = _by_id(r.candidates_table())
    assert "A1" not in c.index  # merged into the polygon it lies in
    assert c.loc["S2", "status"] == "existing" and "A1" in c.loc["S2", "note"]
    assert list(r.proposed_table()["site_id"]) == ["S2"]


def test_no_candidates_still_writes_what_was_possible(tmp_path):
    rows = [SITES[4], SITES[6]]  # too small and invalid only
    r = sites(toy_study(site_rows=rows), model="mclp", k=3)
    assert r.status == "no_candidates" and r.solution is None
    assert any("No usable candidate" in str(w) for w in r.warnings)
    assert (r.residents_table().query("population > 0")["reason"] == "no_candidates").all()
    paths = r.to_file(tmp_path)
    prop = pd.read_csv(tmp_path / "sites" / "proposed.csv")
    assert len(prop) == 0 and list(prop.columns[:12]) == PROPOSED_COLS
    cand = pd.read_csv(tmp_path / "sites" / "candidates.csv")
    assert set(cand["status"]) == {"rejected"} and cand["reason"].notna().all()
    assert (tmp_path / "sites" / "sites.gpkg") in paths
    r.to_map().to_html(tmp_path / "maps" / "sites.html")


def test_no_sites_at_all(tmp_path):
    r = sites(toy_study(site_rows=[]), model="lscp")
    assert r.status == "no_candidates" and len(r.candidates) == 0
    assert any("No candidate site in the area" in str(w) for w in r.warnings)
    r.to_file(tmp_path)
    assert pd.read_csv(tmp_path / "sites" / "candidates.csv").empty


def test_zero_population_is_said_and_written(tmp_path):
    zero = [(x, y, 0.0) for x, y, _ in RESIDENTS]
    r = sites(toy_study(residents=zero), model="mclp", k=2)
    assert r.status == "no_demand" and r.figures["covered_population"] == 0
    assert any("no residents with a population" in str(w) for w in r.warnings)
    r.to_file(tmp_path)
    assert set(pd.read_csv(tmp_path / "sites" / "proposed.csv")["status"]) == {"existing"}


def test_k_larger_than_candidates_is_clamped_with_a_message(toy):
    r = sites(toy, model="mclp", k=50, capacitated=False, curve_k=0)
    assert any("k=50" in str(w) for w in r.warnings)
    assert r.figures["covered_population"] == pytest.approx(1050.0)


def test_bad_parameters_are_input_errors(toy):
    with pytest.raises(InputError, match="k must be"):
        sites(toy, k=-1)
    with pytest.raises(InputError, match="unknown site model"):
        sites(toy, model="pcenter")
    with pytest.raises(InputError, match="shelter kind"):
        sites(toy, kind="temporary")
    with pytest.raises(InputError, match="radius"):
        sites(toy, radius_m=-5)


def test_demand_beyond_capacity_reports_the_shortfall():
    crowd = [(0, 10, 5000.0), (400, 10, 3000.0)]  # both reach only S1 (640)
    r = sites(toy_study(residents=crowd), model="lscp", capacitated=True, curve_k=0)
    assert r.status == "infeasible"
    assert r.figures["covered_population"] <= 640
    assert r.figures["shortfall_population"] > 0 and "shortfall" in r.figures["message"].lower()


def test_fixed_shelters_use_the_fixed_preset(toy):
    r = sites(toy, kind="fixed", model="mclp", k=1, curve_k=0)
    assert r.parameters["radius_m"] == 2000 and r.parameters["m2_per_person"] == 2
    c = _by_id(r.candidates_table())
    assert c.loc["S1", "reason"] == "too_small"  # 1 ha minimum
    assert c.loc["S3", "status"] == "existing"   # designated: never rejected


# --------------------------------------------------------------------------- the bundled district
@pytest.fixture(scope="module")
def helsinki_sites(helsinki, tmp_path_factory):
    out = tmp_path_factory.mktemp("sites")
    result = sites(helsinki, model="mclp", k=3, capacitated=True)
    result.to_file(out)
    result.to_map(lang="zh").to_html(out / "maps" / "sites.html")
    return result, out / "sites"


def test_outputs_follow_the_contract(helsinki_sites):
    result, folder = helsinki_sites
    assert isinstance(result, SitesResult)
    prop = pd.read_csv(folder / "proposed.csv")
    assert list(prop.columns[:12]) == PROPOSED_COLS
    cand = pd.read_csv(folder / "candidates.csv")
    assert {"site_id", "status", "reason", "capacity", "effective_area_m2"} <= set(cand.columns)
    assert set(cand["status"]) <= {"proposed", "existing", "not_chosen", "rejected"}
    assert cand.loc[cand["status"] == "rejected", "reason"].notna().all()
    assert set(cand.loc[cand["status"].isin(["proposed", "existing"]), "site_id"]) == set(prop["site_id"])
    curve = pd.read_csv(folder / "coverage_curve.csv")
    assert list(curve.columns[:4]) == CURVE_COLS
    layers = set(gpd.list_layers(folder / "sites.gpkg")["name"])
    assert {"sites", "proposed", "assignment", "uncovered", "service_areas"} <= layers
    lines = gpd.read_file(folder / "sites.gpkg", layer="assignment")
    assert lines.crs.to_epsg() == 4326 and len(lines) == (result.residents_table()["covered"]).sum()


def test_capacity_binds_when_sites_are_small(helsinki):
    small = {kind: 0.05 for kind in helsinki.preset.shelters.usable_share}
    res = sites(helsinki, model="mclp", k=3, capacitated=True, usable_share=small).residents_table()
    assert (res.loc[res["reason"] == "capacity_exhausted", "population"] > 0).any()
    prop_used = res[res["covered"]].groupby("site_id")["population"].sum()
    assert len(prop_used) <= 3 + 1  # three proposed plus the existing site


def test_capacities_rechecked_from_the_tables(helsinki_sites):
    _, folder = helsinki_sites
    prop = pd.read_csv(folder / "proposed.csv").set_index("site_id")
    res = pd.read_csv(folder / "residents.csv")
    used = res[res["covered"]].groupby("site_id")["population"].sum()
    assert set(used.index) <= set(prop.index)
    assert (used <= prop.loc[used.index, "capacity"] + 1e-6).all()
    assert used.to_numpy() == pytest.approx(prop.loc[used.index, "assigned_population"].to_numpy())
    # parks are entered from every side (issue 11), so at k=3 on the sample capacity no longer binds;
    # test_capacity_binds_when_sites_are_small checks the binding case
    cand = pd.read_csv(folder / "candidates.csv").set_index("site_id")
    assert (prop["capacity"] == cand.loc[prop.index, "capacity"]).all()
    m2pp = 1.5
    assert (np.floor(cand["effective_area_m2"].dropna() / m2pp + 1e-6) >= cand["capacity"].loc[
        cand["effective_area_m2"].notna()] - 1).all()


def test_radii_rechecked_with_networkx(helsinki, helsinki_sites):
    result, folder = helsinki_sites
    res = pd.read_csv(folder / "residents.csv")
    radius = result.parameters["radius_m"]
    assert (res["walk_m"].dropna() <= radius).all()
    net = helsinki.walk.compiled
    snap_r = helsinki.snaps["residents.walk"]
    snap_s = helsinki.snaps["sites.walk"]
    row_of = {sid: i for i, sid in enumerate(helsinki.sites["site_id"].astype(str))}
    cost = result.cost.tocsc()
    for j, sid in enumerate(result.columns):
        i = row_of[sid]
        d = nearest_costs(net, snap_s.subset([i]), snap_r, "length", source_cost=snap_s.distance_m[[i]])
        walk = d + snap_r.distance_m
        # every pair within the radius is in the cost matrix, with the same walk
        col = np.full(len(walk), np.inf)
        col[cost.indices[cost.indptr[j]:cost.indptr[j + 1]]] = cost.data[cost.indptr[j]:cost.indptr[j + 1]]
        inside = walk <= radius - 0.01
        assert np.all(np.isfinite(col[inside]))
        assert col[inside] == pytest.approx(walk[inside], abs=0.011)
        assert np.all(walk[np.isfinite(col)] <= radius + 0.011)
        mine = (res["site_id"] == sid).to_numpy()
        assert res.loc[mine, "walk_m"].to_numpy() == pytest.approx(walk[mine], abs=0.011)


def test_existing_sites_always_in(helsinki, helsinki_sites):
    result, folder = helsinki_sites
    prop = pd.read_csv(folder / "proposed.csv")
    existing = set(helsinki.sites.loc[helsinki.sites["existing"].fillna(False).astype(bool), "site_id"])
    assert existing and existing <= set(prop["site_id"])
    assert (prop.loc[prop["site_id"].isin(existing), "rank"] == 0).all()
    for model in ("lscp", "pmedian"):
        r = sites(helsinki, model=model, k=2, curve_k=0, with_areas=False)
        assert existing <= set(r.proposed_table()["site_id"])


def test_coverage_curve_never_decreases(helsinki_sites):
    result, folder = helsinki_sites
    curve = pd.read_csv(folder / "coverage_curve.csv")
    assert curve["k"].tolist() == list(range(1, len(curve) + 1))
    assert np.all(np.diff(curve["covered_population"]) >= -1e-9)
    assert (curve["marginal_population"] >= -1e-9).all()
    assert curve["covered_share"].max() <= 1.0 + 1e-9
    k3 = curve.loc[curve["k"] == 3, "covered_population"].iloc[0]
    assert k3 == pytest.approx(result.figures["covered_population"])


def test_summary_matches_the_tables(helsinki_sites):
    result, folder = helsinki_sites
    res = pd.read_csv(folder / "residents.csv")
    s = pd.read_csv(folder / "summary.csv").iloc[0]
    assert s["covered_population"] == pytest.approx(res.loc[res["covered"], "population"].sum())
    assert s["population"] == pytest.approx(res["population"].sum())
    assert s["elderly_covered_population"] == pytest.approx(res.loc[res["within_elderly_m"], "population"].sum())
    assert (res.loc[res["within_elderly_m"], "walk_m"] <= s["elderly_radius_m"]).all()
    assert s["status"] == "optimal" and s["optimality_gap"] <= 1e-4


# --------------------------------------------------------------------------- against spopt
spopt_locate = pytest.importorskip("spopt.locate")
pulp = pytest.importorskip("pulp")


def _dense(result, big=np.inf):
    d = np.full(result.cost.shape, big)
    coo = result.cost.tocoo()
    d[coo.row, coo.col] = coo.data
    return d


def test_objectives_equal_spopt_on_the_bundled_network(helsinki):
    radius = 500.0
    base = sites(helsinki, model="mclp", k=4, capacitated=False, curve_k=0, with_areas=False)
    w = base.weights
    pre = base.preselected.astype(int)
    d = _dense(base, big=1e6)
    solver = pulp.PULP_CBC_CMD(msg=False)
    ref = spopt_locate.MCLP.from_cost_matrix(d, w, service_radius=radius, p_facilities=4 + int(pre.sum()),
                                             predefined_facilities_arr=pre).solve(solver)
    assert base.figures["objective"] == pytest.approx(ref.problem.objective.value())

    lscp = sites(helsinki, model="lscp", capacitated=False, curve_k=0, with_areas=False)
    reach = (d <= radius).any(axis=1)
    ref = spopt_locate.LSCP.from_cost_matrix(d[reach], service_radius=radius,
                                             predefined_facilities_arr=pre).solve(solver)
    assert lscp.figures["objective"] == pytest.approx(ref.problem.objective.value())

    k = int(lscp.figures["objective"]) - int(pre.sum()) + 1  # enough sites to reach everyone reachable
    pm = sites(helsinki, model="pmedian", k=k, capacitated=False, curve_k=0, with_areas=False)
    assert pm.figures["shortfall_population"] == 0
    ref = spopt_locate.PMedian.from_cost_matrix(d[reach], w[reach], p_facilities=k + int(pre.sum()),
                                                predefined_facilities_arr=pre).solve(solver)
    assert pm.figures["objective"] == pytest.approx(ref.problem.objective.value(), rel=1e-6)


# --------------------------------------------------------------------------- map and CLI
def test_map_has_layers_chart_and_escapes_names(toy, tmp_path):
    r = sites(toy, model="mclp", k=1, capacitated=True, curve_k=3)
    html = r.to_map(lang="en").html()
    assert "<i>S1</i>" not in html and "<b>toy</b>" not in html  # names escaped
    assert "Coverage curve" in html and "<svg" in html
    assert "Uncovered residents" in html and "Proposed shelters" in html
    zh = r.to_map(lang="zh").html()
    assert "覆盖曲线" in zh and "未覆盖居民" in zh


def test_cli_writes_the_outputs(tmp_path, sample_layers, capsys):
    from geoplan.cli import main

    out = tmp_path / "out"
    assert main(["sites", "--layers", str(sample_layers), "--out", str(out), "--k", "2", "--model", "pmedian",
                 "--time-limit", "30"]) == 0
    text = capsys.readouterr().out
    assert "PMEDIAN" in text and "covered" in text
    for name in ("proposed.csv", "candidates.csv", "coverage_curve.csv", "sites.gpkg", "residents.csv"):
        assert (out / "sites" / name).exists()
    assert (out / "maps" / "sites.html").exists()


def test_cli_bad_k_exits_2(tmp_path, capsys):
    from geoplan.cli import main

    assert main(["sites", "--out", str(tmp_path), "--k", "-2"]) == 2
    assert "k must be" in capsys.readouterr().err


def test_config_section_sets_defaults(tmp_path, capsys):
    from geoplan.cli import main

    cfg = tmp_path / "project.yml"
    cfg.write_text("sites:\n  model: lscp\n  capacitated: false\n  usable_share: {park: 0.5}\n", encoding="utf-8")
    assert main(["sites", "--config", str(cfg), "--out", str(tmp_path / "o")]) == 0
    assert "LSCP (uncapacitated" in capsys.readouterr().out
    cfg.write_text("sites:\n  colour: red\n", encoding="utf-8")
    assert main(["sites", "--config", str(cfg), "--out", str(tmp_path / "o")]) == 2


def test_uses_one_cost_matrix_call(helsinki, monkeypatch):
    calls = []
    original = CompiledNetwork.cost_matrix

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(CompiledNetwork, "cost_matrix", counting)
    sites(helsinki, model="mclp", k=2, curve_k=2, with_areas=False)
    assert len(calls) == 1


def test_study_replace_keeps_working(helsinki):
    """A study with its sites replaced (how benchmarks swap in demand points) runs as well."""
    snap = helsinki.snaps["sites.walk"]
    keep = np.flatnonzero(snap.ok)[:10]
    st = helsinki.sites.iloc[keep].reset_index(drop=True)
    snaps = dict(helsinki.snaps)
    snaps["sites.walk"] = snap.subset(keep)
    r = sites(dataclasses.replace(helsinki, sites=st, snaps=snaps), model="mclp", k=2, curve_k=0,
              with_areas=False)
    assert len(r.candidates) == 10


def test_layer_point_with_area_and_usable_share(tmp_path):
    """A layer point site is sized by its area_m2 (taken as usable unless usable_share says otherwise)."""
    study = toy_study(site_rows=SITES[:3] + [("C9", "square", False, shapely.Point(600, 30)),
                                             ("C8", "park", False, shapely.Point(800, 30))])
    st = study.sites.copy()
    st["source"] = ["osm"] * 3 + ["layer:sites.geojson"] * 2
    st["area_m2"] = [np.nan, np.nan, np.nan, 3000.0, 3000.0]
    st["usable_share"] = [np.nan, np.nan, 0.5, np.nan, 0.5]
    snaps = dict(study.snaps)
    snaps["sites.walk"] = study.walk.compiled.snap(st.geometry.to_numpy(), max_distance=500)
    r = sites(dataclasses.replace(study, sites=st, snaps=snaps), model="mclp", k=2, curve_k=0)
    c = _by_id(r.candidates_table())
    assert c.loc["C9", "capacity"] == 2000 and c.loc["C9", "usable_share"] == 1.0
    assert c.loc["C8", "capacity"] == 1000
    assert c.loc["S3", "capacity"] == int(4000 * 0.5 / 1.5)  # the layer's usable_share overrides the kind's
    r.to_file(tmp_path)  # points and polygons in one GeoPackage layer
    layer = gpd.read_file(tmp_path / "sites" / "sites.gpkg", layer="sites")
    assert set(layer.geom_type) >= {"Point"} and len(layer) == 5


def test_elderly_share_of_the_residents_layer_is_used(toy):
    res = toy.residents.copy()
    res["elderly_share"] = [0.5, 0.1, np.nan, 0.2, 0.3, np.nan]
    r = sites(dataclasses.replace(toy, residents=res), model="mclp", k=2, capacitated=False, curve_k=0)
    assert r.figures["elderly_population"] == pytest.approx(400 * 0.5 + 300 * 0.1 + 100 * 0.2 + 50 * 0.3)
    assert r.figures["elderly_persons_covered"] == pytest.approx(400 * 0.5 + 300 * 0.1 + 100 * 0.2)  # R5 too far


def test_large_instance_curve_by_solves_matches_the_shared_model(toy, monkeypatch):
    from geoplan.shelters import proposal

    one = sites(toy, model="mclp", k=2, capacitated=True, curve_k=3).coverage_curve
    monkeypatch.setattr(proposal, "CURVE_ONE_MODEL_MAX_PAIRS", 0)
    many = sites(toy, model="mclp", k=2, capacitated=True, curve_k=3).coverage_curve
    assert many["covered_population"].tolist() == pytest.approx(one["covered_population"].tolist())
    assert many["marginal_population"].tolist() == pytest.approx(one["marginal_population"].tolist())
