"""Hostile command lines, project files and output folders: one line, exit 2, before any data is read.

Each case builds its bad input in the test itself. "Before any data is read" is checked by giving
an OSM file that could not be read at all: the option's own error must come first.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from osm_fixture import files_under, grid_district, run_cli


def _one_line(code: int, err: str, *expect: str) -> str:
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("geoplan: error:"), err
    assert "Traceback" not in err and "internal error" not in err
    for text in expect:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def unreadable_osm(tmp_path) -> Path:
    """An OSM file that fails to parse: any error about it means the data was read too early."""
    path = tmp_path / "garbage.osm"
    path.write_bytes(b"<osm><node id='1' lat='40' lon='116'>")
    return path


@pytest.mark.parametrize("yaml_text, expect", [
    ("residents: {floor_area_per_person_m2: 0}", "unknown config keys: residents"),
    ("overrides: {floor_area_per_person_m2: 0}", "floor_area_per_person_m2: must be greater than zero"),
    ("overrides: {residents: {floor_area_per_person_m2: -30}}", "must be greater than zero, not -30"),
    ("overrides: {floor_area_per_person_m2: '30'}", "must be a number, not '30'"),
    ("overrides: {fire_turnout_s: -1}", "turnout_s: must be zero or more"),
    ("overrides: {shelter_emergency_radius_m: -500}", "shelters.emergency.radius_m: must be greater than zero"),
    ("overrides: [1, 2]", "overrides: must be a mapping"),
    ("osm: 123", "osm: must be a text, not 123"),
    ("layers: 5", "layers: must be a folder or a list of folders, not 5"),
    ("layers: [a, 5]", "layers: must be a folder or a list of folders"),
    ("name: [南京, 玄武]", "name: must be a text"),
    ("name: {a: 1}", "name: must be a text"),
    ("preset: [gb]", "preset: must be a text"),
    ("preset: iso", "preset: unknown value 'iso'"),
    ("lang: fr", "lang: unknown value 'fr'"),
    ("basemap: google", "basemap: unknown value 'google'"),
    ("offline: maybe", "offline: must be true or false"),
    ("encoding: rot13", "'rot13' is not a text encoding"),
    ("encoding: base64", "'base64' is not a text encoding"),
    ("encoding: klingon", "unknown text encoding"),
    ("coverage: 5", "the coverage section must be a mapping"),
    ("coverage: {speed: fast}", "coverage.speed: must be a number"),
    ("coverage: {categories: 5}", "coverage.categories: must be a list of names"),
    ("coverage: {categories: [park, spaceport]}", "spaceport"),
    ("coverage: {mode: teleport}", "coverage.mode: unknown value"),
    ("access: {vehicle: tank}", "access.vehicle: unknown value"),
    ("access: {colour: red}", "unknown access options"),
    ("access: {scenario: no_such_file.geojson}", "scenario file not found"),
    ("sites: {radius_m: -5}", "sites.radius_m: must be greater than zero, not -5"),
    ("sites: {k: 2.5}", "sites.k: must be a whole number"),
    ("sites: {usable_share: {park: 3}}", "sites.usable_share"),
    ("sites: {banana: 1}", "unknown sites options"),
    ("1: 2", "unknown config keys: 1"),
    ("- just\n- a list", "config must be a mapping"),
    ("preset: [unclosed", "not valid UTF-8 YAML"),
])
def test_bad_project_files_are_refused_before_reading_data(tmp_path, unreadable_osm, yaml_text, expect):
    config = tmp_path / "project.yml"
    config.write_text(yaml_text, encoding="utf-8")
    before = config.read_bytes()
    code, _, err = run_cli("coverage", "--osm", unreadable_osm, "--config", config, "--out", tmp_path / "out")
    line = _one_line(code, err, expect)
    assert "project.yml" in line or "no_such_file" in line
    assert config.read_bytes() == before and not (tmp_path / "out").exists()


def test_a_folder_given_as_the_config(tmp_path, unreadable_osm):
    code, _, err = run_cli("info", "--osm", unreadable_osm, "--config", tmp_path)
    _one_line(code, err, "the config is a folder", "fix:")


def test_a_config_with_a_byte_order_mark_is_read(tmp_path):
    config = tmp_path / "project.yml"
    config.write_bytes("\ufeffname: 测试社区\n".encode("utf-8"))
    code, out, err = run_cli("info", "--osm", grid_district(tmp_path / "d.osm"), "--config", config, "--json")
    assert code == 0, err
    assert json.loads(out)["study"] == "测试社区"


@pytest.mark.parametrize("args, expect", [
    (["coverage", "--speed", "-1"], "--speed must be greater than zero"),
    (["coverage", "--speed", "nan"], "--speed must be a number"),
    (["sites", "--radius", "-5"], "--radius must be greater than zero, not -5"),
    (["sites", "--time-limit", "0"], "--time-limit must be greater than zero"),
    (["sites", "--k", "-2"], "--k must be zero or more"),
    (["info", "--encoding", "rot13"], "--encoding 'rot13' is not a text encoding"),
    (["coverage", "--categories", "park,spaceport"], "spaceport"),
    (["info", "--bbox", "1,2,3"], "--bbox"),
    (["info", "--bbox", "nan,1,2,3"], "--bbox"),
    (["info", "--bbox", "116.4,40,116.3,40.1"], "--bbox"),
    (["access", "--compounds", "no_such_compounds.geojson"], "compounds file not found"),
])
def test_bad_options_are_refused_before_reading_data(tmp_path, unreadable_osm, args, expect):
    code, _, err = run_cli(*args, "--osm", unreadable_osm, "--out", tmp_path / "out")
    _one_line(code, err, expect)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, expect", [
    (["coverage", "--mode", "teleport"], "geoplan coverage --help"),
    (["coverage", "--radius", "5"], "geoplan coverage --help"),
    (["sites", "--k", "five"], "geoplan sites --help"),
    (["frobnicate"], "geoplan --help"),
    ([], "geoplan --help"),
])
def test_argparse_rejections_are_one_line_with_a_hint(args, expect):
    code, out, err = run_cli(*args)
    line = _one_line(code, err, expect)
    assert "usage:" not in err and out == ""
    assert line.endswith("--help`")


# -- the output folder ------------------------------------------------------------------------------

def test_an_unreadable_compounds_file_is_refused_before_reading_data(tmp_path, unreadable_osm):
    broken = tmp_path / "compounds.geojson"
    broken.write_text("{not json", encoding="utf-8")
    code, _, err = run_cli("access", "--osm", unreadable_osm, "--compounds", broken, "--out", tmp_path / "out")
    _one_line(code, err, "cannot read the compounds file", "compounds.geojson")
    assert not (tmp_path / "out").exists()


def test_an_output_folder_inside_a_file(tmp_path, unreadable_osm):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine", encoding="utf-8")
    code, _, err = run_cli("coverage", "--osm", unreadable_osm, "--out", a_file / "out")
    _one_line(code, err, "inside the file", "notes.txt")
    code, _, err = run_cli("coverage", "--osm", unreadable_osm, "--out", a_file)
    _one_line(code, err, "exists and is not a folder")
    assert a_file.read_text(encoding="utf-8") == "mine"


def test_an_output_folder_that_cannot_be_written(tmp_path, unreadable_osm):
    if os.geteuid() == 0:  # root writes everywhere; a pseudo file system refuses even root
        target = Path("/proc/geoplan-test-out")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        target = locked / "out"
    code, _, err = run_cli("coverage", "--osm", unreadable_osm, "--out", target)
    _one_line(code, err, "cannot write in")
    assert not target.exists()


def test_a_foreign_manifest_is_never_overwritten(tmp_path, unreadable_osm):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text('{"my": "own file"}', encoding="utf-8")
    code, _, err = run_cli("coverage", "--osm", unreadable_osm, "--out", out)
    _one_line(code, err, "manifest.json that geoplan did not write")
    assert (out / "manifest.json").read_text(encoding="utf-8") == '{"my": "own file"}'


def test_the_output_folder_is_not_an_input(tmp_path):
    osm = grid_district(tmp_path / "d.osm")
    layers = tmp_path / "layers"
    layers.mkdir()
    code, _, err = run_cli("coverage", "--osm", osm, "--layers", layers, "--out", layers)
    _one_line(code, err, "one of the inputs")


# -- reruns and interruptions: one consistent set ---------------------------------------------------

def _listed(out: Path) -> set[str]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return set(manifest["outputs"])


def test_a_rerun_replaces_the_earlier_runs_files(tmp_path):
    osm = grid_district(tmp_path / "d.osm")
    out = tmp_path / "out"
    mine = out / "my_notes.txt"
    out.mkdir()
    mine.write_text("kept", encoding="utf-8")
    code, _, err = run_cli("coverage", "--osm", osm, "--out", out)
    assert code == 0, err
    first = _listed(out)
    assert "coverage/residents.csv" in first
    assert set(files_under(out)) == first | {"manifest.json", "my_notes.txt"}
    code, stdout, err = run_cli("sites", "--osm", osm, "--out", out, "--k", "1", "--lang", "en")
    assert code == 0, err
    second = _listed(out)
    assert "sites/proposed.csv" in second or any(n.startswith("sites/") for n in second)
    assert not any(n.startswith("coverage/") for n in second)
    assert set(files_under(out)) == second | {"manifest.json", "my_notes.txt"}  # exactly the listed files
    assert "replaced the earlier run" in stdout and f"removed {len(first - second)}" in stdout
    assert mine.read_text(encoding="utf-8") == "kept"  # never listed, never touched


def test_a_failed_rerun_leaves_the_earlier_run_as_it_was(tmp_path):
    osm = grid_district(tmp_path / "d.osm")
    out = tmp_path / "out"
    assert run_cli("coverage", "--osm", osm, "--out", out)[0] == 0
    before = files_under(out)
    code, _, err = run_cli("access", "--osm", osm, "--out", out)  # no fire station: refused after loading
    assert code == 2 and "fire" in err
    assert files_under(out) == before  # the same files, manifest included, byte for byte
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_sigterm_leaves_no_temporary_file_and_the_earlier_run_intact(tmp_path):
    osm = grid_district(tmp_path / "d.osm", n=12)
    out = tmp_path / "out"
    assert run_cli("coverage", "--osm", osm, "--out", out)[0] == 0
    before = files_under(out)
    proc = subprocess.Popen([sys.executable, "-m", "geoplan.cli", "run", "--osm", str(osm), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if any(p.name.startswith(".geoplan-run-") for p in out.iterdir()):
            break  # the run is writing: interrupt it now
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal arrived")
    assert proc.returncode == 143, err
    assert "terminated" in err and "Traceback" not in err
    assert not [p for p in out.rglob(".*")]  # no staging folder, no temporary file
    assert files_under(out) == before


def test_a_file_no_manifest_lists_is_never_overwritten(tmp_path):
    osm = grid_district(tmp_path / "d.osm")
    out = tmp_path / "out"
    (out / "coverage").mkdir(parents=True)
    theirs = out / "coverage" / "residents.csv"
    theirs.write_text("my own table", encoding="utf-8")
    code, _, err = run_cli("coverage", "--osm", osm, "--out", out)
    _one_line(code, err, "residents.csv", "no earlier geoplan run here lists")
    assert theirs.read_text(encoding="utf-8") == "my own table"
    assert set(files_under(out)) == {"coverage/residents.csv"}


def test_a_missing_layers_folder_is_named_before_the_osm_file_is_read(tmp_path, unreadable_osm):
    code, _, err = run_cli("coverage", "--osm", unreadable_osm, "--layers", tmp_path / "nope", "--out", tmp_path / "o")
    _one_line(code, err, "nope", "layers folder not found")
    assert not (tmp_path / "o").exists()
