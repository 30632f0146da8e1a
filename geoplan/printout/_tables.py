"""A finished run read back from its output folder: the tables a report and a comparison use.

Reading the written CSVs and GeoPackages (their column contracts are stable) rather than the
in-memory result objects keeps the report true to what was handed out, and lets a report or a
comparison be made later from any run folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geoplan.errors import InputError
from geoplan.i18n import message


@dataclass(frozen=True)
class RunTables:
    """The tables of one run (``None`` for an analysis the run did not include)."""

    folder: Path
    manifest: dict
    coverage_summary: pd.DataFrame | None
    coverage_communities: pd.DataFrame | None
    coverage_residents: pd.DataFrame | None
    access_buildings: gpd.GeoDataFrame | None
    access_obstructions: pd.DataFrame | None
    access_stations: gpd.GeoDataFrame | None
    sites_proposed: pd.DataFrame | None
    sites_residents: pd.DataFrame | None
    sites_curve: pd.DataFrame | None
    sites_summary: pd.DataFrame | None
    access_obstruction_shapes: gpd.GeoDataFrame | None = None

    @property
    def communities(self) -> list[str]:
        """Community names in the run, in table order (``unassigned`` last, ``ALL`` left out)."""
        names: list[str] = []
        for frame in (self.coverage_communities, self.access_buildings, self.sites_residents):
            if frame is not None and "community" in frame:
                names += [str(c) for c in frame["community"] if str(c) not in names and str(c) != "ALL"]
        return sorted(names, key=lambda c: (c == "unassigned", names.index(c)))


def _csv(path: Path) -> pd.DataFrame | None:
    if not path.exists():
        return None
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=True, dtype={"community": str})


def _layer(path: Path, layer: str) -> gpd.GeoDataFrame | None:
    if not path.exists():
        return None
    import pyogrio

    if layer not in {str(n) for n in pyogrio.list_layers(path)[:, 0]}:
        return None
    return gpd.read_file(path, layer=layer)


def read_run(folder: str | Path, *, manifest: bool = True) -> RunTables:
    """Read a run folder written by ``geoplan run``/``demo``/an analysis command.

    ``manifest=False`` reads the tables of a run still being written (the report is set
    before the manifest that lists it).

    Raises
    ------
    InputError
        The folder has no ``manifest.json`` (not a geoplan run, or an interrupted one).
    """
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest:
        return _tables(folder, {})
    if not manifest_path.is_file():
        raise InputError(message("no manifest.json: this folder is not a finished geoplan run"), source=folder,
                         fix=message("give the --out folder of a geoplan run, demo or analysis command"))
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise InputError(message("manifest.json is not valid JSON"), source=manifest_path,
                         fix=message("rerun the analysis into this folder")) from None
    return _tables(folder, data)


def _tables(folder: Path, manifest: dict) -> RunTables:
    buildings = _layer(folder / "access" / "access.gpkg", "buildings")
    table = _csv(folder / "access" / "buildings.csv")
    if buildings is not None and table is not None and len(buildings) == len(table):
        # the CSV is the contract; the GeoPackage adds the footprints
        buildings = gpd.GeoDataFrame(table, geometry=buildings.geometry.to_numpy(), crs=buildings.crs)
    elif table is not None:
        buildings = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs="EPSG:4326")
    return RunTables(
        folder=folder, manifest=manifest,
        coverage_summary=_csv(folder / "coverage" / "summary.csv"),
        coverage_communities=_csv(folder / "coverage" / "communities.csv"),
        coverage_residents=_csv(folder / "coverage" / "residents.csv"),
        access_buildings=buildings,
        access_obstructions=_csv(folder / "access" / "obstructions.csv"),
        access_stations=_layer(folder / "access" / "access.gpkg", "stations"),
        sites_proposed=_csv(folder / "sites" / "proposed.csv"),
        sites_residents=_csv(folder / "sites" / "residents.csv"),
        sites_curve=_csv(folder / "sites" / "coverage_curve.csv"),
        sites_summary=_csv(folder / "sites" / "summary.csv"),
        access_obstruction_shapes=_layer(folder / "access" / "access.gpkg", "obstructions"),
    )
