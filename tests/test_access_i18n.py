"""The access audit speaks the reader's language: structured causes, the zh catalogue, maps and tables."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from geoplan.emergency_access import access
from geoplan.emergency_access._text import Items, Term, message, render
from geoplan.i18n import translator
from test_access import compound, lane  # noqa: F401  (fixtures)

PO = Path(__file__).resolve().parents[1] / "geoplan" / "locale" / "zh_CN" / "LC_MESSAGES" / "emergency_access.po"


def _in_html(text: str, html: str) -> bool:
    return text in html or json.dumps(text)[1:-1] in html


def test_a_cause_round_trips_through_the_catalogue():
    msg = message("obstruction {obstructions}: clearing it alone restores access — no route now", code="blocked_alone",
                  obstructions=Items((message("{id} ({kind})", id="O1", kind=Term("locked_gate")),)))
    assert render(msg, "en") == "obstruction O1 (locked_gate): clearing it alone restores access — no route now"
    zh = render(msg, "zh")
    assert zh == "障碍 O1（上锁的门）：单独清除即可恢复通达 — 目前无路可达"
    assert translator("zh").gettext(msg.msgid) != msg.msgid and msg.code == "blocked_alone"


def test_every_message_of_the_package_has_a_zh_translation(tmp_path):
    """Extract the package's msgids with Babel; each must be in emergency_access.po with a translation."""
    from babel.messages.pofile import read_po

    pot = tmp_path / "ea.pot"
    subprocess.run(["pybabel", "extract", "-k", "N_", "-k", "message", "-k", "nmessage:1,2", "--no-location",
                    "-o", str(pot),
                    str(Path(__file__).resolve().parents[1] / "geoplan" / "emergency_access")],
                   check=True, capture_output=True)
    ids = {m.id for m in read_po(pot.open("rb")) if m.id}
    catalogue = {m.id: m.string for m in read_po(PO.open("rb")) if m.id}
    assert len(ids) > 50
    missing = sorted(i for i in ids if not catalogue.get(i))
    assert not missing, f"no zh translation for: {missing[:5]}"
    header = PO.read_text(encoding="utf-8")
    assert "Language: zh_CN" in header and "Plural-Forms: nplurals=1; plural=0;" in header
    # placeholders survive translation, so a Chinese sentence never loses a figure
    for msgid, text in catalogue.items():
        for one, translated in zip(*(v if isinstance(v, tuple) else (v,) for v in (msgid, text))):
            assert set(re.findall(r"{(\w+)", one)) == set(re.findall(r"{(\w+)", translated)), msgid


def test_tables_keep_cause_code_and_render_the_cause_in_the_language_asked(compound, tmp_path):
    result = access(compound["study"], vehicle="fire")
    b = result.buildings.set_index(compound["study"].residents["name"].to_numpy())
    assert b.loc["B栋", "cause_code"] == "blocked_alone"
    assert list(result.buildings.columns[10:12]) == ["cause", "cause_code"]
    en = result.to_file(tmp_path / "en")
    zh = result.to_file(tmp_path / "zh", lang="zh")
    assert {p.name for p in en} == {p.name for p in zh}
    b_en = pd.read_csv(tmp_path / "en" / "access" / "buildings.csv", encoding="utf-8-sig")
    b_zh = pd.read_csv(tmp_path / "zh" / "access" / "buildings.csv", encoding="utf-8-sig")
    assert (b_en["cause_code"].fillna("") == b_zh["cause_code"].fillna("")).all()
    blocked = b_zh["status"] == "blocked"
    assert b_zh.loc[blocked, "cause"].str.contains("单独清除即可恢复通达").all()
    assert b_en.loc[blocked, "cause"].str.contains("clearing it alone restores access").all()
    o_zh = pd.read_csv(tmp_path / "zh" / "access" / "obstructions.csv", encoding="utf-8-sig").set_index("obstruction_id")
    assert o_zh.loc["O3", "cause_code"] == "off_road" and "未生效" in o_zh.loc["O3", "cause"]
    assert o_zh.loc["O1", "cause_code"] == "restores"
    summary = pd.read_csv(tmp_path / "en" / "access" / "summary.csv", encoding="utf-8-sig")
    assert summary.loc[summary["community"] == "ALL", "buildings_blocked"].iloc[0] == 3


def test_zh_map_carries_the_chinese_cause(compound):
    result = access(compound["study"], vehicle="fire")
    html = result.to_map(lang="zh", date="2026-01-01").html()
    assert _in_html("单独清除即可恢复通达", html)
    assert not _in_html("clearing it alone restores access", html)
    en = result.to_map(lang="en").html()
    assert _in_html("clearing it alone restores access", en)


def test_zh_summary_text_and_narrow_reason(lane):
    fire = access(lane["study"], vehicle="fire")
    text = fire.summary_text("zh")
    assert text.startswith("消防车通达：") and "fire access" not in text
    assert fire.summary_text().startswith("fire access:")
    road = fire.in_language("zh").roads
    assert road["reason"].str.contains("过窄：3.5 米 < 4.0 米").any()


def test_summary_is_a_table_and_parameters_are_kept(compound):
    result = access(compound["study"], vehicle="ambulance", routes="all")
    s = result.summary
    assert isinstance(s, pd.DataFrame) and s["community"].iloc[0] == "ALL"
    assert s["buildings"].iloc[0] == 5 and s[[f"buildings_{k}" for k in
                                              ("ok", "slow", "far_from_road", "blocked", "unreachable")]].sum(axis=1).iloc[0] == 5
    assert result.parameters["vehicle"] == "ambulance" and result.parameters["routes"] == "all"
    from geoplan.result import AnalysisResult

    assert isinstance(result, AnalysisResult)
