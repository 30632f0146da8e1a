"""Simplification that keeps polygons valid (geoplan._simplify): the walk-sheds and the city map's areas."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geoplan._simplify import simplify_valid
from geoplan.network._walkshed import dilate_points

_POINT = st.tuples(st.floats(0, 2000), st.floats(0, 2000))


def _walkshed(points: list[tuple[float, float]], radius: float):
    """A raster walk-shed of the points: many parts, holes, islands in holes, wiggly edges."""
    return dilate_points(np.asarray(points, dtype=float), radius, 5.0)


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(points=st.lists(_POINT, min_size=1, max_size=60), radius=st.floats(8, 120),
       tolerance=st.sampled_from([0.5, 5.0, 25.0, 100.0, 400.0]))
def test_simplified_shapes_are_valid_never_vanish_and_stay_close(points, radius, tolerance):
    shape = _walkshed(points, radius)
    out = simplify_valid(np.array([shape, shapely.LineString([(0, 0), (1, 0.001), (2, 0)])], dtype=object),
                         tolerance)
    got = out[0]
    assert shapely.is_valid(got) and not got.is_empty and got.geom_type in ("Polygon", "MultiPolygon")
    assert shapely.get_num_coordinates(got) <= shapely.get_num_coordinates(shape)
    # Douglas–Peucker moves no boundary point farther than the tolerance, except dropped parts
    # (each narrower than about 2× the tolerance) and restored ones (exact)
    assert shapely.hausdorff_distance(got, shape) <= max(2.5 * tolerance, 1e-6) or \
        shapely.get_num_geometries(got) < shapely.get_num_geometries(shape)
    assert shapely.covers(shape.buffer(tolerance + 1e-6), got)
    assert out[1].geom_type == "LineString" and shapely.get_num_coordinates(out[1]) == 2  # lines as shapely does


def test_overlapping_parts_after_simplifying_keep_their_rings():
    # a shallow U and a block reaching into its notch: at 2 m the U's notch is cut off (a chord
    # across it), which would lay the U over the block
    notched = shapely.Polygon([(0, 0), (10, 0), (10, 3), (9, 3), (9, 1), (1, 1), (1, 3), (0, 3)])
    block = shapely.box(3, 1.5, 7, 8)
    assert shapely.Polygon(shapely.simplify(notched.exterior, 2.0, preserve_topology=False)).intersects(block)
    shape = shapely.MultiPolygon([notched, block])
    assert shape.is_valid
    got = simplify_valid(np.array([shape], dtype=object), 2.0)[0]
    assert got.is_valid and got.geom_type == "MultiPolygon"
    assert got.equals(shape)  # both parts restored: they would overlap otherwise


def test_collapsed_holes_are_dropped_and_a_shape_never_vanishes():
    ring = shapely.Point(0, 0).buffer(100, quad_segs=16)
    pinhole = shapely.Point(50, 0).buffer(0.5, quad_segs=4)
    shape = ring.difference(pinhole)
    got = simplify_valid(np.array([shape], dtype=object), 2.0)[0]
    assert got.geom_type == "Polygon" and len(got.interiors) == 0 and got.is_valid
    islands = shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(10, 0, 12, 2)])
    kept = simplify_valid(np.array([islands], dtype=object), 50.0)[0]  # every part collapses
    assert kept.equals(shapely.box(10, 0, 12, 2))  # the largest, as it was
    assert simplify_valid(np.array([None, shapely.Polygon()], dtype=object), 1.0).tolist()[0] is None
