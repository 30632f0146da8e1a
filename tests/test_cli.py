"""The command line as a user meets it: counts, JSON, manifest, and one line for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from osm_fixture import grid_district


def geoplan(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geoplan.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def test_info_json_on_a_chinese_district(tmp_path):
    osm = grid_district(tmp_path / "测试区.osm")
    run = geoplan("info", "--osm", str(osm), "--json")
    assert run.returncode == 0, run.stderr
    info = json.loads(run.stdout)
    assert info["walk_nodes"] == 16 and info["walk_edges"] == 48  # 4×4 grid, 24 links both ways
    assert info["residential_buildings"] == 2
    # 20×20 m × 6 levels ÷ 33 m² + 20×20 m × 3 default levels ÷ 33 m², from the preset
    assert info["population"] == pytest.approx(400 * 6 / 33 + 400 * 3 / 33, rel=0.01)
    assert info["facilities"] == {"health_station": 1, "market": 1, "park": 1, "primary_school": 1}
    assert info["crs"] == "EPSG:32650"


def test_info_text_on_the_bundled_sample():
    run = geoplan("info", "--verbose", "--no-cache")  # an earlier test may have cached the sample's study
    assert run.returncode == 0, run.stderr
    assert "walk network" in run.stdout and "fire" in run.stdout and "Kamppi" not in run.stdout
    assert "reading OpenStreetMap data" in run.stderr  # progress goes to stderr (a terminal, or --verbose)
    assert "no community layer files found" not in run.stdout  # no --layers: nothing to say about them


@pytest.mark.parametrize("args, expect", [
    (["--osm", "nowhere.osm"], "nowhere.osm: OSM file not found"),
    (["--osm", "{tmp}/empty.osm"], "empty.osm: the OSM file is empty"),
    (["--layers", "{tmp}/no_such_folder"], "no_such_folder"),
    (["--config", "{tmp}/bad.yml"], "bad.yml"),
    (["--bbox", "1,2,3"], "--bbox"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, args, expect):
    (tmp_path / "empty.osm").write_bytes(b"")
    (tmp_path / "bad.yml").write_text("preset: [unclosed", encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    run = geoplan("info", *args)
    assert run.returncode == 2, run.stderr
    lines = [ln for ln in run.stderr.splitlines() if ln.startswith("geoplan: error:")]
    assert len(lines) == 1 and expect in lines[0] and "fix:" in lines[0]
    assert "Traceback" not in run.stderr


def test_debug_shows_the_traceback(tmp_path):
    run = geoplan("info", "--osm", "nowhere.osm", "--debug")
    assert run.returncode == 2 and "Traceback" in run.stderr


def test_residents_all_off_the_network(tmp_path):
    osm = grid_district(tmp_path / "d.osm")
    layers = tmp_path / "layers"
    layers.mkdir()
    # a residents CSV placed 20 km away: a wrong-CRS or wrong-area mistake
    (layers / "residents.csv").write_text("lon,lat,population\n116.60,40.00,50\n116.61,40.01,60\n", encoding="utf-8")
    run = geoplan("info", "--osm", str(osm), "--layers", str(layers))
    assert run.returncode == 2
    line = run.stderr.strip().splitlines()[-1]
    assert line.startswith("geoplan: error:") and ("residents" in line)


def test_demo_writes_map_and_manifest(tmp_path):
    run = geoplan("demo", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    out = tmp_path / "out"
    assert (out / "maps" / "study_area.html").stat().st_size > 10_000
    assert (out / "maps" / "study_area.zh.html").exists() or (out / "maps" / "study_area.en.html").exists()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "demo" and manifest["preset"]["name"] == "gb"
    roles = {i["role"] for i in manifest["inputs"]}
    assert "osm" in roles and all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert "maps/study_area.html" in manifest["outputs"]
    assert not list(out.rglob(".*.html")) and not list(out.rglob("*.part"))  # no temporary files left
