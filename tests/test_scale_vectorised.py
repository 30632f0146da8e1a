"""The vectorised service-area cuts and the windowed cost matrix give what the plain versions give."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.ops import substring

from geoplan.network import CompiledNetwork
from geoplan.network import service_areas as sa


def test_substrings_equal_shapely_substring():
    rng = np.random.default_rng(7)
    lines = [shapely.LineString(np.cumsum(rng.normal(0, 30, size=(k, 2)), axis=0)) for k in rng.integers(2, 12, 200)]
    lines = np.array(lines, dtype=object)
    lo = rng.uniform(0, 0.6, len(lines))
    hi = np.minimum(1.0, lo + rng.uniform(0.01, 0.6, len(lines)))
    lo[:10], hi[10:20] = 0.0, 1.0  # stretches touching either end
    got = sa._substrings(lines, lo, hi)
    for g, line, a, b in zip(got, lines, lo, hi):
        want = substring(line, float(a), float(b), normalized=True)
        assert g.equals_exact(want, 1e-9), (g.wkt, want.wkt)


def test_per_facility_areas_group_by_owner():
    lines = np.array([shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(500, 0), (600, 0)]),
                      shapely.LineString([(100, 0), (200, 0)]), shapely.LineString([(0, 0), (0, 0)])], dtype=object)
    owners, areas = sa._areas_by_owner(lines, np.array([3, 1, 3, 1]), 10.0, 1.0)
    assert owners.tolist() == [1, 3]  # the zero-length stretch of owner 1 is dropped, not drawn
    # drawn on a 1 m raster: the area of a 100 m stretch grown by 10 m (round ends) to within 1 %
    assert areas[0].area == pytest.approx(100 * 20 + np.pi * 10**2, rel=0.01)
    assert areas[0].bounds == pytest.approx((490, -10, 610, 10), abs=0.5)
    assert areas[1].bounds == pytest.approx((-10, -10, 210, 10), abs=0.5)
    assert areas[1].geom_type == "Polygon"  # owner 3's two touching stretches are one area


@pytest.mark.parametrize("mode,weight,limit", [("walk", "length", 500.0), ("walk", "length", 2000.0),
                                               ("drive", "travel_time", 90.0), ("drive", "length", 800.0)])
def test_windowed_cost_matrix_equals_whole_network_search(helsinki, monkeypatch, mode, weight, limit):
    net = getattr(helsinki, mode).compiled
    sources = helsinki.snaps["sites.walk"] if mode == "walk" else helsinki.snaps["stations.drive"]
    targets = helsinki.snaps[f"residents.{mode}"]
    start = np.where(sources.ok, sources.distance_m, 0.0) if weight == "length" else None
    windowed = net.cost_matrix(sources, targets, weight=weight, limit=limit, source_cost=start)
    assert windowed.nnz > 0
    monkeypatch.setattr(CompiledNetwork, "_reach_bound_m", lambda self, w, lim: np.inf)
    whole = net.cost_matrix(sources, targets, weight=weight, limit=limit, source_cost=start)
    assert windowed.shape == whole.shape
    np.testing.assert_array_equal(windowed.indptr, whole.indptr)
    np.testing.assert_array_equal(windowed.indices, whole.indices)
    np.testing.assert_allclose(windowed.data, whole.data, rtol=0, atol=1e-9)
