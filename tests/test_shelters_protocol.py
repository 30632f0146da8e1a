"""The shelter analysis as the architecture promises it: preset figures that a project file can
override, one check of model and k, the result protocol, every sentence in Chinese, and the
README's cost-matrix example giving its stated answer."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geoplan import sites
from geoplan.errors import InputError
from geoplan.i18n import Message, translator
from geoplan.result import AnalysisResult
from geoplan.shelters import solve_from_cost_matrix
from test_sites import toy_study

README = Path(__file__).resolve().parents[1] / "README.md"
PO = Path(__file__).resolve().parents[1] / "geoplan" / "locale" / "zh_CN" / "LC_MESSAGES" / "shelters.po"


@pytest.fixture(scope="module")
def toy():
    return toy_study()


def _caps(result) -> pd.Series:
    return result.candidates_table().set_index("site_id")["capacity"]


# --------------------------------------------------------------------------- preset figures
def test_project_file_override_of_m2_per_person_halves_capacities(toy):
    base = sites(toy, model="mclp", k=1, capacitated=True, curve_k=0, with_areas=False)
    preset = toy.preset.with_overrides({"shelters": {"emergency": {"m2_per_person": 3.0}}})
    half = sites(dataclasses.replace(toy, preset=preset), model="mclp", k=1, capacitated=True, curve_k=0,
                 with_areas=False)
    before, after = _caps(base), _caps(half)
    sized = before[before > 0].index
    assert len(sized) >= 3
    # capacity = floor(effective area / m² per person): doubling the m² halves it (to the person)
    assert (after[sized] == np.floor(before[sized] / 2 + 1e-9)).all()
    assert half.parameters["m2_per_person"] == 3.0 and half.figures["m2_per_person"] == 3.0
    assert half.figures["covered_population"] <= base.figures["covered_population"]


def test_min_width_part_share_and_usable_share_come_from_the_preset(toy):
    base = _by_id(sites(toy, model="mclp", k=1, curve_k=0, with_areas=False))
    assert base.loc["L1", "reason"] == "sliver" and base.loc["P1", "reason"] == "inside_other"
    preset = toy.preset.with_overrides({"shelters": {"min_width_m": 3.0, "part_share": 0.0,
                                                     "usable_share": {"square": 0.4}}})
    changed = _by_id(sites(dataclasses.replace(toy, preset=preset), model="mclp", k=1, curve_k=0,
                           with_areas=False))
    assert changed.loc["L1", "reason"] != "sliver"  # 4 m wide is enough at a 3 m minimum
    assert changed.loc["P1", "reason"] != "inside_other"  # part_share 0: nothing counts as part of another
    assert changed.loc["S1", "usable_share"] == 0.4 and changed.loc["S1", "capacity"] == 320  # 1200 × 0.4 / 1.5


def _by_id(result) -> pd.DataFrame:
    return result.candidates_table().set_index("site_id")


# --------------------------------------------------------------------------- one check of model and k
@pytest.mark.parametrize("bad", [dict(k=-1), dict(k=1.5), dict(model="pcenter"), dict(model="pmedian", k=None)])
def test_model_and_k_are_checked_once_with_one_message(toy, bad):
    opts = {"model": "mclp", "k": 1, **bad}
    with pytest.raises(InputError) as from_sites:
        sites(toy, **opts)
    cost = np.array([[100.0, 200.0]])
    with pytest.raises(InputError) as from_matrix:
        solve_from_cost_matrix(cost, [1.0], radius=500, **opts)
    assert from_sites.value.what == from_matrix.value.what


def test_a_bad_k_is_refused_before_any_candidate_is_read(toy, monkeypatch):
    from geoplan.shelters import analysis

    def boom(*args, **kwargs):
        raise AssertionError("candidates were read before the options were checked")

    monkeypatch.setattr(analysis, "candidate_sites", boom)
    with pytest.raises(InputError, match="k must be"):
        sites(toy, k=-3)


# --------------------------------------------------------------------------- the result protocol
def test_result_follows_the_protocol(toy, tmp_path):
    r = sites(toy, model="mclp", k=1, capacitated=True, curve_k=2)
    assert isinstance(r, AnalysisResult)
    assert isinstance(r.summary, pd.DataFrame) and len(r.summary) == 1
    assert r.summary.iloc[0]["covered_population"] == pytest.approx(r.figures["covered_population"])
    assert all(isinstance(w, Message) for w in r.warnings)
    assert r.parameters["model"] == "mclp" and r.parameters["k"] == 1
    html = r.to_map(lang="zh", basemap="none", offline=True, date="2026-01-02").html()
    assert "2026-01-02" in html


def test_to_file_renders_sentences_in_the_language_and_keeps_the_codes(toy, tmp_path):
    r = sites(toy, model="mclp", k=1, capacitated=True, curve_k=0)
    r.to_file(tmp_path / "en")
    r.to_file(tmp_path / "zh", lang="zh")
    for name, code in (("candidates.csv", "reason_code"), ("residents.csv", "reason_code")):
        en = pd.read_csv(tmp_path / "en" / "sites" / name)
        zh = pd.read_csv(tmp_path / "zh" / "sites" / name)
        assert en[code].fillna("").tolist() == zh[code].fillna("").tolist()
        assert (en["reason"].fillna("") == en[code].fillna("")).all()
        texts = zh["reason_text"].dropna()
        assert len(texts) and all(re.search(r"[\u4e00-\u9fff]", t) for t in texts)
        assert not any(re.search(r"\b(the|within|than|candidate)\b", t) for t in texts)
        assert en["reason_text"].dropna().str.contains("[a-z]").all()
    cand = pd.read_csv(tmp_path / "zh" / "sites" / "candidates.csv").set_index("site_id")
    assert cand.loc["B1", "note_code"] == "polygon_repaired" and "已修复" in cand.loc["B1", "note"]
    assert cand.loc["P1", "reason_text"].startswith("大部分位于另一候选场地（S2）内")
    summary = pd.read_csv(tmp_path / "zh" / "sites" / "summary.csv").iloc[0]
    assert "unreachable" in summary["message_code"] and "无法服务" in summary["message"]
    res = pd.read_csv(tmp_path / "en" / "sites" / "residents.csv").set_index("resident_id")
    assert res.loc["R5", "reason_text"] == "no candidate site within the walking radius"


def test_warnings_and_solver_notes_render_in_chinese():
    crowd = [(0, 10, 5000.0), (400, 10, 3000.0)]  # both reach only S1 (640): infeasible capacitated cover
    r = sites(toy_study(residents=crowd), model="lscp", capacitated=True, curve_k=0)
    zh = [w.render("zh") for w in r.warnings]
    assert any("不可行" in w for w in zh) and any(w.code == "lscp_infeasible" for w in r.warnings)
    assert r.solution.message_in("zh") and "shortfall" in r.solution.message


def test_cli_in_chinese_prints_no_english_prose(tmp_path, sample_layers, capsys):
    from geoplan.cli import main

    assert main(["sites", "--layers", str(sample_layers), "--out", str(tmp_path / "o"), "--k", "2",
                 "--time-limit", "30", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    block = out.split("wrote:")[0].replace("candidates.csv", "")  # file names stay as they are
    assert "覆盖" in block and "候选场地" in block
    prose = re.findall(r"\b(covered|capacity|assigned|existing|candidates|people|solver|shelters)\b", block)
    assert prose == []
    cand = pd.read_csv(tmp_path / "o" / "sites" / "candidates.csv")
    assert cand["reason_text"].dropna().map(lambda t: bool(re.search(r"[\u4e00-\u9fff]", t))).all()


# --------------------------------------------------------------------------- the catalogue
def test_every_sentence_of_the_package_has_a_chinese_translation():
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    assert catalog.locale_identifier == "zh_CN" and catalog.plural_forms == "nplurals=1; plural=0;"
    package = Path(__file__).resolve().parents[1] / "geoplan" / "shelters"
    msgids = {m[2] if isinstance(m[2], str) else m[2][0]
              for m in extract_from_dir(str(package), keywords={"N_": None, "message": None})}
    assert len(msgids) > 100
    missing = [m for m in msgids if not (catalog.get(m) and catalog.get(m).string)]
    assert missing == []
    placeholder = re.compile(r"\{[^}]*\}")
    tr = translator("zh")
    for m in msgids:
        assert sorted(placeholder.findall(m)) == sorted(placeholder.findall(tr.gettext(m))), m


# --------------------------------------------------------------------------- the README
def _readme_block(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    return section.split("```python", 1)[1].split("```", 1)[0]


def test_readme_cost_matrix_example_gives_its_stated_answer():
    """Runs the README's "The site models on your own distances" block as written."""
    code = _readme_block("### The site models on your own distances")
    scope: dict = {}
    exec(compile(code, str(README), "exec"), scope)
    sol = scope["sol"]
    assert list(sol.selected) == [1]  # the README: "e.g. array([1])"
    assert sol.covered_weight == pytest.approx(650 + 400)
    assert list(sol.assignment) == [-1, 1, 1]
    assert sol.status == "optimal" and sol.optimality_gap == pytest.approx(0.0, abs=1e-9)
    curve = scope["coverage_curve"](scope["cost"], scope["people"], radius=500, k_max=2)
    assert list(curve.columns[:4]) == ["k", "covered_weight", "covered_share", "marginal_weight"]
    assert curve["covered_weight"].tolist() == pytest.approx([1450.0, 1850.0])
