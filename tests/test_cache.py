"""The study cache: a second load equals the first, bad entries are rebuilt, keys follow the inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import geoplan
from geoplan import cache
from geoplan.standards import get_preset
from geoplan.study import load_study


@pytest.fixture()
def folder(tmp_path) -> Path:
    return tmp_path / "studies"


def _entries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]


def test_second_load_equals_first(folder, sample_layers):
    said: list[str] = []
    first = load_study(None, layers=[sample_layers], cache=True, cache_dir=folder)
    assert len(_entries(folder)) == 1
    second = load_study(None, layers=[sample_layers], cache=True, cache_dir=folder, progress=said.append)
    assert any("from the cache" in m for m in said) and not any("building" in m for m in said)
    assert second is not first
    assert second.info() == first.info()
    a, b = geoplan.coverage(first), geoplan.coverage(second)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.residents.drop(columns="geometry"), b.residents.drop(columns="geometry"))
    # the compiled engine came back whole: same segments, a working spatial index, and the graph on demand
    np.testing.assert_array_equal(first.walk.compiled.seg_fwd, second.walk.compiled.seg_fwd)
    pts = first.residents.geometry.to_numpy()[:50]
    np.testing.assert_array_equal(first.walk.compiled.snap(pts).segment, second.walk.compiled.snap(pts).segment)
    assert second.walk.graph.number_of_edges() == first.info()["walk_edges"]


@pytest.mark.parametrize("damage", ["flip", "truncate", "checksum", "meta"])
def test_corrupt_entry_is_rebuilt_with_a_note(folder, sample_layers, damage):
    first = load_study(None, layers=[sample_layers], cache=True, cache_dir=folder)
    entry = _entries(folder)[0]
    payload = entry / "study.pkl"
    data = bytearray(payload.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
        payload.write_bytes(bytes(data))
    elif damage == "truncate":
        payload.write_bytes(bytes(data[: len(data) // 3]))
    elif damage == "checksum":
        (entry / "study.pkl.sha256").unlink()
    else:
        (entry / "meta.json").write_text('{"key": "someone else", "version": "0.0.1", "format": 1}')
    said: list[str] = []
    again = load_study(None, layers=[sample_layers], cache=True, cache_dir=folder, progress=said.append)
    assert any("was not used" in w and "rebuilt" in w for w in again.warnings)
    assert any("building walking" in m for m in said), "a bad entry must be rebuilt, not trusted"
    assert again.info()["walk_edges"] == first.info()["walk_edges"]
    # the rebuilt entry is good again and is used next time, without the note
    third = load_study(None, layers=[sample_layers], cache=True, cache_dir=folder)
    assert not any("was not used" in w for w in third.warnings)
    assert third.info() == first.info()


def test_a_cached_study_reads_its_vehicle_network_only_when_an_analysis_uses_it(folder, sample_layers):
    from geoplan.maps.basemap import extract_basemap, streets_of
    from geoplan.study import DeferredNetwork

    plain = load_study(None, layers=[sample_layers])  # no cache: the network as built
    first = load_study(None, layers=[sample_layers], cache=True, cache_dir=folder)  # stored, then as stored
    second = load_study(None, layers=[sample_layers], cache=True, cache_dir=folder)
    assert not isinstance(plain.drive, DeferredNetwork)
    for study in (first, second):
        assert isinstance(study.drive, DeferredNetwork) and "_read" in study.drive.__dict__
        geoplan.coverage(study)
        basemap = extract_basemap(study)  # the streets came with the stored study
        assert "_read" in study.drive.__dict__, "coverage and its map must not read the vehicle network"
        pd.testing.assert_frame_equal(basemap.streets, streets_of(plain))
        # an access audit reads it, and the network it reads is the one built
        a, b = geoplan.access(plain), geoplan.access(study)
        assert "_read" not in study.drive.__dict__
        pd.testing.assert_frame_equal(a.buildings.drop(columns="geometry"), b.buildings.drop(columns="geometry"))
        np.testing.assert_array_equal(plain.drive.compiled.seg_fwd, study.drive.compiled.seg_fwd)
        assert study.info() == plain.info()


def test_a_cached_study_makes_its_street_lines_only_when_they_are_asked_for(folder, sample_layers):
    import pickle

    import shapely

    plain = load_study(None, layers=[sample_layers])  # no cache: every line made while building
    stored = load_study(None, layers=[sample_layers], cache=True, cache_dir=folder)  # built, stored, as stored
    cached = load_study(None, layers=[sample_layers], cache=True, cache_dir=folder)
    for study in (stored, cached):
        assert not study.walk.compiled.seg_lines.is_made and "edges" not in study.walk.__dict__
    walk, net = cached.walk, cached.walk.compiled
    assert walk.n_edges == plain.walk.n_edges
    a, b = geoplan.coverage(plain), geoplan.coverage(cached)
    assert not net.seg_lines.is_made and "edges" not in walk.__dict__, "coverage must work from the coordinates"
    wa, wb = geoplan.coverage(plain, profile="wheelchair"), geoplan.coverage(cached, profile="wheelchair")
    assert wb.parameters["closed_walk_edges"] == wa.parameters["closed_walk_edges"]
    pd.testing.assert_frame_equal(wa.residents.drop(columns="geometry"), wb.residents.drop(columns="geometry"))
    assert not net.seg_lines.is_made and "edges" not in walk.__dict__, "the wheelchair rules read tags only"
    pd.testing.assert_frame_equal(a.service_areas.drop(columns="geometry"), b.service_areas.drop(columns="geometry"))
    ga, gb = a.service_areas.geometry.values, b.service_areas.geometry.values
    assert (shapely.equals_exact(ga, gb, 0) | (ga.isna() & gb.isna())).all()
    # what the coordinates give is what the lines give
    lines = plain.walk.compiled.seg_geometry
    np.testing.assert_allclose(net.seg_lines.lengths(), shapely.length(lines), rtol=0, atol=1e-9)
    some = np.array([5, 0, len(lines) - 1, 5])
    assert shapely.equals_exact(net.seg_lines.take(some), lines[some], 0).all()
    again = pickle.loads(pickle.dumps(walk))  # stored again (a Dask worker), still without its lines
    assert not again.compiled.seg_lines.is_made and "edges" not in again.__dict__
    # the edge table, asked for, is the one built: same columns, values, shapes; shapes shared with the engine
    edges = walk.edges
    assert net.seg_lines.is_made
    want = plain.walk.edges
    assert list(edges.columns) == list(want.columns) and edges.crs == want.crs
    pd.testing.assert_frame_equal(pd.DataFrame(edges.drop(columns="geometry")),
                                  pd.DataFrame(want.drop(columns="geometry")))
    assert shapely.equals_exact(edges.geometry.values, want.geometry.values, 0).all()
    assert all(x is y for x, y in zip(edges.geometry.to_numpy()[net.seg_fwd], net.seg_geometry))
    assert again.edges.equals(edges)


def test_an_edge_table_whose_shapes_are_not_the_segments_is_stored_with_them(sample_layers):
    import pickle

    import shapely

    plain = load_study(None, layers=[sample_layers])
    walk = plain.walk
    assert "edges" not in walk.__getstate__()  # compiled from its edges: stored as the segments
    net = walk.compiled
    edges = walk.edges.copy()
    odd = int(net.seg_bwd[net.seg_bwd >= 0][0])
    edges.loc[odd, "geometry"] = shapely.reverse(edges.geometry.iloc[odd])  # no longer the segment reversed
    walk.__dict__["edges"] = edges
    state = walk.__getstate__()
    assert state["edges"] is edges
    back = pickle.loads(pickle.dumps(walk))
    assert shapely.equals_exact(back.edges.geometry.values, edges.geometry.values, 0).all()


def test_a_damaged_vehicle_network_part_is_rebuilt_at_load_or_stops_the_command_when_read(folder, sample_layers):
    from geoplan.errors import InputError

    first = load_study(None, layers=[sample_layers], cache=True, cache_dir=folder)
    part = _entries(folder)[0] / "drive.pkl"
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0xFF
    part.write_bytes(bytes(data))
    again = load_study(None, layers=[sample_layers], cache=True, cache_dir=folder)  # damaged before the load
    assert any("was not used" in w and "rebuilt" in w for w in again.warnings)
    assert again.info()["drive_edges"] == first.info()["drive_edges"]
    later = load_study(None, layers=[sample_layers], cache=True, cache_dir=folder)
    assert not any("was not used" in w for w in later.warnings)
    entry = _entries(folder)[0]
    (entry / "drive.pkl").write_bytes(b"not the network")  # changed after the load, before the first use
    with pytest.raises(InputError, match="changed while this command used it") as err:
        later.drive.edges
    assert "run the command again" in str(err.value.fix)
    assert not entry.exists()  # the next command rebuilds it


def test_key_changes_with_preset_overrides_and_inputs(tmp_path, sample_layers):
    gb = get_preset("gb")
    base = cache.study_key(None, layers=[sample_layers], preset=gb, encoding=None, name=None)
    assert base == cache.study_key(None, layers=[sample_layers], preset=get_preset("gb"), encoding=None, name=None)
    changed = gb.with_overrides({"residents": {"floor_area_per_person_m2": 40.0}})
    assert cache.study_key(None, layers=[sample_layers], preset=changed, encoding=None, name=None) != base
    assert cache.study_key(None, layers=[sample_layers], preset=get_preset("nfpa"), encoding=None, name=None) != base
    assert cache.study_key(None, layers=[], preset=gb, encoding=None, name=None) != base
    copy = tmp_path / "layers"
    shutil.copytree(sample_layers, copy)
    before = cache.study_key(None, layers=[copy], preset=gb, encoding=None, name=None)
    assert before != base  # another folder: the study's recorded inputs differ
    assert cache.study_key(None, layers=[copy], preset=gb, encoding=None, name=None) == before
    victim = sorted(copy.glob("*.geojson"))[0]
    victim.write_text(victim.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert cache.study_key(None, layers=[copy], preset=gb, encoding=None, name=None) != before
    assert cache.study_key(None, layers=[sample_layers], preset=gb, encoding="gbk", name=None) != base
    assert cache.study_key(tmp_path / "missing.osm", layers=[], preset=gb, encoding=None, name=None) is None


def test_cache_off_by_default_and_clear(folder, sample_layers, monkeypatch):
    monkeypatch.setenv(cache.ENV_VAR, str(folder))
    assert cache.cache_dir() == folder
    load_study(None, layers=[sample_layers])
    assert not folder.exists()
    load_study(None, layers=[sample_layers], cache=True)
    assert len(_entries(folder)) == 1
    assert cache.clear() == 1
    assert _entries(folder) == []


def test_cli_uses_the_cache_and_no_cache_bypasses_it(folder, monkeypatch, capsys):
    from geoplan.cli import main

    monkeypatch.setenv(cache.ENV_VAR, str(folder))
    assert main(["info", "--json"]) == 0
    assert len(_entries(folder)) == 1
    first = capsys.readouterr().out
    assert main(["info", "--json", "--clear-cache", "--no-cache"]) == 0
    assert not folder.exists() or _entries(folder) == []
    assert capsys.readouterr().out == first


def test_data_in_memory_is_keyed_by_its_contents(sample_layers):
    from dataclasses import replace

    from geoplan.sources import open_osm

    gb = get_preset("gb")
    data = open_osm(None)
    key = cache.study_key(data, layers=[], preset=gb, encoding=None, name=None)
    assert key == cache.study_key(open_osm(None), layers=[], preset=gb, encoding=None, name=None)
    assert key != cache.study_key(None, layers=[], preset=gb, encoding=None, name=None)
    moved = data.nodes.copy()
    moved.iloc[0, moved.columns.get_loc("lon")] += 1e-6
    assert cache.study_key(replace(data, nodes=moved), layers=[], preset=gb, encoding=None, name=None) != key


def test_text_columns_come_back_exactly_from_their_codes():
    """Tag columns are stored as codes of their distinct values: None, NaN and every string
    come back as they were (and where they were); a column with pd.NA is pickled as it is."""
    import io
    import pickle

    import numpy as np
    import pandas as pd

    from geoplan.cache import _Pickler, _encode_labels

    values = np.array(["primary", None, "footway", np.nan, "primary", "小路"] * 5, dtype=object)
    frame = pd.DataFrame({"highway": values, "name": pd.array(["a", None] * 15, dtype="str"),
                          "other": pd.array(["x", pd.NA] * 15, dtype="string")})
    frame["tags"] = pd.Series(values, dtype=object)  # object columns keep None apart from NaN

    def round_trip(obj):
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
        return pickle.loads(buffer.getvalue())

    pd.testing.assert_frame_equal(round_trip(frame), frame)
    codes, distinct = _encode_labels(values)
    assert sorted(distinct) == ["footway", "primary", "小路"] and set(codes[:4]) == {0, -2, 1, -1}
    restored = round_trip(values)
    assert restored.dtype == object and len(restored) == len(values)
    assert [v is None for v in restored] == [v is None for v in values]
    assert [v for v in restored if isinstance(v, str)] == [v for v in values if isinstance(v, str)]
    assert [isinstance(v, float) for v in restored] == [isinstance(v, float) for v in values]
    assert _encode_labels(np.array(["x", pd.NA] * 10, dtype=object)) is None  # left to pickle
    assert _encode_labels(np.array([1, "x"] * 10, dtype=object)) is None
