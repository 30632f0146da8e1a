"""The array topology of the access audit (bridges, subtree sums, critical links, dead ends) against networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from geoplan.emergency_access import _topology, access
from geoplan.emergency_access import critical


def _random_simple_graph(rng, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = a != b
    pairs = np.unique(np.stack([np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])], axis=1), axis=0) \
        if keep.any() else np.zeros((0, 2), dtype=np.int64)
    return pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)


@pytest.mark.parametrize("seed", range(6))
def test_bridges_equal_networkx(seed):
    rng = np.random.default_rng(seed)
    for _ in range(40):
        n = int(rng.integers(2, 80))
        a, b = _random_simple_graph(rng, n, int(rng.integers(0, 2 * n)))  # from forests to meshes
        g = nx.Graph()
        g.add_nodes_from(range(n))
        g.add_edges_from(zip(a.tolist(), b.tolist()))
        want = {(min(p, q), max(p, q)) for p, q in nx.bridges(g)}
        mask = _topology.bridges(n, a, b)
        assert {(int(p), int(q)) for p, q in zip(a[mask], b[mask])} == want


def test_subtree_sums_and_depths_of_a_random_tree():
    rng = np.random.default_rng(7)
    n = 300
    parent = np.array([0] + [int(rng.integers(0, i)) for i in range(1, n)])  # node 0 the root
    values = rng.random(n)
    depth = _topology.depths(parent)
    g = nx.DiGraph((int(p), i) for i, p in enumerate(parent) if i)
    assert depth.tolist() == [nx.shortest_path_length(g, 0, i) for i in range(n)]
    sums = _topology.subtree_sums(parent, depth, values)
    np.testing.assert_allclose(sums, [values[[i, *nx.descendants(g, i)]].sum() for i in range(n)])
    lca = _topology.lowest_common_ancestor(parent, depth, np.arange(n), np.arange(n)[::-1].copy())
    assert lca.tolist() == [nx.lowest_common_ancestor(g, i, n - 1 - i) for i in range(n)]


def _brute_force_cut_off(net, station_segments, building_node, building_segment, population):
    """Residents each bridge segment alone cuts off, one networkx component search per bridge."""
    g = nx.MultiGraph()
    g.add_nodes_from(range(net.n_nodes))
    keep = np.flatnonzero(net.seg_u != net.seg_v)
    g.add_edges_from((int(net.seg_u[s]), int(net.seg_v[s]), int(s)) for s in keep)
    simple = nx.Graph(g)
    ss = station_segments[station_segments >= 0]
    station_nodes = set(net.seg_u[ss].tolist()) | set(net.seg_v[ss].tolist())
    out = {}
    for p, q in nx.bridges(simple):
        if g.number_of_edges(p, q) > 1:
            continue
        s = next(iter(g[p][q]))
        h = simple.copy()
        h.remove_edge(p, q)
        lost = set()
        for part in nx.connected_components(h):
            if not part & station_nodes:
                lost |= part
        cut = (building_node >= 0) & (np.isin(building_node, list(lost)) | (building_segment == s))
        if cut.any() and (set(nx.node_connected_component(h, p)) & station_nodes
                          or set(nx.node_connected_component(h, q)) & station_nodes):
            out[s] = (float(population[cut].sum()), int(cut.sum()))
    return out


def _spied(monkeypatch, name: str):
    """The arguments ``access`` passes to ``critical.<name>`` (filled when it runs) and the real function."""
    seen, real = {}, getattr(critical, name)

    def spy(net, **kw):
        seen.update(net=net, **kw)
        return real(net, **kw)

    monkeypatch.setattr(critical, name, spy)
    return seen, real


@pytest.mark.parametrize("vehicle", ["fire", "ambulance"])
def test_critical_links_equal_a_search_per_bridge(helsinki, monkeypatch, vehicle):
    """Every listed link cuts off what removing it from a networkx graph cuts off, and nothing is missed."""
    seen, real = _spied(monkeypatch, "critical_links")
    links = access(helsinki, vehicle=vehicle, routes="none").critical_links
    found = real(seen["net"], **{k: v for k, v in seen.items() if k != "net"})
    want = _brute_force_cut_off(seen["net"], seen["station_segments"], seen["building_node"],
                                seen["building_segment"], seen["population"])
    assert len(found) == len(links) > 0
    assert sorted(s for segs in found["segments"] for s in segs) == sorted(want)
    for row in found.itertuples():
        best = max(want[s] for s in row.segments)
        assert row.residents_cut_off == pytest.approx(best[0]) and row.buildings_cut_off == best[1]
        assert want[row.segment] == best


@pytest.mark.parametrize("vehicle", ["fire", "ambulance"])
def test_batched_routes_equal_one_route_at_a_time(helsinki, vehicle):
    """route_lines (all buildings at once) gives route_line's lines and edges for every building."""
    from geoplan.emergency_access.obstructions import place_obstructions
    from geoplan.emergency_access.passability import judge_edges, vehicle_profile
    from geoplan.emergency_access.response import Scenarios, route_line, route_lines
    from geoplan.emergency_access.tables import aligned_edges

    full = helsinki.drive.compiled
    edges = aligned_edges(helsinki, full)
    profile = vehicle_profile(helsinki.preset, vehicle)
    judged = judge_edges(edges, helsinki.drive.nodes, profile)
    placement = place_obstructions(helsinki.obstructions, full, helsinki.residents,
                                   tolerance_m=helsinki.preset.passability.obstruction_snap_m)
    st = helsinki.stations.loc[helsinki.stations["kind"].isin(profile.station_kinds).to_numpy()]
    scen = Scenarios(full, ~judged["passable"].to_numpy(), placement, helsinki.residents.geometry.to_numpy(),
                     st.geometry.to_numpy(), max_snap_m=helsinki.preset.max_snap_m)
    geometry = edges["geometry"].to_numpy()
    costs = scen.run(placement.table["applied"].to_numpy(dtype=bool))
    every = np.arange(len(helsinki.residents))
    batch = route_lines(costs, scen.base, scen.buildings, every, geometry)
    assert set(batch) == set(every.tolist())
    drawn = 0
    for i in every.tolist():
        line, route_e = route_line(costs, scen.base, scen.buildings, i, geometry)
        got_line, got_e = batch[i]
        assert got_e.tolist() == route_e.tolist()
        assert (line is None and got_line is None) or line.equals_exact(got_line, 0.0)
        drawn += line is not None
    assert drawn > 20


