"""Project hygiene that users rely on: the README's commands are what CI runs; pip and conda agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]

# pip name → conda-forge name, where they differ
_CONDA_NAME = {"osmium": "pyosmium"}
_PIP_ONLY = {"folium-offline", "noto-cjk-sans-otc"}  # not packaged on conda-forge; environment.yml installs it with pip


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req.strip(), maxsplit=1)[0].lower()


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pip_names = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    conda, pip_section = set(), set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_section |= {_name(d) for d in dep["pip"] if not d.startswith("-e")}
        else:
            conda.add(_name(dep))
    conda -= {"python", "pip"}
    expected_conda = {_CONDA_NAME.get(n, n) for n in pip_names - _PIP_ONLY}
    assert conda == expected_conda
    assert pip_section == _PIP_ONLY


def test_ci_runs_the_readme_commands_verbatim():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    block = ci.split("# --- the README's commands, verbatim", 1)[1].splitlines()[1:]
    commands = [line.strip() for line in block if line.strip()]
    assert len(commands) == 2
    install, test = commands
    assert test in readme
    assert install + ' && geoplan demo' in readme


def test_generated_maps_are_not_tracked():
    ignore = (REPO / ".gitignore").read_text(encoding="utf-8")
    assert "outputs/maps/*" in ignore and (REPO / "outputs" / "maps" / ".gitkeep").exists()
