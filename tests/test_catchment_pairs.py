"""The sparse catchment search (disjoint-catchment batches, pairs as COO) gives exactly the
pairs of the windowed cost matrix it replaces, on both bundled samples; its batches never put
two facilities whose catchments could meet into one search."""

from __future__ import annotations

import numpy as np
import pytest

from geoplan.life_circle.distances import within_tier
from geoplan.life_circle.profiles import walking_network
from geoplan.network.catchments import catchment_pairs, disjoint_batches


@pytest.fixture(scope="module")
def haidian():
    from geoplan.sources._bundled import haidian_sample_path
    from geoplan.study import load_study

    path = haidian_sample_path()
    return load_study(path, layers=[path.parent / "layers"])


def _categories(study):
    snap = study.snaps["facilities.walk"]
    cats = study.facilities["category"].astype(object).to_numpy()
    for cat in study.preset.categories:
        rows = np.flatnonzero((cats == cat) & snap.ok)
        if len(rows):
            yield cat, rows


def _assert_same_pairs(study, net, tiers_m):
    snap_f, snap_r = study.snaps["facilities.walk"], study.snaps["residents.walk"]
    compared = 0
    for cat, rows in _categories(study):
        for tier in tiers_m or [study.preset.tier_m(cat)]:
            sources = snap_f.subset(rows)
            new = within_tier(net, sources, snap_r, rows, tier)
            old = within_tier(net, sources, snap_r, rows, tier, method="windowed")
            assert np.array_equal(new.resident, old.resident), (cat, tier)
            assert np.array_equal(new.facility, old.facility), (cat, tier)
            assert np.array_equal(new.distance_m, old.distance_m), (cat, tier)
            compared += len(new)
    assert compared > 100  # the comparison saw real pairs


@pytest.mark.parametrize("tiers_m", [None, [120.0, 300.0]], ids=["preset-tiers", "short-tiers"])
def test_same_pairs_as_the_windowed_matrix_helsinki(helsinki, tiers_m):
    _assert_same_pairs(helsinki, helsinki.walk.compiled, tiers_m)


@pytest.mark.parametrize("tiers_m", [None, [120.0, 300.0]], ids=["preset-tiers", "short-tiers"])
def test_same_pairs_as_the_windowed_matrix_haidian(haidian, tiers_m):
    _assert_same_pairs(haidian, haidian.walk.compiled, tiers_m)


def test_same_pairs_on_the_wheelchair_network(haidian):
    net, _ = walking_network(haidian, "wheelchair")
    _assert_same_pairs(haidian, net, [300.0])


def test_short_tiers_search_many_facilities_at_once(helsinki):
    """At a 120 m bound the batches really are multi-source (else the comparison above would
    not exercise the disjointness at all)."""
    snap = helsinki.snaps["facilities.walk"]
    live = np.flatnonzero(snap.ok)
    batches = disjoint_batches(snap.x[live], snap.y[live], live, 2 * 121.0)
    assert len(batches) < len(live) / 3


def test_batches_keep_sources_apart_and_use_each_once():
    rng = np.random.default_rng(7)
    x, y = rng.uniform(0, 5000, 400), rng.uniform(0, 5000, 400)
    ids = np.arange(1000, 1400)
    separation = 700.0
    batches = disjoint_batches(x, y, ids, separation)
    assert np.array_equal(np.sort(np.concatenate(batches)), ids)
    for batch in batches:
        pos = batch - 1000
        d = np.hypot(x[pos][:, None] - x[pos][None, :], y[pos][:, None] - y[pos][None, :])
        np.fill_diagonal(d, np.inf)
        assert (d > separation).all()
    assert len(batches) < 100  # 400 points, far fewer searches


def test_pairs_match_the_matrix_costs_before_rounding(helsinki):
    net = helsinki.walk.compiled
    snap_f, snap_r = helsinki.snaps["facilities.walk"], helsinki.snaps["residents.walk"]
    cat, rows = next(_categories(helsinki))
    sources = snap_f.subset(rows)
    a = catchment_pairs(net, sources, snap_r, limit=300.0, source_cost=sources.distance_m).tocsr()
    b = net.cost_matrix(sources, snap_r, limit=300.0, source_cost=sources.distance_m).tocsr()
    assert a.nnz == b.nnz > 0
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert np.allclose(a.data, b.data, rtol=0, atol=1e-9)
