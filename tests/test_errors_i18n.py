"""Bad input reads in the run's language: ``--lang`` first (read even when other options are bad),
else the locale (``LANG``); one line on stderr, exit code 2, the file named, nothing written."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

from geoplan.errors import InputError
from geoplan.i18n import lang_from_environment, message
from osm_fixture import files_under, grid_district, run_cli

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def locale_c(monkeypatch):
    """A plain C locale, whatever the machine running the tests says."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C")


def _one_line(code: int, err: str) -> str:
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _no_population(tmp_path: Path) -> tuple[Path, Path]:
    """A district and a residents layer that lacks its required population column."""
    osm = grid_district(tmp_path / "d.osm")
    layers = tmp_path / "layers"
    layers.mkdir()
    (layers / "residents.csv").write_text("lon,lat,name\n116.3001,39.9901,3号楼\n", encoding="utf-8")
    return osm, layers


# ----------------------------------------------------------------------------- the error itself
def test_an_input_error_renders_its_parameters_in_chinese():
    err = InputError(message("row {row}: {column} {value!r} is not a number", row=7, column="population", value="abc"),
                     source="layers/residents.csv",
                     fix=message("write {column} as a plain number ({unit})", column="population", unit=message("people")))
    assert str(err) == ("layers/residents.csv: row 7: population 'abc' is not a number — "
                        "fix: write population as a plain number (people)")
    zh = err.line("zh")
    assert zh == "layers/residents.csv：第 7 行：population 的值 'abc' 不是数字 —— 解决办法：把 population 写成普通数字（人）"
    # the frame follows what is known: no source, no fix
    assert InputError(message("OSM file not found")).line("zh") == "找不到 OSM 文件"
    bare = InputError(message("give one source of OSM data"), fix=message("reinstall geoplan"))
    assert bare.line("zh") == "只给一个 OSM 数据来源 —— 解决办法：重新安装 geoplan"
    assert bare.line("en") == "give one source of OSM data — fix: reinstall geoplan"


def test_plain_text_passes_through_and_errors_keep_their_parts_when_pickled():
    err = InputError("libosmium: something odd at byte 12", source="a.osm")
    assert err.line("zh") == "a.osm：libosmium: something odd at byte 12"  # data text untranslated, frame Chinese
    sent = pickle.loads(pickle.dumps(InputError(message("districts file not found"), source="d.gpkg",
                                                fix=message("check the path given to {option}", option="--districts"))))
    assert sent.line("zh") == "d.gpkg：找不到街区文件 —— 解决办法：检查 --districts 给出的路径"
    assert str(sent) == "d.gpkg: districts file not found — fix: check the path given to --districts"
    # a failed district's reason: English in its table, the run's language on screen (and across dask)
    reason = pickle.loads(pickle.dumps(sent.as_message()))
    assert reason == str(sent) and reason.render("zh") == sent.line("zh")
    hint = InputError(message("{key} unknown text encoding {value!r}", key="encoding:", value="klingon"),
                      fix="use a name such as utf-8, gbk or gb18030")  # a plain N_ msgid as the fix
    assert hint.line("zh") == "encoding: 未知的文本编码 'klingon' —— 解决办法：使用 utf-8、gbk 或 gb18030 等编码名称"


