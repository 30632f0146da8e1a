"""Shared fixtures: the bundled real OSM sample, loaded once per test session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/_independent.py and tests/browser.py

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def sample_layers() -> Path:
    return REPO / "layers"


@pytest.fixture(scope="session")
def helsinki(sample_layers):
    """The bundled Helsinki extract with the sample community layers."""
    from geoplan.study import load_study

    return load_study(None, layers=[sample_layers])


@pytest.fixture(scope="session", autouse=True)
def _study_cache_in_tmp(tmp_path_factory):
    """The command line caches studies by default: keep the tests' cache out of the user's home."""
    import os

    old = os.environ.get("GEOPLAN_CACHE_DIR")
    os.environ["GEOPLAN_CACHE_DIR"] = str(tmp_path_factory.mktemp("geoplan-cache"))
    yield
    if old is None:
        os.environ.pop("GEOPLAN_CACHE_DIR", None)
    else:
        os.environ["GEOPLAN_CACHE_DIR"] = old
