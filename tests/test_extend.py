"""Each way of extending geoplan that CONTRIBUTING.md describes, done the way it says."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

import geoplan
from geoplan import cli, i18n
from geoplan.standards import get_preset
from geoplan.standards.presets import GB


def test_an_analysis_plugs_in_through_its_cli_module(tmp_path, monkeypatch):
    packages = {**cli.ANALYSIS_PACKAGES, "residents-per-community": "toy_analysis"}
    monkeypatch.setattr(cli, "ANALYSIS_PACKAGES", packages)
    monkeypatch.setattr(cli, "ANALYSES", tuple(packages))
    out = tmp_path / "out"
    assert cli.main(["residents-per-community", "--out", str(out), "--min-population", "1"]) == 0
    table = pd.read_csv(out / "toy" / "communities.csv", encoding="utf-8-sig")
    assert table["population"].sum() > 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "toy/communities.csv" in manifest["outputs"]
    # its check() runs before any data is read: a bad option is one line, exit 2
    assert cli.main(["residents-per-community", "--out", str(tmp_path / "bad"), "--min-population", "-1"]) == 2
    assert not (tmp_path / "bad" / "toy").exists()


def test_a_preset_is_a_preset_with_other_sections():
    city = dataclasses.replace(GB, name="shenzhen", citation="深圳市城市规划标准与准则 (example)",
                               vehicles={**GB.vehicles, "fire": dataclasses.replace(GB.vehicle("fire"), turnout_s=45.0)})
    study = geoplan.load_study(preset=city)
    assert study.preset.name == "shenzhen"
    slow = geoplan.access(geoplan.load_study(preset=get_preset("gb")), vehicle="fire", clearing=False)
    fast = geoplan.access(study, vehicle="fire", clearing=False)
    both = slow.buildings["response_s"].notna() & fast.buildings["response_s"].notna()
    assert both.any()
    assert (slow.buildings.loc[both, "response_s"] - fast.buildings.loc[both, "response_s"]).round(6).eq(15).all()


def test_a_translation_domain_is_picked_up_from_its_po_file(tmp_path, monkeypatch):
    folder = tmp_path / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "mine.po").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                                    '"Language: zh_CN\\n"\n\nmsgid "{n} wells checked"\nmsgstr "已检查 {n} 口井"\n',
                                    encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    catalog = i18n._load_catalog("zh_CN")
    assert i18n.Translator("zh", catalog).render(i18n.message("{n} wells checked", n=3)) == "已检查 3 口井"


def test_a_category_comes_from_the_project_file(tmp_path):
    from osm_fixture import grid_writer, run_cli

    w = grid_writer()
    w.node(110, 210, shop="bakery", name="面包房")
    osm = w.write(tmp_path / "d.osm")
    config = tmp_path / "project.yml"
    config.write_text("overrides:\n"
                      "  life_circle:\n"
                      "    circle_of_category: {bakery: [5, false]}\n"
                      "  facility_tags:\n"
                      "    add:\n"
                      "      - [bakery, shop, [bakery]]\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run_cli("coverage", "--osm", osm, "--config", config, "--out", out, "--lang", "en")
    assert code == 0, err
    residents = pd.read_csv(out / "coverage" / "residents.csv", encoding="utf-8-sig")
    assert residents["dist_m_bakery"].notna().all()
    summary = pd.read_csv(out / "coverage" / "summary.csv", encoding="utf-8-sig")
    assert (summary.loc[summary["category"] == "bakery", "tier_m"] == 300).all()
    facilities = pd.read_csv(out / "coverage" / "facilities.csv", encoding="utf-8-sig")
    assert list(facilities.loc[facilities["category"] == "bakery", "name"]) == ["面包房"]
    page = (out / "maps" / "coverage.html").read_text(encoding="utf-8")
    assert "bakery" in page  # its code stands as its label, with the default colour
    assert "#3182bd" in page