def test_the_locale_decides_when_there_is_no_lang_option():
    assert lang_from_environment({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert lang_from_environment({"LANG": "C"}) == "en"
    assert lang_from_environment({"LANG": "fr_FR.UTF-8"}) == "en"
    assert lang_from_environment({}) == "en"
    assert lang_from_environment({"LANGUAGE": "zh_CN:en", "LANG": "C"}) == "zh"  # gettext's order
    assert lang_from_environment({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}) == "en"


# ----------------------------------------------------------------------------- through the command line
def test_a_bad_bbox_in_chinese_in_a_real_process(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")} | {"LANG": "C"}
    run = subprocess.run([sys.executable, "-m", "geoplan.cli", "info", "--bbox", "1,2,3", "--lang", "zh"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300, env=env)
    line = _one_line(run.returncode, run.stderr)
    assert line.startswith("geoplan：错误：--bbox '1,2,3'") and "解决办法" in line and "W,S,E,N" in line
    assert "fix:" not in line and "error:" not in line


@pytest.mark.parametrize("lang_args", [["--lang", "zh"], ["--lang=zh"]])
def test_a_missing_config_file_in_chinese(tmp_path, locale_c, lang_args):
    code, out, err = run_cli("info", "--config", tmp_path / "项目.yml", *lang_args)
    line = _one_line(code, err)
    assert "项目.yml" in line and "找不到项目配置文件" in line and "--config" in line and out == ""


def test_lang_is_read_even_when_another_option_is_refused(tmp_path, locale_c):
    code, _out, err = run_cli("info", "--lang", "zh", "--no-such-option")
    line = _one_line(code, err)
    assert line.startswith("geoplan：错误：") and "--no-such-option" in line and "`geoplan info --help`" in line
    code, _out, err = run_cli("coverage", "--speed", "-1", "--lang", "zh")
    assert "--speed 必须大于零，而不是 -1" in _one_line(code, err)


def test_a_layer_missing_a_required_column_in_chinese_writes_nothing(tmp_path, locale_c):
    osm, layers = _no_population(tmp_path)
    out = tmp_path / "out"
    code, _out, err = run_cli("run", "--osm", osm, "--layers", layers, "--out", out, "--lang", "zh", "--no-cache")
    line = _one_line(code, err)
    assert "residents.csv" in line and "population" in line and "'population'" in line
    assert "缺少必需的列" in line and "解决办法" in line and CJK.search(line)
    assert files_under(out) == {}


def test_the_same_errors_in_english_under_a_c_locale(tmp_path, locale_c):
    osm, layers = _no_population(tmp_path)
    code, _out, err = run_cli("run", "--osm", osm, "--layers", layers, "--out", tmp_path / "out", "--no-cache")
    line = _one_line(code, err)
    assert line.startswith("geoplan: error: ") and "residents.csv" in line
    assert "required column 'population' is missing" in line and "— fix: add a population column" in line
    assert not CJK.search(line)
    code, _out, err = run_cli("info", "--config", tmp_path / "nope.yml")
    line = _one_line(code, err)
    assert line == f"geoplan: error: {tmp_path / 'nope.yml'}: config file not found — fix: check the path given to --config"


def test_the_locale_speaks_when_lang_is_not_given_and_lang_wins_over_it(tmp_path, monkeypatch):
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    code, _out, err = run_cli("info", "--osm", tmp_path / "nowhere.osm")
    assert "找不到 OSM 文件" in _one_line(code, err) and "nowhere.osm" in err
    code, _out, err = run_cli("info", "--osm", tmp_path / "nowhere.osm", "--lang", "en")
    assert _one_line(code, err).endswith("nowhere.osm: OSM file not found — fix: check the path given to --osm")


def test_progress_steps_follow_the_run_language(tmp_path, locale_c):
    osm = grid_district(tmp_path / "d.osm")
    code, _out, err = run_cli("info", "--osm", osm, "--lang", "zh", "--verbose", "--no-cache")
    assert code == 0, err
    assert "正在读取 OpenStreetMap 数据" in err and "正在构建步行网络和应急车辆网络" in err
    assert "reading OpenStreetMap data" not in err


def test_access_audit_steps_follow_the_run_language_not_the_datas(tmp_path, locale_c):
    """The bundled sample's names are Chinese; ``--lang en`` still shows the audit's steps in English."""
    from geoplan.cli import demo_layers_path

    layers = demo_layers_path("haidian")
    code, _out, err = run_cli("access", "--layers", layers, "--lang", "en", "--verbose", "--no-cache",
                              "--out", tmp_path / "en")
    assert code == 0, err
    assert "judging road widths, heights, access and barriers for fire vehicles" in err
    assert "searching fire response from 1 station …" in err  # the sample has one fire station
    assert "判定道路宽度" not in err
    code, _out, err = run_cli("access", "--layers", layers, "--lang", "zh", "--verbose", "--no-cache",
                              "--out", tmp_path / "zh")
    assert code == 0, err
    assert "正在按消防车判定道路宽度、净高、通行限制和路障" in err


@pytest.mark.parametrize("args, zh, en", [
    (["access", "--vehicle", "tank"], "参数 --vehicle：无效的选项 'tank'", "argument --vehicle: invalid choice: 'tank'"),
    (["coverage", "--bogus"], "无法识别的参数：--bogus", "unrecognized arguments: --bogus"),
    (["sites", "--k", "x"], "参数 --k：'x' 不是有效的 int 值", "argument --k: invalid int value: 'x'"),
])
def test_argparse_refusals_read_in_the_run_language(locale_c, args, zh, en):
    code, _out, err = run_cli(*args, "--lang", "zh")
    line = _one_line(code, err)
    assert zh in line and "invalid" not in line and "unrecognized" not in line
    code, _out, err = run_cli(*args)
    assert en in _one_line(code, err)
