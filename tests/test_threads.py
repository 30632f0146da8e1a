"""Vectorised shapely calls cut into chunks on threads give exactly one call's results, in order."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geoplan import _threads


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(_threads, "MIN_PER_THREAD", 7)  # many chunks even on a few hundred shapes
    monkeypatch.setattr(_threads, "cores", lambda: 3)


def _shapes(n: int = 500, seed: int = 2):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 1000, (n, 2))
    return shapely.buffer(shapely.points(xy), rng.uniform(1, 30, n), quad_segs=4), \
        shapely.linestrings(rng.uniform(0, 1000, (n * 2, 2)), indices=np.repeat(np.arange(n), 2))


def test_chunks_cover_every_item_once(small_chunks):
    parts = _threads.chunks(100, min_per_thread=7)
    assert len(parts) == 3 and parts[0][0] == 0 and parts[-1][1] == 100
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:]))
    assert _threads.chunks(5, min_per_thread=7) == [(0, 5)]
    assert _threads.map_chunks(lambda a, b: list(range(a, b)), 100, min_per_thread=7) == \
        [list(range(a, b)) for a, b in parts]


def test_tree_queries_and_elementwise_calls_equal_one_call(small_chunks):
    polys, lines = _shapes()
    tree = shapely.STRtree(lines)
    np.testing.assert_array_equal(_threads.tree_query(tree, polys, predicate="intersects"),
                                  tree.query(polys, predicate="intersects"))
    np.testing.assert_array_equal(_threads.tree_query(tree, polys, predicate="dwithin", distance=20.0),
                                  tree.query(polys, predicate="dwithin", distance=20.0))
    np.testing.assert_array_equal(_threads.tree_query(tree, polys, nearest=True, all_matches=False),
                                  tree.query_nearest(polys, all_matches=False))
    got = _threads.elementwise(shapely.buffer, polys, distance=5.0, quad_segs=4)
    assert shapely.equals_exact(got, shapely.buffer(polys, 5.0, quad_segs=4), 0).all()
    cut = _threads.elementwise(shapely.intersection, lines, polys)
    assert shapely.equals_exact(cut, shapely.intersection(lines, polys), 0).all()
    empty = np.zeros(0, dtype=object)
    assert _threads.tree_query(tree, empty, predicate="intersects").shape == (2, 0)
    assert len(_threads.elementwise(shapely.buffer, empty, distance=1.0)) == 0


def test_one_thread_where_the_numeric_pools_are_pinned(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert _threads.cores() == 1
    assert _threads.chunks(10**6) == [(0, 10**6)]
