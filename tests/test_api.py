"""The public Python API as the README shows it: plain functions, callable again and again, in any order.

The README's Python blocks run as written, with the substitutions a reader without the
README's own files makes (stated in :data:`README_SUBSTITUTIONS`): the bundled sample for
``haidian.osm.pbf``, the sample layers for ``my_layers/``, a temporary folder for ``outputs/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import geoplan
from geoplan.cli import sample_layers_path
from geoplan.result import AnalysisResult

REPO = Path(__file__).resolve().parents[1]


def _substitutions(tmp: Path) -> dict[str, str]:
    return {
        '"haidian.osm.pbf"': "None",                         # the bundled sample instead of the reader's file
        '["my_layers/"]': repr([str(sample_layers_path())]),  # the sample layers instead of the reader's
        '"outputs/': f'"{tmp}/',                              # a temporary folder instead of ./outputs
    }


README_SUBSTITUTIONS = _substitutions(Path("<tmp>"))


def _python_blocks() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.fixture(scope="module")
def study():
    return geoplan.load_study(layers=[sample_layers_path()])


def test_every_readme_python_block_runs(tmp_path):
    blocks = _python_blocks()
    assert len(blocks) >= 2
    namespace: dict = {}
    for block in blocks:
        code = block
        for old, new in _substitutions(tmp_path).items():
            code = code.replace(old, new)
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README is ours
    assert (tmp_path / "maps" / "coverage.html").is_file()


def test_readme_cost_matrix_example_gives_its_stated_answer():
    block = next(b for b in _python_blocks() if "solve_from_cost_matrix" in b)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102
    sol = namespace["sol"]
    assert list(sol.selected) == [1]          # as the README's comment says
    assert sol.covered_weight == pytest.approx(650 + 400)


def test_functions_are_plain_and_importable_eagerly():
    from geoplan import access, batch, coverage, load_study, sites

    for func in (access, batch, coverage, load_study, sites):
        assert callable(func) and type(func).__name__ == "function"
    import geoplan.emergency_access.audit  # noqa: F401  importing the packages changes nothing
    import geoplan.life_circle.analysis  # noqa: F401
    import geoplan.shelters.models  # noqa: F401

    assert geoplan.coverage is coverage and geoplan.access is access and geoplan.sites is sites


def test_each_analysis_twice_with_different_options_in_any_order(study, tmp_path):
    a1 = geoplan.access(study, vehicle="fire")
    c1 = geoplan.coverage(study, mode="distance")
    s1 = geoplan.sites(study, kind="emergency", model="mclp", k=2, time_limit=30)
    c2 = geoplan.coverage(study, mode="time", profile="elderly")
    a2 = geoplan.access(study, vehicle="ambulance")
    s2 = geoplan.sites(study, kind="emergency", model="lscp", time_limit=30)
    # different options give different answers, the same options the same ones
    assert c1.parameters["mode"] == "distance" and c2.parameters["mode"] == "time"
    assert not np.allclose(c1.summary["covered_share"], c2.summary["covered_share"])
    assert set(a1.buildings["vehicle"]) == {"fire"} and set(a2.buildings["vehicle"]) == {"ambulance"}
    assert s1.parameters["model"] == "mclp" and s2.parameters["model"] == "lscp"
    again = geoplan.coverage(study, mode="distance")
    assert again.summary.equals(c1.summary)
    for result, name in ((c1, "coverage"), (a1, "access"), (s1, "sites")):
        assert isinstance(result, AnalysisResult)
        written = result.to_file(tmp_path / name)
        assert written and all(Path(p).is_file() for p in written)
        page = result.to_map(lang="zh").to_html(tmp_path / f"{name}.zh.html")
        assert "<html" in Path(page).read_text(encoding="utf-8").lower()
