"""The windowed cost matrix (searched from either side, in groups of any size) equals one search
over the whole network, on both bundled samples, walking and driving (one-way streets)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geoplan.network import CompiledNetwork
from geoplan.network import _windows


@pytest.fixture(scope="module")
def haidian():
    from geoplan.sources._bundled import haidian_sample_path
    from geoplan.study import load_study

    return load_study(haidian_sample_path())


def _whole(net, sources, targets, weight, limit, start, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(CompiledNetwork, "_reach_bound_m", lambda self, w, lim: np.inf)
        return net.cost_matrix(sources, targets, weight=weight, limit=limit, source_cost=start)


def _assert_same(a, b):
    assert a.shape == b.shape
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_allclose(a.data, b.data, rtol=0, atol=1e-9)


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("share", [0.05, 2.0, 50.0])
@pytest.mark.parametrize("sample", ["helsinki", "haidian"])
def test_walking_matrix_equals_whole_network_search(request, monkeypatch, sample, share, forward):
    study = request.getfixturevalue(sample)
    net = study.walk.compiled
    sites, residents = study.snaps["sites.walk"], study.snaps["residents.walk"]
    start = np.where(sites.ok, sites.distance_m, 0.0)
    whole = _whole(net, sites, residents, "length", 500.0, start, monkeypatch)
    assert whole.nnz > 0
    monkeypatch.setattr(_windows, "GROUP_CELL_SHARE", share)
    monkeypatch.setattr(_windows, "search_forward", lambda s, t: forward)
    _assert_same(net.cost_matrix(sites, residents, weight="length", limit=500.0, source_cost=start), whole)


@pytest.mark.parametrize("forward", [True, False])
def test_driving_matrix_respects_one_way_streets_either_way(helsinki, monkeypatch, forward):
    net = helsinki.drive.compiled
    one_way = np.count_nonzero((net.seg_fwd < 0) | (net.seg_bwd < 0))
    assert one_way > 0  # the reversed search must not walk one-way streets backwards
    stations, residents = helsinki.snaps["stations.drive"], helsinki.snaps["residents.drive"]
    whole = _whole(net, stations, residents, "travel_time", 120.0, None, monkeypatch)
    assert whole.nnz > 0
    monkeypatch.setattr(_windows, "search_forward", lambda s, t: forward)
    _assert_same(net.cost_matrix(stations, residents, weight="travel_time", limit=120.0), whole)


def test_a_park_entered_far_from_its_snap_reaches_past_a_point_sites_window(helsinki, monkeypatch):
    """A large polygon's far entries widen its own window: residents near its far side are reached."""
    net = helsinki.walk.compiled
    x0, y0, x1, y1 = float(net.node_x.min()), float(net.node_y.min()), float(net.node_x.max()), float(net.node_y.max())
    park = shapely.box(x0 + 0.1 * (x1 - x0), y0 + 0.45 * (y1 - y0), x0 + 0.9 * (x1 - x0), y0 + 0.55 * (y1 - y0))
    point = shapely.Point(x0 + 0.5 * (x1 - x0), y0 + 0.2 * (y1 - y0))
    sources = net.snap_entries(np.array([park, point], dtype=object), entry_distance=20.0)
    assert sources.n_entries[0] > 20
    targets = helsinki.snaps["residents.walk"]
    start = np.where(sources.ok, sources.distance_m, 0.0)
    whole = _whole(net, sources, targets, "length", 300.0, start, monkeypatch)
    monkeypatch.setattr(_windows, "GROUP_CELL_SHARE", 0.05)
    for forward in (True, False):
        monkeypatch.setattr(_windows, "search_forward", lambda s, t, f=forward: f)
        _assert_same(net.cost_matrix(sources, targets, weight="length", limit=300.0, source_cost=start), whole)
    assert whole[:, 0].nnz > whole[:, 1].nnz  # the park's many entries reach more residents than the point


def test_sources_or_targets_off_the_network_give_empty_rows_and_columns(helsinki):
    net = helsinki.walk.compiled
    sites, residents = helsinki.snaps["sites.walk"], helsinki.snaps["residents.walk"]
    far = net.snap(np.array([shapely.Point(0.0, 0.0)], dtype=object), max_distance=10.0)
    assert not far.ok.any()
    assert net.cost_matrix(far, residents, limit=500.0).nnz == 0
    assert net.cost_matrix(sites, far, limit=500.0).nnz == 0
    assert net.cost_matrix(sites, residents, limit=500.0).shape == (len(residents), len(sites))
