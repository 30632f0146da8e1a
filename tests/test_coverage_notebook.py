"""The planner's coverage notebook runs top to bottom and writes its outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "02_coverage.ipynb"


def test_coverage_notebook_executes(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("GEOPLAN_NOTEBOOK_OUT", str(tmp_path / "outputs"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    for name in ("coverage/residents.csv", "coverage/summary.csv", "coverage/facilities.csv",
                 "coverage/coverage.gpkg", "maps/coverage.html"):
        assert (tmp_path / "outputs" / name).exists(), name
