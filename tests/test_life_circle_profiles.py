"""The wheelchair profile on a hand-built network with steps, the catalogue of the package's
sentences, and the size of its functions."""

from __future__ import annotations

import ast
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pytest
import shapely

from geoplan.life_circle import coverage
from geoplan.life_circle.profiles import walking_network
from geoplan.network import CompiledNetwork
from geoplan.standards import get_preset
from geoplan.study import Network, Study
from toy import CRS_M, empty_layer

PRESET = get_preset("gb")
CAT = PRESET.categories[-1]
PACKAGE = Path(__file__).resolve().parents[1] / "geoplan" / "life_circle"

# A(0,0) –steps 100 m– B(100,0); the step-free way round: A–C(0,300)–D(100,300)–B, 700 m.
XY = {1: (0.0, 0.0), 2: (100.0, 0.0), 3: (0.0, 300.0), 4: (100.0, 300.0), 5: (0.0, -300.0), 6: (100.0, -300.0)}


def _graph(step_tags: dict, kerb_on_south: bool = False) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(crs=CRS_M)
    for n, (x, y) in XY.items():
        g.add_node(n, x=x, y=y)
    ways = [((1, 2), {"highway": "steps", **step_tags}), ((1, 3), {}), ((3, 4), {}), ((4, 2), {}),
            ((1, 5), {}), ((5, 6), {"kerb": "raised"} if kerb_on_south else {}), ((6, 2), {})]
    for (a, b), tags in ways:
        for u, v in ((a, b), (b, a)):
            geom = shapely.LineString([XY[u], XY[v]])
            g.add_edge(u, v, key=0, length=geom.length, geometry=geom,
                       **{"highway": "footway", **tags})
    return g


def _study(step_tags=None, kerb_on_south=True) -> Study:
    g = _graph(step_tags or {}, kerb_on_south)
    nodes, edges = ox.graph_to_gdfs(g)
    compiled = CompiledNetwork.from_graph(g)
    walk = Network("walk", g, nodes, edges.reset_index(), compiled)
    res = gpd.GeoDataFrame({"resident_id": ["R1"], "name": ["楼"], "population": [10.0], "population_source": "layer",
                            "community": "C"}, geometry=[shapely.Point(-10, 20)], crs=CRS_M)
    fac = gpd.GeoDataFrame({"facility_id": ["F1"], "category": [CAT], "name": ["服务"], "source": "layer"},
                           geometry=[shapely.Point(110, 20)], crs=CRS_M)
    snaps = {"residents.walk": compiled.snap(res.geometry.to_numpy(), max_distance=500),
             "facilities.walk": compiled.snap(fac.geometry.to_numpy(), max_distance=500)}
    empty = empty_layer()
    communities = gpd.GeoDataFrame({"community": []}, geometry=gpd.GeoSeries([], crs=CRS_M), crs=CRS_M)
    return Study(name="steps", crs=CRS_M, area=shapely.box(-50, -350, 150, 350), preset=PRESET, lang="en",
                 sources=("hand-built",), inputs=(), walk=walk, drive=walk, buildings=empty, residents=res,
                 facilities=fac, stations=empty, obstructions=empty, sites=empty, communities=communities,
                 areas=empty, snaps=snaps)


def _dist(result) -> float:
    return float(result.residents_table()[f"dist_m_{CAT}"].iloc[0])


def test_wheelchair_goes_round_the_steps_and_the_raised_kerb():
    study = _study()
    assert _dist(coverage(study, categories=[CAT])) == pytest.approx(10 + 20 + 100 + 20 + 10)  # over the steps
    wheel = coverage(study, categories=[CAT], profile="wheelchair")
    # north way round (the south one has a raised kerb): 10 + 280 + 100 + 280 + 10
    assert _dist(wheel) == pytest.approx(680.0)
    assert wheel.parameters["profile"] == "wheelchair"
    assert wheel.parameters["speed_mps"] == PRESET.life_circle.walk_speed_elderly_mps
    assert (wheel.summary["profile"] == "wheelchair").all() and (wheel.communities["profile"] == "wheelchair").all()
    assert any(w.code == "wheelchair_profile" for w in wheel.warnings)


def test_wheelchair_route_never_uses_steps():
    study = _study()
    net, closed = walking_network(study, "wheelchair")
    assert closed == 4  # the steps and the raised-kerb way, both directions
    snaps = study.snaps
    reach = net.search(snaps["facilities.walk"], limit=5000, source_cost=snaps["facilities.walk"].distance_m)
    nodes = reach.route_nodes(snaps["residents.walk"], 0)
    assert set(net.node_ids[nodes].tolist()) == {3, 4}  # entered at D, left at C: the north way round
    route = reach.route_edges(nodes)
    assert len(route) >= 1
    tags = study.walk.edges.set_index(["u", "v", "key"]).reindex(net.edge_keys)
    assert not tags["highway"].to_numpy()[route].tolist().count("steps")
    assert "raised" not in tags["kerb"].astype(object).to_numpy()[route].tolist()


def test_a_ramp_keeps_the_steps_open_and_no_way_round_means_no_distance():
    ramp = coverage(_study({"wheelchair": "yes"}), categories=[CAT], profile="wheelchair")
    assert _dist(ramp) == pytest.approx(160.0)
    blocked = _study({"wheelchair": "no"})
    blocked_all = blocked.walk.edges.assign(wheelchair=np.where(blocked.walk.edges["v"].isin([3, 4]) |
                                                                blocked.walk.edges["u"].isin([3, 4]), "no", None))
    import dataclasses

    from geoplan.study import Network

    walk = Network(blocked.walk.mode, None, blocked.walk.nodes, blocked_all, blocked.walk.compiled)
    walled = dataclasses.replace(blocked, walk=walk)
    assert np.isnan(_dist(coverage(walled, categories=[CAT], profile="wheelchair")))


def test_every_sentence_has_a_chinese_translation():
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    po = PACKAGE.parents[0] / "locale" / "zh_CN" / "LC_MESSAGES" / "life_circle.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    assert catalog.locale.language == "zh" and "nplurals=1" in catalog.plural_forms
    msgids = {m for _, _, m, _, _ in extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")],
                                                      keywords={"N_": None, "message": None})}
    assert len(msgids) >= 20
    untranslated = [m for m in msgids if m not in catalog or not catalog[m].string]
    assert not untranslated
    for m in msgids:  # the Chinese sentence has the same placeholders
        names = {n.split(":")[0] for n in __import__("re").findall(r"{([^{}]+)}", m)}
        assert names == {n.split(":")[0] for n in __import__("re").findall(r"{([^{}]+)}", catalog[m].string)}, m


def test_no_function_in_the_package_over_100_lines():
    long = []
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > 100:
                    long.append(f"{path.name}:{node.name} {length}")
    assert not long
