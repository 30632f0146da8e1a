"""The vectorised service-area cuts and the windowed cost matrix give what the plain versions give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.ops import substring

from geoplan.network import CompiledNetwork
from geoplan.network import _walkshed as ws
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
    streets = ws.Polylines.of(lines)
    owners, areas = sa._areas_by_owner(None, streets, np.arange(4), np.zeros(4), np.ones(4), np.array([3, 1, 3, 1]),
                                       10.0, 1.0)
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


@pytest.mark.parametrize("per_thread", [256, 1])  # unions in this thread, and shared by threads
def test_gap_areas_equal_a_plain_pairwise_grouping(per_thread, monkeypatch):
    """Vectorised gap areas give what grouping homes pair by pair, gap by gap, gives."""
    import geopandas as gpd
    import networkx as nx

    from geoplan.life_circle import gaps
    from geoplan.life_circle.gaps import gap_areas

    monkeypatch.setattr(gaps, "GROUPS_PER_THREAD", per_thread)

    rng = np.random.default_rng(3)
    n = 120
    xy = rng.uniform(0, 2000, size=(n, 2))
    homes = shapely.buffer(shapely.points(xy), rng.uniform(3, 20, n))
    dist = {"market": np.where(rng.random(n) < 0.3, np.inf, rng.uniform(0, 600, n)),
            "clinic": rng.uniform(0, 1500, n), "school": np.full(n, np.inf), "library": np.full(n, np.inf)}
    res = gpd.GeoDataFrame({"population": rng.integers(0, 4, n).astype(float),
                            "community": rng.choice(["东", "西", "南"], n),
                            **{f"dist_m_{c}": d for c, d in dist.items()}}, geometry=homes, crs="EPSG:32650")
    limits = {"market": 300.0, "clinic": 1000.0, "school": 500.0, "library": 500.0}
    got = gap_areas(res, list(dist), limits, join_m=100.0)
    grown = shapely.buffer(homes, 50.0, quad_segs=4)
    want = []
    for cat, d in dist.items():
        out = [i for i in range(n) if not d[i] <= limits[cat] and res["population"].iloc[i] > 0]
        g = nx.Graph()
        g.add_nodes_from(out)
        g.add_edges_from((i, j) for i in out for j in out if i < j and grown[i].intersects(grown[j]))
        for comp in nx.connected_components(g):
            m = sorted(comp)
            people = res["population"].to_numpy()[m]
            by = pd.Series(people).groupby(res["community"].to_numpy()[m]).sum().sort_index()
            reach = d[m][np.isfinite(d[m])]
            want.append((cat, float(people.sum()), len(m), by.idxmax(), float(reach.min()) if len(reach) else np.nan,
                         int((~np.isfinite(d[m])).sum()), shapely.union_all(grown[m])))
    assert len(got) == len(want) and len(got) > 10
    school = got[got["category"] == "school"].set_index("rank_in_category")
    library = got[got["category"] == "library"].set_index("rank_in_category")
    assert school.geometry.geom_equals(library.geometry).all()  # the same homes, the same areas
    for row in got.itertuples():
        same = [w for w in want if w[0] == row.category and w[6].equals(row.geometry)]
        assert len(same) == 1
        w = same[0]
        assert (row.population, row.residents, row.community, row.unreachable_residents) == \
            (pytest.approx(w[1]), w[2], w[3], w[5])
        assert (np.isnan(row.nearest_m) and np.isnan(w[4])) or row.nearest_m == pytest.approx(w[4])


def test_geopackage_columns_keep_text_missing_values_and_turn_lists_into_text(tmp_path):
    """The text fast path of the GeoPackage writer leaves nothing unconverted (read back)."""
    import geopandas as gpd
    import pandas as pd
    import pyogrio
    from shapely.geometry import Point

    from geoplan.report import _gpkg_column, write_gpkg

    frame = gpd.GeoDataFrame({
        "name": pd.Series(["东门", None, "West gate"], dtype=object),
        "kind": pd.Categorical(["park", "school", None]),
        "refs": pd.Series([[1, 2], None, "3"], dtype=object),
        "mixed": pd.Series(["a", 2, None], dtype=object),
    }, geometry=[Point(0, 0), Point(1, 1), Point(2, 2)], crs="EPSG:4326")
    back = pyogrio.read_dataframe(write_gpkg({"t": frame}, tmp_path / "t.gpkg"), layer="t")
    assert back["name"].tolist()[0::2] == ["东门", "West gate"] and pd.isna(back["name"][1])
    assert back["kind"].tolist()[:2] == ["park", "school"] and pd.isna(back["kind"][2])
    assert back["refs"].tolist()[0::2] == ["[1, 2]", "3"] and pd.isna(back["refs"][1])
    assert back["mixed"].tolist()[:2] == ["a", "2"] and pd.isna(back["mixed"][2])

    def plain(s):  # missing values as None, whichever missing marker pandas chose
        return [None if pd.isna(v) else v for v in s.tolist()]

    assert plain(_gpkg_column(frame["refs"])) == ["[1, 2]", None, "3"]  # lists as text, not passed on
    assert plain(_gpkg_column(frame["mixed"])) == ["a", 2, None]
    assert plain(_gpkg_column(frame["name"])) == ["东门", None, "West gate"]


def test_a_geopackage_written_in_chunks_reads_back_as_one_written_whole(tmp_path):
    """Chunks are appended in order, the geometry type is the whole layer's, empty layers exist."""
    import geopandas as gpd
    import pyogrio
    from shapely.geometry import MultiPolygon, box

    from geoplan.report import write_gpkg

    shapes = [box(0, 0, 1, 1), box(2, 0, 3, 1), MultiPolygon([box(4, 0, 5, 1), box(6, 0, 7, 1)]), box(8, 0, 9, 1),
              None]
    frame = gpd.GeoDataFrame({"n": [1, 2, 3, 4, 5], "name": ["a", None, "东", "d", "e"],
                              "ok": [True, False, True, True, False]}, geometry=shapes, crs="EPSG:32650")
    empty = frame.iloc[:0]
    layers = {"mixed": frame, "single": frame.iloc[:2], "none": empty}
    whole = write_gpkg(layers, tmp_path / "whole.gpkg", chunk_rows=100)
    parts = write_gpkg(layers, tmp_path / "parts.gpkg", chunk_rows=2)  # the Polygon-only first chunk
    for layer in layers:
        a, b = pyogrio.read_dataframe(whole, layer=layer), pyogrio.read_dataframe(parts, layer=layer)
        assert pyogrio.read_info(parts, layer=layer)["geometry_type"] == pyogrio.read_info(whole, layer=layer)[
            "geometry_type"]
        assert a.drop(columns="geometry").equals(b.drop(columns="geometry")) and len(b) == len(layers[layer])
        assert a.geometry.geom_equals_exact(b.geometry, 0).tolist() == a.geometry.notna().tolist()
    assert pyogrio.read_info(parts, layer="mixed")["geometry_type"] == "MultiPolygon"
    assert pyogrio.read_dataframe(parts, layer="mixed")["n"].tolist() == [1, 2, 3, 4, 5]
