"""The least-walk second stage of the capacitated MCLP: the same sites and persons covered, never
a longer total walk, and no building sent past a nearer open site with room for it."""

from __future__ import annotations

import numpy as np
import pytest

from geoplan.shelters import solve_from_cost_matrix
from test_site_models import TIGHT, capacity_ok, random_instance


def _walk(sol, cost, weights) -> float:
    rows = np.flatnonzero(sol.assignment >= 0)
    return float(np.sum(np.asarray(weights)[rows] * cost[rows, sol.assignment[rows]]))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("staged", [False, True])
def test_total_walk_never_increases_and_coverage_is_unchanged(seed, staged, monkeypatch):
    from geoplan.shelters.models import capacitated

    if staged:
        monkeypatch.setattr(capacitated, "DIRECT_MAX_PAIRS", 0)
    cost, w, radius = random_instance(seed, n_demand=50, n_cand=12, radius=900.0)
    caps = np.full(cost.shape[1], w.sum() / 5)
    first = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=3, capacities=caps, walk_less=False,
                                   **TIGHT)
    second = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=3, capacities=caps, **TIGHT)
    assert list(second.selected) == list(first.selected)
    assert second.covered_weight == pytest.approx(first.covered_weight, abs=1e-6)
    assert second.total_distance <= first.total_distance + 1e-6
    assert second.total_distance == pytest.approx(_walk(second, cost, w))
    capacity_ok(second, w, caps)
    assert np.all(cost[second.assignment >= 0, second.assignment[second.assignment >= 0]] <= radius)


def test_a_building_is_not_sent_past_a_nearer_site_with_room():
    # two sites of 100 persons; A (60) is 100 m from site 0 and 400 m from site 1, B (30) the other
    # way round: both fit in either site, so the coverage optimum does not care where they go.
    cost = np.array([[100.0, 400.0], [400.0, 100.0]])
    w = np.array([60.0, 30.0])
    sol = solve_from_cost_matrix(cost, w, model="mclp", radius=500, k=2, capacities=[100.0, 100.0], **TIGHT)
    assert sol.covered_weight == 90
    assert list(sol.assignment) == [0, 1] and sol.total_distance == pytest.approx(60 * 100 + 30 * 100)


def test_split_assignment_walks_less_too():
    cost, w, radius = random_instance(11, n_demand=40, n_cand=10, radius=900.0)
    caps = np.full(cost.shape[1], w.sum() / 4)
    first = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=2, capacities=caps, split=True,
                                   walk_less=False, **TIGHT)
    second = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=2, capacities=caps, split=True, **TIGHT)
    assert second.covered_weight == pytest.approx(first.covered_weight, rel=1e-9)
    assert second.total_distance <= first.total_distance + 1e-6
    capacity_ok(second, w, caps)


def test_the_second_stage_shortens_walks_on_random_districts():
    shorter = 0
    for seed in range(3):
        cost, w, radius = random_instance(seed, n_demand=50, n_cand=12, radius=900.0)
        caps = np.full(cost.shape[1], w.sum() / 5)
        a = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=3, capacities=caps, walk_less=False,
                                   **TIGHT)
        b = solve_from_cost_matrix(cost, w, model="mclp", radius=radius, k=3, capacities=caps, **TIGHT)
        shorter += b.total_distance < a.total_distance - 1.0
    assert shorter >= 1  # the coverage optimum alone leaves walks a second stage can shorten


@pytest.mark.parametrize("seed", range(3))
def test_capacitated_lscp_assignment_walks_no_further(seed):
    cost, w, radius = random_instance(seed, n_demand=40, n_cand=12, radius=900.0)
    caps = np.full(cost.shape[1], w.sum() / 4)
    first = solve_from_cost_matrix(cost, w, model="lscp", radius=radius, capacities=caps, walk_less=False, **TIGHT)
    second = solve_from_cost_matrix(cost, w, model="lscp", radius=radius, capacities=caps, **TIGHT)
    assert second.status == first.status
    assert second.covered_weight == pytest.approx(first.covered_weight, abs=1e-6)
    assert len(second.selected) <= len(first.selected)
    assert second.total_distance <= first.total_distance + 1e-6
    capacity_ok(second, w, caps)
