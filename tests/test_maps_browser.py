"""Real-browser tests of the map pages: headless Chromium through Selenium.

Each demo map is opened in zh and en, online and offline (offline: every http(s) request
blocked and recorded): no JavaScript errors, the Leaflet map and every overlay exist, title
and legend are in the chosen language, the screenshot is not blank, a script-bearing name
stays text, and printing gives one A3 page. Set GEOPLAN_SCREENSHOTS=<dir> to keep the PNGs
and PDFs for a human look.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import browser
from geoplan.maps import study_area_map, t
from test_maps import XSS_FLAG, synthetic_study

pytestmark = pytest.mark.skipif(browser.find_chromium() is None,
                                reason="chromium and chromedriver not installed (apt-get install chromium chromium-driver)")

#: Overlays of the synthetic study, by translation key (drive network starts hidden).
EXPECTED_LAYERS = ("layer.communities", "layer.sites", "layer.walk_network", "layer.drive_network",
                   "layer.buildings", "layer.obstructions", "layer.facilities", "layer.stations", "layer.study_area")

_STATE_JS = """
var g = window.geoplanMap;
if (!g) return null;
var names = Array.prototype.map.call(
    document.querySelectorAll('.leaflet-control-layers-overlays input.leaflet-control-layers-selector + span'), function (s) { return s.textContent.trim(); });
