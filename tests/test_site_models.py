"""Tests for the cost-matrix location models (geoplan.shelters.models)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from geoplan.errors import InputError
from geoplan.shelters import SiteSolution, coverage_curve, solve_from_cost_matrix

TIGHT = dict(mip_rel_gap=1e-9)

# 4 demand points, 3 candidates. Within 500 m: d0->{0}, d1->{0,1}, d2->{1,2}, d3->{2}
TINY_COST = np.array(
    [
        [100.0, 900.0, np.inf],
        [200.0, 100.0, 800.0],
        [np.inf, 300.0, 100.0],
        [700.0, np.inf, 200.0],
    ]
)
TINY_W = np.array([10.0, 20.0, 30.0, 40.0])


def random_instance(seed, n_demand=30, n_cand=10, size=2000.0, radius=600.0):
    rng = np.random.default_rng(seed)
    dem = rng.uniform(0, size, (n_demand, 2))
    cand = rng.uniform(0, size, (n_cand, 2))
    cost = 1.3 * np.linalg.norm(dem[:, None, :] - cand[None, :, :], axis=2)
    weights = rng.integers(1, 50, n_demand).astype(float)
    return cost, weights, radius


def capacity_ok(sol: SiteSolution, weights, capacities):
    a = sol.assignment
    if not sol.split:  # whole points: the assignment is exact
        used = np.bincount(a[a >= 0], weights=np.asarray(weights)[a >= 0], minlength=len(capacities))
        assert np.all(used <= np.asarray(capacities) + 1e-6)
    else:  # split: the flows are exact
        assert sol.flows is not None
        fl = np.bincount(sol.flows["site"], weights=sol.flows["weight"], minlength=len(capacities))
        assert np.all(fl <= np.asarray(capacities) + 1e-6)
    assert np.all(sol.assigned_weight <= np.asarray(capacities)[sol.selected] + 1e-6)


def assignment_within_radius(sol: SiteSolution, cost, radius):
    rows = np.flatnonzero(sol.assignment >= 0)
    assert np.all(cost[rows, sol.assignment[rows]] <= radius)
    assert np.all(np.isin(sol.assignment[rows], sol.selected))


# --------------------------------------------------------------------------- tiny known optima


def test_tiny_lscp():
    sol = solve_from_cost_matrix(TINY_COST, TINY_W, model="lscp", radius=500)
    assert sol.status == "optimal"
    assert sol.objective == 2
    assert list(sol.selected) == [0, 2]
    assert sol.covered_weight == 100
    assert list(sol.assignment) == [0, 0, 2, 2]
    assert sol.optimality_gap == pytest.approx(0.0, abs=1e-9)


def test_tiny_mclp():
    sol = solve_from_cost_matrix(TINY_COST, TINY_W, model="mclp", radius=500, k=1)
    assert list(sol.selected) == [2]
    assert sol.objective == 70 and sol.covered_weight == 70
    assert sol.shortfall_weight == 30
    assert list(sol.assignment) == [-1, -1, 2, 2]
    sol2 = solve_from_cost_matrix(TINY_COST, TINY_W, model="mclp", radius=500, k=2)
    assert sol2.covered_weight == 100 and list(sol2.selected) == [0, 2]


def test_tiny_pmedian():
    # k=2, radius 500: {0,2}: 10*100+20*200+30*100+40*200 = 16000 ; {1,2}: d0 not covered
    sol = solve_from_cost_matrix(TINY_COST, TINY_W, model="pmedian", radius=500, k=2, **TIGHT)
    assert list(sol.selected) == [0, 2]
    assert sol.objective == pytest.approx(16000)
    assert sol.covered_weight == 100
    # unrestricted p-median, k=1: site 1 -> 10*900+20*100+30*300 = 20000 + 40*inf: not reachable,
    # so with radius=inf on a finite matrix:
    cost = np.nan_to_num(TINY_COST, posinf=1000.0)
    sol1 = solve_from_cost_matrix(cost, TINY_W, model="pmedian", radius=np.inf, k=1, **TIGHT)
    totals = (TINY_W[:, None] * cost).sum(axis=0)
    assert sol1.objective == pytest.approx(totals.min())
    assert list(sol1.selected) == [int(np.argmin(totals))]


def test_tiny_pmedian_too_few_sites_serves_most_then_shortest():
    # k=1 within 500 m: site 2 serves 70 persons (max); distance 30*100 + 40*200
    sol = solve_from_cost_matrix(TINY_COST, TINY_W, model="pmedian", radius=500, k=1, **TIGHT)
    assert list(sol.selected) == [2]
    assert sol.covered_weight == 70 and sol.shortfall_weight == 30
    assert sol.objective == pytest.approx(11000)
    assert "at most" in sol.message


def test_tiny_capacitated_mclp():
    caps = np.array([30.0, 30.0, 50.0])
    sol = solve_from_cost_matrix(TINY_COST, TINY_W, model="mclp", radius=500, k=2, capacities=caps, **TIGHT)
    assert sol.covered_weight == 70
    capacity_ok(sol, TINY_W, caps)
    assignment_within_radius(sol, TINY_COST, 500)
    sol3 = solve_from_cost_matrix(TINY_COST, TINY_W, model="mclp", radius=500, k=3, capacities=caps, **TIGHT)
    assert sol3.covered_weight == 100  # 0:{d0,d1} 1:{d2} 2:{d3}
    assert list(sol3.assignment) == [0, 0, 1, 2]


def test_tiny_capacitated_lscp_feasible_and_infeasible():
    caps = np.array([30.0, 30.0, 50.0])
    sol = solve_from_cost_matrix(TINY_COST, TINY_W, model="lscp", radius=500, capacities=caps)
    assert sol.status == "optimal" and sol.objective == 3 and sol.shortfall_weight == 0
    capacity_ok(sol, TINY_W, caps)
    # total capacity 60 < 100 persons: say so, show the shortfall, do not raise
    small = np.array([20.0, 10.0, 30.0])
    bad = solve_from_cost_matrix(TINY_COST, TINY_W, model="lscp", radius=500, capacities=small)
    assert bad.status == "infeasible"
    # whole points: site 0 takes d1 (20), site 2 takes d2 (30); site 1 (10) fits nobody
    assert bad.covered_weight == 50 and bad.shortfall_weight == 50
    assert list(bad.selected) == [0, 2]
    bad_split = solve_from_cost_matrix(TINY_COST, TINY_W, model="lscp", radius=500, capacities=small, split=True)
    assert bad_split.status == "infeasible" and bad_split.covered_weight == pytest.approx(60)
    assert "shortfall" in bad.message.lower()
    capacity_ok(bad, TINY_W, small)
    # structural infeasibility (totals fit, but d3 (40) only reaches site 2 of capacity 30)
    caps2 = np.array([100.0, 100.0, 30.0])
    bad2 = solve_from_cost_matrix(TINY_COST, TINY_W, model="lscp", radius=500, capacities=caps2)
    assert bad2.status == "infeasible" and bad2.shortfall_weight == 40  # d3 is indivisible
    capacity_ok(bad2, TINY_W, caps2)
    split = solve_from_cost_matrix(TINY_COST, TINY_W, model="lscp", radius=500, capacities=caps2, split=True)
    assert split.status == "infeasible" and split.shortfall_weight == pytest.approx(10)


def test_tiny_capacitated_pmedian():
    caps = np.array([30.0, 60.0, 50.0])
    sol = solve_from_cost_matrix(TINY_COST, TINY_W, model="pmedian", radius=500, k=3, capacities=caps, **TIGHT)
    # d3 (40) only reaches site 2 (cap 50), so d2 (30) must go to site 1 (300 m),
    # which still has room for d1 at 100 m: 10*100 + 20*100 + 30*300 + 40*200
    assert sol.covered_weight == 100
    assert list(sol.assignment) == [0, 1, 1, 2]
    assert sol.objective == pytest.approx(20000)
    capacity_ok(sol, TINY_W, caps)


@pytest.mark.parametrize("seed", range(3))
def test_capacitated_mclp_staged_path(seed, monkeypatch):
    # large instances choose sites with split assignment, then assign whole points
    from geoplan.shelters.models import capacitated

    cost, w, radius = random_instance(seed, n_demand=40, radius=800.0)
    caps = np.full(cost.shape[1], w.sum() / 6)
    exact = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=3, capacities=caps, **TIGHT)
    monkeypatch.setattr(capacitated, "DIRECT_MAX_PAIRS", 0)
    staged = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=3, capacities=caps, **TIGHT)
    capacity_ok(staged, w, caps)
    assignment_within_radius(staged, cost, radius)
    assert staged.covered_weight <= exact.covered_weight + 1e-9
    assert staged.status in ("optimal", "feasible")
    # the gap is measured against a valid bound: the exact optimum lies within it
    assert exact.covered_weight <= staged.covered_weight / (1 - staged.optimality_gap) + 1e-6
    assert "split-assignment bound" in staged.message


@pytest.mark.parametrize("integral", [True, False])
def test_greedy_capacitated_start_is_feasible(integral):
    from geoplan.shelters.models import heuristics, instance

    cost, w, radius = random_instance(4, n_demand=60, radius=800.0)
    caps = np.full(cost.shape[1], w.sum() / 7)
    inst = instance.prepare(cost, w, radius, caps, [2])
    agg = instance.aggregate(inst, use_costs=True)
    start = heuristics.greedy_capacitated_start(agg, inst, 3, integral)
    y, x = start[: inst.n_cand], start[inst.n_cand :]
    assert y[2] == 1 and y.sum() <= 4
    assert np.all(np.bincount(agg.pair_g, weights=x, minlength=agg.n_groups) <= 1 + 1e-9)
    load = np.bincount(agg.pair_j, weights=x * agg.weight[agg.pair_g], minlength=inst.n_cand)
    assert np.all(load <= caps * y + 1e-9)
    assert np.all(x[y[agg.pair_j] == 0] == 0)
    if integral:
        assert set(np.unique(x)) <= {0.0, 1.0}


# --------------------------------------------------------------------------- against spopt

try:  # spopt (and its PuLP/CBC) is a test-only dependency; only these tests need it
    import pulp
    import spopt.locate as spopt_locate
except ImportError:  # pragma: no cover
    pulp = spopt_locate = None

needs_spopt = pytest.mark.skipif(spopt_locate is None, reason="spopt is not installed (pip install spopt)")


def cbc():
    return pulp.PULP_CBC_CMD(msg=False)


@needs_spopt
@pytest.mark.parametrize("seed", range(5))
def test_mclp_matches_spopt(seed):
    cost, w, radius = random_instance(seed)
    for k in (1, 3):
        ours = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=k, **TIGHT)
        ref = spopt_locate.MCLP.from_cost_matrix(cost, w, service_radius=radius, p_facilities=k).solve(cbc())
        assert ours.objective == pytest.approx(ref.problem.objective.value())
        assignment_within_radius(ours, cost, radius)


@needs_spopt
@pytest.mark.parametrize("seed", range(3))
def test_mclp_preselected_matches_spopt(seed):
    cost, w, radius = random_instance(seed)
    pre = np.array([seed, 7])
    ours = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=2, preselected=pre, **TIGHT)
    mask = np.zeros(cost.shape[1], dtype=int)
    mask[pre] = 1
    ref = spopt_locate.MCLP.from_cost_matrix(
        cost, w, service_radius=radius, p_facilities=4, predefined_facilities_arr=mask
    ).solve(cbc())
    assert ours.objective == pytest.approx(ref.problem.objective.value())
    assert set(pre) <= set(ours.selected)


@needs_spopt
@pytest.mark.parametrize("seed", range(5))
def test_lscp_matches_spopt(seed):
    cost, w, radius = random_instance(seed)
    ours = solve_from_cost_matrix(cost, w, model="lscp", radius=radius)
    reach = (cost <= radius).any(axis=1)  # spopt needs every row coverable
    ref = spopt_locate.LSCP.from_cost_matrix(cost[reach], service_radius=radius).solve(cbc())
    assert ours.objective == pytest.approx(ref.problem.objective.value())
    assert ours.covered_weight == pytest.approx(w[reach].sum())
    assert ours.unreachable_weight == pytest.approx(w[~reach].sum())


@needs_spopt
@pytest.mark.parametrize("seed", range(3))
def test_capacitated_lscp_split_matches_spopt(seed):
    cost, w, radius = random_instance(seed, radius=900.0)
    reach = (cost <= radius).any(axis=1)
    cost, w = cost[reach], w[reach]
    caps = np.full(cost.shape[1], w.sum() / 4)
    ours = solve_from_cost_matrix(cost, w, model="lscp", radius=radius, capacities=caps, split=True, **TIGHT)
    ref = spopt_locate.LSCP.from_cost_matrix(
        cost, service_radius=radius, demand_quantity_arr=w, facility_capacity_arr=caps
    ).solve(cbc())
    if ref.problem.status == 1:
        assert ours.status == "optimal"
        assert ours.objective == pytest.approx(ref.problem.objective.value())
    else:
        assert ours.status == "infeasible" and ours.shortfall_weight > 0
    capacity_ok(ours, w, caps)


@needs_spopt
@pytest.mark.parametrize("seed", range(5))
def test_pmedian_unrestricted_matches_spopt(seed):
    cost, w, _ = random_instance(seed)
    for k in (1, 3):
        ours = solve_from_cost_matrix(cost, w, model="pmedian", radius=np.inf, k=k, **TIGHT)
        ref = spopt_locate.PMedian.from_cost_matrix(cost, w, p_facilities=k).solve(cbc())
        assert ours.objective == pytest.approx(ref.problem.objective.value(), rel=1e-7)
        assert ours.covered_weight == pytest.approx(w.sum())


@needs_spopt
@pytest.mark.parametrize("seed", range(4))
def test_pmedian_within_radius_matches_spopt_big_m(seed):
    cost, w, radius = random_instance(seed, radius=900.0)
    reach = (cost <= radius).any(axis=1)
    cost, w = cost[reach], w[reach]
    lscp = solve_from_cost_matrix(cost, w, model="lscp", radius=radius)
    k = int(lscp.objective) + 1  # enough sites to serve everyone within the radius
    ours = solve_from_cost_matrix(cost, w, model="pmedian", radius=radius, k=k, **TIGHT)
    big = np.where(cost <= radius, cost, 1e6)
    ref = spopt_locate.PMedian.from_cost_matrix(big, w, p_facilities=k).solve(cbc())
    assert ours.shortfall_weight == 0
    assert ours.objective == pytest.approx(ref.problem.objective.value(), rel=1e-7)
    assignment_within_radius(ours, cost, radius)


@needs_spopt
@pytest.mark.parametrize("seed", range(3))
def test_capacitated_pmedian_matches_spopt(seed):
    cost, w, _ = random_instance(seed, n_demand=20, n_cand=6)
    caps = np.full(cost.shape[1], np.ceil(w.sum() / 2.5))
    ours = solve_from_cost_matrix(cost, w, model="pmedian", radius=np.inf, k=3, capacities=caps, **TIGHT)
    ref = spopt_locate.PMedian.from_cost_matrix(cost, w, p_facilities=3, facility_capacities=caps).solve(cbc())
    assert ours.objective == pytest.approx(ref.problem.objective.value(), rel=1e-7)
    capacity_ok(ours, w, caps)


# --------------------------------------------------------------------------- properties


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("model", ["lscp", "mclp", "pmedian"])
@pytest.mark.parametrize("split", [False, True])
def test_capacities_never_exceeded(seed, model, split):
    cost, w, radius = random_instance(seed, radius=800.0)
    rng = np.random.default_rng(100 + seed)
    caps = rng.uniform(0.05, 0.4, cost.shape[1]) * w.sum()
    sol = solve_from_cost_matrix(cost, w, model=model, radius=radius, k=3, capacities=caps, split=split)
    capacity_ok(sol, w, caps)
    assignment_within_radius(sol, cost, radius)
    assert sol.covered_weight + sol.shortfall_weight + sol.unreachable_weight == pytest.approx(sol.total_weight)


@pytest.mark.parametrize("model", ["lscp", "mclp", "pmedian"])
@pytest.mark.parametrize("capacitated", [False, True])
def test_preselected_always_selected(model, capacitated):
    cost, w, radius = random_instance(11)
    # a far-away candidate nobody can reach, and one that is useful
    cost = np.hstack([cost, np.full((cost.shape[0], 1), 1e5)])
    pre = [3, cost.shape[1] - 1]
    caps = np.full(cost.shape[1], w.sum() / 3) if capacitated else None
    sol = solve_from_cost_matrix(cost, w, model=model, radius=radius, k=2, preselected=pre, capacities=caps)
    assert set(pre) <= set(sol.selected.tolist())
    assert list(sol.preselected) == sorted(pre)
    if model != "lscp":
        assert len(set(sol.selected) - set(pre)) <= 2
    mask = np.zeros(cost.shape[1], dtype=bool)
    mask[pre] = True
    sol2 = solve_from_cost_matrix(cost, w, model=model, radius=radius, k=2, preselected=mask, capacities=caps)
    assert np.array_equal(sol.selected, sol2.selected)


@pytest.mark.parametrize("seed", range(3))
def test_coverage_curve_non_decreasing(seed):
    cost, w, radius = random_instance(seed, n_demand=60, n_cand=15)
    curve = coverage_curve(cost, w, radius=radius, k_max=15)
    assert list(curve.columns[:4]) == ["k", "covered_weight", "covered_share", "marginal_weight"]
    assert list(curve["k"]) == list(range(1, 16))
    assert np.all(np.diff(curve["covered_weight"]) >= -1e-9)
    assert np.all(curve["marginal_weight"] >= -1e-9)
    assert curve["covered_share"].iloc[-1] <= 1.0
    for k in (1, 4):
        single = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=k)
        assert curve.loc[curve["k"] == k, "covered_weight"].item() == pytest.approx(single.covered_weight)


def test_coverage_curve_capacitated_and_preselected():
    cost, w, radius = random_instance(3, n_demand=40, n_cand=12)
    caps = np.full(cost.shape[1], w.sum() / 8)
    curve = coverage_curve(cost, w, radius=radius, k_max=6, capacities=caps, preselected=[0])
    assert np.all(np.diff(curve["covered_weight"]) >= -1e-9)
    assert all(0 in sel for sel in curve["selected"])
    base = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=0, capacities=caps, preselected=[0])
    assert curve["marginal_weight"].iloc[0] == pytest.approx(curve["covered_weight"].iloc[0] - base.covered_weight)


@pytest.mark.parametrize("model", ["lscp", "mclp", "pmedian"])
def test_sparse_and_dense_agree(model):
    cost, w, radius = random_instance(5)
    cost[cost > radius] = np.inf
    rows, cols = np.nonzero(np.isfinite(cost))
    sp = sparse.csr_matrix((cost[rows, cols], (rows, cols)), shape=cost.shape)
    a = solve_from_cost_matrix(cost, w, model=model, radius=radius, k=3, **TIGHT)
    b = solve_from_cost_matrix(sp, w, model=model, radius=radius, k=3, **TIGHT)
    c = solve_from_cost_matrix(sparse.coo_array(sp), w, model=model, radius=radius, k=3, **TIGHT)
    assert a.objective == pytest.approx(b.objective) == pytest.approx(c.objective)
    assert np.array_equal(a.selected, b.selected)
    assert np.array_equal(a.assignment, b.assignment)


def test_sparse_explicit_zero_is_reachable():
    # one demand at distance 0 from candidate 1 (explicitly stored zero)
    rows = np.array([0, 1, 1])
    cols = np.array([0, 1, 0])
    vals = np.array([300.0, 0.0, 450.0])
    sp = sparse.csr_matrix((vals, (rows, cols)), shape=(2, 2))
    sp.data[:] = vals[np.lexsort((cols, rows))]  # keep the explicit zero stored
    assert sp.nnz == 3
    sol = solve_from_cost_matrix(sp, [5, 7], model="pmedian", radius=500, k=2, **TIGHT)
    assert sol.assignment[1] == 1
    assert sol.objective == pytest.approx(5 * 300)
    lscp = solve_from_cost_matrix(sp, [5, 7], model="lscp", radius=100)
    assert list(lscp.selected) == [1] and lscp.covered_weight == 7


@pytest.mark.parametrize("model", ["lscp", "mclp", "pmedian"])
def test_duplicate_rows_aggregate(model):
    cost, w, radius = random_instance(8, n_demand=20)
    # split each row's population into two identical rows
    cost2 = np.repeat(cost, 2, axis=0)
    w2 = np.repeat(w / 2, 2)
    a = solve_from_cost_matrix(cost, w, model=model, radius=radius, k=3, **TIGHT)
    b = solve_from_cost_matrix(cost2, w2, model=model, radius=radius, k=3, **TIGHT)
    assert a.objective == pytest.approx(b.objective)
    assert b.n_demand_points == a.n_demand_points
    assert np.array_equal(b.assignment[::2], b.assignment[1::2])  # duplicates go to the same site


@pytest.mark.parametrize("model", ["lscp", "mclp", "pmedian"])
def test_capacitated_rows_stay_whole_buildings(model):
    """Two buildings at the same place are two units, never one merged, indivisible unit."""
    cost, w, radius = random_instance(8, n_demand=20)
    cost2 = np.repeat(cost, 2, axis=0)
    w2 = np.repeat(w / 2, 2)
    caps = np.full(cost.shape[1], w.sum() / 3)
    a = solve_from_cost_matrix(cost, w, model=model, radius=radius, k=3, capacities=caps, **TIGHT)
    b = solve_from_cost_matrix(cost2, w2, model=model, radius=radius, k=3, capacities=caps, **TIGHT)
    assert b.n_demand_points == 2 * a.n_demand_points
    # halves can do everything the whole rows did, and may do better
    assert b.covered_weight >= a.covered_weight - 1e-6
    if model == "lscp" and a.status == "optimal" and b.status == "optimal":
        assert len(b.selected) <= len(a.selected)
    # each half still fits: no site serves more than its capacity
    served = np.bincount(b.assignment[b.assignment >= 0], weights=w2[b.assignment >= 0], minlength=len(caps))
    assert (served <= caps + 1e-6).all()


# --------------------------------------------------------------------------- bad input


def test_k_larger_than_candidates_is_clamped_with_message():
    with pytest.warns(UserWarning, match="only 3 candidates"):
        sol = solve_from_cost_matrix(TINY_COST, TINY_W, model="mclp", radius=500, k=10)
    assert sol.k == 3
    assert "only 3 candidates" in sol.message
    assert sol.covered_weight == 100
    assert len(sol.selected) == 2  # the third site adds nothing


def test_zero_population():
    sol = solve_from_cost_matrix(TINY_COST, np.zeros(4), model="mclp", radius=500, k=2, preselected=[1])
    assert sol.status == "no_demand"
    assert "no demand" in sol.message.lower()
    assert list(sol.selected) == [1]
    assert sol.covered_weight == 0 and np.all(sol.assignment == -1)
    assert coverage_curve(TINY_COST, np.zeros(4), radius=500, k_max=2).empty


def test_no_candidates_raises():
    with pytest.raises(InputError, match="no candidate"):
        solve_from_cost_matrix(np.zeros((5, 0)), np.ones(5), model="mclp", radius=500, k=1)
    with pytest.raises(InputError, match="no candidate"):
        coverage_curve(sparse.csr_matrix((5, 0)), np.ones(5), radius=500, k_max=3)


def test_nobody_within_radius():
    sol = solve_from_cost_matrix(TINY_COST, TINY_W, model="lscp", radius=10)
    assert sol.covered_weight == 0 and sol.unreachable_weight == 100
    assert "within 10 m" in sol.message


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(model="mclp", radius=500, k=1, weights=np.ones(3)), "3 demand weights for 4"),
        (dict(model="mclp", radius=500, k=1, weights=-TINY_W), "negative"),
        (dict(model="center", radius=500, k=1), "unknown site model"),
        (dict(model="mclp", radius=500), "needs k"),
        (dict(model="pmedian", radius=500), "needs k"),
        (dict(model="mclp", radius=500, k=-1), "whole number"),
        (dict(model="mclp", radius=500, k=1.5), "whole number"),
        (dict(model="mclp", radius=-1, k=1), "radius"),
        (dict(model="mclp", radius=500, k=1, capacities=[1, 2]), "2 capacities for 3"),
        (dict(model="mclp", radius=500, k=1, capacities=[1, -2, 3]), "capacities"),
        (dict(model="mclp", radius=500, k=1, preselected=[5]), "0..2"),
    ],
)
def test_bad_input_messages(kwargs, match):
    weights = kwargs.pop("weights", TINY_W)
    with pytest.raises(InputError, match=match):
        solve_from_cost_matrix(TINY_COST, weights, **kwargs)


def test_negative_cost_and_bad_shape():
    with pytest.raises(InputError, match="negative"):
        solve_from_cost_matrix(-TINY_COST, TINY_W, model="lscp", radius=500)
    with pytest.raises(InputError, match="2-D"):
        solve_from_cost_matrix(np.ones(4), TINY_W, model="lscp", radius=500)


def test_time_limit_reports_status_and_gap():
    cost, w, radius = random_instance(1, n_demand=200, n_cand=40, size=4000.0)
    sol = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=5, time_limit=5)
    assert sol.status in ("optimal", "time_limit")
    assert 0 <= sol.optimality_gap < np.inf
    assert sol.n_variables > 0 and sol.n_constraints > 0 and sol.solve_time_s >= 0


def test_solving_prints_nothing_on_stdout():
    """HiGHS's banner (printed by its first instance) must not land in the planner's summary."""
    import subprocess
    import sys

    code = ("import numpy as np\n"
            "from geoplan.shelters import solve_from_cost_matrix\n"
            "cost = np.array([[100.0, 900.0], [200.0, 100.0]])\n"
            "sol = solve_from_cost_matrix(cost, np.array([1.0, 2.0]), model='mclp', k=1, radius=500)\n"
            "print('selected', list(sol.selected))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("selected"), done.stdout
    assert "HiGHS" not in done.stdout
