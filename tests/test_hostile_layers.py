"""Hostile community layers: one line naming the file (and row) with the fix, or the warning the
schema promises; never an internal error, never a changed file."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from osm_fixture import files_under, grid_district, lonlat, run_cli


def _layers(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    folder = tmp_path / "layers"
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def _run(tmp_path, folder, command="coverage"):
    osm = grid_district(tmp_path / "d.osm")
    before = files_under(folder)
    result = run_cli(command, "--osm", osm, "--layers", folder, "--out", tmp_path / "out")
    assert files_under(folder) == before  # the user's files are only read
    if result[0] == 2:
        assert not (tmp_path / "out").exists()  # nothing written for a rejected input
    return result


def _rejected(result, *expect: str) -> str:
    code, _, err = result
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("geoplan: error:"), err
    for text in expect:
        assert text in lines[0], lines[0]
    return lines[0]


LON, LAT = lonlat(50, 50)


@pytest.mark.parametrize("yml, expect", [
    ("residents: {file: residents.csv, encoding: rot13}", "'rot13' is not a text encoding"),
    ("residents: {file: residents.csv, encoding: base64}", "'base64' is not a text encoding"),
    ("residents: {file: residents.csv, encoding: zlib_codec}", "is not a text encoding"),
    ("residents: {file: residents.csv, encoding: no-such-codec}", "unknown text encoding"),
])
def test_an_encoding_that_is_not_a_text_encoding(tmp_path, yml, expect):
    folder = _layers(tmp_path, {"layers.yml": yml, "residents.csv": f"lon,lat,population\n{LON},{LAT},10\n"})
    _rejected(_run(tmp_path, folder), expect, "residents.csv")


@pytest.mark.parametrize("keep", [12, 40, 70, 100])
def test_a_truncated_dbf(tmp_path, keep):
    folder = tmp_path / "layers"
    folder.mkdir()
    frame = gpd.GeoDataFrame({"population": [10, 20, 30], "name": ["一号楼", "二号楼", "三号楼"]},
                             geometry=[shapely.Point(LON, LAT)] * 3, crs=4326)
    frame.to_file(folder / "residents.shp", encoding="gbk")
    dbf = folder / "residents.dbf"
    dbf.write_bytes(dbf.read_bytes()[:keep])
    _rejected(_run(tmp_path, folder), "residents.dbf", "truncated", "fix:")


@pytest.mark.parametrize("name, content", [
    ("residents.geojson", '{"type": "FeatureCollection", "features": []}'),
    ("residents.csv", "lon,lat,population\n"),
    ("residents.csv", ""),
    ("stations.geojson", '{"type": "FeatureCollection", "features": []}'),
])
def test_an_empty_layer_is_a_warning_as_the_schema_promises(tmp_path, name, content):
    folder = _layers(tmp_path, {name: content})
    code, out, err = _run(tmp_path, folder, "info")
    assert code == 0, err
    assert "has no features" in out and name in out
    assert "check the layer" not in out + err and err == ""


@pytest.mark.parametrize("name, content", [
    ("residents.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": None, "properties": {"population": 5}},
        {"type": "Feature", "geometry": None, "properties": {"population": 7}}]})),
    ("residents.csv", "lon,lat,population\n,,5\n,,7\n"),
    ("facilities.csv", "wkt,category\n,park\n"),
])
def test_a_layer_whose_geometries_are_all_null(tmp_path, name, content):
    folder = _layers(tmp_path, {name: content})
    line = _rejected(_run(tmp_path, folder), name, "has a geometry")
    assert "CRS" not in line


def test_residents_outside_the_area_still_name_the_crs(tmp_path):
    folder = _layers(tmp_path, {"residents.csv": "lon,lat,population\n100.0,20.0,5\n"})
    _rejected(_run(tmp_path, folder), "residents", "CRS")


def test_info_without_layers_says_nothing_about_layer_files(tmp_path):
    code, out, err = run_cli("info", "--osm", grid_district(tmp_path / "d.osm"))
    assert code == 0, err
    assert "no community layer files found" not in out and "note         :" not in out


def test_an_empty_layers_folder_is_named_in_its_note(tmp_path):
    folder = tmp_path / "empty_layers"
    folder.mkdir()
    code, out, err = run_cli("info", "--osm", grid_district(tmp_path / "d.osm"), "--layers", folder)
    assert code == 0, err
    assert f"{folder}: no community layer files found" in out
