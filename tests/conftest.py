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