# The walk of geoplan 0.2 (one Python walk per end node), kept as the reference.
from shapely import ops  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from geoplan.emergency_access.critical import EXTRACT_EDGE_M, _incidence  # noqa: E402
from geoplan.network import CompiledNetwork  # noqa: E402
from geoplan.standards.tags import TURNAROUND_TAGS  # noqa: E402


def _walked_dead_ends(net: CompiledNetwork, *, node_highway: np.ndarray, area: shapely.Geometry | None,
              max_length_m: float, building_segment: np.ndarray, population: np.ndarray) -> pd.DataFrame:
    """Dead-end lanes longer than ``max_length_m`` without a turnaround at their end.

    A dead end runs from a node with one link back through nodes with two links to the first
    junction. Returns one row per dead end: ``end_node``, ``segments`` (list), ``length_m``,
    ``residents``, ``buildings``, ``geometry`` (junction → end), sorted by length (desc).
    """
    cols = ["end_node", "segments", "length_m", "residents", "buildings", "geometry"]
    if len(net.seg_u) == 0:
        return pd.DataFrame(columns=cols)
    inc, start, degree = _incidence(net)
    length = shapely.length(net.seg_geometry)
    boundary = area.boundary if area is not None else None
    res_seg = pd.DataFrame({"seg": building_segment, "pop": population}).query("seg >= 0").groupby("seg")["pop"]
    pop_of, cnt_of = res_seg.sum().to_dict(), res_seg.size().to_dict()
    rows = []
    seen: set[frozenset] = set()
    for end in np.flatnonzero(degree == 1).tolist():
        if str(node_highway[end]) in TURNAROUND_TAGS:
            continue
        if boundary is not None and shapely.Point(net.node_x[end], net.node_y[end]).distance(boundary) < EXTRACT_EDGE_M:
            continue
        segs, node, prev, total = [], end, -1, 0.0
        while True:
            links = [k for k in inc[start[node]:start[node + 1]].tolist() if k != prev]
            if len(links) != 1 or (segs and degree[node] != 2):
                break
            key = links[0]
            nxt = int(net.seg_v[key] if net.seg_u[key] == node else net.seg_u[key])
            segs.append(key)
            total += float(length[key])
            prev, node = key, nxt
            if degree[node] != 2 or node == end:
                break
        if total <= max_length_m + 1e-9 or frozenset(segs) in seen:
            continue  # short, or an isolated stretch already listed from its other end
        seen.add(frozenset(segs))
        line = ops.linemerge([net.seg_geometry[s] for s in segs])
        rows.append((end, segs, total, float(sum(pop_of.get(s, 0.0) for s in segs)),
                     int(sum(cnt_of.get(s, 0) for s in segs)), line))
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["length_m", "end_node"], ascending=[False, True]).reset_index(drop=True)


@pytest.mark.parametrize("vehicle", ["fire", "ambulance"])
def test_dead_ends_equal_a_walk_from_every_end(helsinki, monkeypatch, vehicle):
    seen, real = _spied(monkeypatch, "dead_ends")
    access(helsinki, vehicle=vehicle, routes="none", clearing=False)
    kw = {k: v for k, v in seen.items() if k != "net"}
    for limit in (kw["max_length_m"], 0.0, 150.0):  # the preset's 40 m, every lane, the long ones
        kw["max_length_m"] = limit
        got, want = real(seen["net"], **kw), _walked_dead_ends(seen["net"], **kw)
        assert len(got) == len(want) > 0
        assert got["end_node"].tolist() == want["end_node"].tolist()
        assert got["segments"].tolist() == want["segments"].tolist()
        np.testing.assert_array_equal(got["length_m"], want["length_m"])
        np.testing.assert_array_equal(got["residents"], want["residents"])
        assert got["buildings"].tolist() == want["buildings"].tolist()
        assert all(a.equals_exact(b, 0.0) for a, b in zip(got["geometry"], want["geometry"]))
