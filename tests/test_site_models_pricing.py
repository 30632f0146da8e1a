"""The priced stage of a very large capacitated MCLP: feasible sites, and a bound that holds."""

from __future__ import annotations

import numpy as np
import pytest

from geoplan.shelters import solve_from_cost_matrix
from geoplan.shelters.models import capacitated, pricing
from geoplan.shelters.models.formulation import Budget
from geoplan.shelters.models.instance import aggregate, prepare
from test_site_models import TIGHT, assignment_within_radius, capacity_ok, random_instance


def _instance(seed):
    cost, w, radius = random_instance(seed, n_demand=80, n_cand=14, size=2500.0, radius=900.0)
    caps = np.random.default_rng(seed).uniform(0.05, 0.2, cost.shape[1]) * w.sum()
    return cost, w, radius, caps


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("share", [0.2, 1.0])
def test_priced_bound_holds_and_sites_are_feasible(seed, share, monkeypatch):
    cost, w, radius, caps = _instance(seed)
    k = 4
    split_opt = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=k, capacities=caps, split=True,
                                       **TIGHT).covered_weight
    inst = prepare(cost, w, radius, caps, None)
    agg = aggregate(inst, use_costs=False)
    monkeypatch.setattr(pricing, "START_SHARE", share)  # few pairs to start with: pricing must add some
    milp, sub, res, keep = pricing.priced_split_stage(inst, agg, k_new=k, budget=Budget.start(None, 1e-9),
                                                      until=None)
    assert res.x is not None
    assert res.bound >= split_opt - 1e-6  # the bound is valid for the full split model...
    assert res.objective <= split_opt * (1 + 1e-7) + 1e-6  # ...and the restricted solution feasible for it
    if share < 1.0:
        assert keep.sum() < keep.size  # it did not simply keep every pair


@pytest.mark.parametrize("seed", range(3))
def test_priced_staged_mclp_gap_is_honest(seed, monkeypatch):
    cost, w, radius, caps = _instance(seed)
    exact = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=4, capacities=caps, **TIGHT)
    monkeypatch.setattr(capacitated, "DIRECT_MAX_PAIRS", 0)
    monkeypatch.setattr(pricing, "PRICE_MIN_PAIRS", 0)
    monkeypatch.setattr(pricing, "START_SHARE", 0.3)
    priced = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=4, capacities=caps, **TIGHT)
    capacity_ok(priced, w, caps)
    assignment_within_radius(priced, cost, radius)
    assert priced.covered_weight <= exact.covered_weight + 1e-9
    assert exact.covered_weight <= priced.covered_weight / (1 - priced.optimality_gap) + 1e-6
    assert "split-assignment bound" in priced.message


def test_initial_pairs_give_each_site_its_nearest_demand(monkeypatch):
    monkeypatch.setattr(pricing, "START_SHARE", 2.0)
    cost = np.array([[100.0, np.inf], [200.0, 300.0], [300.0, 100.0], [400.0, 200.0]])
    w = np.array([10.0, 10.0, 10.0, 10.0])
    inst = prepare(cost, w, 500.0, np.array([10.0, 10.0]), None)
    agg = aggregate(inst, use_costs=True)
    keep = pricing._initial_pairs(agg, inst)
    kept = {(int(g), int(j)) for g, j in zip(agg.pair_g[keep], agg.pair_j[keep])}
    # START_SHARE × capacity = 20 persons: the two nearest points of each site (10 + 10 persons)
    gid = {int(r): int(g) for r, g in zip(agg.rows, agg.gid)}
    assert kept == {(gid[0], 0), (gid[1], 0), (gid[2], 1), (gid[3], 1)}
