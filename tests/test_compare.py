"""`geoplan compare`: before/after an obstruction is cleared, the buildings whose access changed,
per community, and a swipe map; runs of different studies are refused with one line (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geoplan.compare import compare_runs
from geoplan.errors import InputError
from geoplan.sources._bundled import haidian_sample_path

REPO = Path(__file__).resolve().parents[1]
LAYERS = haidian_sample_path().parent / "layers"


def geoplan(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "geoplan.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=900)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compare")
    common = ("--osm", str(haidian_sample_path()), "--layers", str(LAYERS), "--lang", "zh")
    before = geoplan("access", *common, "--out", "before", cwd=tmp)
    after = geoplan("access", *common, "--no-obstructions", "--out", "after", cwd=tmp)
    assert before.returncode == 0 and after.returncode == 0, before.stderr[-1500:] + after.stderr[-1500:]
    return tmp


def test_clearing_the_obstructions_lists_exactly_the_buildings_whose_access_changed(runs):
    a = pd.read_csv(runs / "before" / "access" / "buildings.csv", encoding="utf-8-sig")
    b = pd.read_csv(runs / "after" / "access" / "buildings.csv", encoding="utf-8-sig")
    expected = set(a.loc[a["status"].to_numpy() != b.set_index("building_id").loc[a["building_id"], "status"]
                         .to_numpy(), "building_id"])
    assert expected  # the sample's sealed compound and occupied lane block buildings
    cmp = compare_runs(runs / "before", runs / "after")
    assert set(cmp.access["building_id"]) == expected
    assert (cmp.access["change"] == "better").all()  # clearing never makes access worse
    assert (cmp.access["status_a"] != cmp.access["status_b"]).all()
    per = cmp.summary.set_index("community")
    assert per.loc["ALL", "access_changed"] == len(expected)
    by_comm = cmp.access.groupby("community").size()
    for name, n in by_comm.items():
        assert per.loc[name, "access_changed"] == n
    assert abs(per.loc["ALL", "access_population"] - cmp.access["population"].sum()) < 1e-6


def test_cli_writes_tables_swipe_map_and_manifest(runs):
    run = geoplan("compare", "before", "after", "--out", "cmp", cwd=runs)
    assert run.returncode == 0, run.stderr[-1500:]
    out = runs / "cmp"
    changes = pd.read_csv(out / "compare" / "access_changes.csv", encoding="utf-8-sig")
    assert len(changes) and {"building_id", "community", "status_a", "status_b", "change"} <= set(changes.columns)
    page = (out / "maps" / "compare.html").read_text(encoding="utf-8")
    assert 'id="gp-swipe"' in page and "gpA" in page and "gpB" in page
    assert "<script src=" not in page  # Leaflet inlined
    assert "之前（A）" in page and "之后（B）" in page
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "compare" and "maps/compare.html" in manifest["outputs"]


def test_run_names_reach_the_swipe_map_as_text_never_as_a_template(runs):
    """A run folder named like a template is shown as it is (the page is not compiled by Jinja)."""
    import dataclasses

    from geoplan.maps.compare_map import compare_map

    cmp = dataclasses.replace(compare_runs(runs / "before", runs / "after"), run_a=Path("运行 {{ 7*7 }}"))
    page = compare_map(cmp, lang="zh", date="2026-12-02").get_root().render()
    assert "运行 {{ 7*7 }}" in page and "运行 49" not in page
    assert 'id="gp-swipe"' in page and "gpA" in page  # the swipe script still on the page


def test_a_rerun_replaces_the_comparison_and_a_foreign_file_is_never_overwritten(runs):
    first = geoplan("compare", "before", "after", "--out", "cmp2", cwd=runs)
    assert first.returncode == 0, first.stderr[-1500:]
    again = geoplan("compare", "before", "after", "--out", "cmp2", cwd=runs)
    assert again.returncode == 0, again.stderr[-1500:]
    assert not [p.name for p in (runs / "cmp2").iterdir() if p.name.startswith(".")]  # no staging left behind
    (runs / "cmp3" / "maps").mkdir(parents=True)
    mine = runs / "cmp3" / "maps" / "compare.html"
    mine.write_text("my own notes", encoding="utf-8")
    refused = geoplan("compare", "before", "after", "--out", "cmp3", cwd=runs)
    assert refused.returncode == 2
    assert len(refused.stderr.strip().splitlines()) == 1 and "compare.html" in refused.stderr
    assert mine.read_text(encoding="utf-8") == "my own notes"
    assert not (runs / "cmp3" / "manifest.json").exists()


def test_runs_of_different_studies_are_refused_with_one_line(runs, tmp_path):
    other = runs / "other"
    if not other.exists():
        src = json.loads((runs / "after" / "manifest.json").read_text(encoding="utf-8"))
        other.mkdir()
        for item in src["inputs"]:
            if item["role"] == "osm":
                item["sha256"] = "0" * 64  # another extract
        (other / "manifest.json").write_text(json.dumps(src), encoding="utf-8")
    with pytest.raises(InputError, match="different studies"):
        compare_runs(runs / "before", other)
    run = geoplan("compare", "before", "other", "--out", str(tmp_path / "x"), cwd=runs)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "different studies" in lines[0] and "osm" in lines[0]
    assert not (tmp_path / "x").exists()  # nothing written
    run = geoplan("compare", "before", "nowhere", cwd=runs)
    assert run.returncode == 2 and "manifest.json" in run.stderr


def test_swipe_moves_the_clip_in_a_browser(runs):
    browser = pytest.importorskip("browser")
    if browser.find_chromium() is None:
        pytest.skip("chromium not installed")
    import time

    page = runs / "cmp" / "maps" / "compare.html"
    if not page.exists():
        assert geoplan("compare", "before", "after", "--out", "cmp", cwd=runs).returncode == 0
    with browser.chromium(offline=True) as driver:
        driver.get(page.as_uri())
        time.sleep(1.0)
        clips = []
        for value in (0.2, 0.8):
            driver.execute_script(f"var r = document.getElementById('gp-swipe'); r.value = {value};"
                                  "r.dispatchEvent(new Event('input'));")
            clips.append(driver.execute_script("return document.querySelector('.leaflet-gpA-pane').style.clip"))
        n = driver.execute_script("return document.querySelectorAll('.leaflet-gpB-pane path').length")
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert clips[0] != clips[1] and n > 0 and not severe
