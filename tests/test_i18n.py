"""Translations: every message in geoplan/ has a zh translation, sentences render whole, a zh run reads Chinese.

The catalogue checks extract the messages exactly as the documented command does
(``pybabel extract -F babel.cfg geoplan``: the same ``babel.cfg``, Babel's extractor) and
compare them with the union of ``geoplan/locale/zh_CN/LC_MESSAGES/*.po``.
"""

from __future__ import annotations

import html.parser
import json
import pickle
import re
import string
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geoplan.i18n import NC_, Message, catalog_files, message, nmessage, translator
from geoplan.maps import study_area_map, t
from geoplan.maps._i18n import KEYS
from osm_fixture import OsmWriter, grid_district

REPO = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- catalogues
def _extracted() -> list[tuple[str, int, str | tuple[str, ...], str | None]]:
    """(file, line, msgid or (singular, plural), context) of every message in geoplan/."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (REPO / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")
    return [(f"geoplan/{fn}", line, msg, ctx) for fn, line, msg, _comments, ctx
            in extract_from_dir(str(REPO / "geoplan"), method_map, options_map, keywords=DEFAULT_KEYWORDS)]


def _catalogues() -> dict[str, object]:
    from babel.messages.pofile import read_po

    out = {}
    for path in catalog_files("zh_CN"):
        with path.open("rb") as fh:
            out[path.name] = read_po(fh, locale="zh_CN")
    return out


def _key(msgid, ctx) -> tuple:
    return (msgid[0] if isinstance(msgid, tuple) else msgid, ctx)


def _translated(entry) -> bool:
    forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    return bool(forms) and all(f and f.strip() for f in forms) and not entry.fuzzy


def _placeholders(text: str) -> set[tuple[str, str]]:
    return {(name, spec or "") for _lit, name, spec, _conv in string.Formatter().parse(text) if name is not None}


def test_the_catalogues_are_there_and_parse():
    names = {p.name for p in catalog_files("zh_CN")}
    assert {"core.po", "maps.po"} <= names
    assert all(len(c) > 0 for c in _catalogues().values())


def test_every_message_has_a_zh_translation():
    """Fails listing each extracted msgid with no non-empty zh msgstr in any catalogue."""
    entries = {}
    for catalog in _catalogues().values():
        for entry in catalog:
            if entry.id and _translated(entry):
                entries[_key(entry.id, entry.context)] = entry
    found = _extracted()
    assert len(found) > 200  # the extraction itself works (maps chrome alone has ~200)
    missing = sorted({f"{fn}:{line}: {msg!r}" + (f" (msgctxt {ctx!r})" if ctx else "")
                      for fn, line, msg, ctx in found if _key(msg, ctx) not in entries})
    assert not missing, f"{len(missing)} message(s) lack a zh translation:\n" + "\n".join(missing)


def test_translations_keep_the_placeholders_of_their_msgid():
    bad = []
    for name, catalog in _catalogues().items():
        for entry in catalog:
            if not entry.id or not entry.string:
                continue
            ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
            expected = set().union(*(_placeholders(i) for i in ids))
            forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            for form in forms:
                if form and _placeholders(form) != expected:
                    bad.append(f"{name}: {entry.id!r} -> {form!r}")
    assert not bad, "placeholders differ:\n" + "\n".join(bad)


def test_a_msgid_in_two_catalogues_has_one_translation():
    seen: dict[tuple, tuple[str, object]] = {}
    clash = []
    for name, catalog in _catalogues().items():
        for entry in catalog:
            if not entry.id:
                continue
            key = _key(entry.id, entry.context)
            if key in seen and seen[key][1] != entry.string:
                clash.append(f"{entry.id!r}: {seen[key][0]} {seen[key][1]!r} vs {name} {entry.string!r}")
            seen.setdefault(key, (name, entry.string))
    assert not clash, "\n".join(clash)


# ----------------------------------------------------------------------------- the API
def test_messages_render_whole_sentences_in_each_language():
    zh = translator("zh")
    m = message("Community layer: {file}", file="boundary.geojson")
    assert isinstance(m, str) and m == "Community layer: boundary.geojson" and "boundary" in m
    assert m.render("zh") == "社区图层：boundary.geojson" and zh.render(m) == m.render("zh_CN")
    assert json.loads(json.dumps({"w": m})) == {"w": "Community layer: boundary.geojson"}
    back = pickle.loads(pickle.dumps(m))
    assert isinstance(back, Message) and back.msgid == m.msgid and back.render("zh") == m.render("zh")
    # a Message inside another renders in the same language
    outer = message("note         {note}", note=message("Community layer: {file}", file="a.shp"))
    assert outer.render("zh") == "提示         社区图层：a.shp"
    assert outer == "note         Community layer: a.shp"
    # free text passes through, placeholders untouched
    assert zh.render("Block 7 {gate}") == "Block 7 {gate}" and zh.gettext("") == ""


def test_plurals_and_contexts():
    one, two = nmessage("{n} building", "{n} buildings", 1), nmessage("{n} building", "{n} buildings", 2)
    assert (one, two) == ("1 building", "2 buildings")
    zh = translator("zh")
    assert zh.text(NC_("facility category", "Park")) == "公园绿地"
    assert zh.text(NC_("shelter site kind", "Park")) == "公园"
    assert translator("en").text(NC_("shelter site kind", "Park")) == "Park"


def test_the_01_keys_still_work_through_the_catalogue():
    """The shim the analysis packages call while they move to their own catalogues."""
    cjk = re.compile(r"[\u4e00-\u9fff]")
    proper = {"basemap.osm", "source.osm", "coverage.of"}  # "OpenStreetMap", and "/" (as in 3/5)
    for key in KEYS:
        zh, en = t(key, "zh"), t(key, "en")
        assert zh.strip() and en.strip(), key
        assert key in proper or cjk.search(zh), f"{key}: {zh!r} is not Chinese"
    assert t("access.restores", "en") == "clearing it alone restores"  # unchanged English for old callers


# ----------------------------------------------------------------------------- a Chinese run
def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geoplan.cli", *args], capture_output=True, text=True,
                          timeout=600, cwd=REPO)


def test_cli_summary_in_chinese_and_in_english(tmp_path):
    osm = grid_district(tmp_path / "测试区.osm")
    zh = _cli("info", "--osm", str(osm), "--lang", "zh")
    assert zh.returncode == 0, zh.stderr
    assert "步行路网" in zh.stdout and "个节点" in zh.stdout and "社区卫生服务站 1" in zh.stdout
    assert "提示         未提供居民图层" in zh.stdout  # the study's note, rendered at print time
    assert not re.search(r"\b(walk network|buildings|residents|facilities|note|none)\b", zh.stdout), zh.stdout
    en = _cli("info", "--osm", str(osm), "--lang", "en")
    assert en.returncode == 0, en.stderr
    assert "walk network 16 nodes, 48 edges" in en.stdout and "note         no residents layer" in en.stdout
    assert "health_station 1" in en.stdout and "步行路网" not in en.stdout
    # without --lang the Chinese names of the district choose Chinese
    auto = _cli("info", "--osm", str(osm))
    assert auto.returncode == 0 and "步行路网" in auto.stdout


def _district(path: Path, **tags_of_buildings) -> Path:
    w = OsmWriter()
    a, b, c = w.node(0, 0), w.node(100, 0), w.node(100, 100)
    w.way([a, b, c], highway="residential", name="测试路")
    for i, tags in enumerate(tags_of_buildings.get("buildings", [])):
        w.box(10 + 30 * i, 10, 30 + 30 * i, 30, building="apartments", **tags)
    for tags in tags_of_buildings.get("places", []):
        w.node(50, 50, **tags)
    return w.write(path)


def test_title_is_the_project_name_else_the_place_in_the_data_else_the_file(tmp_path):
    from geoplan.study import load_study, place_name

    district = [{"addr__district": "玄武区", "addr__city": "南京市"}, {"addr__district": "玄武区"},
                {"addr__district": "秦淮区"}]
    osm = _district(tmp_path / "nanjing_xuanwu_osm_bbox.osm", buildings=district,
                    places=[{"place": "suburb", "name": "梅园新村街道"}])
    assert load_study(osm).name == "玄武区"  # most common addr:district
    assert load_study(osm, name="宣武门社区规划").name == "宣武门社区规划"
    city_only = _district(tmp_path / "b.osm", buildings=[{"addr__city": "南京市"}],
                          places=[{"place": "suburb", "name": "梅园新村街道"}])
    assert load_study(city_only).name == "南京市"
    place_only = _district(tmp_path / "c.osm", buildings=[{}], places=[{"place": "suburb", "name": "梅园新村街道"}])
    assert load_study(place_only).name == "梅园新村街道"
    bare = _district(tmp_path / "d.osm", buildings=[{}])
    assert load_study(bare).name == "d.osm"
    # ties go to the first name, so a title never flips between runs
    tie = pd.DataFrame({"addr:district": ["秦淮区", "玄武区"], "place": [None, None], "name": [None, None]})
    assert place_name(tie) == min("秦淮区", "玄武区")
    assert place_name(pd.DataFrame({"place": ["square"], "name": ["广场"]})) is None


# ----------------------------------------------------------------------------- a Chinese map
class _Text(html.parser.HTMLParser):
    """Text nodes inside the elements with the given ids."""

    def __init__(self, ids: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.ids, self.depth, self.texts = ids, 0, []
        self._void = {"br", "img", "meta", "link", "input", "hr"}

    def handle_starttag(self, tag, attrs):
        if tag in self._void:
            return
        if self.depth or dict(attrs).get("id") in self.ids:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth and tag not in self._void:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and data.strip():
            self.texts.append(data.strip())


#: Latin words a Chinese map may show: proper names, the licence, units.
ALLOWED_LATIN = {"OpenStreetMap", "ODbL", "Leaflet", "GCJ", "m", "km", "min", "ha", "k"}


def english_words(texts, allowed) -> list[str]:
    words = [w for s in texts for w in re.findall(r"[A-Za-z][A-Za-z'\-]*", s)]
    return [w for w in words if w not in allowed]


def test_a_chinese_map_has_no_english_prose_and_stays_escaped(tmp_path):
    from geoplan.study import load_study

    osm = grid_district(tmp_path / "测试区.osm")
    study = load_study(osm, name="<b>测试</b>区")
    pm = study_area_map(study, lang="zh", date="2024-05-01")
    page = pm.html()
    # data-given proper names are allowed: the project name, the file name and the preset's name
    given = " ".join((study.name, osm.name, study.preset.name))
    allowed = ALLOWED_LATIN | set(re.findall(r"[A-Za-z]+", given))
    parser = _Text({"gp-title", "gp-legend"})
    parser.feed(page)
    assert len(parser.texts) >= 8 and any("日期" in s for s in parser.texts)
    assert english_words(parser.texts, allowed) == [], parser.texts
    # the layer control (layer and group names), tooltip and popup labels
    control = [x for lyr in pm.layers for x in (lyr.name, lyr.group, *lyr.tooltip, *lyr.popup)]
    assert english_words(control, allowed) == [], control
    # formatted values: kinds, yes/no, units
    values = [v for lyr in pm.layers for f in lyr.data["features"] for k, v in f["properties"].items()
              if k.startswith("f") and k != "f0"]
    assert english_words(values, allowed) == [], sorted(set(values))[:20]
    # Leaflet's and the measure tool's own controls are given the map's language
    assert '"localization": "cn"' in page and "放大" in page and "图层" in page
    # the study name stays text
    assert "&lt;b&gt;测试&lt;/b&gt;区" in page and "<b>测试</b>" not in page