var visible = Object.keys(g.layers).filter(function (k) { return g.map.hasLayer(g.layers[k]); }).length;
return {
  leaflet: typeof L === 'object' && !!document.querySelector('.leaflet-container'),
  layers: Object.keys(g.layers).length, visible: visible, controlNames: names,
  paths: document.querySelectorAll('.leaflet-overlay-pane path').length,
  title: document.getElementById('gp-title').innerText,
  legend: document.getElementById('gp-legend').innerText,
  fullscreen: !!document.querySelector('.leaflet-control-zoom-fullscreen, .leaflet-control-fullscreen'),
  measure: !!document.querySelector('.leaflet-control-measure'),
  scale: !!document.querySelector('.leaflet-control-scale'),
  tiles: document.querySelectorAll('.leaflet-tile').length,
  xss: window.__xss || null
};
"""


def _keep_dir() -> Path | None:
    d = os.environ.get("GEOPLAN_SCREENSHOTS")
    if not d:
        return None
    Path(d).mkdir(parents=True, exist_ok=True)
    return Path(d)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[tuple[str, bool], Path]:
    out = tmp_path_factory.mktemp("maps")
    written = {}
    for lang in ("zh", "en"):
        for offline in (True, False):
            study = synthetic_study(zh=lang == "zh", xss_name=XSS_FLAG)
            pm = study_area_map(study, lang=lang, offline=offline, date="2024-05-01")
            written[(lang, offline)] = pm.to_html(out / f"study_area_{lang}_{'offline' if offline else 'online'}.html")
    return written


@pytest.fixture(scope="module")
def offline_driver():
    with browser.chromium(offline=True) as d:
        yield d


@pytest.fixture(scope="module")
def online_driver():
    with browser.chromium(offline=False) as d:
        yield d


def _open(driver, path: Path) -> tuple[dict, list[str], list[str]]:
    driver.get_log("browser")
    driver.get_log("performance")  # flush what earlier pages left
    browser.open_file(driver, path)
    state = driver.execute_script(_STATE_JS)
    errors = browser.console_errors(driver)
    requests = [u for u in browser.network_requests(driver) if u.startswith(("http:", "https:", "ws:", "wss:"))]
    return state, errors, requests


def _check_page(driver, path: Path, lang: str, *, offline: bool) -> None:
    state, errors, requests = _open(driver, path)
    if offline:
        assert requests == [], f"offline page asked the network for {requests[:5]}"
        assert errors == [], errors
    else:
        # This machine may have no internet: tile requests may fail, nothing else may.
        tile_hosts = ("tile.openstreetmap.org",)
        assert all(any(h in u for h in tile_hosts) for u in requests), requests[:5]
        assert [e for e in errors if not any(h in e for h in tile_hosts)] == []
    assert state and state["leaflet"], "no Leaflet map on the page"
    assert state["layers"] == len(EXPECTED_LAYERS)
    assert state["visible"] == len(EXPECTED_LAYERS) - 1  # drive network starts hidden
    assert sorted(state["controlNames"]) == sorted(t(k, lang) for k in EXPECTED_LAYERS)
    assert state["paths"] > 100
    assert state["fullscreen"] and state["measure"] and state["scale"]
    assert (state["tiles"] > 0) != offline
    for key in ("title.study_area", "title.date", "title.sources"):
        assert t(key, lang) in state["title"]
    for key in ("legend.title", "layer.buildings", "cat.health", "station.fire", "building.residential"):
        assert t(key, lang) in state["legend"], key
    assert t("layer.drive_network", lang) not in state["legend"]  # hidden layer, hidden legend
    assert state["xss"] is None
    png = browser.screenshot(driver)
    keep = _keep_dir()
    if keep:
        (keep / path.with_suffix(".png").name).write_bytes(png)
    assert browser.distinct_colours(png) > 40, "screenshot looks blank"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_offline_map_renders_with_network_blocked(pages, offline_driver, lang):
    _check_page(offline_driver, pages[(lang, True)], lang, offline=True)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_online_map_renders(pages, online_driver, lang):
    _check_page(online_driver, pages[(lang, False)], lang, offline=False)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_script_in_a_name_stays_text(pages, offline_driver, lang):
    """Hover the building and the facility named ``<img src=x onerror="window.__xss=1">``."""
    import time

    from selenium.webdriver.common.action_chains import ActionChains

    _open(offline_driver, pages[(lang, True)])
    targets = offline_driver.execute_script("""
        var g = window.geoplanMap, out = [];
        Object.keys(g.layers).forEach(function (k) {
          g.layers[k].eachLayer(function (l) {
            var f0 = l.feature && l.feature.properties.f0;
            var label = l.getTooltip && l.getTooltip() && l.getTooltip().options.permanent;
            if (f0 && f0.indexOf('&lt;img') === 0 && !label) out.push(l._path);
          });
        });
        return out;""")
    assert len(targets) == 2  # one building, one facility
    for el in targets:
        ActionChains(offline_driver).move_to_element(el).perform()
        time.sleep(0.2)
        tip = offline_driver.execute_script("""
            var el = document.querySelector('.leaflet-tooltip-pane .leaflet-tooltip:not(.gp-label)');
            return el && {text: el.innerText, imgs: el.querySelectorAll('img').length};""")
        assert tip is not None, "no tooltip on hover"
        assert XSS_FLAG in tip["text"] and tip["imgs"] == 0
        ActionChains(offline_driver).move_to_element(offline_driver.find_element("id", "gp-title")).perform()
    labels = offline_driver.execute_script("""
        return Array.prototype.map.call(document.querySelectorAll('.leaflet-tooltip.gp-label'),
                                        function (e) { return e.innerText; });""")
    assert XSS_FLAG in labels  # the community label shows the name as text
    assert offline_driver.execute_script("return document.querySelectorAll('.leaflet-pane img').length") == 0
    assert offline_driver.execute_script("return window.__xss || null") is None


def test_legend_follows_layer_switch(pages, offline_driver):
    _open(offline_driver, pages[("en", True)])
    before = offline_driver.execute_script(
        "return document.querySelectorAll('#gp-legend section.gp-hidden').length")
    boxes = offline_driver.find_elements("css selector", ".leaflet-control-layers-overlays input.leaflet-control-layers-selector")
    names = [b.find_element("xpath", "..").text.strip() for b in boxes]
    boxes[names.index(t("layer.facilities", "en"))].click()
    after = offline_driver.execute_script(
        "return document.querySelectorAll('#gp-legend section.gp-hidden').length")
    assert after == before + 1


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_print_gives_one_a3_landscape_page(pages, offline_driver, lang):
    _open(offline_driver, pages[(lang, True)])
    pdf = browser.print_pdf(offline_driver)
    keep = _keep_dir()
    if keep:
        (keep / f"study_area_{lang}.pdf").write_bytes(pdf)
    assert browser.pdf_page_count(pdf) == 1
    # Controls are hidden in print, legend and title are not.
    offline_driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        shown = offline_driver.execute_script("""
            function vis(sel) { var e = document.querySelector(sel); return !!e && getComputedStyle(e).display !== 'none'; }
            return {title: vis('#gp-title'), legend: vis('#gp-legend'), layers: vis('.leaflet-control-layers'),
                    zoom: vis('.leaflet-control-zoom'), measure: vis('.leaflet-control-measure')};""")
    finally:
        offline_driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert shown == {"title": True, "legend": True, "layers": False, "zoom": False, "measure": False}


def test_bundled_sample_map_renders_offline(tmp_path, offline_driver):
    from geoplan.study import load_study

    study = load_study()
    path = study_area_map(study, lang="zh", offline=True).to_html(tmp_path / "study_area.html")
    size = path.stat().st_size
    print(f"\nbundled sample study-area map: {size / 1024:.0f} KiB")
    state, errors, requests = _open(offline_driver, path)
    assert requests == [] and errors == []
    assert state["leaflet"] and state["layers"] >= 4 and state["paths"] > 500
    assert t("legend.title", "zh") in state["legend"]
    assert browser.distinct_colours(browser.screenshot(offline_driver)) > 40
    assert size < 2_000_000


#: Latin words a zh page may show outside the map panes: proper names, the licence, units,
#: and the fixture's own names (its file names and the preset "cn-gb50180").
ZH_ALLOWED = {"OpenStreetMap", "ODbL", "Leaflet", "GCJ", "m", "km", "min", "ha",
              "osm", "communities", "geojson", "cn", "gb"}

_CHROME_TEXT_JS = """
var out = [];
document.querySelectorAll('#gp-title, #gp-legend, .leaflet-control-container').forEach(function (root) {
  var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) { var s = walker.currentNode.nodeValue.trim(); if (s) out.push(s); }
  root.querySelectorAll('[title], [aria-label], [placeholder]').forEach(function (e) {
    ['title', 'aria-label', 'placeholder'].forEach(function (a) { if (e.getAttribute(a)) out.push(e.getAttribute(a)); });
  });
});
return out;
"""


@pytest.mark.parametrize("offline", [True, False])
def test_zh_page_chrome_has_no_english_prose(pages, offline_driver, online_driver, offline):
    """Every text node and tooltip title of the title block, legend and controls, as rendered."""
    import re

    driver = offline_driver if offline else online_driver
    _open(driver, pages[("zh", offline)])
    driver.execute_script("document.querySelector('.leaflet-control-measure-toggle')"
                          ".dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));")
    texts = driver.execute_script(_CHROME_TEXT_JS)
    assert len(texts) > 30 and any("图例" in x for x in texts) and any("测量" in x for x in texts)
    words = [w for x in texts for w in re.findall(r"[A-Za-z][A-Za-z']*", x)]
    assert [w for w in words if w not in ZH_ALLOWED] == [], texts
