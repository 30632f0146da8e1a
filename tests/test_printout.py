"""The A3 PDF report: pages, titles, figures from the tables, Chinese labels in the embedded font,
map furniture (north arrow, scale, attribution), determinism. Uses the bundled Haidian sample."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geoplan.i18n import translator
from geoplan.printout import write_report
from geoplan.printout._map import nice_length

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                                reason="poppler-utils (pdftotext, pdftoppm) not installed")


def _pdftext(pdf: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "out"
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-m", "geoplan.cli", "demo", "--report", "--out", str(out)],
                         capture_output=True, text=True, env=env, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def study():
    from geoplan.cli import DEMO_SAMPLES, demo_layers_path
    from geoplan.sources._bundled import haidian_sample_path
    from geoplan.study import load_study

    return load_study(haidian_sample_path(), layers=[demo_layers_path("haidian")], name=DEMO_SAMPLES["haidian"]["name"])


def test_one_a3_landscape_page_for_the_study_and_each_community(demo):
    pdf = demo / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    communities = pd.read_csv(demo / "coverage" / "communities.csv", encoding="utf-8-sig")
    named = [c for c in communities["community"] if c not in ("ALL", "unassigned")]
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == 1 + len(named)
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert abs(w - 1190.55) < 1.5 and abs(h - 841.89) < 1.5  # A3 landscape in points
    assert "report.pdf" in (demo / "manifest.json").read_text(encoding="utf-8")
    for page, name in enumerate(named, start=2):
        assert name in _pdftext(pdf, page)


def test_titles_date_preset_north_scale_and_attribution_in_chinese(demo):
    first = _pdftext(demo / "report.pdf", 1)
    assert "海淀区" in first and "社区应急空间规划报告" in first
    assert re.search(r"日期：\d{4}-\d{2}-\d{2}", first) and "标准预设：gb" in first
    assert "北" in first and re.search(r"\d+ 米", first)  # north arrow and scale bar
    assert "© OpenStreetMap contributors, ODbL 1.0" in first
    assert "生活圈设施覆盖（按类别）" in first and "推荐应急避难场所" in first and "菜场/超市" in first
    fonts = subprocess.run(["pdffonts", str(demo / "report.pdf")], capture_output=True, text=True).stdout
    assert "NotoSansCJKsc" in fonts and " yes " in fonts  # embedded, no system font


def test_figures_on_each_page_are_the_tables_figures(demo):
    summary = pd.read_csv(demo / "coverage" / "summary.csv", encoding="utf-8-sig")
    communities = pd.read_csv(demo / "coverage" / "communities.csv", encoding="utf-8-sig")
    proposed = pd.read_csv(demo / "sites" / "proposed.csv", encoding="utf-8-sig")
    named = [c for c in communities["community"] if c not in ("ALL", "unassigned")]
    whole = _pdftext(demo / "report.pdf", 1)
    total = communities.loc[communities["community"] == "ALL", "population"].iloc[0]
    assert f"{total:,.0f}" in whole
    for cap in proposed["capacity"]:
        assert f"{cap:,.0f}" in whole
    for page, name in enumerate(named, start=2):
        page_text = _pdftext(demo / "report.pdf", page)
        rows = summary.loc[summary["community"] == name]
        market = rows.loc[rows["category"] == "market", "covered_share"].iloc[0]
        assert f"{market * 100:.1f}%" in page_text
        pop = communities.loc[communities["community"] == name, "population"].iloc[0]
        assert f"{pop:,.0f}" in page_text


def test_pages_render_to_images_with_a_map(demo, tmp_path):
    import matplotlib.image as mpimg

    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "2", "-l", "2", str(demo / "report.pdf"),
                    str(tmp_path / "p")], check=True, capture_output=True)
    png = next(tmp_path.glob("p*.png"))
    img = mpimg.imread(png)
    assert img.shape[1] > img.shape[0] * 1.35  # landscape
    left = img[int(img.shape[0] * 0.2): int(img.shape[0] * 0.9), int(img.shape[1] * 0.05): int(img.shape[1] * 0.5), :3]
    colours = np.unique((left * 32).astype(int).reshape(-1, 3), axis=0)
    assert len(colours) > 20  # a drawn map, not an empty frame


def test_same_inputs_same_pdf_apart_from_creation_date(demo, study, tmp_path):
    a = write_report(study, demo, lang="zh", date="2026-12-01", path=tmp_path / "a.pdf").read_bytes()
    b = write_report(study, demo, lang="zh", date="2026-12-01", path=tmp_path / "b.pdf").read_bytes()
    strip = lambda x: re.sub(rb"/CreationDate \(D:[^)]*\)", b"", x)  # noqa: E731
    assert strip(a) == strip(b)
    english = _pdftext(write_report(study, demo, lang="en", date="2026-12-01", path=tmp_path / "en.pdf"), 1)
    assert "Emergency-space planning report" in english and "Legend" in english


def test_every_report_text_has_a_chinese_translation():
    zh = translator("zh")
    msgids = set()
    for path in (REPO / "geoplan" / "printout").glob("*.py"):
        msgids |= set(re.findall(r'(?:text|N_)\("((?:[^"\\]|\\.)+)"', path.read_text(encoding="utf-8")))
    assert len(msgids) > 40
    missing = sorted(m for m in msgids if zh.gettext(m) == m)
    assert not missing, missing


def test_scale_bar_lengths_are_round():
    assert nice_length(1000) == 200 and nice_length(2600) == 500 and nice_length(7) == 1
