"""The array build of the networks equals the reference per-way build; the graph is made on demand."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

from geoplan.network import build_frames, build_graph, graph_from_frames
from geoplan.sources import open_osm
from geoplan.standards import WAY_TAGS, get_preset
from geoplan.study import _gc_paused, _local_crs, load_study


@pytest.fixture(scope="module")
def sample():
    osm = open_osm(None)
    return osm, _local_crs(osm), get_preset("gb")


def _edge_records(graph):
    return {(u, v, k): d for u, v, k, d in graph.edges(keys=True, data=True)}


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_array_build_equals_per_way_loop(sample, mode):
    osm, crs, preset = sample
    ref_graph, ref_nodes, ref_edges, ref_report = build_graph(osm, mode, crs, preset)
    nodes, edges, report = build_frames(osm, mode, crs, preset)
    assert report == ref_report
    pd.testing.assert_frame_equal(nodes, ref_nodes)
    # same edges, in the same order, with the same keys, lengths, tags and shapes
    assert edges.index.equals(ref_edges.index)
    np.testing.assert_array_equal(edges["length"].to_numpy(), ref_edges["length"].to_numpy())
    assert edges.geometry.geom_equals_exact(ref_edges.geometry, 0).all()
    tags = [c for c in WAY_TAGS if c in edges.columns]
    assert tags and all(isinstance(edges[c].dtype, pd.CategoricalDtype) for c in tags)
    for col in ref_edges.columns.drop("geometry"):
        new, ref = (edges[col].astype(object), ref_edges[col].astype(object)) if col in tags else (edges[col], ref_edges[col])
        # a tag no selected way carries is all-missing either way (the loop typed it float)
        pd.testing.assert_series_equal(new, ref, check_dtype=not ref.isna().all())
    # codes, not a pointer per cell: at most two bytes a tag per edge (the object columns were eight)
    assert edges[tags].memory_usage(index=False, deep=False).sum() <= 2 * len(edges) * len(tags) + 64 * 1024
    graph = graph_from_frames(nodes, edges.reset_index(), mode=mode, crs=crs)
    assert set(graph.nodes) == set(ref_graph.nodes)
    new, old = _edge_records(graph), _edge_records(ref_graph)
    assert new.keys() == old.keys()
    for key, data in old.items():
        assert set(new[key]) == set(data), key
        assert new[key]["length"] == data["length"]
        assert new[key]["osmid"] == data["osmid"]
        assert new[key]["geometry"].equals_exact(data["geometry"], 0)
        # the graph holds the tags as the plain strings osmnx makes, not categorical scalars
        assert all(type(new[key][c]) is str for c in tags if c in new[key]), key


def test_graph_is_built_on_first_use_and_counts_need_none(sample_layers):
    study = load_study(None, layers=[sample_layers])
    assert "graph" not in study.walk.__dict__ and "graph" not in study.drive.__dict__
    info = study.info()
    assert "graph" not in study.walk.__dict__, "info() must not build the graph"
    graph = study.walk.graph
    assert graph is study.walk.graph  # built once, then kept
    assert (info["walk_nodes"], info["walk_edges"]) == (graph.number_of_nodes(), graph.number_of_edges())
    drive = study.drive.graph
    assert (info["drive_nodes"], info["drive_edges"]) == (drive.number_of_nodes(), drive.number_of_edges())
    assert graph.graph["crs"] == study.crs and "travel_time" in next(iter(drive.edges(data=True)))[2]
    assert study.walk.compiled.n_nodes == graph.number_of_nodes()


def test_garbage_collection_restored_after_load_even_on_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with _gc_paused():
            assert not gc.isenabled()
            raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with _gc_paused():
            pass
        assert not gc.isenabled()  # a caller's choice to keep it off is kept
    finally:
        gc.enable()


def test_progress_bars_stay_quiet_off_a_terminal(capsys):
    import time

    from geoplan.network._progress import steps

    out = []
    for i in steps(range(3), desc="slow phase", unit="step"):
        time.sleep(0.6)  # past the bar's one-second delay: it would draw on a terminal
        out.append(i)
    assert out == [0, 1, 2]
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_raw_osm_tables_are_released_before_snapping(monkeypatch):
    # at city scale the raw tables are gigabytes: snapping must not hold them beside the networks
    import weakref

    import geoplan.study as study_module

    seen: dict = {}
    real_open, real_snap = study_module.open_osm, study_module._snap_features

    def opened(*args, **kwargs):
        data = real_open(*args, **kwargs)
        seen["osm"] = weakref.ref(data)
        return data

    def snapping(*args, **kwargs):
        seen["alive_at_snapping"] = seen["osm"]() is not None
        return real_snap(*args, **kwargs)

    monkeypatch.setattr(study_module, "open_osm", opened)
    monkeypatch.setattr(study_module, "_snap_features", snapping)
    study = load_study(None)
    assert seen["alive_at_snapping"] is False
    assert study.inputs[0]["role"] == "osm" and len(study.inputs[0]["sha256"]) == 64


def test_commands_start_without_importing_osmnx():
    # osmnx (sklearn, matplotlib) was most of a command's start-up; only the graph needs it
    import subprocess
    import sys

    code = "import sys, geoplan.cli, geoplan.study; print('osmnx' in sys.modules, 'sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
