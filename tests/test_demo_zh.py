"""`geoplan demo` runs the bundled Chinese sample in Chinese; `--sample helsinki` keeps the Helsinki one.

Only the bundled copy (geoplan/samples/haidian/) is used, never a shared data folder."""

from __future__ import annotations

import bz2
import json
import subprocess
import sys
from pathlib import Path

import pytest

from geoplan.sources._bundled import haidian_sample_path

REPO = Path(__file__).resolve().parents[1]


def geoplan(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "geoplan.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=900)


def test_bundled_sample_is_compressed_osm_with_attribution():
    path = haidian_sample_path()
    assert path.suffixes[-2:] == [".osm", ".bz2"] and path.stat().st_size < 500_000
    head = bz2.open(path, "rt", encoding="utf-8").read(2000)
    assert "<osm" in head
    readme = (path.parent / "README.md").read_text(encoding="utf-8")
    assert "OpenStreetMap contributors" in readme and "ODbL" in readme
    for name in ("boundary", "stations", "obstructions"):
        layer = json.loads((path.parent / "layers" / f"{name}.geojson").read_text(encoding="utf-8"))
        assert all(f["properties"]["note"] == "illustrative" for f in layer["features"])
    kinds = {f["properties"]["kind"] for f in json.loads(
        (path.parent / "layers" / "obstructions.geojson").read_text(encoding="utf-8"))["features"]}
    assert kinds == {"occupied_lane", "locked_gate", "sealed_compound"}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    run = geoplan("demo", "--out", str(tmp / "out"), cwd=tmp)
    return run, tmp / "out"


def test_demo_default_is_the_chinese_district_in_chinese(demo_run):
    run, out = demo_run
    assert run.returncode == 0, run.stderr[-2000:]
    assert "海淀区" in run.stdout and "学府社区" in run.stdout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    osm = [i for i in manifest["inputs"] if i["role"] == "osm"][0]
    assert osm["path"].endswith("beijing_haidian_cau_map.osm.bz2")
    assert manifest["parameters"]["lang"] == "zh" and manifest["parameters"]["sample"] == "haidian"
    page = (out / "maps" / "study_area.html").read_text(encoding="utf-8")
    assert '<html lang="zh' in page or "研究区" in page
    assert "清华东路" in page  # a street-name label of the basemap
    assert "学府社区" in page or "学府社区".encode("unicode_escape").decode() in page  # folium escapes its JSON
    access = (out / "access" / "obstructions.csv").read_text(encoding="utf-8-sig")
    assert "sealed_compound" in access and "locked_gate" in access and "occupied_lane" in access
    for name in ("study_area", "coverage", "access", "sites"):
        assert (out / "maps" / f"{name}.html").stat().st_size < 5_000_000


def test_demo_helsinki_sample_stays_available(tmp_path):
    run = geoplan("info", "--json", cwd=tmp_path)  # the default of the non-demo commands is unchanged
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Helsinki" in json.loads(run.stdout)["study"]
    from geoplan.cli import build_parser, demo_layers_path, demo_osm_path

    args = build_parser().parse_args(["demo", "--sample", "helsinki"])
    assert args.sample == "helsinki" and demo_osm_path("helsinki") is None
    assert (demo_layers_path("helsinki") / "boundary.geojson").exists()
    assert build_parser().parse_args(["demo"]).sample == "haidian"
